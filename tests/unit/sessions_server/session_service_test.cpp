// SessionService against a real SQLite store: token signature, window, replay, expiry,
// licenses, signatureIds and result lookup.
#include "sessions/session_service.h"

#include "test_env.h"

namespace livecheck::sessions::testing {
namespace {

class Tokens : public SessionEnv {
 protected:
  void SetUp() override {
    SessionEnv::SetUp();
    pair_ = V(create_access_key(*store_, master_, account_.customer_id, now_));
  }
  TokenRequest signed_request(std::int64_t ts_ms) {
    TokenRequest r;
    r.access_key = pair_.access_key;
    r.timestamp = std::to_string(ts_ms);
    r.signature = token_signature(pair_.access_key, pair_.secret_key, r.timestamp);
    return r;
  }
  AccessKeyPair pair_;
};

TEST_F(Tokens, SecretIsStoredSealedNotInClear) {
  const auto rec = V(store_->find_access_key(pair_.access_key));
  const std::string stored(rec.sealed_secret.begin(), rec.sealed_secret.end());
  EXPECT_EQ(stored.find(pair_.secret_key), std::string::npos);
  EXPECT_EQ(V(master_.open(rec.sealed_secret)), pair_.secret_key);
}

TEST_F(Tokens, ValidSignatureGivesATokenThatAuthenticatesUntilItExpires) {
  TokenRequest req = signed_request(now_);
  req.period_s = 60;
  auto t = service_->generate_token(req);
  ASSERT_TRUE(t.ok()) << t.message << t.detail;
  EXPECT_EQ(t.value.expires_at_ms, now_ + 60'000);
  auto acc = service_->authenticate(t.value.token);
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(acc.value.customer_id, account_.customer_id);
  now_ += 60'000;
  EXPECT_EQ(service_->authenticate(t.value.token).code, Code::kIamFailed);
}

TEST_F(Tokens, UnknownMissingOrWrongTokenIsIamFailed) {
  EXPECT_EQ(service_->authenticate("").code, Code::kIamFailed);
  EXPECT_EQ(service_->authenticate("nope").code, Code::kIamFailed);
}

TEST_F(Tokens, SignatureIsAcceptedOnceThenReplayIsASignatureError) {
  const TokenRequest req = signed_request(now_ - 1000);
  ASSERT_TRUE(service_->generate_token(req).ok());
  auto again = service_->generate_token(req);
  EXPECT_EQ(again.code, Code::kParameterError);
  EXPECT_EQ(again.message, "Signature error");
  // A new timestamp is a new signature.
  EXPECT_TRUE(service_->generate_token(signed_request(now_)).ok());
}

TEST_F(Tokens, UpperCaseHexSignatureIsTheSameSignature) {
  TokenRequest req = signed_request(now_);
  for (char& c : req.signature) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(service_->generate_token(req).ok());
  req.signature = token_signature(pair_.access_key, pair_.secret_key, req.timestamp);
  EXPECT_EQ(service_->generate_token(req).message, "Signature error");  // replay, any case
}

TEST_F(Tokens, TimestampOutsideThreeHundredSecondsIsATimestampError) {
  EXPECT_TRUE(service_->generate_token(signed_request(now_ + 300'000)).ok());
  EXPECT_TRUE(service_->generate_token(signed_request(now_ - 300'000)).ok());
  for (std::int64_t ts : {now_ + 300'001, now_ - 300'001}) {
    auto r = service_->generate_token(signed_request(ts));
    EXPECT_EQ(r.code, Code::kParameterError);
    EXPECT_EQ(r.message, "Timestamp error");
  }
  TokenRequest seconds = signed_request(now_ / 1000);  // 10 digits: seconds, not ms
  EXPECT_EQ(service_->generate_token(seconds).message, "Timestamp error");
}

TEST_F(Tokens, WrongSecretUnknownKeyAndDisabledKeyAreSignatureErrors) {
  TokenRequest wrong = signed_request(now_);
  wrong.signature = token_signature(pair_.access_key, "not-the-secret", wrong.timestamp);
  EXPECT_EQ(service_->generate_token(wrong).message, "Signature error");
  TokenRequest unknown = signed_request(now_);
  unknown.access_key = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(service_->generate_token(unknown).message, "Signature error");
  ASSERT_TRUE(store_->set_access_key_disabled(pair_.access_key, true).is_ok());
  EXPECT_EQ(service_->generate_token(signed_request(now_ + 1)).message, "Signature error");
}

TEST_F(Tokens, EmptyFieldsAndPeriodOutOfRangeAreParameterErrors) {
  TokenRequest empty = signed_request(now_);
  empty.signature.clear();
  EXPECT_EQ(service_->generate_token(empty).message, kMsgEmpty);
  for (std::int64_t p : {59, 86'401}) {
    TokenRequest r = signed_request(now_ + p);
    r.period_s = p;
    EXPECT_EQ(service_->generate_token(r).message, kMsgIllegal);
  }
}

TEST_F(Tokens, SuspendedAccountIsAccountDisabled) {
  auto t = service_->generate_token(signed_request(now_));
  ASSERT_TRUE(t.ok());
  // No Store call suspends an account yet (console's job); re-create it as suspended.
  store::Account suspended = account_;
  suspended.customer_id = store::generate_uuid_v4();
  suspended.status = "suspended";
  ASSERT_TRUE(store_->create_account(suspended).is_ok());
  const AccessKeyPair p2 = V(create_access_key(*store_, master_, suspended.customer_id, now_));
  TokenRequest r;
  r.access_key = p2.access_key;
  r.timestamp = std::to_string(now_.load());
  r.signature = token_signature(p2.access_key, p2.secret_key, r.timestamp);
  EXPECT_EQ(service_->generate_token(r).code, Code::kAccountDisabled);
}

TEST_F(SessionEnv, RevokedOrExpiredLicenseIsIamFailed) {
  auto lic = service_->auth_license(account_, 60, {"app.one"});
  ASSERT_TRUE(lic.ok());
  EXPECT_TRUE(service_->check_license(lic.value.license, std::nullopt).ok());
  EXPECT_TRUE(service_->check_license(lic.value.license, "app.one").ok());
  EXPECT_EQ(service_->check_license(lic.value.license, "app.two").code, Code::kIamFailed);
  ASSERT_TRUE(service_->revoke_license(account_, lic.value.license).ok());
  EXPECT_EQ(service_->check_license(lic.value.license, std::nullopt).code, Code::kIamFailed);

  auto lic2 = service_->auth_license(account_, std::nullopt, {});
  ASSERT_TRUE(lic2.ok());
  EXPECT_EQ(lic2.value.expires_at_ms, now_ + 600'000);
  now_ += 600'000;
  EXPECT_EQ(service_->check_license(lic2.value.license, std::nullopt).code, Code::kIamFailed);
  EXPECT_EQ(service_->auth_license(account_, 59, {}).code, Code::kParameterError);
  EXPECT_EQ(service_->revoke_license(account_, "unknown").code, Code::kParameterError);
}

TEST_F(SessionEnv, SignatureIdExpiresAfterTenMinutesAndAllowsFiveAttempts) {
  auto sid = service_->generate_signature_id(account_, "STANDARD", "DISTANT_NEAR");
  ASSERT_TRUE(sid.ok());
  EXPECT_EQ(sid.value.expires_at_ms, now_ + 600'000);
  EXPECT_FALSE(sid.value.nonce.empty());
  for (int i = 1; i <= 5; ++i) {
    auto s = service_->begin_capture(account_, sid.value.signature_id);
    ASSERT_TRUE(s.ok()) << i;
    EXPECT_EQ(s.value.attempts, i);
  }
  EXPECT_EQ(service_->begin_capture(account_, sid.value.signature_id).code,
            Code::kParameterError);

  auto sid2 = service_->generate_signature_id(account_, "PRO", "DISTANT_NEAR");
  ASSERT_TRUE(sid2.ok());
  now_ += 600'000;
  EXPECT_EQ(service_->begin_capture(account_, sid2.value.signature_id).message,
            "signatureId expired");
  EXPECT_EQ(service_->generate_signature_id(account_, "GOLD", "DISTANT_NEAR").code,
            Code::kParameterError);
}

TEST_F(SessionEnv, FinishedSessionIsFoundByBothIdsUntilCleared) {
  auto sid = service_->generate_signature_id(account_, "STANDARD", "DISTANT_NEAR");
  auto s = service_->begin_capture(account_, sid.value.signature_id);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(service_->find_result(account_, "", sid.value.signature_id).code,
            Code::kResultNotFound);  // not captured yet
  s.value.score = 87;
  const Bytes far{0xFF, 0xD8, 1}, near{0xFF, 0xD8, 2};
  ASSERT_TRUE(service_->finish_capture(s.value, far, near, {42}).ok());
  const std::string id = *s.value.liveness_id;
  EXPECT_EQ(service_->find_result(account_, id, "").value.score, 87);
  EXPECT_EQ(*service_->find_result(account_, "", sid.value.signature_id).value.liveness_id, id);
  EXPECT_EQ(V(service_->images().read(id, kNearFile)), near);
  EXPECT_EQ(service_->begin_capture(account_, sid.value.signature_id).message,
            "signatureId has already been used");
  // Another account sees nothing.
  store::Account other = account_;
  other.customer_id = "someone-else";
  EXPECT_EQ(service_->find_result(other, id, "").code, Code::kLivenessIdNotExisted);
  EXPECT_EQ(service_->clear_data(other, id).code, Code::kLivenessIdNotExisted);
  // Billing is claimed once.
  EXPECT_TRUE(V(store_->claim_liveness_billing(id, now_)));
  EXPECT_FALSE(V(store_->claim_liveness_billing(id, now_)));

  ASSERT_TRUE(service_->clear_data(account_, id).ok());
  EXPECT_EQ(service_->find_result(account_, id, "").code, Code::kResultNotFound);
  EXPECT_FALSE(service_->images().read(id, kFarFile).is_ok());
  EXPECT_TRUE(V(store_->recent_frame_hashes(0, 10)).empty());
  EXPECT_EQ(service_->find_result(account_, "no-such-id", "").code,
            Code::kLivenessIdNotExisted);
  EXPECT_EQ(service_->find_result(account_, "", "").code, Code::kParameterError);
}

}  // namespace
}  // namespace livecheck::sessions::testing
