#include "result_json.h"

#include "api/json_out.h"

namespace livecheck::cli {

using api::round_to;

nlohmann::ordered_json check_result_to_json(const std::string& image, const CheckResult& r) {
  nlohmann::ordered_json j;
  j["image"] = image;
  j["isFakeFace"] = r.is_fake;
  j["isFakeLikelihood"] = round_to(r.is_fake_likelihood, 6);
  j["isValidFace"] = r.is_valid_face;
  j["faceBrightness"] = round_to(r.face_brightness, 1);
  j["threshold"] = r.threshold;
  j["face"] = api::face_json(r.face);
  nlohmann::ordered_json kps = nlohmann::ordered_json::array();
  for (const Point& p : r.face.keypoints) kps.push_back({round_to(p.x, 1), round_to(p.y, 1)});
  j["face"]["keypoints"] = kps;
  j["faceCount"] = r.quality.face_count;
  j["quality"] = api::quality_json(r.quality);
  const AntiSpoofScores& s = r.scores;
  auto triple = [](const std::array<double, 3>& v) {
    return nlohmann::ordered_json::array({round_to(v[0], 6), round_to(v[1], 6), round_to(v[2], 6)});
  };
  j["scores"] = {{"v2Softmax", triple(s.v2_softmax)},
                 {"v1seSoftmax", triple(s.v1se_softmax)},
                 {"v2Live", round_to(s.v2_live, 6)},
                 {"v1seLive", round_to(s.v1se_live, 6)},
                 {"fusedLive", round_to(s.fused_live, 6)},
                 {"rawSpoof", round_to(s.raw_spoof, 6)},
                 {"cropScaleV2", round_to(s.crop_scale_v2, 3)},
                 {"cropScaleV1se", round_to(s.crop_scale_v1se, 3)}};
  j["image_size"] = {{"width", r.image_width}, {"height", r.image_height}};
  j["decodeScale"] = r.decode_scale;
  j["latency_ms"] = round_to(r.times.total_ms, 2);
  j["stages_ms"] = {{"decode", round_to(r.times.decode_ms, 2)},
                    {"detect", round_to(r.times.detect_ms, 2)},
                    {"quality", round_to(r.times.quality_ms, 2)},
                    {"antispoof", round_to(r.times.antispoof_ms, 2)}};
  j["modelPack"] = r.model_pack_version;
  return j;
}

}  // namespace livecheck::cli
