#include <gtest/gtest.h>
#include <sodium.h>

#include "console/password.h"
#include "console/validation.h"

namespace livecheck::console {
namespace {

using Parts = std::vector<std::string>;

TEST(PasswordRule, ReportsEachUnmetPart) {
  EXPECT_EQ(unmet_password_parts(""), (Parts{"length", "upper", "lower", "digit", "symbol"}));
  EXPECT_EQ(unmet_password_parts("abcdefgh"), (Parts{"upper", "digit", "symbol"}));
  EXPECT_EQ(unmet_password_parts("Abcdefg1"), (Parts{"symbol"}));
  EXPECT_EQ(unmet_password_parts("Ab1!"), (Parts{"length"}));
  EXPECT_TRUE(unmet_password_parts("Str0ng!pass").empty());
  EXPECT_TRUE(unmet_password_parts("Pässw0rd").empty());  // non-ASCII counts as a symbol
}

TEST(PasswordRule, LengthCountsCharactersNotBytes) {
  // 7 characters, 14 bytes: still too short.
  EXPECT_EQ(unmet_password_parts("Aa1éééé"), (Parts{"length"}));
}

TEST(PasswordRule, ControlCharactersInvalidUtf8AndHugeInputsFail) {
  EXPECT_EQ(unmet_password_parts("Str0ng!\npass").front(), "length");
  EXPECT_EQ(unmet_password_parts("Str0ng!\xff pass").front(), "length");
  EXPECT_EQ(unmet_password_parts("Aa1!" + std::string(300, 'x')).front(), "length");
}

TEST(PasswordHash, Argon2idVerifiesOnlyTheSamePassword) {
  ASSERT_GE(sodium_init(), 0);
  auto h = hash_password("Str0ng!pass");
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h.value().rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(h.value().find("Str0ng!pass"), std::string::npos);
  EXPECT_TRUE(verify_password("Str0ng!pass", h.value()));
  EXPECT_FALSE(verify_password("Str0ng!pasS", h.value()));
  EXPECT_FALSE(verify_password("Str0ng!pass", "not a hash"));
  // Salted: the same password hashes differently twice.
  EXPECT_NE(hash_password("Str0ng!pass").value(), h.value());
}

TEST(SignupValidation, NormalisesAndReportsEveryBadField) {
  SignupForm ok{" Ada ", "Lovelace", " Ada@Example.COM ", "ACME", "https://acme.example"};
  EXPECT_TRUE(normalise_and_validate(ok).empty());
  EXPECT_EQ(ok.email, "ada@example.com");
  EXPECT_EQ(ok.first_name, "Ada");

  SignupForm bad{"", "  ", "not-an-email", "", "http://acme.example"};
  auto errors = normalise_and_validate(bad);
  for (const char* f : {"first_name", "last_name", "email", "company", "website"}) {
    EXPECT_TRUE(errors.count(f)) << f;
  }
}

TEST(SignupValidation, EmailAndWebsiteShapes) {
  EXPECT_TRUE(plausible_email("a.b+c@mail.example.co"));
  for (const char* e : {"a@b", "@b.com", "a@@b.com", "a b@c.com", "a@b..com", "a@.com", "a@b.com."})
    EXPECT_FALSE(plausible_email(e)) << e;
  EXPECT_TRUE(valid_website("https://acme.example"));
  EXPECT_TRUE(valid_website("https://www.acme.example:8443/about?x=1"));
  for (const char* w : {"http://acme.example", "https://", "https://acme", "acme.example",
                        "https://user@acme.example", "https://acme .example", "javascript:x"})
    EXPECT_FALSE(valid_website(w)) << w;
}

}  // namespace
}  // namespace livecheck::console
