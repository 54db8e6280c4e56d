// `livecheck eval --manifest FILE.tsv [--root DIR] | DIR  [--out DIR] [--score raw|calibrated]
//                 [--threshold T] [--threads N] [--models DIR] [--detector M]`
// Runs the engine over a labelled set on all cores and writes report.json, report.md, det.png and
// hist.png (src/eval). A progress bar goes to stderr when stderr is a terminal.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "dataset.h"
#include "livecheck/engine.h"
#include "report.h"
#include "summary.h"

namespace livecheck::cli {
namespace {
namespace fs = std::filesystem;
using eval::EvalItem;
using eval::ItemOutcome;

// The engine's message for an image in which the detector found no face (engine.cpp). It is an
// answer about the image, not a processing failure, so eval counts it apart.
constexpr const char* kNoFaceMessage = livecheck::kNoFaceDetectedMessage;

struct EvalArgs {
  std::string folder;    // DIR layout
  std::string manifest;  // or a TSV manifest
  std::string root;      // default: the manifest's folder
  std::string out = "eval-out";
  std::string score = "calibrated";
  double threshold = 0.15;  // the API contract's default
  int threads = 0;          // 0 = all cores
  std::string models = "models";
  std::string detector = "cascade";
};

ItemOutcome evaluate(Runner& runner, const EvalItem& item, const CheckOptions& opts) {
  ItemOutcome o;
  std::error_code ec;
  if (!fs::exists(item.file, ec)) {
    o.error_code = status_code_name(StatusCode::kNotFound);
    o.error_message = "no such file: " + item.file.string();
    return o;
  }
  std::ifstream in(item.file, std::ios::binary);
  std::vector<std::uint8_t> bytes;
  if (in) {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (!in && !in.eof()) {
    o.error_code = status_code_name(StatusCode::kIoError);
    o.error_message = "cannot read " + item.file.string();
    return o;
  }
  CheckResult r;
  const Status s = runner.check(bytes, ImageFormat::kAuto, opts, &r);
  if (s.is_ok()) {
    o.checked = true;
    o.calibrated = r.is_fake_likelihood;
    o.raw = r.scores.raw_spoof;
    o.valid_face = r.is_valid_face;
    o.face_count = r.quality.face_count;
    o.latency_ms = r.times.total_ms;
  } else if (s.code() == StatusCode::kInvalidImage && s.message() == kNoFaceMessage) {
    o.no_face = true;
  } else {
    o.error_code = status_code_name(s.code());
    o.error_message = s.message();
  }
  return o;
}

void draw_progress(std::size_t done, std::size_t total, double seconds) {
  constexpr int kBarWidth = 40;
  const double share = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(share * kBarWidth);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::fprintf(stderr, "\r[%s%s] %zu/%zu  %.1f img/s  ETA %.0f s ",
               std::string(filled, '#').c_str(), std::string(kBarWidth - filled, '.').c_str(), done,
               total, rate, eta);
  std::fflush(stderr);
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "livecheck eval: %s\nRun with --help for more information.\n",
               message.c_str());
  return 2;
}

int run_eval(const EvalArgs& args) {
  if (args.folder.empty() == args.manifest.empty()) {
    return usage_error("give either a folder (DIR) or --manifest FILE.tsv, not both");
  }
  if (!args.root.empty() && args.manifest.empty()) {
    return usage_error("--root only applies to --manifest");
  }
  eval::Dataset data;
  eval::RunInfo run;
  if (!args.manifest.empty()) {
    const fs::path manifest(args.manifest);
    const fs::path root =
        args.root.empty() ? (manifest.has_parent_path() ? manifest.parent_path() : fs::path("."))
                          : fs::path(args.root);
    if (Status s = eval::read_manifest(manifest, root, &data); !s.is_ok()) {
      return usage_error(s.to_string());
    }
    run.input_kind = "manifest";
    run.input = args.manifest;
    run.root = root.string();
  } else {
    if (Status s = eval::scan_folder(args.folder, &data); !s.is_ok()) {
      return usage_error(s.to_string());
    }
    run.input_kind = "folder";
    run.input = args.folder;
    run.root = args.folder;
  }
  run.skipped = data.skipped;

  EngineOptions eo;
  eo.model_dir = args.models;
  eo.default_threshold = args.threshold;
  eo.detector = args.detector == "front"  ? DetectorMode::kFront
                : args.detector == "back" ? DetectorMode::kBack
                                          : DetectorMode::kCascade;
  const std::size_t n = data.items.size();
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = std::clamp(args.threads > 0 ? args.threads : hw, 1, static_cast<int>(n));
  configure_cv_threads(workers);
  auto engine = Engine::load(eo);
  if (!engine.is_ok()) {
    std::fprintf(stderr, "livecheck eval: %s\n", engine.status().to_string().c_str());
    return 1;
  }
  run.models = args.models;
  run.detector = args.detector;
  run.model_pack_version = engine.value()->pack_version();
  run.threads = workers;
  run.created_utc = utc_now();

  // Workers take items by index and write their own slot; the main thread only draws progress.
  std::vector<ItemOutcome> outcomes(n);
  std::atomic<std::size_t> next{0}, completed{0};
  std::mutex mu;
  std::condition_variable cv;
  std::string failure;  // a runner could not be created; guarded by mu
  const CheckOptions opts{args.threshold};
  auto worker = [&] {
    auto runner = engine.value()->make_runner();
    if (!runner.is_ok()) {
      std::lock_guard lock(mu);
      failure = runner.status().to_string();
      next = n;  // stop the other workers
      cv.notify_all();
      return;
    }
    for (std::size_t i = next++; i < n; i = next++) {
      outcomes[i] = evaluate(*runner.value(), data.items[i], opts);
      ++completed;
      cv.notify_all();
    }
  };
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (int i = 0; i < workers; ++i) pool.emplace_back(worker);
  if (isatty(STDERR_FILENO)) {
    std::unique_lock lock(mu);
    double drawn_at = -1;
    while (completed < n && failure.empty()) {
      if (elapsed() - drawn_at >= 0.1) {  // at most 10 redraws a second
        drawn_at = elapsed();
        draw_progress(completed, n, drawn_at);
      }
      cv.wait_for(lock, std::chrono::milliseconds(200));
    }
    draw_progress(completed, n, elapsed());
    std::fputc('\n', stderr);
  }
  for (auto& t : pool) t.join();
  if (!failure.empty()) {
    std::fprintf(stderr, "livecheck eval: %s\n", failure.c_str());
    return 1;
  }
  run.wall_seconds = elapsed();

  const eval::ScoreKind kind =
      args.score == "raw" ? eval::ScoreKind::kRaw : eval::ScoreKind::kCalibrated;
  const eval::EvalSummary summary =
      eval::summarise(data.items, outcomes, kind, args.threshold, data.has_source);
  if (Status s = eval::write_report(args.out, run, data.items, outcomes, summary); !s.is_ok()) {
    std::fprintf(stderr, "livecheck eval: %s\n", s.to_string().c_str());
    return 1;
  }
  const auto& op = summary.pad.at_threshold;
  std::fprintf(stderr,
               "livecheck eval: %zu images (%zu failed) in %.1f s; at T=%g (%s): APCER_max %.2f%% "
               "BPCER %.2f%% ACER %.2f%% AUC %.4f; report in %s\n",
               n, summary.failures.size(), run.wall_seconds, args.threshold,
               eval::score_kind_name(kind), 100 * op.apcer_max, 100 * op.bpcer, 100 * op.acer,
               summary.pad.auc, args.out.c_str());
  return 0;
}

}  // namespace

CommandFn add_eval_command(CLI::App& root) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* sub = root.add_subcommand(
      "eval",
      "Measure the engine on a labelled image set (ISO/IEC 30107-3 APCER/BPCER/ACER, AUC, EER,\n"
      "operating points, no-face rates, latency).\n"
      "Input: DIR with live/, spoof/<attack type>/, noface/, multiface/ sub-folders, or\n"
      "--manifest FILE.tsv with a header and at least the columns path, label\n"
      "(live|spoof|noface|multiface) and attack_type; a `source` column gives per-source tables.\n"
      "Writes report.json, report.md, det.png and hist.png into --out.\n"
      "Exit status: 0 when the report was written (per-image failures are listed in it),\n"
      "1 when the model pack cannot be loaded or the report cannot be written,\n"
      "2 on usage errors (bad options, unreadable or malformed manifest, empty folder).");
  sub->add_option("dir", args->folder, "Folder with live/ and spoof/<type>/ sub-folders");
  sub->add_option("--manifest", args->manifest, "TSV manifest (path, label, attack_type, ...)")
      ->check(CLI::ExistingFile);
  sub->add_option("--root", args->root,
                  "Folder the manifest's paths are relative to (default: the manifest's folder)")
      ->check(CLI::ExistingDirectory);
  sub->add_option("--out", args->out, "Output folder (default: eval-out)");
  sub->add_option("--score", args->score,
                  "Score judged: calibrated (isFakeLikelihood, default) or raw (1 - fused live)")
      ->check(CLI::IsMember({"calibrated", "raw"}));
  sub->add_option("--threshold", args->threshold,
                  "Accepted as bona fide when score <= T (default 0.15, the API contract)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--threads", args->threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 256));
  sub->add_option("--models", args->models, "Model pack folder (default: models)")
      ->envname("LIVECHECK_MODELS");
  sub->add_option("--detector", args->detector, "BlazeFace model: cascade (default), front, back")
      ->check(CLI::IsMember({"cascade", "front", "back"}));
  return [args] { return run_eval(*args); };
}

}  // namespace livecheck::cli
