// Random secrets for the console (e-mail links, session cookies, CSRF tokens) and their
// encodings. Random bytes come from libsodium's CSPRNG; stored forms are SHA-256 digests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace livecheck::console {

// `bytes` random bytes as base64url without padding (43 characters for 32 bytes).
std::string random_token(std::size_t bytes = 32);
std::string random_token_hex(std::size_t bytes);
store::KeyHash sha256(std::string_view data);

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);  // nullopt if malformed

// Constant-time equality of two strings (lengths are not secret).
bool same_secret(std::string_view a, std::string_view b);

}  // namespace livecheck::console
