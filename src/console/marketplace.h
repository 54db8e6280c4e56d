// Marketplace subscription intake. A marketplace redirects a buyer to the console with a
// registration token; a MarketplaceResolver turns the token into the subscription it stands for.
//
// HmacTokenResolver is the built-in resolver: the token is
//   base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))
// with payload {"v":1,"account_id":"123456789012","subscription_id":"…","plan":"starter",
// "iat":…,"exp":…,"jti":"…"} (seconds since the epoch). `livecheck admin marketplace-token` mints
// one. A real marketplace adapter (token -> customer through the marketplace's API) implements
// the same interface.
// Thread safety: resolve() and mint() are const and may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "livecheck/status.h"

namespace livecheck::console {

struct Subscription {
  std::string account_id;       // cloud account id, 12 digits
  std::string subscription_id;  // marketplace subscription
  std::string plan;             // a plan name of billing/plans.h
  std::string token_id;         // unique per token; recorded when the token creates an account
  std::int64_t expires_at_s = 0;
};

// Why a token was refused. kExpired and kInvalid come from resolve(); kUsed from the store.
enum class TokenProblem { kNone, kInvalid, kExpired, kUsed };

struct ResolveResult {
  TokenProblem problem = TokenProblem::kNone;
  Subscription subscription;  // valid when problem == kNone
  std::string detail;         // for logs (never the token itself)
};

class MarketplaceResolver {
 public:
  virtual ~MarketplaceResolver() = default;
  virtual ResolveResult resolve(std::string_view token, std::int64_t now_s) const = 0;
};

// Longest a minted token may live: a marketplace redirect is followed within minutes.
inline constexpr std::int64_t kMaxTokenLifetimeS = 24 * 3600;

class HmacTokenResolver final : public MarketplaceResolver {
 public:
  explicit HmacTokenResolver(std::string secret) : secret_(std::move(secret)) {}
  ResolveResult resolve(std::string_view token, std::int64_t now_s) const override;
  // invalid_argument for a malformed account id (not 12 digits), an empty subscription id, an
  // unknown plan or a lifetime outside 1 s..24 h.
  StatusOr<std::string> mint(const std::string& account_id, const std::string& subscription_id,
                             const std::string& plan, std::int64_t now_s,
                             std::int64_t lifetime_s) const;

 private:
  std::string secret_;
};

// A random 256-bit secret, hex. The server keeps one in the database (settings) unless
// --marketplace-secret is given, so that `serve` and `admin` agree without configuration.
std::string generate_secret();
inline constexpr const char* kSecretSetting = "marketplace_hmac_secret";

bool valid_account_id(std::string_view id);  // exactly 12 ASCII digits

}  // namespace livecheck::console

namespace livecheck::store {
class Store;
}

namespace livecheck::console {

// `configured` when non-empty (at least 32 bytes), else the database's shared secret (created on
// first use). invalid_argument for a configured secret shorter than 32 bytes.
StatusOr<std::string> marketplace_secret(store::Store& store, const std::string& configured);

}  // namespace livecheck::console
