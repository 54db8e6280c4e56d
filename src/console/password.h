// The console's password rule and Argon2id hashing (libsodium crypto_pwhash_str).
//
// Rule: at least 8 characters (Unicode code points), an upper-case and a lower-case ASCII letter,
// a digit and a symbol (any other printable character, non-ASCII included). At most 256 bytes, so
// that hashing cost stays bounded. The pages show the same five parts (web/console/assets/
// password_rule.js); the server is the authority.
// Thread safety: pure functions. Hashing takes ~64 MiB and tens of milliseconds by design: call
// it from a worker thread, never from an I/O thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "livecheck/status.h"

namespace livecheck::console {

inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordBytes = 256;

// Unmet parts, in this order: "length", "upper", "lower", "digit", "symbol". Empty = acceptable.
// A password longer than kMaxPasswordBytes or with control characters / invalid UTF-8 fails
// "length" (and is never hashed).
std::vector<std::string> unmet_password_parts(std::string_view password);

// Argon2id string ("$argon2id$v=19$m=65536,t=2,p=1$…"), interactive limits. internal on
// failure (out of memory).
StatusOr<std::string> hash_password(std::string_view password);
// True when `password` matches `hash`. A malformed hash never matches.
bool verify_password(std::string_view password, const std::string& hash);
// Spends the time of one verification, for logins of unknown e-mails (no timing oracle).
void verify_password_dummy(std::string_view password);

}  // namespace livecheck::console
