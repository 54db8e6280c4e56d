#include "sessions/fusion.h"

#include <algorithm>
#include <cmath>

namespace livecheck::sessions {
namespace {

const ReasonInfo* find_reason(const std::string& name) {
  for (const ReasonInfo& r : kSessionReasons) {
    if (name == r.name) return &r;
  }
  return nullptr;
}

bool has_kind(const std::vector<std::string>& reasons, ReasonKind kind) {
  return std::any_of(reasons.begin(), reasons.end(), [&](const std::string& r) {
    const ReasonInfo* info = find_reason(r);
    return info != nullptr && info->kind == kind;
  });
}

bool fails(const std::optional<double>& c) { return c.has_value() && *c < kPassScore; }

std::vector<std::string> ordered(const std::vector<std::string>& found) {
  std::vector<std::string> out;
  for (const ReasonInfo& r : kSessionReasons) {
    if (std::find(found.begin(), found.end(), r.name) != found.end()) out.emplace_back(r.name);
  }
  for (const std::string& r : found) {
    if (find_reason(r) == nullptr && std::find(out.begin(), out.end(), r) == out.end()) {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

double engine_component(double p_spoof, double threshold) {
  const double p = std::clamp(p_spoof, 0.0, 1.0);
  const double t = std::clamp(threshold, 0.0, 1.0);
  if (p <= t) return t > 0 ? 50 + 50 * (t - p) / t : 100;
  return t < 1 ? 50 * (1 - p) / (1 - t) : 0;
}

Verdict fuse(const ScoreComponents& c, const std::vector<std::string>& findings) {
  std::vector<std::string> found = findings;
  if (fails(c.engine_far)) found.emplace_back("spoof_far");
  if (fails(c.engine_near)) found.emplace_back("spoof_near");
  if (fails(c.perspective)) found.emplace_back("flat_perspective");

  double lowest = 100;
  bool any = false;
  for (const auto& v : {c.engine_far, c.engine_near, c.perspective}) {
    if (v.has_value()) lowest = std::min(lowest, std::clamp(*v, 0.0, 100.0)), any = true;
  }
  const int base = any ? static_cast<int>(std::floor(lowest)) : 0;

  Verdict v;
  if (has_kind(found, ReasonKind::kInjection)) {
    v.score = 0;
    v.attack_type = static_cast<int>(AttackType::kInjection);
  } else if (has_kind(found, ReasonKind::kUnusable)) {
    v.score = std::min(base, kUnsureMaxScore);
    v.attack_type = static_cast<int>(AttackType::kUnsure);
  } else if (base >= kPassScore) {
    v.score = base;
  } else {
    v.score = base;
    const bool far_fails = fails(c.engine_far), near_fails = fails(c.engine_near);
    const bool other_confident = (far_fails && c.engine_near.value_or(0) >= kConfidentComponent) ||
                                 (near_fails && c.engine_far.value_or(0) >= kConfidentComponent);
    const bool only_perspective_fails = fails(c.perspective) && !far_fails && !near_fails;
    if (c.perspective.value_or(0) >= kPassScore && far_fails != near_fails && other_confident) {
      found.emplace_back("inconsistent_evidence");
      v.attack_type = static_cast<int>(AttackType::kUnsure);
    } else if (only_perspective_fails && *c.perspective >= kMarginalComponent) {
      found.emplace_back("perspective_marginal");
      v.attack_type = static_cast<int>(AttackType::kUnsure);
    } else {
      v.attack_type = static_cast<int>(AttackType::kPresentation);
    }
  }
  v.reasons = ordered(found);
  return v;
}

}  // namespace livecheck::sessions
