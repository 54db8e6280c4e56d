// CheckResult -> JSON for the CLI's JSON Lines output: the HTTP contract's fields (shared with
// the API through api/json_out.h) plus the raw scores, keypoints and stage times.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "livecheck/result.h"

namespace livecheck::cli {

nlohmann::ordered_json check_result_to_json(const std::string& image, const CheckResult& r);

}  // namespace livecheck::cli
