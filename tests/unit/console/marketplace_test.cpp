#include <gtest/gtest.h>

#include "console/marketplace.h"
#include "console/tokens.h"

namespace livecheck::console {
namespace {

const std::string kSecret(64, 'k');
constexpr std::int64_t kNow = 1'796'000'000;  // seconds

TEST(MarketplaceToken, MintedTokenResolvesToItsSubscription) {
  HmacTokenResolver r(kSecret);
  auto t = r.mint("123456789012", "sub-1", "starter", kNow, 3600);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  ResolveResult res = r.resolve(t.value(), kNow + 10);
  ASSERT_EQ(res.problem, TokenProblem::kNone) << res.detail;
  EXPECT_EQ(res.subscription.account_id, "123456789012");
  EXPECT_EQ(res.subscription.subscription_id, "sub-1");
  EXPECT_EQ(res.subscription.plan, "starter");
  EXPECT_EQ(res.subscription.expires_at_s, kNow + 3600);
  EXPECT_FALSE(res.subscription.token_id.empty());
  // Every token has its own id, so replay protection can tell two tokens apart.
  auto t2 = r.mint("123456789012", "sub-1", "starter", kNow, 3600);
  EXPECT_NE(r.resolve(t2.value(), kNow).subscription.token_id, res.subscription.token_id);
}

TEST(MarketplaceToken, AnyChangedCharacterIsRefused) {
  HmacTokenResolver r(kSecret);
  const std::string t = r.mint("123456789012", "sub-1", "starter", kNow, 3600).value();
  for (std::size_t i = 0; i < t.size(); i += 7) {
    std::string bad = t;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    if (bad == t) continue;
    EXPECT_EQ(r.resolve(bad, kNow).problem, TokenProblem::kInvalid) << "position " << i;
  }
}

TEST(MarketplaceToken, ForgedPayloadWithOldSignatureIsRefused) {
  HmacTokenResolver r(kSecret);
  const std::string t = r.mint("123456789012", "sub-1", "free", kNow, 3600).value();
  const std::string sig = t.substr(t.find('.') + 1);
  auto payload = base64url_decode(t.substr(0, t.find('.'))).value();
  const auto pos = payload.find("\"free\"");
  ASSERT_NE(pos, std::string::npos);
  payload.replace(pos, 6, "\"business\"");
  EXPECT_EQ(r.resolve(base64url_encode(payload) + "." + sig, kNow).problem,
            TokenProblem::kInvalid);
}

TEST(MarketplaceToken, OtherSecretIsRefused) {
  HmacTokenResolver a(kSecret), b(std::string(64, 'z'));
  const std::string t = a.mint("123456789012", "sub-1", "starter", kNow, 3600).value();
  EXPECT_EQ(b.resolve(t, kNow).problem, TokenProblem::kInvalid);
}

TEST(MarketplaceToken, ExpiresAtExp) {
  HmacTokenResolver r(kSecret);
  const std::string t = r.mint("123456789012", "sub-1", "starter", kNow, 60).value();
  EXPECT_EQ(r.resolve(t, kNow + 59).problem, TokenProblem::kNone);
  EXPECT_EQ(r.resolve(t, kNow + 60).problem, TokenProblem::kExpired);
}

TEST(MarketplaceToken, MalformedInputsAreInvalidNotCrashes) {
  HmacTokenResolver r(kSecret);
  const std::vector<std::string> bad_tokens = {
      "", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.???",
      std::string(5000, 'a') + "." + std::string(43, 'b')};
  for (const std::string& bad : bad_tokens) {
    EXPECT_EQ(r.resolve(bad, kNow).problem, TokenProblem::kInvalid) << bad.substr(0, 20);
  }
}

TEST(MarketplaceToken, MintValidatesItsInputs) {
  HmacTokenResolver r(kSecret);
  EXPECT_FALSE(r.mint("12345", "sub", "starter", kNow, 60).is_ok());
  EXPECT_FALSE(r.mint("12345678901a", "sub", "starter", kNow, 60).is_ok());
  EXPECT_FALSE(r.mint("123456789012", "", "starter", kNow, 60).is_ok());
  EXPECT_FALSE(r.mint("123456789012", "sub", "platinum", kNow, 60).is_ok());
  EXPECT_FALSE(r.mint("123456789012", "sub", "starter", kNow, 0).is_ok());
  EXPECT_FALSE(r.mint("123456789012", "sub", "starter", kNow, kMaxTokenLifetimeS + 1).is_ok());
}

TEST(Base64Url, RoundTripsAndRejectsPadding) {
  const std::vector<std::string> samples = {"", "a", "ab", "abc", std::string("\xff\x00\x10 b", 5)};
  for (const std::string& s : samples) {
    EXPECT_EQ(base64url_decode(base64url_encode(s)).value(), s);
  }
  EXPECT_FALSE(base64url_decode("YQ==").has_value());
  EXPECT_FALSE(base64url_decode("a+b/").has_value());
}

}  // namespace
}  // namespace livecheck::console
