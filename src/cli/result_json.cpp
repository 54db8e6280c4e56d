#include "result_json.h"

#include <cmath>

namespace livecheck::cli {
namespace {

// Fixed decimals keep the output stable and readable.
double round_to(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

}  // namespace

nlohmann::json check_result_to_json(const CheckResult& r) {
  nlohmann::json j;
  j["isFakeFace"] = r.is_fake;
  j["isFakeLikelihood"] = round_to(r.is_fake_likelihood, 6);
  j["isValidFace"] = r.is_valid_face;
  j["faceBrightness"] = round_to(r.face_brightness, 1);
  j["threshold"] = r.threshold;
  j["face"] = {{"x", std::lround(r.face.box.x)},
               {"y", std::lround(r.face.box.y)},
               {"width", std::lround(r.face.box.width)},
               {"height", std::lround(r.face.box.height)},
               {"score", round_to(r.face.score, 4)}};
  nlohmann::json kps = nlohmann::json::array();
  for (const Point& p : r.face.keypoints) kps.push_back({round_to(p.x, 1), round_to(p.y, 1)});
  j["face"]["keypoints"] = kps;
  j["faceCount"] = r.quality.face_count;
  const Quality& q = r.quality;
  j["quality"] = {{"brightness", round_to(q.brightness, 1)},
                  {"sharpness", round_to(q.sharpness, 1)},
                  {"faceWidthPx", round_to(q.face_width_px, 1)},
                  {"faceRatio", round_to(q.face_ratio, 3)},
                  {"insideRatio", round_to(q.inside_ratio, 3)},
                  {"rollDeg", round_to(q.roll_deg, 1)},
                  {"yawDeg", round_to(q.yaw_deg, 1)},
                  {"reasons", q.reasons}};
  const AntiSpoofScores& s = r.scores;
  j["scores"] = {
      {"v2Softmax",
       {round_to(s.v2_softmax[0], 6), round_to(s.v2_softmax[1], 6), round_to(s.v2_softmax[2], 6)}},
      {"v1seSoftmax",
       {round_to(s.v1se_softmax[0], 6), round_to(s.v1se_softmax[1], 6),
        round_to(s.v1se_softmax[2], 6)}},
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
