// Request parsing and base64 at the API edge: every malformed input is a clean ApiError.
#include "api/check_request.h"

#include <gtest/gtest.h>

#include <string>

#include "api/errors.h"

namespace livecheck::api {
namespace {

std::string bytes_to_string(const std::vector<std::uint8_t>& v) { return {v.begin(), v.end()}; }

ErrorCode error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e.code();
  }
  ADD_FAILURE() << "no ApiError thrown";
  return ErrorCode::kInternalError;
}

TEST(Base64, StandardPaddedAndUnpadded) {
  EXPECT_EQ(bytes_to_string(decode_image_base64("aGVsbG8=")), "hello");
  EXPECT_EQ(bytes_to_string(decode_image_base64("aGVsbG8")), "hello");
  EXPECT_EQ(bytes_to_string(decode_image_base64("aGVs")), "hel");
  EXPECT_EQ(bytes_to_string(decode_image_base64("+/+/")), "\xfb\xff\xbf");
}

TEST(Base64, LineBreaksIgnoredAndDataUrlAccepted) {
  EXPECT_EQ(bytes_to_string(decode_image_base64("aGVs\r\nbG8=\n")), "hello");
  EXPECT_EQ(bytes_to_string(decode_image_base64("data:image/jpeg;base64,aGVsbG8=")), "hello");
}

TEST(Base64, AnythingElseIsInvalidRequest) {
  for (const char* bad :
       {"aGVsbG8==", "aGVs bG8=", "aGVsbG8*", "-_-_", "a", "aGVsb", "====", "", "\r\n",
        "data:text/plain;base64,aGVs", "data:image/png,aGVs", "aGVs=bG8"}) {
    EXPECT_EQ(error_of([&] { decode_image_base64(bad); }), ErrorCode::kInvalidRequest) << bad;
  }
}

TEST(Base64, DecodedOver10MiBIsInvalidImage) {
  const std::string big(((kMaxImageBytes + 3) / 3 + 1) * 4, 'A');
  EXPECT_EQ(error_of([&] { decode_image_base64(big); }), ErrorCode::kInvalidImage);
  const std::string exact((kMaxImageBytes / 3) * 4, 'A');  // just under the limit
  EXPECT_EQ(decode_image_base64(exact).size(), kMaxImageBytes / 3 * 3);
}

TEST(CheckRequest, ParsesFieldsAndThreshold) {
  CheckRequest r = parse_check_request(
      R"({"image":"aGVsbG8=","image_format":"png","threshold":0.3,"extra":[1,2]})");
  EXPECT_EQ(bytes_to_string(r.image), "hello");
  EXPECT_EQ(r.format, ImageFormat::kPng);
  ASSERT_TRUE(r.threshold.has_value());
  EXPECT_DOUBLE_EQ(*r.threshold->value, 0.3);
  r = parse_check_request(R"({"image":"aGVsbG8=","image_format":"jpeg","threshold":1})");
  EXPECT_DOUBLE_EQ(*r.threshold->value, 1.0);
  r = parse_check_request(R"({"image":"aGVsbG8=","image_format":"jpeg","threshold":"strict"})");
  ASSERT_TRUE(r.threshold.has_value());
  EXPECT_FALSE(r.threshold->value.has_value());
  EXPECT_EQ(r.threshold->preset, "strict");
  r = parse_check_request(R"({"image":"aGVsbG8=","image_format":"jpeg","threshold":null})");
  EXPECT_FALSE(r.threshold.has_value());
  // JSON escapes inside the base64 string ("\/" is a legal escape for "/").
  r = parse_check_request(R"({"image":"+\/+\/","image_format":"jpeg"})");
  EXPECT_EQ(bytes_to_string(r.image), "\xfb\xff\xbf");
}

TEST(CheckRequest, MalformedBodiesAreInvalidRequest) {
  for (const char* bad :
       {"", "{", "[]", "null", "\"str\"", R"({"image_format":"jpeg"})",
        R"({"image":1,"image_format":"jpeg"})", R"({"image":"aGVs","image_format":"gif"})",
        R"({"image":"aGVs","image_format":"JPEG"})", R"({"image":"aGVs"})",
        R"({"image":"aGVs","image_format":true})",
        R"({"image":"aGVs","image_format":"jpeg","threshold":-0.1})",
        R"({"image":"aGVs","image_format":"jpeg","threshold":"0.5"})",
        R"({"image":"aGVs","image_format":"jpeg","threshold":"Strict"})",
        R"({"image":"aGVs","image_format":"jpeg","threshold":[0.5]})",
        R"({"image":"aGVs","image_format":"jpeg"} trailing)",
        "{\"image\":\"\xff\",\"image_format\":\"jpeg\"}"}) {
    EXPECT_EQ(error_of([&] { parse_check_request(bad); }), ErrorCode::kInvalidRequest) << bad;
  }
}

TEST(CheckRequest, ParsesInPlaceWhenTheBodyHasPaddingRoom) {
  std::string body = R"({"image":"aGVsbG8=","image_format":"jpeg"})";
  body.reserve(body.size() + json_padding());
  EXPECT_EQ(bytes_to_string(parse_check_request(body).image), "hello");
}

TEST(CheckRequest, LargeBodyParses) {
  std::string body = R"({"image":")" + std::string(12u << 20, 'A') + R"(","image_format":"jpeg"})";
  EXPECT_EQ(parse_check_request(body).image.size(), (12u << 20) / 4 * 3);
}

}  // namespace
}  // namespace livecheck::api
