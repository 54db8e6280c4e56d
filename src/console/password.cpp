#include "console/password.h"

#include <sodium.h>

#include <mutex>

namespace livecheck::console {
namespace {

// Code points of valid UTF-8 without control characters; -1 if invalid.
long count_code_points(std::string_view s) {
  long n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return -1;
    }
    if (len == 1 && (c < 0x20 || c == 0x7F)) return -1;
    i += len;
    ++n;
  }
  return n;
}

}  // namespace

std::vector<std::string> unmet_password_parts(std::string_view pw) {
  std::vector<std::string> unmet;
  const long chars = pw.size() > kMaxPasswordBytes ? -1 : count_code_points(pw);
  bool upper = false, lower = false, digit = false, symbol = false;
  for (char ch : pw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c > 0x20 && c != 0x7F) {
      symbol = true;  // punctuation, and any non-ASCII character
    }
  }
  if (chars < static_cast<long>(kMinPasswordChars)) unmet.emplace_back("length");
  if (!upper) unmet.emplace_back("upper");
  if (!lower) unmet.emplace_back("lower");
  if (!digit) unmet.emplace_back("digit");
  if (!symbol) unmet.emplace_back("symbol");
  return unmet;
}

StatusOr<std::string> hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::internal("password hashing failed (out of memory)");
  }
  return std::string(out);
}

bool verify_password(std::string_view password, const std::string& hash) {
  if (password.size() > kMaxPasswordBytes) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verify_password_dummy(std::string_view password) {
  static std::once_flag once;
  static std::string dummy;
  std::call_once(once, [] {
    auto h = hash_password("livecheck-dummy-password-for-timing");
    if (h.is_ok()) dummy = h.value();
  });
  if (!dummy.empty()) (void)verify_password(password, dummy);
}

}  // namespace livecheck::console
