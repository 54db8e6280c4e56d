// Presentation-attack-detection metrics in the terms of ISO/IEC 30107-3, as pure functions of
// scored samples. No engine, no I/O: the eval command and the unit tests feed plain vectors.
//
// Conventions used throughout:
//   * A score is "spoof-like": higher = more likely an attack (P(spoof) or 1 - live).
//   * Decision rule: a presentation is ACCEPTED as bona fide iff score <= threshold.
//       APCER = attacks accepted / attacks           (per attack type = PAI species)
//       BPCER = bona fide not accepted / bona fide
//   * A sample scored kFailedToAcquire (no face found) is never accepted at any threshold: an
//     attack without a face counts as rejected, a bona fide without a face counts towards BPCER.
//   * Rates of an empty class are NaN ("not defined"), never 0.
// Thread safety: every function is pure and may be called from any thread.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <vector>

namespace livecheck::eval {

inline constexpr double kFailedToAcquire = std::numeric_limits<double>::infinity();
inline constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

struct ScoredSample {
  double score = 0;         // spoof-like; kFailedToAcquire = never accepted
  bool attack = false;      // false = bona fide presentation
  std::string attack_type;  // PAI species of an attack ("print", "replay"); ignored for bona fide
};

// How the APCER over several attack types is summarised into one number.
enum class ApcerKind {
  kMax,     // ISO/IEC 30107-3: the worst attack type (APCER of the most successful PAI species)
  kPooled,  // all attacks as one class (depends on the mix of types in the data)
};

// Error rates at one threshold.
struct OperatingPoint {
  double threshold = 0;
  std::map<std::string, double> apcer_by_type;  // one entry per attack type present
  double apcer_max = kUndefined;                // worst type (ISO)
  std::string apcer_max_type;                   // the type that attains apcer_max
  double apcer_pooled = kUndefined;             // all attacks together
  double bpcer = kUndefined;
  double acer = kUndefined;  // (apcer_max + bpcer) / 2
  double apcer(ApcerKind kind) const { return kind == ApcerKind::kMax ? apcer_max : apcer_pooled; }
};

// Error rates when the decision is `score <= threshold`.
OperatingPoint rates_at(const std::vector<ScoredSample>& samples, double threshold);

// Every distinct decision the data allows, by increasing threshold: first a threshold just below
// the lowest finite score (nothing accepted, APCER = 0), then each distinct finite score. Any
// other threshold gives the same rates as the largest of these that is <= it.
std::vector<OperatingPoint> sweep(const std::vector<ScoredSample>& samples);

// An operating point chosen to meet a target error rate. `reachable` is false when no threshold
// meets the target (e.g. BPCER target below the bona fide failure-to-acquire rate, or an empty
// class); `point` is then meaningless.
struct TargetPoint {
  double target = 0;
  bool reachable = false;
  OperatingPoint point;
};

// The largest threshold with APCER (of `kind`) <= target, i.e. the lowest BPCER that keeps the
// attack acceptance within the target. "BPCER at APCER = target".
TargetPoint bpcer_at_apcer(const std::vector<ScoredSample>& samples, double target, ApcerKind kind);
// The smallest threshold with BPCER <= target, i.e. the lowest APCER that keeps the bona fide
// rejection within the target. "APCER at BPCER = target".
TargetPoint apcer_at_bpcer(const std::vector<ScoredSample>& samples, double target);

// Equal error rate on the swept operating points: the point where |APCER - BPCER| is smallest
// (ties: lower mean, then lower threshold); eer = (APCER + BPCER) / 2 there. NaN if a class is
// empty.
struct Eer {
  double eer = kUndefined;
  double threshold = kUndefined;
  double apcer = kUndefined;
  double bpcer = kUndefined;
};
Eer equal_error_rate(const std::vector<ScoredSample>& samples, ApcerKind kind);

// Area under the ROC curve, rank-based (Mann-Whitney): P(attack score > bona fide score), a tie
// counting 1/2. Failures to acquire (+inf) take part like any other score. NaN if a class is
// empty.
double auc(const std::vector<ScoredSample>& samples);

// The bona fide samples plus the attacks of one type (for per-type curves and AUC).
std::vector<ScoredSample> restrict_to_type(const std::vector<ScoredSample>& samples,
                                           const std::string& attack_type);
// Attack types present, sorted.
std::vector<std::string> attack_types(const std::vector<ScoredSample>& samples);

// Percentile p (0..100) with linear interpolation between order statistics (numpy's default):
// rank = p/100 * (n - 1). NaN for an empty input.
double percentile(std::vector<double> values, double p);

// Inverse of the standard normal CDF (probit), for DET axes. p in (0, 1); +-inf at 0 and 1.
double probit(double p);

}  // namespace livecheck::eval
