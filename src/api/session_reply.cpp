#include "api/session_reply.h"

#include <sodium.h>

#include "api/json_out.h"

namespace livecheck::api {

Reply session_reply(const RequestContext& ctx, sessions::Code code, const std::string& message,
                    nlohmann::ordered_json data, const char* pricing) {
  // The request id doubles as transactionId (same value in X-Request-Id and the logs) when it
  // fits the vendor's 64 characters; a caller-chosen longer id gets a fresh one.
  std::string transaction_id = ctx.request_id;
  if (transaction_id.empty() || transaction_id.size() > 64) {
    unsigned char b[8];
    randombytes_buf(b, sizeof b);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, b, sizeof b);
    transaction_id = hex;
  }
  nlohmann::ordered_json body = {
      {"code", sessions::code_name(code)},
      {"message", message.empty() ? sessions::default_message(code) : message},
      {"data", std::move(data)},
      {"extra", nullptr},
      {"transactionId", transaction_id},
      {"pricingStrategy", pricing}};
  Reply r;
  r.body = dump_json(body);
  if (code != sessions::Code::kSuccess && code != sessions::Code::kRetry) {
    r.error_code = sessions::code_name(code);
  }
  return r;
}

bool is_session_path(std::string_view path) {
  return path.starts_with("/openapi/") || path.starts_with("/liveness/");
}

Reply session_transport_error(ErrorCode code, const RequestContext& ctx) {
  const bool server_side =
      code == ErrorCode::kServiceUnavailable || code == ErrorCode::kInternalError;
  std::string message = error_info(code).default_message;
  Reply r = session_reply(ctx, server_side ? sessions::Code::kError : sessions::Code::kClientError,
                          message, nullptr);
  if (code == ErrorCode::kServiceUnavailable) r.headers.emplace_back("Retry-After", "1");
  return r;
}

void allow_any_origin(Reply& reply) {
  reply.headers.emplace_back("Access-Control-Allow-Origin", "*");
  reply.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
  reply.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, X-LICENSE");
  reply.headers.emplace_back("Access-Control-Max-Age", "600");
}

}  // namespace livecheck::api
