// Engine benchmarks (Google Benchmark): per stage and end to end, one thread and all threads,
// after warm-up, on generated inputs of four sizes. Numbers go to docs/BENCHMARKS.md.
//
//   build/bench/engine_bench --benchmark_repetitions=5 --benchmark_min_time=0.5
//
// Inputs are derived at start-up from a real 640x480 face photo (a dev-set NUAA frame when
// ../shared is present, else skimage's astronaut) so that no image is committed.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "antispoof.h"
#include "face_detector.h"
#include "image_decode.h"
#include "livecheck/engine.h"
#include "model_pack.h"
#include "quality.h"

namespace lc = livecheck;

namespace {

const char* kModelDir = LIVECHECK_MODEL_DIR;

struct Inputs {
  std::map<std::string, std::vector<std::uint8_t>> encoded;  // name -> bytes
};

cv::Mat base_photo() {
  const std::string nuaa = std::string(LIVECHECK_SHARED_DIR) +
                           "/datasets/dev/live/nuaa__ClientRaw_0001_0001_00_00_01_0.jpg";
  cv::Mat img = cv::imread(nuaa, cv::IMREAD_COLOR);
  if (img.empty()) {
    cv::Mat a = cv::imread("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
    img = cv::Mat(480, 640, CV_8UC3, cv::Scalar::all(90));
    cv::resize(a, a, cv::Size(480, 480));
    a.copyTo(img(cv::Rect(80, 0, 480, 480)));
  }
  return img;
}

std::vector<std::uint8_t> encode(const cv::Mat& img, const std::string& ext,
                                 std::vector<int> params = {}) {
  std::vector<std::uint8_t> out;
  cv::imencode(ext, img, out, params);
  return out;
}

const Inputs& inputs() {
  static const Inputs in = [] {
    Inputs r;
    const cv::Mat photo = base_photo();  // 640x480
    r.encoded["640x480_jpeg"] = encode(photo, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90});
    cv::Mat hd(720, 1280, CV_8UC3);
    cv::Mat scaled;
    cv::resize(photo, scaled, cv::Size(960, 720), 0, 0, cv::INTER_CUBIC);
    cv::copyMakeBorder(scaled, hd, 0, 0, 160, 160, cv::BORDER_REFLECT);
    r.encoded["1280x720_jpeg"] = encode(hd, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90});
    cv::Mat mp12;
    cv::resize(photo, mp12, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    // Camera-like sensor noise so the JPEG has realistic entropy (smooth upscales compress
    // unrealistically well and decode unrealistically fast).
    cv::Mat noise(mp12.size(), CV_8UC3);
    cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(6));
    cv::add(mp12, noise, mp12, cv::noArray(), CV_8UC3);
    r.encoded["4000x3000_jpeg"] = encode(mp12, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 92});
    cv::Mat big;
    cv::resize(photo, big, cv::Size(2400, 1800), 0, 0, cv::INTER_CUBIC);
    r.encoded["2400x1800_png"] = encode(big, ".png", {cv::IMWRITE_PNG_COMPRESSION, 3});
    return r;
  }();
  return in;
}

std::shared_ptr<const lc::Engine> engine() {
  static std::shared_ptr<const lc::Engine> e = [] {
    auto r = lc::Engine::load({.model_dir = kModelDir});
    if (!r.is_ok()) {
      std::fprintf(stderr, "engine load failed: %s\n", r.status().to_string().c_str());
      std::exit(1);
    }
    return r.value();
  }();
  return e;
}

void add_min_statistic(benchmark::internal::Benchmark* b) {
  b->ComputeStatistics("min", [](const std::vector<double>& v) {
    return *std::min_element(v.begin(), v.end());
  });
}

