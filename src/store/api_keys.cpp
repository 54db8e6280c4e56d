#include "store/api_keys.h"

#include <sodium.h>

#include <cstdio>

namespace livecheck::store {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// sodium_init is idempotent and thread-safe; every entry point calls it before using the RNG.
void ensure_sodium() {
  if (sodium_init() < 0) std::abort();  // no usable entropy source: nothing secure can follow
}

bool is_base62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

std::string generate_api_key() {
  ensure_sodium();
  std::string key(kKeyPrefix);
  for (std::size_t i = 0; i < kKeyRandomChars; ++i) {
    key.push_back(kBase62[randombytes_uniform(62)]);  // uniform: no modulo bias
  }
  return key;
}

KeyHash hash_api_key(std::string_view key) {
  KeyHash h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return h;
}

std::string display_prefix(std::string_view key) {
  return std::string(key.substr(0, kDisplayPrefixChars));
}

bool looks_like_api_key(std::string_view key) {
  if (key.size() != kKeyPrefix.size() + kKeyRandomChars) return false;
  if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return false;
  for (char c : key.substr(kKeyPrefix.size())) {
    if (!is_base62(c)) return false;
  }
  return true;
}

bool same_hash(const KeyHash& a, const KeyHash& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string generate_uuid_v4() {
  ensure_sodium();
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace livecheck::store
