// Route handlers. Each one converts its input to C++ types first, then calls the engine, billing
// and store; failures are thrown as ApiError and rendered by run_handler.
#include <chrono>
#include <utility>

#include "api/check_request.h"
#include "api/errors.h"
#include "api/json_out.h"
#include "api/log.h"
#include "api/routes.h"
#include "store/api_keys.h"

namespace livecheck::api {

namespace {

[[noreturn]] void internal(const RequestContext& ctx, const char* what, const Status& s) {
  log_event(LogLevel::kError, what, {{"request_id", ctx.request_id}, {"status", s.to_string()}});
  throw ApiError(ErrorCode::kInternalError);
}

// X-API-Key -> active account. Unknown, malformed, regenerated keys and inactive accounts all get
// the same 401, so a caller learns nothing about which part was wrong.
store::Account authenticate(Service& svc, RequestContext& ctx) {
  if (!store::looks_like_api_key(ctx.api_key)) throw ApiError(ErrorCode::kInvalidApiKey);
  const store::KeyHash hash = store::hash_api_key(ctx.api_key);
  auto key = svc.store().find_key(hash);
  if (!key.is_ok()) {
    if (key.status().code() == StatusCode::kNotFound) throw ApiError(ErrorCode::kInvalidApiKey);
    internal(ctx, "key_lookup_failed", key.status());
  }
  // The row was found by its hash; compare again in constant time so that no code path depends
  // on how many bytes of a stored hash match.
  if (!store::same_hash(key->hash, hash)) throw ApiError(ErrorCode::kInvalidApiKey);
  auto account = svc.store().get_account(key->customer_id);
  if (!account.is_ok()) {
    if (account.status().code() == StatusCode::kNotFound) {
      throw ApiError(ErrorCode::kInvalidApiKey);
    }
    internal(ctx, "account_lookup_failed", account.status());
  }
  if (account->status != "active") throw ApiError(ErrorCode::kInvalidApiKey);
  ctx.customer_id = account->customer_id;

  return std::move(account).value();
}

// Releases a reservation unless the call was committed: every early exit (throw) gives the place
// back.
class ReservationGuard {
 public:
  ReservationGuard(billing::Meter& meter, const billing::Ticket& ticket)
      : meter_(meter), ticket_(ticket) {}
  ~ReservationGuard() {
    if (active_) (void)meter_.release(ticket_);  // failure: the row expires on its own
  }
  ReservationGuard(const ReservationGuard&) = delete;
  ReservationGuard& operator=(const ReservationGuard&) = delete;
  void dismiss() { active_ = false; }

 private:
  billing::Meter& meter_;
  const billing::Ticket& ticket_;
  bool active_ = true;
};

Reply json_reply(const nlohmann::ordered_json& body) {
  Reply r;
  r.body = dump_json(body);
  return r;
}

}  // namespace

Reply post_check_liveness(Service& svc, RequestContext& ctx) {
  const store::Account account = authenticate(svc, ctx);
  const auto parse_start = std::chrono::steady_clock::now();
  CheckRequest req = parse_check_request(*ctx.body);
  ctx.parse_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - parse_start)
          .count();
  if (!svc.ready()) throw ApiError(ErrorCode::kServiceUnavailable);
  // Operating point: the request's, else the account's default, else the server's.
  std::optional<ThresholdSetting> setting = req.threshold;
  if (!setting && account.default_threshold) {
    setting = parse_threshold_setting(*account.default_threshold);
  }
  CheckOptions options;
  if (setting) {
    auto t = svc.engine().threshold_for(*setting);
    if (!t.is_ok()) throw ApiError(ErrorCode::kInvalidRequest, t.status().message());
    options.threshold = t.value();
  }

  auto ticket = svc.meter().reserve(account);
  if (!ticket.is_ok()) internal(ctx, "reserve_failed", ticket.status());
  if (!ticket->granted) {
    throw ApiError(ErrorCode::kQuotaExceeded,
                   "The monthly call limit of your plan has been reached (hard cap).");
  }
  ReservationGuard guard(svc.meter(), ticket.value());

  CheckResult result;
  Status s;
  {
    auto runner = svc.runners().acquire();
    s = runner->check(req.image, req.format, options, &result);
  }
  if (!s.is_ok()) {
    switch (s.code()) {
      case StatusCode::kInvalidImage:
        // Engine messages for invalid images describe the image, never the server.
        throw ApiError(ErrorCode::kInvalidImage, s.message());
      case StatusCode::kInvalidArgument:
        throw ApiError(ErrorCode::kInvalidRequest, s.message());
      default:
        internal(ctx, "engine_failed", s);
    }
  }
  ctx.engine_ms = result.times.total_ms;

  auto usage = svc.meter().commit(account, ticket.value());
  if (!usage.is_ok()) internal(ctx, "commit_failed", usage.status());
  guard.dismiss();
  // "Last used" for the console, after a successful call: at most one write per key per minute,
  // here on the worker (the check wrote anyway) and never on the read-only routes, which must
  // not wait for a write lock. A failure is not worth an error.
  (void)svc.store().touch_key(store::hash_api_key(ctx.api_key), svc.meter().clock().now_ms());
  return json_reply(
      {{"metadata", success_metadata(ctx, usage.value(), svc.meter().clock().now_ms())},
       {"data", check_data(result)}});
}

Reply get_usage(Service& svc, RequestContext& ctx) {
  const store::Account account = authenticate(svc, ctx);
  auto usage = svc.meter().usage(account);
  if (!usage.is_ok()) internal(ctx, "usage_failed", usage.status());
  return json_reply(
      {{"metadata", success_metadata(ctx, usage.value(), svc.meter().clock().now_ms())},
       {"data", usage_data(usage.value())}});
}

Reply get_health(Service& svc, RequestContext&) {
  const bool ready = svc.ready() && !svc.draining();
  nlohmann::ordered_json body = {
      {"status", svc.draining() ? "draining" : (ready ? "ok" : "starting")},
      {"version", kApiVersion},
      {"model_pack", svc.ready() ? svc.engine().pack_version() : ""},
      {"workers", svc.options().workers},
      {"queue_capacity", svc.options().queue},
      {"queued", svc.queued.load()},
      {"in_flight", svc.in_flight.load()},
  };
  Reply r = json_reply(body);
  if (!ready) {
    // Load balancers only read the status: 503 keeps traffic away while loading or draining.
    r.status = 503;
    r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

Reply get_openapi(Service& svc, RequestContext&) {
  Reply r;
  r.body = svc.options().openapi_yaml;
  r.content_type = "application/yaml";
  return r;
}

}  // namespace livecheck::api
