// Signed media URLs: /media/v1/<livenessId>/<file>?expires=<epoch s>&sig=<hex HMAC-SHA256>.
// The HMAC covers "<path>\n<expires>", so neither the file nor the expiry can be changed. The key
// (32 random bytes) is kept in the database's settings table (Store::get_or_put_setting,
// "media_url_key") so that every node behind a load balancer signs and verifies alike.
//
// Errors: load_media_signer returns the store's Status.
// Thread safety: UrlSigner is immutable; share it freely.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "livecheck/status.h"
#include "store/store.h"

namespace livecheck::sessions {

inline constexpr std::int64_t kMediaUrlTtlS = 24 * 3600;  // the vendor's 24 h

enum class UrlCheck { kOk, kBadSignature, kExpired };

class UrlSigner {
 public:
  explicit UrlSigner(const std::array<std::uint8_t, 32>& key) : key_(key) {}

  // "<path>?expires=<expires_s>&sig=<hex>"
  std::string sign(std::string_view path, std::int64_t expires_s) const;
  // Signature first (constant time), then expiry: an altered URL never learns whether it expired.
  UrlCheck verify(std::string_view path, std::string_view expires, std::string_view sig,
                  std::int64_t now_s) const;

 private:
  std::string mac_hex(std::string_view path, std::string_view expires) const;
  std::array<std::uint8_t, 32> key_;
};

// The signer with the cluster-wide key, created on first use.
StatusOr<UrlSigner> load_media_signer(store::Store& store);

}  // namespace livecheck::sessions
