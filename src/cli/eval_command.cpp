// `livecheck eval --manifest FILE.tsv [--root DIR] | DIR  [--out DIR] [--score raw|calibrated]
//                 [--threshold T] [--threads N] [--models DIR] [--detector M]`
// Runs the engine over a labelled set on all cores and writes report.json, report.md, det.png and
// hist.png (src/eval). A progress bar goes to stderr when stderr is a terminal.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "dataset.h"
#include "engine_flags.h"
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
  EngineFlags engine;
};

ItemOutcome evaluate(Runner& runner, const EvalItem& item, const CheckOptions& opts) {
  ItemOutcome o;
  auto bytes = read_file_bytes(item.file.string());
  if (!bytes.is_ok()) {
    o.error_code = status_code_name(bytes.status().code());
    o.error_message = bytes.status().message();
    return o;
  }
  CheckResult r;
  const Status s = runner.check(bytes.value(), ImageFormat::kAuto, opts, &r);
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

  const std::size_t n = data.items.size();
  const int workers = worker_count(args.engine, n);
  const auto engine = load_engine(args.engine, workers, "eval");
  if (!engine) return 1;
  run.models = args.engine.models;
  run.detector = args.engine.detector;
  run.model_pack_version = engine->pack_version();
  run.threads = workers;
  run.created_utc = utc_now();

  std::vector<ItemOutcome> outcomes(n);
  const CheckOptions opts{args.engine.threshold};
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::function<void(std::size_t)> progress;
  if (isatty(STDERR_FILENO)) {
    progress = [&](std::size_t completed) {
      draw_progress(completed, n, elapsed());
      if (completed == n) std::fputc('\n', stderr);
    };
  }
  const Status s = for_each_parallel(
      *engine, workers, n,
      [&](Runner& runner, std::size_t i) { outcomes[i] = evaluate(runner, data.items[i], opts); },
      progress);
  if (!s.is_ok()) {
    std::fprintf(stderr, "livecheck eval: %s\n", s.to_string().c_str());
    return 1;
  }
  run.wall_seconds = elapsed();

  const eval::ScoreKind kind =
      args.score == "raw" ? eval::ScoreKind::kRaw : eval::ScoreKind::kCalibrated;
  const eval::EvalSummary summary =
      eval::summarise(data.items, outcomes, kind, args.engine.threshold, data.has_source);
  if (Status s = eval::write_report(args.out, run, data.items, outcomes, summary); !s.is_ok()) {
    std::fprintf(stderr, "livecheck eval: %s\n", s.to_string().c_str());
    return 1;
  }
  const auto& op = summary.pad.at_threshold;
  std::fprintf(stderr,
               "livecheck eval: %zu images (%zu failed) in %.1f s; at T=%g (%s): APCER_max %.2f%% "
               "BPCER %.2f%% ACER %.2f%% AUC %.4f; report in %s\n",
               n, summary.failures.size(), run.wall_seconds, args.engine.threshold,
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
  add_engine_flags(sub, &args->engine,
                   "Accepted as bona fide when score <= T (default 0.15, the API contract)");
  return [args] { return run_eval(*args); };
}

}  // namespace livecheck::cli
