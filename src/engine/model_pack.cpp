#include "model_pack.h"

#include <sodium.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace livecheck {
namespace {

StatusOr<std::vector<std::uint8_t>> read_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return Status::not_found("file not found: " + p.string());
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::io_error("cannot open " + p.string());
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) return Status::io_error("cannot read " + p.string());
  return bytes;
}

}  // namespace

std::string sha256_hex(const std::uint8_t* data, std::size_t size) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, data, size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

const ModelFile* ModelPack::find(const std::string& model_name) const {
  for (const auto& m : models) {
    if (m.name == model_name) return &m;
  }
  return nullptr;
}

StatusOr<ModelPack> load_model_pack(const std::string& dir) {
  if (sodium_init() < 0) return Status::internal("libsodium failed to initialise");
  const std::filesystem::path root(dir);
  auto manifest = read_file(root / "models.json");
  if (!manifest.is_ok()) {
    return Status::model_error(manifest.status().message() +
                               " (run `make setup` to assemble the model pack)");
  }
  ModelPack pack;
  pack.dir = dir;
  try {
    const auto j = nlohmann::json::parse(manifest.value().begin(), manifest.value().end());
    pack.name = j.value("pack_name", "unnamed");
    const std::string version = j.at("pack_version").get<std::string>();
    std::string combined;
    for (const auto& m : j.at("models")) {
      ModelFile f;
      f.name = m.at("name").get<std::string>();
      f.role = m.at("role").get<std::string>();
      f.file = m.at("file").get<std::string>();
      f.sha256 = m.at("sha256").get<std::string>();
      const auto& in = m.at("input");
      const auto& shape = in.at("shape");
      f.input_size =
          in.value("layout", "NCHW") == "NHWC" ? shape.at(1).get<int>() : shape.at(2).get<int>();
      f.range_lo = in.at("range").at(0).get<double>();
      f.range_hi = in.at("range").at(1).get<double>();
      if (f.role == "face_detector") {
        f.strides = m.at("anchors").at("strides").get<std::vector<int>>();
        f.per_cell = m.at("anchors").at("per_cell").get<std::vector<int>>();
        if (f.strides.size() != f.per_cell.size() || f.strides.empty()) {
          return Status::model_error("models.json: " + f.name + " has inconsistent anchors");
        }
      } else if (f.role == "antispoof") {
        f.crop_scale = m.at("crop_scale").get<double>();
        f.live_class = m.value("live_class", 1);
      }
      auto bytes = read_file(root / f.file);
      if (!bytes.is_ok()) return Status::model_error(bytes.status().message());
      const std::string got = sha256_hex(bytes.value().data(), bytes.value().size());
      if (got != f.sha256) {
        return Status::model_error("model file " + f.file + " does not match models.json: sha256 " +
                                   got + ", expected " + f.sha256 + " (re-run `make setup`)");
      }
      f.bytes = std::move(bytes).value();
      combined += f.sha256;
      pack.models.push_back(std::move(f));
    }
    if (j.contains("detector")) {
      pack.detector_min_score = j["detector"].value("min_score", 0.5);
      pack.detector_nms_iou = j["detector"].value("nms_iou", 0.3);
    }
    if (j.contains("antispoof")) {
      const auto& a = j["antispoof"];
      pack.box_scale = a.value("box_scale", 1.0);
      pack.box_shift_y = a.value("box_shift_y", 0.0);
      pack.fusion_weights = a.value("weights", std::vector<double>{0.5, 0.5});
    }
    if (j.contains("calibration")) {
      const auto& c = j["calibration"];
      pack.calibration.method = c.value("method", "identity");
      pack.calibration.a = c.value("a", 1.0);
      pack.calibration.b = c.value("b", 0.0);
    }
    if (j.contains("presets")) {
      for (const auto& [k, v] : j["presets"].items()) {
        const double t = v.get<double>();
        if (!(t >= 0 && t <= 1))
          return Status::model_error("models.json: preset " + k + " outside 0..1");
        pack.presets[k] = t;
      }
    }
    // The version changes with any model file and with the fitted parameters.
    combined += j.value("pack_json_sha256", "");
    const std::string digest =
        sha256_hex(reinterpret_cast<const std::uint8_t*>(combined.data()), combined.size());
    pack.version = version + "+" + digest.substr(0, 8);
  } catch (const nlohmann::json::exception& e) {
    return Status::model_error(std::string("models.json is malformed: ") + e.what());
  }
  for (const char* needed : {"minifasnet_v2", "minifasnet_v1se"}) {
    if (pack.find(needed) == nullptr) {
      return Status::model_error(std::string("models.json lacks the model ") + needed);
    }
  }
  if (pack.find("blazeface_front") == nullptr && pack.find("blazeface_back") == nullptr) {
    return Status::model_error("models.json lists no BlazeFace face detector");
  }
  if (pack.fusion_weights.size() != 2 || !(pack.fusion_weights[0] >= 0) ||
      !(pack.fusion_weights[1] >= 0) || !(pack.fusion_weights[0] + pack.fusion_weights[1] > 0)) {
    return Status::model_error(
        "models.json: antispoof.weights must be two non-negative numbers with a positive sum");
  }
  if (pack.calibration.method != "identity" && pack.calibration.method != "platt") {
    return Status::model_error("models.json: unknown calibration method '" +
                               pack.calibration.method + "' (identity or platt)");
  }
  if (!std::isfinite(pack.calibration.a) || !std::isfinite(pack.calibration.b)) {
    return Status::model_error("models.json: calibration parameters must be finite numbers");
  }
  return pack;
}

}  // namespace livecheck
