// What `check` and `eval` share: the engine flags, engine loading, and running a Runner per
// worker thread over a list of items.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "livecheck/engine.h"

namespace livecheck::cli {

struct EngineFlags {
  std::string models = "models";
  std::string detector = "cascade";
  int threads = 0;          // 0 = all cores
  double threshold = 0.15;  // the API contract's default
  std::optional<double> box_scale;
  std::optional<double> box_shift_y;
  bool uncalibrated = false;
};

// --threshold (with `threshold_help`), --threads, --models (env LIVECHECK_MODELS), --detector.
void add_engine_flags(CLI::App* sub, EngineFlags* flags, const std::string& threshold_help);
// --box-scale, --box-shift-y, --uncalibrated: tuning overrides used by scripts/fit_calibration.
void add_tuning_flags(CLI::App* sub, EngineFlags* flags);

// The bytes of an image file: not_found when it does not exist, io_error when unreadable.
StatusOr<std::vector<std::uint8_t>> read_file_bytes(const std::string& path);

// Workers for `items` items: --threads or all cores, at most one per item, at least one.
int worker_count(const EngineFlags& flags, std::size_t items);

// Configures OpenCV's threads for `workers` and loads the engine; on failure prints
// "livecheck <command>: <status>" to stderr and returns nullptr.
std::shared_ptr<const Engine> load_engine(const EngineFlags& flags, int workers,
                                          const char* command);

// Runs work(runner, i) for i in [0, n) on `workers` threads, each with its own Runner; items are
// taken in index order. `tick` (optional) is called on the calling thread about 10 times a
// second and once at the end with the number of finished items. Returns a non-ok Status when a
// runner could not be created (remaining items are then skipped).
Status for_each_parallel(const Engine& engine, int workers, std::size_t n,
                         const std::function<void(Runner&, std::size_t)>& work,
                         const std::function<void(std::size_t)>& tick = {});

}  // namespace livecheck::cli
