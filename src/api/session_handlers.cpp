// Session liveness routes (docs/SESSIONS.md): the vendor envelope of seed 002 around
// sessions::SessionService. Every reply is HTTP 200 with {code, message, data, extra,
// transactionId, pricingStrategy}; nothing here throws past run_session.
#include <sodium.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/check_request.h"
#include "api/json_out.h"
#include "api/log.h"
#include "api/routes.h"
#include "api/session_capture.h"
#include "api/session_reply.h"
#include "sessions/session_service.h"

namespace livecheck::api {
namespace {

using json = nlohmann::ordered_json;
using sessions::Code;

// Thrown inside session handlers only; run_session renders it.
struct SessionFailure {
  Code code;
  std::string message;
};

[[noreturn]] void fail(Code code, std::string message = "") {
  throw SessionFailure{code, std::move(message)};
}

void fail_if(const sessions::Outcome& o, const RequestContext& ctx) {
  if (o.ok()) return;
  if (!o.detail.empty()) {
    log_event(LogLevel::kError, "session_store_failed",
              {{"request_id", ctx.request_id}, {"status", o.detail}});
  }
  fail(o.code, o.message);
}

sessions::SessionService& sessions_of(Service& svc) {
  if (!svc.sessions()) fail(Code::kError);
  return *svc.sessions();
}

// A JSON object body; anything else is the client's mistake.
nlohmann::json parse_body(const RequestContext& ctx) {
  auto j = nlohmann::json::parse(ctx.body ? *ctx.body : std::string(), nullptr,
                                 /*allow_exceptions=*/false);
  if (!j.is_object()) fail(Code::kClientError, "The request body must be a JSON object");
  return j;
}

// Optional string field: absent/null -> "", a non-string -> PARAMETER_ERROR.
std::string opt_string(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) fail(Code::kParameterError, sessions::kMsgIllegal);
  return it->get<std::string>();
}

std::optional<std::int64_t> opt_int(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) fail(Code::kParameterError, sessions::kMsgIllegal);
  return it->get<std::int64_t>();
}

store::Account authenticate(Service& svc, RequestContext& ctx) {
  auto acc = sessions_of(svc).authenticate(ctx.access_token);
  fail_if(acc, ctx);
  ctx.customer_id = acc.value.customer_id;
  return std::move(acc.value);
}

// Value of `name` in an application/x-www-form-urlencoded query. Ids here are base64url / hex /
// digits, which never need percent-encoding; an encoded value simply does not match anything.
std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

template <typename Fn>
Reply run_session(const RequestContext& ctx, Fn&& fn) {
  try {
    return fn();
  } catch (const SessionFailure& f) {
    return session_reply(ctx, f.code, f.message, nullptr);
  } catch (const std::exception& e) {
    log_event(LogLevel::kError, "handler_exception",
              {{"request_id", ctx.request_id}, {"what", e.what()}});
  } catch (...) {
    log_event(LogLevel::kError, "handler_exception", {{"request_id", ctx.request_id}});
  }
  return session_reply(ctx, Code::kError, "", nullptr);
}

std::string b64(const sessions::Bytes& data) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.pop_back();  // the terminating NUL
  return out;
}

