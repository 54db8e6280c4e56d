// Shared helpers for the engine tests: where the test data lives, reading and encoding images,
// the dev-set manifest, one engine per test process, and a scratch folder.
// Paths come from compile definitions set by tests/unit/CMakeLists.txt and can be overridden by
// the environment variables of the same role (LIVECHECK_MODEL_DIR, LIVECHECK_SHARED_DIR).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "livecheck/engine.h"
#include "model_pack.h"

namespace livecheck::test {

std::string model_dir();
std::string shared_dir();
std::string dev_dir();  // <shared>/datasets/dev
std::string astronaut_path();
std::string opencv_sample(const std::string& name);

std::vector<std::uint8_t> read_bytes(const std::string& path);
// 8-bit BGR, fails the current test (and returns empty) when the file cannot be read.
cv::Mat load_bgr(const std::string& path);
// The astronaut (512x512, one frontal face).
cv::Mat astronaut();

std::vector<std::uint8_t> encode(const cv::Mat& img, const std::string& ext,
                                 const std::vector<int>& params = {});
inline std::vector<std::uint8_t> encode_jpeg(const cv::Mat& img, int quality = 90) {
  return encode(img, ".jpg", {1 /*cv::IMWRITE_JPEG_QUALITY*/, quality});
}
inline std::vector<std::uint8_t> encode_png(const cv::Mat& img) { return encode(img, ".png"); }

struct ManifestRow {
  std::string path;   // relative to dev_dir()
  std::string label;  // live | spoof
  std::string attack_type;
  std::string source;
  std::string notes;
  int width = 0;
  int height = 0;
  bool full_frame() const { return notes.find("full-frame") != std::string::npos; }
  bool spoof() const { return label == "spoof"; }
  std::string full_path() const;
};
// All image rows of MANIFEST.tsv (rows under videos/ skipped), in file order.
std::vector<ManifestRow> dev_manifest();

// One engine per test process (loading verifies ~4.5 MB of sha256 and compiles the networks).
std::shared_ptr<const Engine> shared_engine();

// The installed model pack, loaded once (a failure is reported as a test failure).
const ModelPack& pack();
std::unique_ptr<Runner> make_runner();

// Runs the full pipeline; returns the status and fills *out.
Status check_image(Runner& runner, const cv::Mat& bgr, CheckResult* out);
Status check_bytes(Runner& runner, const std::vector<std::uint8_t>& bytes, CheckResult* out,
                   ImageFormat format = ImageFormat::kAuto);

// A fresh folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Rank-based ROC AUC (Mann-Whitney U), ties count one half. `positive[i]` marks the positives.
double roc_auc(const std::vector<double>& score, const std::vector<bool>& positive);

}  // namespace livecheck::test
