// Plans and their monthly call limits (UTC months). Names are the stable identifiers stored in
// the database and shown in the API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace livecheck::billing {

struct Plan {
  std::string_view name;
  std::int64_t monthly_limit;  // calls per UTC month; enterprise: default for new accounts
  bool allows_overage;         // false: the limit is always a hard stop (free plan)
  bool per_account_limit;      // true: the limit is set per account (enterprise)
};

// nullptr for an unknown name.
const Plan* find_plan(std::string_view name);
const std::vector<Plan>& all_plans();

// The account's effective monthly limit: its own limit when set, else its plan's.
std::int64_t monthly_limit(const store::Account& account);
// Whether calls past the limit are processed (and counted as overage) instead of refused.
bool allows_overage(const store::Account& account);

}  // namespace livecheck::billing