json or_null(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

Reply post_session_token(Service& svc, RequestContext& ctx) {
  return run_session(ctx, [&] {
    const nlohmann::json body = parse_body(ctx);
    sessions::TokenRequest req;
    req.access_key = opt_string(body, "accessKey");
    // The vendor's examples send the timestamp as a string; a number is accepted too.
    if (auto it = body.find("timestamp"); it != body.end() && it->is_number_integer()) {
      req.timestamp = std::to_string(it->get<std::int64_t>());
    } else {
      req.timestamp = opt_string(body, "timestamp");
    }
    req.signature = opt_string(body, "signature");
    req.period_s = opt_int(body, "periodSecond");
    auto r = sessions_of(svc).generate_token(req);
    fail_if(r, ctx);
    return session_reply(ctx, Code::kSuccess, "",
                         {{"token", r.value.token}, {"expiredTime", r.value.expires_at_ms}});
  });
}

Reply post_session_signature_id(Service& svc, RequestContext& ctx) {
  return run_session(ctx, [&] {
    const store::Account account = authenticate(svc, ctx);
    const nlohmann::json body = parse_body(ctx);
    std::string level = opt_string(body, "productLevel");
    std::string type = opt_string(body, "livenessType");
    auto r = sessions_of(svc).generate_signature_id(account, level.empty() ? "STANDARD" : level,
                                                    type.empty() ? "DISTANT_NEAR" : type);
    fail_if(r, ctx);
    return session_reply(ctx, Code::kSuccess, "",
                         {{"signatureId", r.value.signature_id},
                          {"nonce", r.value.nonce},
                          {"expiredTime", r.value.expires_at_ms}});
  });
}

Reply post_session_auth_license(Service& svc, RequestContext& ctx) {
  return run_session(ctx, [&] {
    const store::Account account = authenticate(svc, ctx);
    const nlohmann::json body = parse_body(ctx);
    std::vector<std::string> app_ids;
    if (auto it = body.find("applicationId"); it != body.end() && !it->is_null()) {
      if (!it->is_array()) fail(Code::kParameterError, sessions::kMsgIllegal);
      for (const auto& v : *it) {
        if (!v.is_string()) fail(Code::kParameterError, sessions::kMsgIllegal);
        app_ids.push_back(v.get<std::string>());
      }
    }
    auto r = sessions_of(svc).auth_license(account, opt_int(body, "licenseEffectiveSeconds"),
                                           app_ids);
    fail_if(r, ctx);
    return session_reply(ctx, Code::kSuccess, "",
                         {{"license", r.value.license},
                          {"expireTimestamp", r.value.expires_at_ms}});
  });
}

Reply post_session_revoke_license(Service& svc, RequestContext& ctx) {
  return run_session(ctx, [&] {
    const store::Account account = authenticate(svc, ctx);
    const nlohmann::json body = parse_body(ctx);
    fail_if(sessions_of(svc).revoke_license(account, opt_string(body, "license")), ctx);
    return session_reply(ctx, Code::kSuccess, "", nullptr);
  });
}

Reply post_session_capture(Service& svc, RequestContext& ctx) {
  Reply r = run_session(ctx, [&] {
    sessions::SessionService& ss = sessions_of(svc);
    const auto parse_start = std::chrono::steady_clock::now();
    const nlohmann::json body = parse_body(ctx);
    std::optional<std::string> app_id;
    if (std::string a = opt_string(body, "applicationId"); !a.empty()) app_id = a;
    auto account = ss.check_license(ctx.license, app_id);
    fail_if(account, ctx);
    ctx.customer_id = account.value.customer_id;

    const std::string signature_id = opt_string(body, "signatureId");
    CaptureInput in;
    in.nonce = opt_string(body, "nonce");
    auto frame = [&](const char* name, CaptureFrame* out) {
      auto it = body.find(name);
      if (it == body.end() || it->is_null()) fail(Code::kParameterError, sessions::kMsgEmpty);
      if (!it->is_object()) fail(Code::kParameterError, sessions::kMsgIllegal);
      const std::string image = opt_string(*it, "image");
      const auto at = opt_int(*it, "capturedAt");
      if (image.empty() || !at) fail(Code::kParameterError, sessions::kMsgEmpty);
      try {
        out->bytes = decode_image_base64(image);
      } catch (const ApiError& e) {
        fail(Code::kParameterError, std::string(name) + ": " + e.what());
      }
      out->captured_at_ms = *at;
    };
    if (signature_id.empty()) fail(Code::kParameterError, sessions::kMsgEmpty);
    frame("far", &in.far);
    frame("near", &in.near);
    ctx.parse_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             parse_start)
                       .count();
    if (!svc.ready()) fail(Code::kError, "The service is starting. Retry in a few seconds.");

    auto session = ss.begin_capture(account.value, signature_id);
    fail_if(session, ctx);
    CaptureOutcome out;
    {
      auto runner = svc.runners().acquire();
      out = run_capture(ss, *runner, session.value, in);
    }
    ctx.engine_ms = out.engine_ms;
    fail_if(out, ctx);
    if (out.retry) {
      return session_reply(ctx, Code::kRetry, "",
                           {{"stage", out.retry->stage}, {"reason", out.retry->reason}});
    }
    return session_reply(ctx, Code::kSuccess, "", {{"livenessId", out.liveness_id}});
  });
  allow_any_origin(r);
  return r;
}

Reply options_session_capture(Service&, RequestContext&) {
  Reply r;
  r.status = 204;
  r.content_type = "text/plain";
  allow_any_origin(r);
  return r;
}

