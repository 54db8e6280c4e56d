// CheckResult -> JSON for the CLI's JSON Lines output (camelCase names as in the HTTP contract).
#pragma once

#include <nlohmann/json.hpp>

#include "livecheck/result.h"

namespace livecheck::cli {

nlohmann::json check_result_to_json(const CheckResult& r);

}  // namespace livecheck::cli
