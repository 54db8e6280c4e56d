#include "billing/plans.h"

namespace livecheck::billing {

const std::vector<Plan>& all_plans() {
  // Limits from the published price list (seed 000); free never goes into overage.
  static const std::vector<Plan> kPlans = {
      {"free", 100, false, false},       {"starter", 1'000, true, false},
      {"standard", 5'000, true, false},  {"professional", 10'000, true, false},
      {"business", 30'000, true, false}, {"enterprise", 100'000, true, true},
  };
  return kPlans;
}

const Plan* find_plan(std::string_view name) {
  for (const Plan& p : all_plans()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::int64_t monthly_limit(const store::Account& account) {
  if (account.monthly_limit) return *account.monthly_limit;
  const Plan* p = find_plan(account.plan);
  return p ? p->monthly_limit : 0;  // an unknown plan in the database allows nothing
}

bool allows_overage(const store::Account& account) {
  const Plan* p = find_plan(account.plan);
  return p && p->allows_overage && !account.hard_cap;
}

}  // namespace livecheck::billing
