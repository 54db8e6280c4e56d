#include "sessions/url_signing.h"

#include <gtest/gtest.h>

#include <string>

namespace livecheck::sessions {
namespace {

struct Parts {
  std::string path, expires, sig;
};
Parts split(const std::string& url) {
  const auto q = url.find('?');
  const auto amp = url.find('&');
  return {url.substr(0, q), url.substr(q + 9, amp - q - 9), url.substr(amp + 5)};
}

const std::array<std::uint8_t, 32> kKey{1, 2, 3};

TEST(UrlSigning, SignedUrlVerifiesUntilItsExpiry) {
  const UrlSigner s(kKey);
  const Parts p = split(s.sign("/media/v1/abc/far.jpg", 1000));
  EXPECT_EQ(p.path, "/media/v1/abc/far.jpg");
  EXPECT_EQ(p.expires, "1000");
  EXPECT_EQ(p.sig.size(), 64u);
  EXPECT_EQ(s.verify(p.path, p.expires, p.sig, 999), UrlCheck::kOk);
  EXPECT_EQ(s.verify(p.path, p.expires, p.sig, 1000), UrlCheck::kOk);
  EXPECT_EQ(s.verify(p.path, p.expires, p.sig, 1001), UrlCheck::kExpired);
}

TEST(UrlSigning, AnyAlterationIsABadSignature) {
  const UrlSigner s(kKey);
  const Parts p = split(s.sign("/media/v1/abc/far.jpg", 1000));
  EXPECT_EQ(s.verify("/media/v1/abc/near.jpg", p.expires, p.sig, 0), UrlCheck::kBadSignature);
  EXPECT_EQ(s.verify(p.path, "2000", p.sig, 0), UrlCheck::kBadSignature);
  std::string sig = p.sig;
  sig[0] = sig[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(s.verify(p.path, p.expires, sig, 0), UrlCheck::kBadSignature);
  EXPECT_EQ(s.verify(p.path, p.expires, "", 0), UrlCheck::kBadSignature);
  // Another key (another cluster) does not accept it.
  const UrlSigner other(std::array<std::uint8_t, 32>{9});
  EXPECT_EQ(other.verify(p.path, p.expires, p.sig, 0), UrlCheck::kBadSignature);
}

TEST(UrlSigning, AnExpiredUrlWithABadSignatureSaysBadSignature) {
  // Signature first: a forged URL never learns whether its expiry passed.
  const UrlSigner s(kKey);
  EXPECT_EQ(s.verify("/media/v1/abc/far.jpg", "1", std::string(64, '0'), 5),
            UrlCheck::kBadSignature);
}

}  // namespace
}  // namespace livecheck::sessions
