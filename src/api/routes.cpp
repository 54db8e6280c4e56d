#include "api/routes.h"

#include <exception>

#include "api/json_out.h"
#include "api/log.h"

namespace livecheck::api {
namespace {

// The API surface. Public routes (no key) and keyed routes alike; handlers check keys.
constexpr Route kRoutes[] = {
    {"POST", "/v1/check/liveness", post_check_liveness, /*worker=*/true},
    {"GET", "/v1/usage", get_usage, false},
    {"GET", "/v1/health", get_health, false},
    {"GET", "/openapi.yaml", get_openapi, false},
    // Console JSON (docs/CONSOLE.md). Calls that hash passwords or send mail run on workers.
    {"GET", "/console/api/session", get_console_session, false},
    {"POST", "/console/api/marketplace/resolve", post_console_resolve, false},
    {"POST", "/console/api/signup", post_console_signup, true},
    {"POST", "/console/api/verification/resend", post_console_resend, true},
    {"POST", "/console/api/token/check", post_console_token_check, false},
    {"POST", "/console/api/activate", post_console_activate, true},
    {"POST", "/console/api/login", post_console_login, true},
    {"POST", "/console/api/logout", post_console_logout, false},
    {"POST", "/console/api/password/forgot", post_console_forgot, true},
    {"POST", "/console/api/password/reset", post_console_reset, true},
    {"GET", "/console/api/dashboard", get_console_dashboard, false},
    {"POST", "/console/api/keys/regenerate", post_console_regenerate_key, false},
    {"POST", "/console/api/hard-cap", post_console_hard_cap, false},
    // Session liveness (docs/SESSIONS.md). Capture runs the engine twice: a worker job.
    {"POST", "/openapi/auth/ticket/v1/generate-token", post_session_token, false},
    {"POST", "/liveness/ext/v1/generate-signature-id", post_session_signature_id, false},
    {"POST", "/openapi/liveness/v1/auth-license", post_session_auth_license, false},
    {"POST", "/openapi/liveness/v1/revoke-license", post_session_revoke_license, false},
    {"POST", "/liveness/ext/v1/capture", post_session_capture, true},
    {"OPTIONS", "/liveness/ext/v1/capture", options_session_capture, false},
    {"POST", "/openapi/liveness/v3/detection-result", post_session_detection_result, false},
    {"GET", "/liveness/ext/v1/clear-data", get_session_clear_data, false},
    {"GET", "/media/v1/*", get_media, false},
    // Pages and assets; after every exact route.
    {"GET", "/console*", get_static, false},
    {"GET", "/demo*", get_static, false},
    {"GET", "/sdk/*", get_static, false},
};

bool path_matches(std::string_view pattern, std::string_view path) {
  if (!pattern.empty() && pattern.back() == '*') {
    return path.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  }
  return pattern == path;
}

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
  RouteMatch m;
  // Exact routes first; a prefix route (pages) only answers paths no exact route owns, so that
  // POST /console/api/session is a 405 and not a page.
  for (const bool prefix_pass : {false, true}) {
    for (const Route& r : kRoutes) {
      if ((r.path.back() == '*') != prefix_pass || !path_matches(r.path, path)) continue;
      m.path_known = true;
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += r.method;
      if (r.method == method && !m.route) m.route = &r;
    }
    if (m.path_known) break;
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
