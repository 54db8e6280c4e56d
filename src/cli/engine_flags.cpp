#include "engine_flags.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>
#include <vector>

namespace livecheck::cli {

void add_engine_flags(CLI::App* sub, EngineFlags* flags, const std::string& threshold_help) {
  sub->add_option("--threshold", flags->threshold, threshold_help)->check(CLI::Range(0.0, 1.0));
  sub->add_option("--threads", flags->threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 256));
  sub->add_option("--models", flags->models, "Model pack folder (default: models)")
      ->envname("LIVECHECK_MODELS");
  sub->add_option("--detector", flags->detector, "BlazeFace model: cascade (default), front, back")
      ->check(CLI::IsMember({"cascade", "front", "back"}));
}

void add_tuning_flags(CLI::App* sub, EngineFlags* flags) {
  sub->add_option("--box-scale", flags->box_scale,
                  "Tuning: override the pack's anti-spoof box scale (see docs/ACCURACY.md)");
  sub->add_option("--box-shift-y", flags->box_shift_y,
                  "Tuning: override the pack's anti-spoof box vertical shift, in box heights");
  sub->add_flag("--uncalibrated", flags->uncalibrated,
                "Report the raw fused spoof score as isFakeLikelihood (no calibration)");
}

StatusOr<std::vector<std::uint8_t>> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::not_found("no such file: " + path);
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes;
  if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return Status::io_error("cannot read " + path);
  return bytes;
}

int worker_count(const EngineFlags& flags, std::size_t items) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int wanted = flags.threads > 0 ? flags.threads : hw;
  return std::clamp(wanted, 1, static_cast<int>(std::max<std::size_t>(items, 1)));
}

std::shared_ptr<const Engine> load_engine(const EngineFlags& flags, int workers,
                                          const char* command) {
  EngineOptions eo;
  eo.model_dir = flags.models;
  eo.default_threshold = flags.threshold;
  eo.detector = flags.detector == "front"  ? DetectorMode::kFront
                : flags.detector == "back" ? DetectorMode::kBack
                                           : DetectorMode::kCascade;
  eo.box_scale = flags.box_scale;
  eo.box_shift_y = flags.box_shift_y;
  eo.uncalibrated = flags.uncalibrated;
  configure_cv_threads(workers);
  auto engine = Engine::load(eo);
  if (!engine.is_ok()) {
    std::fprintf(stderr, "livecheck %s: %s\n", command, engine.status().to_string().c_str());
    return nullptr;
  }
  return engine.value();
}

Status for_each_parallel(const Engine& engine, int workers, std::size_t n,
                         const std::function<void(Runner&, std::size_t)>& work,
                         const std::function<void(std::size_t)>& tick) {
  std::atomic<std::size_t> next{0}, completed{0};
  std::mutex mu;
  std::condition_variable cv;
  Status failure;  // guarded by mu
  auto worker = [&] {
    auto runner = engine.make_runner();
    if (!runner.is_ok()) {
      std::lock_guard lock(mu);
      failure = runner.status();
      next = n;  // the other workers stop taking items
      cv.notify_all();
      return;
    }
    for (std::size_t i = next++; i < n; i = next++) {
      work(*runner.value(), i);
      ++completed;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (int i = 0; i < workers; ++i) pool.emplace_back(worker);
  if (tick) {
    std::unique_lock lock(mu);
    while (completed < n && failure.is_ok()) {
      tick(completed);
      cv.wait_for(lock, std::chrono::milliseconds(100));
    }
  }
  for (auto& t : pool) t.join();
  if (tick) tick(completed);
  return failure;
}

}  // namespace livecheck::cli
