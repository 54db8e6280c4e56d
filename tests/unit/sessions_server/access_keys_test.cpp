#include "sessions/access_keys.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>

#include "store/api_keys.h"

namespace livecheck::sessions {
namespace {

TEST(TokenSignature, IsLowerHexSha256OfTheConcatenation) {
  ASSERT_GE(sodium_init(), 0);
  // sha256("abc") — the three parts are concatenated without separators.
  EXPECT_EQ(token_signature("a", "b", "c"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenSignature, ComparisonNeedsEqualLengthAndBytes) {
  EXPECT_TRUE(same_signature("abcd", "abcd"));
  EXPECT_FALSE(same_signature("abcd", "abce"));
  EXPECT_FALSE(same_signature("abcd", "abc"));
}

TEST(MasterKey, SealedSecretOpensOnlyWithTheSameKey) {
  ASSERT_GE(sodium_init(), 0);
  std::array<std::uint8_t, 32> k1{}, k2{};
  k2[0] = 1;
  const MasterKey a = MasterKey::from_bytes(k1), b = MasterKey::from_bytes(k2);
  const auto sealed = a.seal("s3cret");
  EXPECT_EQ(a.open(sealed).value(), "s3cret");
  EXPECT_FALSE(b.open(sealed).is_ok());
  auto tampered = sealed;
  tampered.back() ^= 1;
  EXPECT_FALSE(a.open(tampered).is_ok());
  // A fresh nonce per seal: the same secret never gives the same bytes.
  EXPECT_NE(a.seal("s3cret"), sealed);
}

TEST(MasterKey, FileIsCreatedOwnerOnlyAndReadBackTheSame) {
  ASSERT_GE(sodium_init(), 0);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("livecheck-mk-" + store::generate_uuid_v4());
  const std::string path = (dir / "sub" / "master.key").string();
  auto first = MasterKey::load_or_create(path);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto second = MasterKey::load_or_create(path);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->open(first->seal("x")).value(), "x");
  std::filesystem::resize_file(path, 31);
  EXPECT_FALSE(MasterKey::load_or_create(path).is_ok());
  std::filesystem::remove_all(dir);
}

TEST(AccessKeyPair, IsHexOfTheDocumentedLengths) {
  ASSERT_GE(sodium_init(), 0);
  const AccessKeyPair p = generate_access_key_pair();
  EXPECT_EQ(p.access_key.size(), 32u);
  EXPECT_EQ(p.secret_key.size(), 64u);
  EXPECT_NE(generate_access_key_pair().secret_key, p.secret_key);
}

}  // namespace
}  // namespace livecheck::sessions
