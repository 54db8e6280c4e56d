// Access key pairs, access tokens and the master key that seals secretKeys (docs/SESSIONS.md,
// "Secret storage").
//
// The vendor's token signature is SHA-256(accessKey + secretKey + timestamp): to verify it the
// server needs the secretKey itself, so it cannot be stored one-way like API keys. It is stored
// sealed with libsodium's crypto_secretbox_easy (XSalsa20-Poly1305) under a 32-byte master key
// that lives in a file outside the database (default data/master.key, mode 0600): a database
// dump or backup alone reveals no secret.
//
// Errors: Status values; io_error for file problems, invalid_argument for a damaged sealed secret
// or a master key file of the wrong size.
// Thread safety: MasterKey is immutable after load and may be shared by any number of threads;
// the free functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "livecheck/status.h"
#include "store/store.h"

namespace livecheck::sessions {

// Signatures are accepted within this distance of the server's clock (either side).
inline constexpr std::int64_t kSignatureWindowMs = 300'000;
inline constexpr std::int64_t kMinTokenPeriodS = 60;
inline constexpr std::int64_t kMaxTokenPeriodS = 86'400;
inline constexpr std::int64_t kDefaultTokenPeriodS = 3'600;

class MasterKey {
 public:
  // Reads the key file (32 raw bytes); creates it with fresh random bytes and mode 0600 if it
  // does not exist (O_EXCL: two processes starting at once end up with the same key).
  static StatusOr<MasterKey> load_or_create(const std::string& path);
  static MasterKey from_bytes(const std::array<std::uint8_t, 32>& bytes);

  // nonce || crypto_secretbox_easy(plain).
  std::vector<std::uint8_t> seal(std::string_view plain) const;
  // invalid_argument when the bytes were not sealed with this key (or were altered).
  StatusOr<std::string> open(const std::vector<std::uint8_t>& sealed) const;

 private:
  std::array<std::uint8_t, 32> key_{};
};

struct AccessKeyPair {
  std::string access_key;  // 32 lower-case hex characters (public identifier)
  std::string secret_key;  // 64 lower-case hex characters (256 bits), shown once
};
AccessKeyPair generate_access_key_pair();

// Lower-case hex SHA-256(access_key + secret_key + timestamp), the vendor's scheme.
std::string token_signature(std::string_view access_key, std::string_view secret_key,
                            std::string_view timestamp);
// Constant-time comparison of two signature strings (same length required).
bool same_signature(std::string_view a, std::string_view b);

// A random bearer value (tokens, licenses, signatureIds, nonces): `bytes` random bytes as
// URL-safe base64 without padding.
std::string random_token(std::size_t bytes);
// SHA-256 of a bearer value, the form in which tokens and licenses are stored.
store::KeyHash hash_token(std::string_view token);

}  // namespace livecheck::sessions