// ---- model load: read + sha256-verify the pack, compile one set of networks.
void BM_EngineLoad(benchmark::State& state) {
  for (auto _ : state) {
    auto r = lc::Engine::load({.model_dir = kModelDir});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_EngineLoad)->Unit(benchmark::kMillisecond)->UseRealTime()->Apply(add_min_statistic);

// ---- stages, one thread.
void BM_Decode(benchmark::State& state, const std::string& name) {
  cv::setNumThreads(1);
  const auto& bytes = inputs().encoded.at(name);
  for (auto _ : state) {
    auto d = lc::decode_image(bytes, lc::ImageFormat::kAuto);
    if (!d.is_ok()) state.SkipWithError(d.status().message().c_str());
    benchmark::DoNotOptimize(d);
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
}

void BM_Detect(benchmark::State& state, const std::string& model) {
  cv::setNumThreads(1);
  auto pack = lc::load_model_pack(kModelDir);
  auto det = lc::BlazeFace::load(*pack.value().find(model), 0.5, 0.3);
  auto img = lc::decode_image(inputs().encoded.at("640x480_jpeg"), lc::ImageFormat::kAuto);
  det.value().detect(img.value().bgr);  // warm-up
  for (auto _ : state) {
    auto faces = det.value().detect(img.value().bgr);
    if (faces.empty()) state.SkipWithError("no face");
    benchmark::DoNotOptimize(faces);
  }
}

void BM_AntiSpoofPair(benchmark::State& state) {
  cv::setNumThreads(1);
  auto pack = lc::load_model_pack(kModelDir);
  auto det = lc::BlazeFace::load(*pack.value().find("blazeface_front"), 0.5, 0.3);
  auto v2 = lc::MiniFasNet::load(*pack.value().find("minifasnet_v2"));
  auto v1se = lc::MiniFasNet::load(*pack.value().find("minifasnet_v1se"));
  auto img = lc::decode_image(inputs().encoded.at("640x480_jpeg"), lc::ImageFormat::kAuto);
  const auto faces = det.value().detect(img.value().bgr);
  double s;
  for (auto _ : state) {
    auto a = v2.value().predict(img.value().bgr, faces.front().box, &s);
    auto b = v1se.value().predict(img.value().bgr, faces.front().box, &s);
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
  }
}

void BM_Quality(benchmark::State& state) {
  cv::setNumThreads(1);
  auto pack = lc::load_model_pack(kModelDir);
  auto det = lc::BlazeFace::load(*pack.value().find("blazeface_front"), 0.5, 0.3);
  auto img = lc::decode_image(inputs().encoded.at("640x480_jpeg"), lc::ImageFormat::kAuto);
  const auto faces = det.value().detect(img.value().bgr);
  for (auto _ : state) {
    auto q = lc::assess_quality(img.value().bgr, faces, 1.0);
    benchmark::DoNotOptimize(q);
  }
}

// ---- end to end. threads = benchmark threads, each with its own Runner; cv_threads = OpenCV's
// pool inside a forward (1 for throughput mode, 0 = all cores for one-request latency mode).
void BM_EndToEnd(benchmark::State& state, const std::string& name, int cv_threads) {
  if (state.thread_index() == 0) cv::setNumThreads(cv_threads == 0 ? -1 : cv_threads);
  auto runner = engine()->make_runner();
  const auto& bytes = inputs().encoded.at(name);
  lc::CheckResult r;
  runner.value()->check(bytes, lc::ImageFormat::kAuto, {}, &r);  // warm-up
  for (auto _ : state) {
    const lc::Status s = runner.value()->check(bytes, lc::ImageFormat::kAuto, {}, &r);
    if (!s.is_ok()) state.SkipWithError(s.message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["stage_decode_ms"] = r.times.decode_ms;
  state.counters["stage_detect_ms"] = r.times.detect_ms;
  state.counters["stage_antispoof_ms"] = r.times.antispoof_ms;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  state.counters["peak_rss_mb"] = ru.ru_maxrss / 1024.0;
}

const char* kImages[] = {"640x480_jpeg", "1280x720_jpeg", "4000x3000_jpeg", "2400x1800_png"};

int register_all() {
  for (const char* name : kImages) {
    benchmark::RegisterBenchmark((std::string("BM_Decode/") + name).c_str(), BM_Decode,
                                 std::string(name))
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Apply(add_min_statistic);
  }
  for (const char* m : {"blazeface_front", "blazeface_back"}) {
    benchmark::RegisterBenchmark((std::string("BM_Detect/") + m).c_str(), BM_Detect,
                                 std::string(m))
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Apply(add_min_statistic);
  }
  benchmark::RegisterBenchmark("BM_AntiSpoofPair", BM_AntiSpoofPair)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Apply(add_min_statistic);
  benchmark::RegisterBenchmark("BM_Quality", BM_Quality)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Apply(add_min_statistic);
  for (const char* name : kImages) {
    benchmark::RegisterBenchmark((std::string("BM_EndToEnd_1thread/") + name).c_str(),
                                 BM_EndToEnd, std::string(name), 1)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Apply(add_min_statistic);
    benchmark::RegisterBenchmark((std::string("BM_EndToEnd_cvpool/") + name).c_str(),
                                 BM_EndToEnd, std::string(name), 0)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Apply(add_min_statistic);
    benchmark::RegisterBenchmark((std::string("BM_EndToEnd_runners/") + name).c_str(),
                                 BM_EndToEnd, std::string(name), 1)
        ->Threads(2)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Apply(add_min_statistic);
  }
  return 0;
}
const int kRegistered = register_all();

}  // namespace

BENCHMARK_MAIN();
