// livecheck engine: bytes of a photo in, a liveness verdict out.
//
//   auto engine = livecheck::Engine::load({.model_dir = "models"});   // once per process
//   auto runner = engine.value()->make_runner();                      // once per worker thread
//   livecheck::CheckResult r;
//   livecheck::Status s = runner.value()->check(bytes, livecheck::ImageFormat::kJpeg, {}, &r);
//
// Thread safety:
//   * Engine is immutable after load() and may be shared by any number of threads. It holds the
//     verified model bytes (loaded and sha256-checked once) and the pack description.
//   * Runner owns its own cv::dnn::Net objects, which are NOT thread-safe: one Runner per thread,
//     never used concurrently. make_runner() is thread-safe and cheap (parses the in-memory ONNX
//     bytes, ~ a few ms).
//   * RunnerPool hands out Runners to any number of threads; acquire() blocks until one is free.
// Errors: functions return Status / StatusOr; no exception escapes this API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "livecheck/result.h"
#include "livecheck/status.h"

namespace livecheck {

// The format the caller declares. kAuto takes the format from the bytes (CLI); kJpeg/kPng must
// match the bytes' magic number or the check fails with invalid_image.
enum class ImageFormat { kAuto, kJpeg, kPng };

// "jpeg" / "png" / "auto".
const char* image_format_name(ImageFormat f);

// Which BlazeFace model(s) the runner uses.
//   kCascade (default): front 128x128 first; if it finds no face, back 256x256.
enum class DetectorMode { kCascade, kFront, kBack };

struct EngineOptions {
  std::string model_dir = "models";  // folder with models.json and the ONNX files
  DetectorMode detector = DetectorMode::kCascade;
  double default_threshold = 0.15;  // the published contract's default
  // Tuning overrides of the pack's anti-spoof parameters (used by scripts/fit_calibration to
  // score candidate settings); unset = the pack's values.
  std::optional<double> box_scale{};
  std::optional<double> box_shift_y{};
  bool uncalibrated = false;  // report raw_spoof as is_fake_likelihood (ignore the calibration)
};

// An operating point chosen by a caller: a number 0..1, or the name of one of the pack's
// threshold presets ("strict", "balanced", "lenient"; docs/ACCURACY.md).
struct ThresholdSetting {
  std::optional<double> value{};
  std::string preset{};  // used when value is unset
};
inline constexpr const char* kThresholdPresets[] = {"strict", "balanced", "lenient"};

// "0.2" -> value 0.2; "strict" -> preset; nullopt for anything else (including numbers outside
// 0..1, NaN and trailing junk).
std::optional<ThresholdSetting> parse_threshold_setting(std::string_view text);

struct CheckOptions {
  std::optional<double> threshold{};  // 0..1; when unset, EngineOptions::default_threshold
};

// Limits enforced before any pixel is decoded.
inline constexpr int kMaxImageSide = 16384;               // pixels per side
inline constexpr int64_t kMaxImagePixels = 50'000'000;    // 50 MP
inline constexpr std::size_t kMaxImageBytes = 10u << 20;  // 10 MiB of encoded image

class Runner;

class Engine {
 public:
  // Reads <model_dir>/models.json, verifies every file's sha256 and size, keeps the bytes in
  // memory and compiles one set of networks to prove they load. model_error on any mismatch.
  static StatusOr<std::shared_ptr<const Engine>> load(const EngineOptions& options);

  // A new runner with its own networks. Thread-safe.
  StatusOr<std::unique_ptr<Runner>> make_runner() const;

  const std::string& pack_version() const;
  // The threshold a setting stands for: its value, or the pack's preset of that name
  // (docs/ACCURACY.md); invalid_argument when the pack has no such preset. The value's range is
  // checked where every threshold is, in Runner::check.
  StatusOr<double> threshold_for(const ThresholdSetting& setting) const;
  const EngineOptions& options() const;
  double load_ms() const;  // wall-clock time load() took

  ~Engine();
  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Runner;
};

class Runner {
 public:
  // Runs the whole pipeline on one encoded image. On success fills *out and returns ok.
  // invalid_image: empty/undecodable/truncated data, format mismatch, absurd dimensions, no face.
  // invalid_argument: threshold outside 0..1.
  Status check(std::span<const std::uint8_t> bytes, ImageFormat declared,
               const CheckOptions& options, CheckResult* out);

  ~Runner();
  struct Impl;

 private:
  explicit Runner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Engine;
};

// A fixed set of runners shared by many threads (the API server's inference workers, the CLI).
class RunnerPool {
 public:
  // Creates `size` runners (size >= 1).
  static StatusOr<std::unique_ptr<RunnerPool>> create(std::shared_ptr<const Engine> engine,
                                                      int size);

  // RAII lease: the runner goes back to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(RunnerPool* pool, Runner* runner) : pool_(pool), runner_(runner) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), runner_(o.runner_) { o.runner_ = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Runner* operator->() const { return runner_; }
    Runner& operator*() const { return *runner_; }

   private:
    RunnerPool* pool_;
    Runner* runner_;
  };

  Lease acquire();  // blocks until a runner is free
  int size() const;
  ~RunnerPool();
  struct Impl;

 private:
  explicit RunnerPool(std::unique_ptr<Impl> impl);
  void release(Runner* r);
  std::unique_ptr<Impl> impl_;
};

// Configures OpenCV's own thread pool for a process that runs `workers` runners in parallel:
// with one worker, OpenCV may use every core inside a forward pass (lowest latency); with more,
// each forward runs on its caller's thread (highest throughput, no oversubscription).
void configure_cv_threads(int workers);

}  // namespace livecheck
