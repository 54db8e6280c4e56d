#include "api/routes.h"

#include <exception>

#include "api/json_out.h"
#include "api/log.h"

namespace livecheck::api {
namespace {

// The API surface. Public routes (no key) and keyed routes alike; handlers check keys.
constexpr Route kRoutes[] = {
    {"POST", "/v1/check/liveness", post_check_liveness, /*inference=*/true},
    {"GET", "/v1/usage", get_usage, false},
    {"GET", "/v1/health", get_health, false},
    {"GET", "/openapi.yaml", get_openapi, false},
};

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
  RouteMatch m;
  for (const Route& r : kRoutes) {
    if (r.path != path) continue;
    m.path_known = true;
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += r.method;
    if (r.method == method) m.route = &r;
  }
  return m;
}

Reply error_reply(ErrorCode code, const std::string& message, const RequestContext& ctx) {
  const ErrorInfo& info = error_info(code);
  Reply r;
  r.status = info.http_status;
  r.error_code = info.name;
  nlohmann::ordered_json body = {{"metadata", error_metadata(ctx)},
                                 {"error", {{"code", info.name}, {"message", message}}}};
  r.body = dump_json(body);
  if (code == ErrorCode::kServiceUnavailable) r.headers.emplace_back("Retry-After", "1");
  return r;
}

Reply run_handler(HandlerFn handler, Service& svc, RequestContext& ctx) {
  try {
    return handler(svc, ctx);
  } catch (const ApiError& e) {
    return error_reply(e.code(), e.what(), ctx);
  } catch (const std::exception& e) {
    log_event(LogLevel::kError, "handler_exception",
              {{"request_id", ctx.request_id}, {"what", e.what()}});
  } catch (...) {
    log_event(LogLevel::kError, "handler_exception", {{"request_id", ctx.request_id}});
  }
  return error_reply(ErrorCode::kInternalError,
                     error_info(ErrorCode::kInternalError).default_message, ctx);
}

}  // namespace livecheck::api
