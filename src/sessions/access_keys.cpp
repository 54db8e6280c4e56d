#include "sessions/access_keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace livecheck::sessions {
namespace {

static_assert(crypto_secretbox_KEYBYTES == 32);

std::string hex(const std::uint8_t* p, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

Status read_exactly(int fd, std::uint8_t* out, std::size_t n, const std::string& path) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  std::uint8_t extra;
  if (got != n || ::read(fd, &extra, 1) != 0) {
    return Status::invalid_argument("master key file " + path + " must hold exactly 32 bytes");
  }
  return Status::ok();
}

}  // namespace

StatusOr<MasterKey> MasterKey::load_or_create(const std::string& path) {
  MasterKey mk;
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    randombytes_buf(mk.key_.data(), mk.key_.size());
    const ssize_t w = ::write(fd, mk.key_.data(), mk.key_.size());
    const bool ok = w == static_cast<ssize_t>(mk.key_.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Status::io_error("cannot write master key file " + path);
    return mk;
  }
  if (errno != EEXIST) {
    return Status::io_error("cannot create master key file " + path + ": " + std::strerror(errno));
  }
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::io_error("cannot read master key file " + path + ": " + std::strerror(errno));
  }
  // A file being created by another process right now may still be empty: wait briefly.
  Status s = Status::ok();
  for (int i = 0; i < 50; ++i) {
    ::lseek(fd, 0, SEEK_SET);
    s = read_exactly(fd, mk.key_.data(), mk.key_.size(), path);
    if (s.is_ok()) break;
    ::usleep(10'000);
  }
  ::close(fd);
  if (!s.is_ok()) return s;
  return mk;
}

MasterKey MasterKey::from_bytes(const std::array<std::uint8_t, 32>& bytes) {
  MasterKey mk;
  mk.key_ = bytes;
  return mk;
}

std::vector<std::uint8_t> MasterKey::seal(std::string_view plain) const {
  std::vector<std::uint8_t> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                plain.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        out.data(), key_.data());
  return out;
}

StatusOr<std::string> MasterKey::open(const std::vector<std::uint8_t>& sealed) const {
  constexpr std::size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < kOverhead) return Status::invalid_argument("sealed secret is too short");
  std::string plain(sealed.size() - kOverhead, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 sealed.data() + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, sealed.data(),
                                 key_.data()) != 0) {
    return Status::invalid_argument("sealed secret does not open with this master key");
  }
  return plain;
}

AccessKeyPair generate_access_key_pair() {
  std::uint8_t ak[16];
  std::uint8_t sk[32];
  randombytes_buf(ak, sizeof ak);
  randombytes_buf(sk, sizeof sk);
  return {hex(ak, sizeof ak), hex(sk, sizeof sk)};
}

std::string token_signature(std::string_view access_key, std::string_view secret_key,
                            std::string_view timestamp) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  auto add = [&st](std::string_view v) {
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(v.data()), v.size());
  };
  add(access_key);
  add(secret_key);
  add(timestamp);
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  return hex(digest, sizeof digest);
}

bool same_signature(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token(std::size_t bytes) {
  std::vector<std::uint8_t> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

store::KeyHash hash_token(std::string_view token) {
  store::KeyHash h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return h;
}

}  // namespace livecheck::sessions
