#include "store/api_keys.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "api/errors.h"

namespace livecheck::store {
namespace {

TEST(ApiKeys, FormatIsLcPlus32Base62AndKeysAreDistinct) {
  std::set<std::string> seen;
  const std::regex re("^lc_[0-9A-Za-z]{32}$");
  for (int i = 0; i < 200; ++i) {
    const std::string k = generate_api_key();
    EXPECT_TRUE(std::regex_match(k, re)) << k;
    EXPECT_TRUE(looks_like_api_key(k));
    seen.insert(k);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(ApiKeys, RejectsMalformedKeys) {
  EXPECT_FALSE(looks_like_api_key(""));
  EXPECT_FALSE(looks_like_api_key("lc_short"));
  EXPECT_FALSE(looks_like_api_key("LC_" + std::string(32, 'a')));
  EXPECT_FALSE(looks_like_api_key("lc_" + std::string(31, 'a') + "-"));
  EXPECT_FALSE(looks_like_api_key("lc_" + std::string(33, 'a')));
}

TEST(ApiKeys, HashIsSha256AndPrefixIsEightChars) {
  const KeyHash h = hash_api_key("abc");  // FIPS 180-2 test vector
  const unsigned char expected[] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                    0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_TRUE(std::equal(h.begin(), h.end(), expected));
  EXPECT_TRUE(same_hash(h, hash_api_key("abc")));
  EXPECT_FALSE(same_hash(h, hash_api_key("abd")));
  EXPECT_EQ(display_prefix("lc_abc12xyz"), "lc_abc12");
}

TEST(ApiKeys, UuidV4Format) {
  const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(std::regex_match(generate_uuid_v4(), re));
}

}  // namespace
}  // namespace livecheck::store

namespace livecheck::api {
namespace {

TEST(ErrorTable, EveryCodeHasItsStatusAndAName) {
  struct Want {
    ErrorCode code;
    const char* name;
    unsigned status;
  };
  const Want want[] = {{ErrorCode::kInvalidRequest, "invalid_request", 400},
                       {ErrorCode::kInvalidImage, "invalid_image", 400},
                       {ErrorCode::kInvalidApiKey, "invalid_api_key", 401},
                       {ErrorCode::kNotFound, "not_found", 404},
                       {ErrorCode::kMethodNotAllowed, "method_not_allowed", 405},
                       {ErrorCode::kPayloadTooLarge, "payload_too_large", 413},
                       {ErrorCode::kQuotaExceeded, "quota_exceeded", 429},
                       {ErrorCode::kServiceUnavailable, "service_unavailable", 503},
                       {ErrorCode::kInternalError, "internal_error", 500}};
  for (const Want& w : want) {
    EXPECT_STREQ(error_info(w.code).name, w.name);
    EXPECT_EQ(error_info(w.code).http_status, w.status);
    EXPECT_GT(std::string(error_info(w.code).default_message).size(), 5u);
  }
}

}  // namespace
}  // namespace livecheck::api