Reply post_session_detection_result(Service& svc, RequestContext& ctx) {
  return run_session(ctx, [&] {
    sessions::SessionService& ss = sessions_of(svc);
    const store::Account account = authenticate(svc, ctx);
    const nlohmann::json body = parse_body(ctx);
    const std::string liveness_id = opt_string(body, "livenessId");
    const std::string signature_id = opt_string(body, "signatureId");
    std::string type = opt_string(body, "resultType");
    if (type.empty()) type = "IMAGE_URL";
    if (type != "IMAGE_URL" && type != "IMAGE_BASE64") {
      fail(Code::kParameterError, sessions::kMsgIllegal);
    }
    auto found = ss.find_result(account, liveness_id, signature_id);
    fail_if(found, ctx);
    const store::LivenessSession& s = found.value;

    // Build the whole answer before billing: a failure afterwards must not charge.
    json far = nullptr, near = nullptr, audit = nullptr;
    if (ss.images_available(s)) {
      if (type == "IMAGE_URL") {
        // Absolute, like the vendor's: the customer's backend need not know our base URL.
        const std::string base = svc.public_base(ctx);
        far = base + ss.media_url(s, sessions::kFarFile);
        near = base + ss.media_url(s, sessions::kNearFile);
        audit = base + ss.media_url(s, sessions::kAuditFile);
      } else {
        auto read = [&](const char* file) -> json {
          auto bytes = ss.images().read(*s.liveness_id, file);
          if (!bytes.is_ok()) return nullptr;  // swept a moment ago
          return b64(bytes.value());
        };
        far = read(sessions::kFarFile);
        near = read(sessions::kNearFile);
        audit = read(sessions::kAuditFile);
      }
    }
    json reasons = json::parse(s.reasons_json, nullptr, false);
    if (!reasons.is_array()) reasons = json::array();
    json data = {{"detectionResult", near},
                 {"livenessScore", round_to(s.score, 2)},
                 {"auditImageUrl", audit},
                 {"imageFarUrl", far},
                 {"imageNearUrl", near},
                 {"farImageTime", or_null(s.far_time_ms)},
                 {"nearImageTime", or_null(s.near_time_ms)},
                 {"attackType", s.attack_type ? json(*s.attack_type) : json(nullptr)},
                 {"attackSubType", nullptr},
                 {"reasons", reasons}};

    const char* pricing = "FREE";
    if (!s.billed_at_ms) {
      auto ticket = svc.meter().reserve(account);
      if (!ticket.is_ok()) fail_if({Code::kError, "", ticket.status().to_string()}, ctx);
      if (!ticket->granted) fail(Code::kQuotaExceeded);
      auto claimed = ss.store().claim_liveness_billing(*s.liveness_id, ss.now_ms());
      if (!claimed.is_ok() || !claimed.value()) {
        (void)svc.meter().release(ticket.value());
        if (!claimed.is_ok()) fail_if({Code::kError, "", claimed.status().to_string()}, ctx);
      } else {
        auto usage = svc.meter().commit(account, ticket.value());
        if (!usage.is_ok()) {
          // Claimed but not counted: the session stays FREE; log it for reconciliation.
          log_event(LogLevel::kError, "session_commit_failed",
                    {{"request_id", ctx.request_id}, {"status", usage.status().to_string()}});
        }
        pricing = "PAY";
      }
    }
    return session_reply(ctx, Code::kSuccess, "", std::move(data), pricing);
  });
}

Reply get_session_clear_data(Service& svc, RequestContext& ctx) {
  return run_session(ctx, [&] {
    const store::Account account = authenticate(svc, ctx);
    fail_if(sessions_of(svc).clear_data(account, query_param(ctx.query, "livenessId")), ctx);
    return session_reply(ctx, Code::kSuccess, "", nullptr);
  });
}

Reply get_media(Service& svc, RequestContext& ctx) {
  // /media/v1/<livenessId>/<file>
  constexpr std::string_view kPrefix = "/media/v1/";
  const std::string_view rest = std::string_view(ctx.path).substr(kPrefix.size());
  const auto slash = rest.find('/');
  sessions::SessionService* ss = svc.sessions();
  if (!ss || slash == std::string_view::npos) {
    return error_reply(ErrorCode::kNotFound, "No such image.", ctx);
  }
  const std::string id(rest.substr(0, slash));
  const std::string file(rest.substr(slash + 1));
  if (!sessions::ImageStore::valid_id(id) || !sessions::ImageStore::valid_file(file)) {
    return error_reply(ErrorCode::kNotFound, "No such image.", ctx);
  }
  const auto check = ss->signer().verify(ctx.path, query_param(ctx.query, "expires"),
                                         query_param(ctx.query, "sig"), ss->now_ms() / 1000);
  if (check == sessions::UrlCheck::kBadSignature) {
    return error_reply(ErrorCode::kForbidden, "The image link is not valid.", ctx);
  }
  if (check == sessions::UrlCheck::kExpired) {
    return error_reply(ErrorCode::kForbidden, "The image link has expired.", ctx);
  }
  // The row decides, not the file: a cleared or retention-expired session is gone even if a
  // sweep has not removed its files yet.
  auto s = ss->store().find_liveness_result(id);
  if (!s.is_ok() || !ss->images_available(s.value())) {
    return error_reply(ErrorCode::kNotFound, "The image has been deleted.", ctx);
  }
  auto bytes = ss->images().read(id, file);
  if (!bytes.is_ok()) return error_reply(ErrorCode::kNotFound, "The image has been deleted.", ctx);
  Reply r;
  const auto& b = bytes.value();
  if (file == sessions::kAuditFile) {
    r.content_type = "application/zip";
  } else if (b.size() >= 4 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
    r.content_type = "image/png";
  } else {
    r.content_type = "image/jpeg";
  }
  r.body.assign(b.begin(), b.end());
  // Face images: never in a shared cache, nor kept by the browser after use.
  r.headers.emplace_back("Cache-Control", "private, no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace livecheck::api
