// From per-image engine outcomes to every number `livecheck eval` reports. Pure: no engine, no
// I/O, so that the treatment of failures and no-face answers is unit-testable.
//
// Treatment of the answers (stated in the report as well):
//   * live/spoof image, engine answers "No face was detected": failure to acquire. It stays in the
//     APCER/BPCER denominators and counts as NOT accepted at every threshold: a spoof without a
//     face is a rejected attack, a live image without a face is a rejected bona fide (BPCER).
//   * live/spoof image with a face but is_valid_face = false: scored like any other image (the
//     liveness score is judged on its own); the rate is reported per label.
//   * processing failure (unreadable file, undecodable image, any engine error other than
//     no-face): excluded from every rate, counted and listed with its error.
//   * noface image: correct when no face is detected. multiface image: correct when
//     face_count >= 2. Neither takes part in APCER/BPCER.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dataset.h"
#include "metrics.h"

namespace livecheck::eval {

enum class ScoreKind {
  kCalibrated,  // CheckResult::is_fake_likelihood (what the API returns)
  kRaw,         // CheckResult::scores.raw_spoof (1 - fused live probability, uncalibrated)
};
const char* score_kind_name(ScoreKind kind);

// What the engine answered for one item.
struct ItemOutcome {
  bool checked = false;    // the engine returned a result
  bool no_face = false;    // the engine answered invalid_image "No face was detected"
  std::string error_code;  // processing failure, "" when none (status_code_name or io_error)
  std::string error_message;
  double calibrated = 0;    // is_fake_likelihood
  double raw = 0;           // scores.raw_spoof
  bool valid_face = false;  // is_valid_face
  int face_count = 0;       // quality.face_count
  double latency_ms = 0;    // times.total_ms, wall clock, checked items only
  bool failed() const { return !error_code.empty(); }
};

// Targets of the "BPCER at APCER = x" and "APCER at BPCER = x" operating points.
inline constexpr std::array<double, 2> kTargetRates = {0.01, 0.05};

struct TypeSummary {
  std::string type;
  std::size_t attacks = 0;
  std::size_t failed_to_acquire = 0;
  double apcer = kUndefined;  // at the chosen threshold
  double auc = kUndefined;    // this type against all bona fide
  Eer eer;
  std::vector<TargetPoint> bpcer_at_apcer;  // per kTargetRates
};

// Presentation-attack-detection metrics of one set of samples (all, or one source).
struct PadSummary {
  std::size_t bona_fide = 0, bona_fide_fta = 0;  // fta = failure to acquire (no face)
  std::size_t attacks = 0, attacks_fta = 0;
  OperatingPoint at_threshold;
  double auc = kUndefined;  // all attacks pooled
  Eer eer_max, eer_pooled;
  std::vector<TargetPoint> bpcer_at_apcer_max;     // per kTargetRates; every type within target
  std::vector<TargetPoint> bpcer_at_apcer_pooled;  // per kTargetRates; attacks pooled
  std::vector<TargetPoint> apcer_at_bpcer;         // per kTargetRates
  std::vector<TypeSummary> types;                  // sorted by type
};
PadSummary summarise_pad(const std::vector<ScoredSample>& samples, double threshold);

struct LabelCounts {
  std::size_t total = 0;
  std::size_t checked = 0;       // the engine returned a result
  std::size_t no_face = 0;       // "No face was detected"
  std::size_t invalid_face = 0;  // checked, is_valid_face = false
  std::size_t failed = 0;        // processing failures
};

// noface / multiface items: did the engine give the expected face count?
struct DetectionCounts {
  std::size_t answered = 0;  // checked or no-face (failures excluded)
  std::size_t correct = 0;
};

struct LatencySummary {
  std::size_t n = 0;  // checked items (no-face answers and failures carry no timing)
  double p50 = kUndefined, p90 = kUndefined, p99 = kUndefined, max = kUndefined,
         mean = kUndefined;  // milliseconds
};

struct EvalSummary {
  ScoreKind score_kind = ScoreKind::kCalibrated;
  double threshold = 0;
  std::map<Label, LabelCounts> by_label;  // every label present in the data
  std::vector<ScoredSample> samples;      // live/spoof items that were not failures
  PadSummary pad;
  std::vector<std::pair<std::string, PadSummary>> by_source;  // when sources are known, sorted
  DetectionCounts noface, multiface;
  LatencySummary latency;
  std::vector<std::size_t> failures;  // item indices with a processing failure, in input order
};

// `items` and `outcomes` are parallel. `by_source` is filled when `with_sources`.
EvalSummary summarise(const std::vector<EvalItem>& items, const std::vector<ItemOutcome>& outcomes,
                      ScoreKind kind, double threshold, bool with_sources);

// The score judged for one outcome: kFailedToAcquire for a no-face answer.
double judged_score(const ItemOutcome& outcome, ScoreKind kind);

}  // namespace livecheck::eval
