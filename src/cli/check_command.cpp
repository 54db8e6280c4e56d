// `livecheck check [--threshold T] [--threads N] [--detector M] [--models DIR] IMAGE...`
// One JSON object per image per line on stdout, in input order (JSON Lines).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "livecheck/engine.h"
#include "result_json.h"

namespace livecheck::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> images;
  double threshold = 0.15;
  int threads = 0;
  std::string models = "models";
  std::string detector = "cascade";
  std::optional<double> box_scale;
  std::optional<double> box_shift_y;
  bool uncalibrated = false;
};

std::string error_line(const std::string& path, const Status& s) {
  nlohmann::json j;
  j["image"] = path;
  j["error"] = {{"code", status_code_name(s.code())}, {"message", s.message()}};
  return j.dump();
}

std::string process(Runner& runner, const std::string& path, const CheckOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error_line(path, Status::io_error("cannot open " + path));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  CheckResult r;
  const Status s = runner.check(bytes, ImageFormat::kAuto, opts, &r);
  if (!s.is_ok()) return error_line(path, s);
  nlohmann::json j = check_result_to_json(r);
  j["image"] = path;
  return j.dump();
}

int run_check(const CheckArgs& args) {
  EngineOptions eo;
  eo.model_dir = args.models;
  eo.default_threshold = args.threshold;
  eo.detector = args.detector == "front"  ? DetectorMode::kFront
                : args.detector == "back" ? DetectorMode::kBack
                                          : DetectorMode::kCascade;
  eo.box_scale = args.box_scale;
  eo.box_shift_y = args.box_shift_y;
  eo.uncalibrated = args.uncalibrated;
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers =
      std::clamp(args.threads > 0 ? args.threads : hw, 1, static_cast<int>(args.images.size()));
  configure_cv_threads(workers);
  auto engine = Engine::load(eo);
  if (!engine.is_ok()) {
    std::fprintf(stderr, "livecheck: %s\n", engine.status().to_string().c_str());
    return 1;
  }

  // Workers take images by index; lines are printed in input order as soon as they are ready.
  const std::size_t n = args.images.size();
  std::vector<std::string> lines(n);
  std::vector<bool> done(n, false);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::string failure;
  auto worker = [&] {
    auto runner = engine.value()->make_runner();
    if (!runner.is_ok()) {
      std::lock_guard lock(mu);
      failed = true;
      failure = runner.status().to_string();
      cv.notify_all();
      return;
    }
    CheckOptions opts;
    for (std::size_t i = next++; i < n; i = next++) {
      std::string line = process(*runner.value(), args.images[i], opts);
      std::lock_guard lock(mu);
      lines[i] = std::move(line);
      done[i] = true;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < workers; ++i) pool.emplace_back(worker);
  for (std::size_t i = 0; i < n; ++i) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done[i] || failed.load(); });
    if (!done[i]) break;
    std::fwrite(lines[i].data(), 1, lines[i].size(), stdout);
    std::fputc('\n', stdout);
    lines[i].clear();
    lines[i].shrink_to_fit();
  }
  for (auto& t : pool) t.join();
  std::fflush(stdout);
  if (failed) {
    std::fprintf(stderr, "livecheck: %s\n", failure.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

CommandFn add_check_command(CLI::App& root) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* sub = root.add_subcommand(
      "check",
      "Run the liveness engine on image files (JPEG or PNG, format taken from the bytes).\n"
      "Prints one JSON object per image per line (JSON Lines) in input order:\n"
      "  {\"image\",\"isFakeFace\",\"isFakeLikelihood\",\"isValidFace\",\"faceBrightness\",\n"
      "   \"face\":{x,y,width,height,score},\"faceCount\",\"quality\":{...,\"reasons\"},\n"
      "   \"scores\":{...raw model outputs...},\"latency_ms\",\"stages_ms\":{decode,detect,...}}\n"
      "or {\"image\",\"error\":{\"code\":\"invalid_image\"|\"io_error\",\"message\"}}.\n"
      "Exit status: 0 when every image was processed (per-image errors included),\n"
      "1 when the model pack cannot be loaded, 2 on usage errors.");
  sub->add_option("images", args->images, "Image files")->required();
  sub->add_option("--threshold", args->threshold,
                  "isFakeFace = isFakeLikelihood > T (default 0.15, the API contract)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--threads", args->threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 256));
  sub->add_option("--models", args->models, "Model pack folder (default: models)")
      ->envname("LIVECHECK_MODELS");
  sub->add_option("--detector", args->detector, "BlazeFace model: cascade (default), front, back")
      ->check(CLI::IsMember({"cascade", "front", "back"}));
  sub->add_option("--box-scale", args->box_scale,
                  "Tuning: override the pack's anti-spoof box scale (see docs/ACCURACY.md)");
  sub->add_option("--box-shift-y", args->box_shift_y,
                  "Tuning: override the pack's anti-spoof box vertical shift, in box heights");
  sub->add_flag("--uncalibrated", args->uncalibrated,
                "Report the raw fused spoof score as isFakeLikelihood (no calibration)");
  return [args] { return run_check(*args); };
}

}  // namespace livecheck::cli
