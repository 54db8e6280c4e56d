// Console JSON endpoints (docs/CONSOLE.md): request JSON -> Console calls -> JSON, cookies and
// statuses. Every POST passes the CSRF check first; signed-in calls resolve the session cookie.
#include <nlohmann/json.hpp>

#include "api/json_out.h"
#include "api/log.h"
#include "api/routes.h"
#include "billing/clock.h"
#include "billing/plans.h"
#include "console/tokens.h"

namespace livecheck::api {
namespace {

using console::ConsoleError;
using nlohmann::json;

constexpr std::size_t kMaxConsoleBody = 64 << 10;  // forms are small; anything bigger is abuse
constexpr const char* kSessionCookie = "lc_session";
constexpr const char* kCsrfCookie = "lc_csrf";

unsigned status_of(const std::string& code) {
  static const std::pair<const char*, unsigned> kStatus[] = {
      {"invalid_request", 400},   {"weak_password", 400},     {"token_invalid", 400},
      {"token_expired", 410},     {"token_used", 410},        {"email_taken", 409},
      {"subscription_used", 409}, {"not_signed_in", 401},     {"invalid_credentials", 401},
      {"account_pending", 403},   {"account_suspended", 403}, {"csrf_failed", 403},
      {"forbidden", 403},         {"rate_limited", 429},      {"payload_too_large", 413},
      {"mail_failed", 503},       {"unavailable", 503},
  };
  for (const auto& [c, s] : kStatus) {
    if (code == c) return s;
  }
  return 500;
}

Reply json_reply(unsigned status, const json& body) {
  Reply r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Reply error_json(const ConsoleError& e, const RequestContext& ctx) {
  json err = {{"code", e.code}, {"message", e.message}};
  if (!e.fields.empty()) err["fields"] = e.fields;
  if (!e.unmet.empty()) err["unmet"] = e.unmet;
  Reply r = json_reply(status_of(e.code), {{"error", err}});
  r.error_code = e.code;
  if (e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  if (!e.log_detail.empty()) {
    log_event(r.status >= 500 ? LogLevel::kError : LogLevel::kWarn, "console_error",
              {{"request_id", ctx.request_id}, {"code", e.code}, {"detail", e.log_detail}});
  }
  return r;
}

Reply error_json(const std::string& code, const std::string& message, const RequestContext& ctx) {
  ConsoleError e;
  e.code = code;
  e.message = message;
  return error_json(e, ctx);
}

std::string cookie_value(const RequestContext& ctx, std::string_view name) {
  std::string_view c = ctx.cookie;
  while (!c.empty()) {
    const auto semi = c.find(';');
    std::string_view part = c.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    c.remove_prefix(semi + 1);
  }
  return {};
}

bool secure_context(Service& svc, const RequestContext& ctx) {
  return svc.console()->config().public_url.rfind("https://", 0) == 0 ||
         ctx.forwarded_proto == "https";
}

std::string cookie(Service& svc, const RequestContext& ctx, const char* name,
                   const std::string& value, std::int64_t max_age_s) {
  std::string c = std::string(name) + "=" + value +
                  "; Path=/console; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (secure_context(svc, ctx)) c += "; Secure";
  return c;
}

// Host part of an origin ("http://a.b:8080" -> "a.b:8080").
std::string_view origin_host(std::string_view origin) {
  const auto p = origin.find("://");
  return p == std::string_view::npos ? origin : origin.substr(p + 3);
}

// Parses the body as a JSON object; nullopt (with *error set) when it is not one.
std::optional<json> body_object(const RequestContext& ctx, Reply* error) {
  if (ctx.body == nullptr || ctx.body->size() > kMaxConsoleBody) {
    *error = error_json("payload_too_large", "The request is too large.", ctx);
    return std::nullopt;
  }
  json j = json::parse(*ctx.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    *error = error_json("invalid_request", "The request body must be a JSON object.", ctx);
    return std::nullopt;
  }
  return j;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The common prologue of every POST: console present, body a JSON object, CSRF check. Fills
// `signed_in` when the session cookie is valid.
struct Post {
  json body;
  std::optional<console::SignedIn> signed_in;
};
std::optional<Post> begin_post(Service& svc, RequestContext& ctx, Reply* error) {
  if (svc.console() == nullptr) {
    *error = error_json("unavailable", "The console is not enabled on this server.", ctx);
    return std::nullopt;
  }
  // A cross-site page cannot set Origin to ours; a present Origin must name this host.
  if (!ctx.origin.empty() && origin_host(ctx.origin) != ctx.host) {
    *error = error_json("csrf_failed", "Cross-site request refused.", ctx);
    return std::nullopt;
  }
  Post p;
  p.signed_in = svc.console()->session(cookie_value(ctx, kSessionCookie));
  const std::string expected =
      p.signed_in ? p.signed_in->csrf : cookie_value(ctx, kCsrfCookie);
  if (expected.empty() || !console::same_secret(ctx.csrf_token, expected)) {
    *error = error_json("csrf_failed",
                        "Your session has changed or expired. Reload the page and try again.", ctx);
    return std::nullopt;
  }
  auto body = body_object(ctx, error);
  if (!body) return std::nullopt;
  p.body = std::move(*body);
  if (p.signed_in) ctx.customer_id = p.signed_in->customer_id;
  return p;
}

std::optional<console::SignedIn> require_session(Service& svc, RequestContext& ctx, Reply* error) {
  if (svc.console() == nullptr) {
    *error = error_json("unavailable", "The console is not enabled on this server.", ctx);
    return std::nullopt;
  }
  auto s = svc.console()->session(cookie_value(ctx, kSessionCookie));
  if (!s) {
    *error = error_json("not_signed_in", "Please log in.", ctx);
    return std::nullopt;
  }
  ctx.customer_id = s->customer_id;
  return s;
}

Reply with_session(Service& svc, const RequestContext& ctx, unsigned status, json body,
                   const console::NewSession& s) {
  body["csrf"] = s.csrf;
  Reply r = json_reply(status, body);
  const std::int64_t max_age = svc.console()->config().session_absolute_ms / 1000;
  r.headers.emplace_back("Set-Cookie", cookie(svc, ctx, kSessionCookie, s.cookie, max_age));
  return r;
}

std::string iso_s(std::int64_t ms) {
  std::string t = billing::format_iso_ms(ms);  // "…T06:40:00.123Z"
  if (auto dot = t.find('.'); dot != std::string::npos) t = t.substr(0, dot) + "Z";
  return t;
}

std::string api_base(Service& svc, const RequestContext& ctx) {
  if (!ctx.host.empty()) {
    return std::string(secure_context(svc, ctx) ? "https://" : "http://") + ctx.host;
  }
  return svc.console()->config().public_url;
}

}  // namespace

Reply get_console_session(Service& svc, RequestContext& ctx) {
  if (svc.console() == nullptr) {
    return error_json("unavailable", "The console is not enabled on this server.", ctx);
  }
  if (auto s = svc.console()->session(cookie_value(ctx, kSessionCookie))) {
    ctx.customer_id = s->customer_id;
    auto user = svc.store().get_console_user(s->customer_id);
    json body = {{"signed_in", true}, {"csrf", s->csrf}};
    if (user.is_ok()) body["email"] = user.value().email;
    return json_reply(200, body);
  }
  // Not signed in: a double-submit token for the forms (login, sign-up, reset...). Reused while
  // the browser keeps it, so that several tabs agree.
  std::string csrf = cookie_value(ctx, kCsrfCookie);
  Reply r;
  if (csrf.size() < 32 || csrf.size() > 64) {
    csrf = console::random_token(24);
    r = json_reply(200, {{"signed_in", false}, {"csrf", csrf}});
    r.headers.emplace_back("Set-Cookie", cookie(svc, ctx, kCsrfCookie, csrf, 24 * 3600));
  } else {
    r = json_reply(200, {{"signed_in", false}, {"csrf", csrf}});
  }
  return r;
}

Reply post_console_resolve(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  auto sub = svc.console()->resolve_token(str(post->body, "token"));
  if (!sub.ok()) return error_json(sub.error(), ctx);
  const auto& s = sub.value();
  return json_reply(200, {{"account_id", s.account_id},
                          {"subscription_id", s.subscription_id},
                          {"plan", s.plan},
                          {"plan_label", console::plan_display_name(s.plan)}});
}

Reply post_console_signup(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  const json& b = post->body;
  console::SignupForm form{str(b, "first_name"), str(b, "last_name"), str(b, "email"),
                           str(b, "company"), str(b, "website")};
  auto out = svc.console()->signup(str(b, "token"), form, ctx.remote_addr);
  if (!out.ok()) return error_json(out.error(), ctx);
  console::normalise_and_validate(form);
  return json_reply(201, {{"email", form.email}, {"verification_sent", true}});
}

Reply post_console_resend(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  auto out = svc.console()->resend_verification(str(post->body, "email"), ctx.remote_addr);
  if (!out.ok()) return error_json(out.error(), ctx);
  return json_reply(202, {{"sent", true}});
}

Reply post_console_token_check(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  auto out =
      svc.console()->check_email_token(str(post->body, "token"), str(post->body, "purpose"));
  if (!out.ok()) return error_json(out.error(), ctx);
  return json_reply(200, {{"email", out.value()}});
}

Reply post_console_activate(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  auto out = svc.console()->activate(str(post->body, "token"), str(post->body, "password"));
  if (!out.ok()) return error_json(out.error(), ctx);
  auto& a = out.value();
  // The full keys travel in this one response only; they are never stored or logged.
  return with_session(svc, ctx, 200,
                      {{"keys", {{"primary", a.primary_key}, {"secondary", a.secondary_key}}}},
                      a.session);
}

Reply post_console_login(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  auto out = svc.console()->login(str(post->body, "email"), str(post->body, "password"),
                                  ctx.remote_addr);
  if (!out.ok()) return error_json(out.error(), ctx);
  if (post->signed_in) svc.console()->logout(cookie_value(ctx, kSessionCookie));
  return with_session(svc, ctx, 200, json::object(), out.value());
}

Reply post_console_logout(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  svc.console()->logout(cookie_value(ctx, kSessionCookie));
  Reply r;
  r.status = 204;
  r.body.clear();
  r.headers.emplace_back("Set-Cookie", cookie(svc, ctx, kSessionCookie, "", 0));
  return r;
}

Reply post_console_forgot(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  auto out = svc.console()->forgot_password(str(post->body, "email"), ctx.remote_addr);
  if (!out.ok()) return error_json(out.error(), ctx);
  return json_reply(202, {{"sent", true}});
}

Reply post_console_reset(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  auto out = svc.console()->reset_password(str(post->body, "token"), str(post->body, "password"));
  if (!out.ok()) return error_json(out.error(), ctx);
  return json_reply(200, json::object());
}

Reply get_console_dashboard(Service& svc, RequestContext& ctx) {
  Reply error;
  auto s = require_session(svc, ctx, &error);
  if (!s) return error;
  auto out = svc.console()->dashboard(s->customer_id);
  if (!out.ok()) return error_json(out.error(), ctx);
  const console::Dashboard& d = out.value();
  const billing::Plan* plan = billing::find_plan(d.account.plan);
  json days = json::array();
  for (const auto& day : d.days) days.push_back({{"day", day.day}, {"calls", day.calls}});
  json keys = json::array();
  std::string primary_prefix = "lc_…";
  for (const auto& k : d.keys) {
    keys.push_back({{"slot", store::key_slot_name(k.slot)},
                    {"prefix", k.display_prefix},
                    {"created_at", iso_s(k.created_at_ms)},
                    {"last_used_at", k.last_used_at_ms ? json(iso_s(*k.last_used_at_ms)) : json()}});
    if (k.slot == store::KeySlot::kPrimary) primary_prefix = k.display_prefix + "…";
  }
  const std::string base = api_base(svc, ctx);
  const std::string curl = "curl -s " + base +
                           "/v1/check/liveness -H 'X-API-Key: " + primary_prefix +
                           "' -H 'Content-Type: application/json' -d '{\"image\": \"'\"$(base64 "
                           "-w0 face.jpg)\"'\", \"image_format\": \"jpeg\"}'";
  json body = {
      {"account",
       {{"customer_id", d.account.customer_id},
        {"email", d.user.email},
        {"first_name", d.user.first_name},
        {"last_name", d.user.last_name},
        {"company", d.user.company},
        {"website", d.user.website},
        {"cloud_account_id", d.user.cloud_account_id},
        {"subscription_id", d.user.subscription_id}}},
      {"plan",
       {{"name", d.account.plan},
        {"label", console::plan_display_name(d.account.plan)},
        {"monthly_limit", d.usage.monthly_limit},
        {"allows_overage", plan ? plan->allows_overage : false}}},
      {"usage",
       {{"period", d.usage.period.key},
        {"calls", d.usage.used_calls},
        {"limit", d.usage.monthly_limit},
        {"remaining", d.usage.remaining_calls},
        {"over_limit_calls", d.usage.over_limit_calls},
        {"resets_at", iso_s(d.usage.period.end_ms)},
        {"days", days}}},
      {"hard_cap",
       {{"enabled", d.usage.hard_cap},
        {"locked", d.hard_cap_locked},
        {"reason", d.hard_cap_locked
                       ? json("The free plan always stops at its monthly limit. Upgrade the "
                              "subscription to allow overage.")
                       : json()}}},
      {"keys", keys},
      {"api_base", base},
      {"curl_example", curl},
  };
  return json_reply(200, body);
}

Reply post_console_regenerate_key(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  if (!post->signed_in) return error_json("not_signed_in", "Please log in.", ctx);
  auto slot = store::key_slot_from_name(str(post->body, "slot"));
  if (!slot) return error_json("invalid_request", "slot must be primary or secondary.", ctx);
  auto out = svc.console()->regenerate_key(post->signed_in->customer_id, *slot);
  if (!out.ok()) return error_json(out.error(), ctx);
  log_event(LogLevel::kInfo, "key_regenerated",
            {{"customer_id", ctx.customer_id}, {"slot", store::key_slot_name(*slot)}});
  return json_reply(200, {{"slot", store::key_slot_name(*slot)},
                          {"key", out.value().key},
                          {"prefix", out.value().prefix},
                          {"created_at", iso_s(out.value().created_at_ms)}});
}

Reply post_console_hard_cap(Service& svc, RequestContext& ctx) {
  Reply error;
  auto post = begin_post(svc, ctx, &error);
  if (!post) return error;
  if (!post->signed_in) return error_json("not_signed_in", "Please log in.", ctx);
  auto it = post->body.find("enabled");
  if (it == post->body.end() || !it->is_boolean()) {
    return error_json("invalid_request", "enabled must be true or false.", ctx);
  }
  auto out = svc.console()->set_hard_cap(post->signed_in->customer_id, it->get<bool>());
  if (!out.ok()) return error_json(out.error(), ctx);
  return json_reply(200, {{"enabled", out.value()}});
}

}  // namespace livecheck::api
