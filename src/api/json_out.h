// C++ results -> response JSON (camelCase data fields, as in the published contract).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/service.h"
#include "billing/meter.h"
#include "livecheck/result.h"

namespace livecheck::api {

// Compact JSON; invalid UTF-8 is replaced rather than thrown on.
std::string dump_json(const nlohmann::ordered_json& j);

// {"date","ver","request_id","status":"error"} plus customer_id when the caller was identified.
nlohmann::ordered_json error_metadata(const RequestContext& ctx);
// {"date","ver","customer_id","remaining_calls","over_limit_calls","status":"success",
//  "request_id"}
nlohmann::ordered_json success_metadata(const RequestContext& ctx,
                                        const billing::UsageSnapshot& usage, std::int64_t now_ms);

// Fixed decimals: stable, readable numbers instead of 0.15000000000000002.
double round_to(double v, int decimals);
// {"x","y","width","height","score"} of the primary face, integer pixels.
nlohmann::ordered_json face_json(const Face& f);
// {"brightness","sharpness","faceWidthPx","faceRatio","insideRatio","rollDeg","yawDeg","reasons"}
nlohmann::ordered_json quality_json(const Quality& q);

// The "data" object of a 200 from POST /v1/check/liveness.
nlohmann::ordered_json check_data(const CheckResult& r);
// The "data" object of GET /v1/usage.
nlohmann::ordered_json usage_data(const billing::UsageSnapshot& u);

}  // namespace livecheck::api
