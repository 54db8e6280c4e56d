#include "sessions/url_signing.h"

#include <sodium.h>

#include <charconv>

namespace livecheck::sessions {

std::string UrlSigner::mac_hex(std::string_view path, std::string_view expires) const {
  static_assert(crypto_auth_hmacsha256_KEYBYTES == 32);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key_.data(), key_.size());
  auto add = [&st](std::string_view v) {
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(v.data()), v.size());
  };
  add(path);
  add("\n");
  add(expires);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string UrlSigner::sign(std::string_view path, std::int64_t expires_s) const {
  const std::string expires = std::to_string(expires_s);
  return std::string(path) + "?expires=" + expires + "&sig=" + mac_hex(path, expires);
}

UrlCheck UrlSigner::verify(std::string_view path, std::string_view expires, std::string_view sig,
                           std::int64_t now_s) const {
  const std::string want = mac_hex(path, expires);
  if (sig.size() != want.size() || sodium_memcmp(sig.data(), want.data(), want.size()) != 0) {
    return UrlCheck::kBadSignature;
  }
  std::int64_t at = 0;
  const auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), at);
  if (ec != std::errc() || end != expires.data() + expires.size()) return UrlCheck::kBadSignature;
  return now_s > at ? UrlCheck::kExpired : UrlCheck::kOk;
}

StatusOr<UrlSigner> load_media_signer(store::Store& store) {
  std::uint8_t fresh[32];
  randombytes_buf(fresh, sizeof fresh);
  char fresh_hex[sizeof fresh * 2 + 1];
  sodium_bin2hex(fresh_hex, sizeof fresh_hex, fresh, sizeof fresh);
  auto stored = store.get_or_put_setting("media_url_key", fresh_hex);
  if (!stored.is_ok()) return stored.status();
  std::array<std::uint8_t, 32> key{};
  std::size_t len = 0;
  if (sodium_hex2bin(key.data(), key.size(), stored->data(), stored->size(), nullptr, &len,
                     nullptr) != 0 ||
      len != key.size()) {
    return Status::invalid_argument("settings.media_url_key is not 64 hex characters");
  }
  return UrlSigner(key);
}

}  // namespace livecheck::sessions
