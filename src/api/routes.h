// The whole HTTP surface in one table (routes.cpp), and the one wrapper that turns whatever a
// handler throws into the standard error JSON.
#pragma once

#include <string_view>

#include "api/errors.h"
#include "api/service.h"

namespace livecheck::api {

using HandlerFn = Reply (*)(Service&, RequestContext&);

struct Route {
  std::string_view method;
  std::string_view path;  // exact, or a prefix when it ends with '*'
  HandlerFn handler;
  // Runs on a worker thread through the bounded queue: inference, and anything else that may
  // block for milliseconds (Argon2id, SMTP). Otherwise it runs on the I/O thread.
  bool worker;
};

// Handlers (handlers.cpp), named verb_noun.
Reply post_check_liveness(Service& svc, RequestContext& ctx);
Reply get_usage(Service& svc, RequestContext& ctx);
Reply get_health(Service& svc, RequestContext& ctx);
Reply get_openapi(Service& svc, RequestContext& ctx);
// Static pages and assets of web/ (static_files.cpp).
Reply get_static(Service& svc, RequestContext& ctx);
// Console JSON endpoints (console_handlers.cpp), for the pages under /console/.
Reply get_console_session(Service& svc, RequestContext& ctx);
Reply post_console_resolve(Service& svc, RequestContext& ctx);
Reply post_console_signup(Service& svc, RequestContext& ctx);
Reply post_console_resend(Service& svc, RequestContext& ctx);
Reply post_console_token_check(Service& svc, RequestContext& ctx);
Reply post_console_activate(Service& svc, RequestContext& ctx);
Reply post_console_login(Service& svc, RequestContext& ctx);
Reply post_console_logout(Service& svc, RequestContext& ctx);
Reply post_console_forgot(Service& svc, RequestContext& ctx);
Reply post_console_reset(Service& svc, RequestContext& ctx);
Reply get_console_dashboard(Service& svc, RequestContext& ctx);
Reply post_console_regenerate_key(Service& svc, RequestContext& ctx);
Reply post_console_hard_cap(Service& svc, RequestContext& ctx);

// Session liveness, the vendor's paths and envelope (session_handlers.cpp, docs/SESSIONS.md).
Reply post_session_token(Service& svc, RequestContext& ctx);
Reply post_session_signature_id(Service& svc, RequestContext& ctx);
Reply post_session_auth_license(Service& svc, RequestContext& ctx);
Reply post_session_revoke_license(Service& svc, RequestContext& ctx);
Reply post_session_capture(Service& svc, RequestContext& ctx);
Reply options_session_capture(Service& svc, RequestContext& ctx);
Reply post_session_detection_result(Service& svc, RequestContext& ctx);
Reply get_session_clear_data(Service& svc, RequestContext& ctx);
// Signed session images: /media/v1/<livenessId>/<file>?expires=&sig=.
Reply get_media(Service& svc, RequestContext& ctx);

struct RouteMatch {
  const Route* route = nullptr;  // set when method and path match
  bool path_known = false;       // path exists with another method -> 405
  std::string allow;             // "GET, POST" for the Allow header
};
RouteMatch match_route(std::string_view method, std::string_view path);

// Calls the handler; any ApiError becomes its error reply, anything else internal_error (logged
// with the request id, never shown to the caller).
Reply run_handler(HandlerFn handler, Service& svc, RequestContext& ctx);

// The standard error reply: {"metadata":{...,"status":"error"},"error":{"code","message"}}.
Reply error_reply(ErrorCode code, const std::string& message, const RequestContext& ctx);

}  // namespace livecheck::api
