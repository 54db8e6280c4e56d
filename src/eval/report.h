// Writes the files of an eval run into one folder: report.json (every number and one row per
// image), report.md (the same as tables), det.png and hist.png (see plots.h).
// Errors: write_report returns io_error when the folder or a file cannot be written.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dataset.h"
#include "livecheck/status.h"
#include "summary.h"

namespace livecheck::eval {

// How the run was set up, for the report's header.
struct RunInfo {
  std::string input_kind;  // "manifest" or "folder"
  std::string input;       // the manifest file or the folder
  std::string root;        // folder the manifest's paths are relative to
  std::string models;      // model pack folder
  std::string detector;    // cascade / front / back
  std::string model_pack_version;
  int threads = 1;
  double wall_seconds = 0;
  std::string created_utc;           // ISO 8601
  std::vector<std::string> skipped;  // manifest rows not evaluated, with the reason
};

nlohmann::json report_json(const RunInfo& run, const std::vector<EvalItem>& items,
                           const std::vector<ItemOutcome>& outcomes, const EvalSummary& summary);

std::string report_markdown(const RunInfo& run, const std::vector<EvalItem>& items,
                            const std::vector<ItemOutcome>& outcomes, const EvalSummary& summary);

// Creates `out_dir` if needed and writes report.json, report.md, det.png and hist.png.
Status write_report(const std::filesystem::path& out_dir, const RunInfo& run,
                    const std::vector<EvalItem>& items, const std::vector<ItemOutcome>& outcomes,
                    const EvalSummary& summary);

}  // namespace livecheck::eval
