// API keys: "lc_" + 32 base62 characters from libsodium's CSPRNG (~190 bits). Only the SHA-256
// of a key is stored; the full key is shown once, when it is created.
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace livecheck::store {

inline constexpr std::string_view kKeyPrefix = "lc_";
inline constexpr std::size_t kKeyRandomChars = 32;
inline constexpr std::size_t kDisplayPrefixChars = 8;  // "lc_abc12"

std::string generate_api_key();
KeyHash hash_api_key(std::string_view key);
std::string display_prefix(std::string_view key);
// Cheap syntactic check ("lc_" + 32 base62) so that garbage never reaches the database.
bool looks_like_api_key(std::string_view key);
// Constant-time comparison of two hashes (sodium_memcmp).
bool same_hash(const KeyHash& a, const KeyHash& b);

// A random UUID v4, lowercase, as customer id.
std::string generate_uuid_v4();

}  // namespace livecheck::store
