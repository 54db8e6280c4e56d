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
  std::string_view path;
  HandlerFn handler;
  bool inference;  // runs on an inference worker through the bounded queue
};

// Handlers (handlers.cpp), named verb_noun.
Reply post_check_liveness(Service& svc, RequestContext& ctx);
Reply get_usage(Service& svc, RequestContext& ctx);
Reply get_health(Service& svc, RequestContext& ctx);
Reply get_openapi(Service& svc, RequestContext& ctx);

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
