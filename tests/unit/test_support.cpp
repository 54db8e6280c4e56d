#include "test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <sstream>

namespace livecheck::test {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

}  // namespace

std::string model_dir() { return env_or("LIVECHECK_MODEL_DIR", LIVECHECK_TEST_MODEL_DIR); }
std::string shared_dir() { return env_or("LIVECHECK_SHARED_DIR", LIVECHECK_TEST_SHARED_DIR); }
std::string dev_dir() { return shared_dir() + "/datasets/dev"; }
std::string astronaut_path() { return std::string(LIVECHECK_TEST_SKIMAGE_DATA) + "/astronaut.png"; }
std::string opencv_sample(const std::string& name) {
  return std::string(LIVECHECK_TEST_OPENCV_SAMPLES) + "/" + name;
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

cv::Mat load_bgr(const std::string& path) {
  cv::Mat img = cv::imread(path, cv::IMREAD_COLOR);
  EXPECT_FALSE(img.empty()) << "cannot read image " << path;
  return img;
}

cv::Mat astronaut() {
  static const cv::Mat img = load_bgr(astronaut_path());
  return img.clone();
}

std::vector<std::uint8_t> encode(const cv::Mat& img, const std::string& ext,
                                 const std::vector<int>& params) {
  std::vector<std::uint8_t> buf;
  EXPECT_TRUE(cv::imencode(ext, img, buf, params)) << "imencode " << ext;
  return buf;
}

std::string ManifestRow::full_path() const { return dev_dir() + "/" + path; }

std::vector<ManifestRow> dev_manifest() {
  std::ifstream in(dev_dir() + "/MANIFEST.tsv");
  EXPECT_TRUE(in.good()) << "cannot open " << dev_dir() << "/MANIFEST.tsv";
  std::string line;
  std::getline(in, line);  // header
  std::vector<ManifestRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 11 || cols[0].rfind("videos/", 0) == 0) continue;
    ManifestRow r;
    r.path = cols[0];
    r.label = cols[1];
    r.attack_type = cols[2];
    r.source = cols[3];
    r.notes = cols[8];
    r.width = std::stoi(cols[9]);
    r.height = std::stoi(cols[10]);
    rows.push_back(std::move(r));
  }
  return rows;
}

const ModelPack& pack() {
  static const ModelPack p = [] {
    auto r = load_model_pack(model_dir());
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : ModelPack{};
  }();
  return p;
}

std::shared_ptr<const Engine> shared_engine() {
  static std::once_flag once;
  static std::shared_ptr<const Engine> engine;
  std::call_once(once, [] {
    EngineOptions o;
    o.model_dir = model_dir();
    auto e = Engine::load(o);
    if (e.is_ok())
      engine = e.value();
    else
      ADD_FAILURE() << "Engine::load(" << o.model_dir << "): " << e.status().to_string();
  });
  return engine;
}

std::unique_ptr<Runner> make_runner() {
  auto engine = shared_engine();
  if (!engine) return nullptr;
  auto r = engine->make_runner();
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : nullptr;
}

Status check_bytes(Runner& runner, const std::vector<std::uint8_t>& bytes, CheckResult* out,
                   ImageFormat format) {
  return runner.check(bytes, format, {}, out);
}

Status check_image(Runner& runner, const cv::Mat& bgr, CheckResult* out) {
  // PNG: lossless, so what the test built is exactly what the engine sees.
  return check_bytes(runner, encode_png(bgr), out, ImageFormat::kPng);
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("livecheck-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
           std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

double roc_auc(const std::vector<double>& score, const std::vector<bool>& positive) {
  const std::size_t n = score.size();
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(),
            [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  // Average ranks (1-based) over ties.
  std::vector<double> rank(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) ++j;
    const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) rank[idx[k]] = avg;
    i = j + 1;
  }
  double pos_rank_sum = 0;
  double n_pos = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (positive[i]) {
      pos_rank_sum += rank[i];
      n_pos += 1;
    }
  }
  const double n_neg = static_cast<double>(n) - n_pos;
  if (n_pos == 0 || n_neg == 0) return 0.5;
  return (pos_rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg);
}

}  // namespace livecheck::test
