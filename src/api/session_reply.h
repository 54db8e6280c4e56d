// The vendor envelope of the session-liveness API (seed 002, docs/SESSIONS.md):
//   HTTP 200 {"code","message","data","extra","transactionId","pricingStrategy"}
// and the paths that use it instead of the standard error JSON.
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "api/service.h"
#include "sessions/session_service.h"

namespace livecheck::api {

// message empty -> the code's default message. pricing: "FREE" or "PAY".
Reply session_reply(const RequestContext& ctx, sessions::Code code, const std::string& message,
                    nlohmann::ordered_json data, const char* pricing = "FREE");

// /openapi/* and /liveness/*: the vendor's paths.
bool is_session_path(std::string_view path);

// An error the server itself produces before or instead of a handler (malformed HTTP, body too
// large, unknown path or method, queue full) on a session path: CLIENT_ERROR for the client's
// mistakes, ERROR for the server's.
Reply session_transport_error(ErrorCode code, const RequestContext& ctx);

// The capture call comes from customers' pages on other origins; it is authorised by the
// X-LICENSE header, never by cookies, so any origin may call it.
void allow_any_origin(Reply& reply);

}  // namespace livecheck::api
