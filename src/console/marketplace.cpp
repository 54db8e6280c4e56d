#include "console/marketplace.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "billing/plans.h"
#include "console/tokens.h"
#include "store/store.h"

namespace livecheck::console {
namespace {

std::string sign(const std::string& secret, std::string_view payload_b64) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload_b64.data()),
                                payload_b64.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

ResolveResult invalid(std::string detail) {
  ResolveResult r;
  r.problem = TokenProblem::kInvalid;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

bool valid_account_id(std::string_view id) {
  if (id.size() != 12) return false;
  for (char c : id) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string generate_secret() { return random_token_hex(32); }

StatusOr<std::string> marketplace_secret(store::Store& store, const std::string& configured) {
  if (!configured.empty()) {
    if (configured.size() < 32) {
      return Status::invalid_argument("the marketplace secret must be at least 32 bytes");
    }
    return configured;
  }
  return store.get_or_put_setting(kSecretSetting, generate_secret());
}

StatusOr<std::string> HmacTokenResolver::mint(const std::string& account_id,
                                              const std::string& subscription_id,
                                              const std::string& plan, std::int64_t now_s,
                                              std::int64_t lifetime_s) const {
  if (!valid_account_id(account_id)) {
    return Status::invalid_argument("account id must be 12 digits");
  }
  if (subscription_id.empty() || subscription_id.size() > 128) {
    return Status::invalid_argument("subscription id must be 1..128 characters");
  }
  if (!billing::find_plan(plan)) return Status::invalid_argument("unknown plan: " + plan);
  if (lifetime_s < 1 || lifetime_s > kMaxTokenLifetimeS) {
    return Status::invalid_argument("token lifetime must be 1 s .. 24 h");
  }
  nlohmann::ordered_json payload = {{"v", 1},
                                    {"account_id", account_id},
                                    {"subscription_id", subscription_id},
                                    {"plan", plan},
                                    {"iat", now_s},
                                    {"exp", now_s + lifetime_s},
                                    {"jti", random_token_hex(16)}};
  const std::string body = base64url_encode(payload.dump());
  return body + "." + sign(secret_, body);
}

ResolveResult HmacTokenResolver::resolve(std::string_view token, std::int64_t now_s) const {
  if (token.size() > 4096) return invalid("token too long");
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= token.size()) {
    return invalid("not payload.signature");
  }
  const std::string_view body = token.substr(0, dot);
  const std::string expected = sign(secret_, body);
  const std::string_view given = token.substr(dot + 1);
  // Constant time: an attacker learns nothing from how long a wrong signature took.
  if (given.size() != expected.size() ||
      sodium_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return invalid("bad signature");
  }
  auto raw = base64url_decode(body);
  if (!raw) return invalid("payload is not base64url");
  const auto j = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return invalid("payload is not a JSON object");
  auto str = [&](const char* k) -> std::string {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&](const char* k) -> std::int64_t {
    auto it = j.find(k);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
  };
  if (num("v") != 1) return invalid("unsupported token version");
  Subscription s{str("account_id"), str("subscription_id"), str("plan"), str("jti"), num("exp")};
  const std::int64_t iat = num("iat");
  if (!valid_account_id(s.account_id) || s.subscription_id.empty() || s.token_id.empty() ||
      !billing::find_plan(s.plan) || iat < 0 || s.expires_at_s <= iat ||
      s.expires_at_s - iat > kMaxTokenLifetimeS) {
    return invalid("payload fields");
  }
  ResolveResult r;
  if (now_s >= s.expires_at_s) {
    r.problem = TokenProblem::kExpired;
    r.detail = "expired";
    return r;
  }
  r.subscription = std::move(s);
  return r;
}

}  // namespace livecheck::console
