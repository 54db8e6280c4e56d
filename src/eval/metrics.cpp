#include "metrics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <set>

namespace livecheck::eval {
namespace {

// Rates are count ratios; a target such as 0.29 is compared with 29/100 computed in floating
// point, so allow for rounding.
constexpr double kRateTolerance = 1e-12;

double ratio(std::size_t num, std::size_t den) {
  return den == 0 ? kUndefined : static_cast<double>(num) / static_cast<double>(den);
}

// Class sizes and how many of each class are accepted at some threshold.
struct Counts {
  std::vector<std::string> types;  // sorted
  std::vector<std::size_t> type_total, type_accepted;
  std::size_t bona_total = 0, bona_accepted = 0;

  explicit Counts(const std::vector<ScoredSample>& samples) : types(attack_types(samples)) {
    type_total.assign(types.size(), 0);
    type_accepted.assign(types.size(), 0);
    for (const auto& s : samples) {
      if (s.attack) {
        ++type_total[type_index(s.attack_type)];
      } else {
        ++bona_total;
      }
    }
  }
  std::size_t type_index(const std::string& type) const {
    return static_cast<std::size_t>(std::lower_bound(types.begin(), types.end(), type) -
                                    types.begin());
  }
  void accept(const ScoredSample& s) {
    if (s.attack) {
      ++type_accepted[type_index(s.attack_type)];
    } else {
      ++bona_accepted;
    }
  }
  OperatingPoint point(double threshold) const {
    OperatingPoint p;
    p.threshold = threshold;
    std::size_t total = 0, accepted = 0;
    for (std::size_t i = 0; i < types.size(); ++i) {
      const double apcer = ratio(type_accepted[i], type_total[i]);
      p.apcer_by_type[types[i]] = apcer;
      total += type_total[i];
      accepted += type_accepted[i];
      if (std::isnan(p.apcer_max) || apcer > p.apcer_max) {
        p.apcer_max = apcer;
        p.apcer_max_type = types[i];
      }
    }
    p.apcer_pooled = ratio(accepted, total);
    p.bpcer = ratio(bona_total - bona_accepted, bona_total);
    p.acer = (p.apcer_max + p.bpcer) / 2;  // NaN when either is undefined
    return p;
  }
};

bool both_classes(const OperatingPoint& p) {
  return !std::isnan(p.apcer_pooled) && !std::isnan(p.bpcer);
}

}  // namespace

std::vector<std::string> attack_types(const std::vector<ScoredSample>& samples) {
  std::set<std::string> types;
  for (const auto& s : samples) {
    if (s.attack) types.insert(s.attack_type);
  }
  return {types.begin(), types.end()};
}

std::vector<ScoredSample> restrict_to_type(const std::vector<ScoredSample>& samples,
                                           const std::string& attack_type) {
  std::vector<ScoredSample> out;
  for (const auto& s : samples) {
    if (!s.attack || s.attack_type == attack_type) out.push_back(s);
  }
  return out;
}

OperatingPoint rates_at(const std::vector<ScoredSample>& samples, double threshold) {
  Counts c(samples);
  for (const auto& s : samples) {
    if (s.score <= threshold) c.accept(s);
  }
  return c.point(threshold);
}

std::vector<OperatingPoint> sweep(const std::vector<ScoredSample>& samples) {
  std::vector<const ScoredSample*> sorted;
  sorted.reserve(samples.size());
  for (const auto& s : samples) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const ScoredSample* a, const ScoredSample* b) { return a->score < b->score; });

  std::vector<double> thresholds;
  for (const auto* s : sorted) {
    if (std::isfinite(s->score) && (thresholds.empty() || s->score != thresholds.back())) {
      thresholds.push_back(s->score);
    }
  }
  // The "accept nothing" threshold sits just below the lowest score.
  const double lowest =
      thresholds.empty() ? 0.0
                         : std::nextafter(thresholds.front(), -std::numeric_limits<double>::max());
  thresholds.insert(thresholds.begin(), lowest);

  Counts c(samples);
  std::vector<OperatingPoint> points;
  points.reserve(thresholds.size());
  std::size_t next = 0;
  for (const double t : thresholds) {
    while (next < sorted.size() && sorted[next]->score <= t) c.accept(*sorted[next++]);
    points.push_back(c.point(t));
  }
  return points;
}

TargetPoint bpcer_at_apcer(const std::vector<ScoredSample>& samples, double target,
                           ApcerKind kind) {
  TargetPoint out;
  out.target = target;
  for (const auto& p : sweep(samples)) {
    if (!both_classes(p)) break;
    if (p.apcer(kind) > target + kRateTolerance) break;  // APCER only grows with the threshold
    out.point = p;
    out.reachable = true;
  }
  return out;
}

TargetPoint apcer_at_bpcer(const std::vector<ScoredSample>& samples, double target) {
  TargetPoint out;
  out.target = target;
  for (const auto& p : sweep(samples)) {
    if (!both_classes(p)) break;
    if (p.bpcer <= target + kRateTolerance) {  // BPCER only falls with the threshold
      out.point = p;
      out.reachable = true;
      break;
    }
  }
  return out;
}

Eer equal_error_rate(const std::vector<ScoredSample>& samples, ApcerKind kind) {
  Eer best;
  double best_gap = std::numeric_limits<double>::infinity();
  for (const auto& p : sweep(samples)) {
    if (!both_classes(p)) break;
    const double apcer = p.apcer(kind);
    const double gap = std::abs(apcer - p.bpcer);
    const double mean = (apcer + p.bpcer) / 2;
    if (gap < best_gap || (gap == best_gap && mean < best.eer)) {
      best_gap = gap;
      best = {mean, p.threshold, apcer, p.bpcer};
    }
  }
  return best;
}

double auc(const std::vector<ScoredSample>& samples) {
  std::vector<const ScoredSample*> sorted;
  sorted.reserve(samples.size());
  for (const auto& s : samples) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const ScoredSample* a, const ScoredSample* b) { return a->score < b->score; });
  double attack_rank_sum = 0;  // 1-based mid-ranks, ties share the mean rank
  std::size_t attacks = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j]->score == sorted[i]->score) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (sorted[k]->attack) {
        attack_rank_sum += mid_rank;
        ++attacks;
      }
    }
    i = j;
  }
  const std::size_t bona = sorted.size() - attacks;
  if (attacks == 0 || bona == 0) return kUndefined;
  const auto m = static_cast<double>(attacks);
  return (attack_rank_sum - m * (m + 1) / 2) / (m * static_cast<double>(bona));
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return kUndefined;
  std::sort(values.begin(), values.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = static_cast<std::size_t>(std::ceil(rank));
  return values[lo] + (rank - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

double probit(double p) {
  if (std::isnan(p)) return kUndefined;
  if (p <= 0) return -std::numeric_limits<double>::infinity();
  if (p >= 1) return std::numeric_limits<double>::infinity();
  // P. J. Acklam's rational approximation (relative error 1.15e-9), then one Halley step.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  };
  double x;
  if (p < kLow) {
    x = tail(std::sqrt(-2 * std::log(p)));
  } else if (p <= 1 - kLow) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    x = -tail(std::sqrt(-2 * std::log1p(-p)));
  }
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

}  // namespace livecheck::eval
