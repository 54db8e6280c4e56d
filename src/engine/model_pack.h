// The model pack: models/models.json (written by scripts/setup from modelpack/pack.json) plus the
// ONNX files it lists. Loading verifies every file's sha256 (libsodium) and keeps the bytes in
// memory so that each Runner can build its own cv::dnn::Net without touching the disk.
// Thread safety: ModelPack is immutable after load_model_pack().
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "livecheck/status.h"

namespace livecheck {

struct ModelFile {
  std::string name;  // "blazeface_front", "minifasnet_v2", ...
  std::string role;  // "face_detector" | "antispoof"
  std::string file;
  std::string sha256;
  std::vector<std::uint8_t> bytes;
  // Input spec.
  int input_size = 0;          // square side, pixels
  double range_lo = 0;         // value range the pixels are mapped to
  double range_hi = 1;
  // Detector anchors (face_detector only).
  std::vector<int> strides;
  std::vector<int> per_cell;
  // Anti-spoof (antispoof only).
  double crop_scale = 0;
  int live_class = 1;
};

struct Calibration {
  // P(spoof) = 1 / (1 + exp(-(a * logit(raw_spoof) + b))) for "platt"; identity otherwise.
  std::string method = "identity";
  double a = 1.0;
  double b = 0.0;
};

struct ModelPack {
  std::string dir;
  std::string name;
  std::string version;  // pack_version + first 8 hex digits of the combined sha256
  std::vector<ModelFile> models;
  double detector_min_score = 0.5;
  double detector_nms_iou = 0.3;
  double box_scale = 1.0;    // BlazeFace box -> anti-spoof box: scale about the centre
  double box_shift_y = 0.0;  // and shift by this fraction of the box height (+ = down)
  std::vector<double> fusion_weights{0.5, 0.5};
  Calibration calibration;
  // Named operating points on the isFakeLikelihood scale ("strict", "balanced", "lenient").
  std::map<std::string, double> presets;

  const ModelFile* find(const std::string& name) const;
};

StatusOr<ModelPack> load_model_pack(const std::string& dir);

// Lower-case hex SHA-256 of a byte buffer.
std::string sha256_hex(const std::uint8_t* data, std::size_t size);

}  // namespace livecheck
