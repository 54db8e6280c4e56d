// `livecheck check [--threshold T] [--threads N] [--detector M] [--models DIR] IMAGE...`
// One JSON object per image per line on stdout, in input order (JSON Lines).
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/json_out.h"
#include "commands.h"
#include "engine_flags.h"
#include "livecheck/engine.h"
#include "result_json.h"

namespace livecheck::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> images;
  EngineFlags engine;
};

// File names need not be UTF-8: dump_json replaces invalid bytes instead of throwing.
std::string error_line(const std::string& path, const Status& s) {
  nlohmann::ordered_json j;
  j["image"] = path;
  j["error"] = {{"code", status_code_name(s.code())}, {"message", s.message()}};
  return api::dump_json(j);
}

std::string process(Runner& runner, const std::string& path, const CheckOptions& opts) {
  auto bytes = read_file_bytes(path);
  if (!bytes.is_ok()) return error_line(path, bytes.status());
  CheckResult r;
  const Status s = runner.check(bytes.value(), ImageFormat::kAuto, opts, &r);
  if (!s.is_ok()) return error_line(path, s);
  return api::dump_json(check_result_to_json(path, r));
}

int run_check(const CheckArgs& args) {
  const std::size_t n = args.images.size();
  const int workers = worker_count(args.engine, n);
  const auto engine = load_engine(args.engine, workers, "check");
  if (!engine) return 1;

  // Workers fill their slot; the calling thread prints finished lines in input order.
  std::vector<std::string> lines(n);
  auto done = std::make_unique<std::atomic<bool>[]>(n);
  std::size_t printed = 0;
  auto flush_ready = [&](std::size_t /*completed*/) {
    while (printed < n && done[printed].load(std::memory_order_acquire)) {
      std::fwrite(lines[printed].data(), 1, lines[printed].size(), stdout);
      std::fputc('\n', stdout);
      std::string().swap(lines[printed]);
      ++printed;
    }
    std::fflush(stdout);
  };
  const CheckOptions opts;
  const Status s = for_each_parallel(
      *engine, workers, n,
      [&](Runner& runner, std::size_t i) {
        lines[i] = process(runner, args.images[i], opts);
        done[i].store(true, std::memory_order_release);
      },
      flush_ready);
  if (!s.is_ok()) {
    std::fprintf(stderr, "livecheck check: %s\n", s.to_string().c_str());
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
      "or "
      "{\"image\",\"error\":{\"code\":\"invalid_image\"|\"not_found\"|\"io_error\",\"message\"}}.\n"
      "Exit status: 0 when every image was processed (per-image errors included),\n"
      "1 when the model pack cannot be loaded, 2 on usage errors.");
  sub->add_option("images", args->images, "Image files")->required();
  add_engine_flags(sub, &args->engine,
                   "isFakeFace = isFakeLikelihood > T (default 0.15, the API contract)");
  add_tuning_flags(sub, &args->engine);
  return [args] { return run_check(*args); };
}

}  // namespace livecheck::cli
