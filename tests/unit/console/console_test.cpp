// The console journey on a real SQLite store, with the time set through the billing clock's test
// file. Mail is captured by a Mailer that keeps messages in memory (the SMTP path itself is
// exercised against a real SMTP peer by the browser tests).
#include "console/console.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "console/tokens.h"
#include "store/api_keys.h"

namespace livecheck::console {
namespace {

constexpr std::int64_t kT0 = 1'796'200'000'000;  // 2026-12-02, epoch ms
const std::string kSecret(64, 's');
const std::string kStrong = "Str0ng!pass";

class CapturingMailer : public Mailer {
 public:
  Status send(const MailMessage& m) override {
    std::lock_guard lock(mu);
    sent.push_back(m);
    return Status::ok();
  }
  std::string describe() const override { return "memory"; }
  std::string last_token() {
    std::lock_guard lock(mu);
    const std::string& link = sent.back().link;
    return link.substr(link.find("token=") + 6);
  }
  std::mutex mu;
  std::vector<MailMessage> sent;
};

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir_ = std::filesystem::temp_directory_path() / ("lc-console-" + random_token_hex(6));
    std::filesystem::create_directories(dir_);
    clock_file_ = (dir_ / "clock").string();
    set_now(kT0);
    setenv("LIVECHECK_TEST_CLOCK_FILE", clock_file_.c_str(), 1);
    store_ = std::move(store::open_store("sqlite:" + (dir_ / "t.db").string())).value();
    meter_ = std::make_unique<billing::Meter>(store_.get(), billing::Clock::from_environment(),
                                              "test");
    auto mailer = std::make_unique<CapturingMailer>();
    mail_ = mailer.get();
    ConsoleConfig cc;
    cc.public_url = "https://console.example/";
    console_ = std::make_unique<Console>(cc, store_.get(), meter_.get(),
                                         std::make_unique<HmacTokenResolver>(kSecret),
                                         std::move(mailer));
  }
  void TearDown() override {
    console_.reset();
    meter_.reset();
    store_.reset();
    unsetenv("LIVECHECK_TEST_CLOCK_FILE");
    std::filesystem::remove_all(dir_);
  }
  void set_now(std::int64_t ms) {
    now_ = ms;
    std::ofstream(clock_file_) << ms;
  }
  void advance(std::int64_t ms) { set_now(now_ + ms); }

  std::string mint(const std::string& sub = "sub-1", const std::string& plan = "starter") {
    return HmacTokenResolver(kSecret).mint("123456789012", sub, plan, now_ / 1000, 3600).value();
  }
  SignupForm form(const std::string& email = "ada@example.com") {
    return {"Ada", "Lovelace", email, "ACME", "https://acme.example"};
  }
  // Sign-up + activation; returns the activation.
  Activation onboard(const std::string& sub = "sub-1", const std::string& email = "ada@example.com",
                     const std::string& plan = "starter") {
    auto s = console_->signup(mint(sub, plan), form(email), "10.0.0.1");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().code);
    auto a = console_->activate(mail_->last_token(), kStrong);
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().code);
    return a.value();
  }

  std::filesystem::path dir_;
  std::string clock_file_;
  std::int64_t now_ = 0;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<billing::Meter> meter_;
  CapturingMailer* mail_ = nullptr;
  std::unique_ptr<Console> console_;
};

TEST_F(ConsoleTest, JourneyFromTokenToWorkingKeys) {
  const std::string token = mint();
  auto sub = console_->resolve_token(token);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub.value().account_id, "123456789012");

  ASSERT_TRUE(console_->signup(token, form("Ada@Example.com"), "10.0.0.1").ok());
  ASSERT_EQ(mail_->sent.size(), 1u);
  EXPECT_EQ(mail_->sent[0].to, "ada@example.com");
  EXPECT_EQ(mail_->sent[0].link.rfind("https://console.example/console/verify?token=", 0), 0u);
  const std::string link_token = mail_->last_token();
  // The account exists but cannot be used before activation.
  auto user = store_->find_console_user_by_email("ada@example.com");
  ASSERT_TRUE(user.is_ok());
  EXPECT_FALSE(user.value().password_hash.has_value());
  EXPECT_EQ(store_->get_account(user.value().customer_id).value().status, "pending");
  // Only the hash of the link's token is stored.
  EXPECT_TRUE(store_->find_email_token(sha256(link_token)).is_ok());

  EXPECT_EQ(console_->check_email_token(link_token, "verify").value(), "ada@example.com");
  auto weak = console_->activate(link_token, "password");
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, "weak_password");
  EXPECT_EQ(weak.error().unmet, (std::vector<std::string>{"upper", "digit", "symbol"}));

  auto a = console_->activate(link_token, kStrong);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(store::looks_like_api_key(a.value().primary_key));
  EXPECT_NE(a.value().primary_key, a.value().secondary_key);
  auto key = store_->find_key(store::hash_api_key(a.value().primary_key));
  ASSERT_TRUE(key.is_ok());
  EXPECT_EQ(store_->get_account(key.value().customer_id).value().status, "active");
  EXPECT_TRUE(console_->session(a.value().session.cookie).has_value());
  // The link worked once.
  auto again = console_->activate(link_token, kStrong);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "token_used");
}

TEST_F(ConsoleTest, MarketplaceTokenWorksOnceAndSubscriptionAndEmailAreUnique) {
  const std::string token = mint("sub-1");
  ASSERT_TRUE(console_->signup(token, form(), "10.0.0.1").ok());
  auto replay = console_->resolve_token(token);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, "token_used");
  auto replay_signup = console_->signup(token, form("other@example.com"), "10.0.0.1");
  EXPECT_EQ(replay_signup.error().code, "token_used");

  auto same_sub = console_->signup(mint("sub-1"), form("other@example.com"), "10.0.0.1");
  EXPECT_EQ(same_sub.error().code, "subscription_used");
  auto same_email = console_->signup(mint("sub-2"), form("ADA@example.com"), "10.0.0.1");
  ASSERT_FALSE(same_email.ok());
  EXPECT_EQ(same_email.error().code, "email_taken");
  EXPECT_TRUE(same_email.error().fields.count("email"));
  EXPECT_EQ(store_->list_accounts().value().size(), 1u);  // nothing half-written
}

TEST_F(ConsoleTest, InvalidFormCreatesNothingAndNamesTheFields) {
  SignupForm bad = form();
  bad.website = "http://acme.example";
  bad.company = "";
  auto r = console_->signup(mint(), bad, "10.0.0.1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_request");
  EXPECT_EQ(r.error().fields.size(), 2u);
  EXPECT_TRUE(store_->list_accounts().value().empty());
  EXPECT_TRUE(mail_->sent.empty());
  // The token was not used up by the failed attempt.
  EXPECT_TRUE(console_->resolve_token(mint()).ok());
}

TEST_F(ConsoleTest, ExpiredTokensAreRefused) {
  const std::string token = mint();
  advance(3600'000);
  EXPECT_EQ(console_->resolve_token(token).error().code, "token_expired");

  ASSERT_TRUE(console_->signup(mint(), form(), "10.0.0.1").ok());
  const std::string link = mail_->last_token();
  advance(24 * 3600'000LL);
  EXPECT_EQ(console_->check_email_token(link, "verify").error().code, "token_expired");
  EXPECT_EQ(console_->activate(link, kStrong).error().code, "token_expired");
  // A new link works.
  ASSERT_TRUE(console_->resend_verification("ada@example.com", "10.0.0.1").ok());
  EXPECT_TRUE(console_->activate(mail_->last_token(), kStrong).ok());
}

TEST_F(ConsoleTest, ResendIsRateLimitedAndSilentForUnknownAddresses) {
  ASSERT_TRUE(console_->signup(mint(), form(), "10.0.0.1").ok());
  auto soon = console_->resend_verification("ada@example.com", "10.0.0.1");
  ASSERT_FALSE(soon.ok());
  EXPECT_EQ(soon.error().code, "rate_limited");
  EXPECT_EQ(soon.error().retry_after_s, 60);
  advance(61'000);
  EXPECT_TRUE(console_->resend_verification("ada@example.com", "10.0.0.1").ok());
  EXPECT_EQ(mail_->sent.size(), 2u);
  // Five per hour.
  for (int i = 0; i < 3; ++i) {
    advance(61'000);
    EXPECT_TRUE(console_->resend_verification("ada@example.com", "10.0.0.1").ok());
  }
  advance(61'000);
  EXPECT_EQ(console_->resend_verification("ada@example.com", "10.0.0.1").error().retry_after_s,
            3600);
  // Unknown address: same answer, no mail.
  const auto before = mail_->sent.size();
  EXPECT_TRUE(console_->resend_verification("nobody@example.com", "10.0.0.2").ok());
  EXPECT_EQ(mail_->sent.size(), before);
}

TEST_F(ConsoleTest, LoginLocksAfterFiveFailuresPerAccountThenRecovers) {
  onboard();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(console_->login("ada@example.com", "Wrong!pass1", "10.0.0.9").error().code,
              "invalid_credentials");
  }
  auto locked = console_->login("ada@example.com", kStrong, "10.0.0.9");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, "rate_limited");
  EXPECT_GT(locked.error().retry_after_s, 0);
  // From another address too: the lock is per account.
  EXPECT_EQ(console_->login("ada@example.com", kStrong, "10.0.0.10").error().code, "rate_limited");
  advance(15 * 60'000 + 1000);
  EXPECT_TRUE(console_->login("ADA@example.com", kStrong, "10.0.0.9").ok());
}

TEST_F(ConsoleTest, LoginLocksPerAddressAcrossAccounts) {
  onboard();
  for (int i = 0; i < 20; ++i) {
    (void)console_->login("user" + std::to_string(i) + "@example.com", "Wrong!pass1", "10.6.6.6");
  }
  EXPECT_EQ(console_->login("ada@example.com", kStrong, "10.6.6.6").error().code, "rate_limited");
  EXPECT_TRUE(console_->login("ada@example.com", kStrong, "10.0.0.1").ok());
}

TEST_F(ConsoleTest, UnknownAndPendingLoginsAreDistinguishedOnlyByActivationState) {
  EXPECT_EQ(console_->login("nobody@example.com", kStrong, "10.0.0.1").error().code,
            "invalid_credentials");
  ASSERT_TRUE(console_->signup(mint(), form(), "10.0.0.1").ok());
  EXPECT_EQ(console_->login("ada@example.com", kStrong, "10.0.0.1").error().code,
            "account_pending");
}

TEST_F(ConsoleTest, SessionsExpireWhenIdleAndAtTheirAbsoluteLimit) {
  const Activation a = onboard();
  const std::string cookie = a.session.cookie;
  ASSERT_TRUE(console_->session(cookie));
  advance(29 * 60'000);
  ASSERT_TRUE(console_->session(cookie));  // activity resets the idle clock
  advance(31 * 60'000);
  EXPECT_FALSE(console_->session(cookie));  // idle 31 min
  EXPECT_FALSE(console_->session(cookie));  // and it stays gone

  auto s = console_->login("ada@example.com", kStrong, "10.0.0.1");
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 35; ++i) {  // active every 20 minutes for ~11.7 h
    advance(20 * 60'000);
    ASSERT_TRUE(console_->session(s.value().cookie)) << i;
  }
  advance(20 * 60'000);
  EXPECT_FALSE(console_->session(s.value().cookie));  // past 12 h
  console_->logout(s.value().cookie);
  EXPECT_FALSE(console_->session("garbage"));
}

TEST_F(ConsoleTest, LogoutEndsTheSession) {
  const Activation a = onboard();
  console_->logout(a.session.cookie);
  EXPECT_FALSE(console_->session(a.session.cookie));
}

TEST_F(ConsoleTest, PasswordResetByMailEndsSessionsAndReplacesThePassword) {
  const Activation a = onboard();
  const auto mails = mail_->sent.size();
  ASSERT_TRUE(console_->forgot_password("nobody@example.com", "10.0.0.1").ok());
  EXPECT_EQ(mail_->sent.size(), mails);  // unknown: same answer, no mail
  ASSERT_TRUE(console_->forgot_password("ada@example.com", "10.0.0.1").ok());
  ASSERT_EQ(mail_->sent.size(), mails + 1);
  EXPECT_NE(mail_->sent.back().link.find("/console/reset?token="), std::string::npos);
  const std::string t = mail_->last_token();
  EXPECT_EQ(console_->check_email_token(t, "verify").error().code, "token_invalid");
  EXPECT_EQ(console_->reset_password(t, "short").error().code, "weak_password");
  ASSERT_TRUE(console_->reset_password(t, "N3w!password").ok());
  EXPECT_FALSE(console_->session(a.session.cookie));
  EXPECT_EQ(console_->login("ada@example.com", kStrong, "10.0.0.1").error().code,
            "invalid_credentials");
  EXPECT_TRUE(console_->login("ada@example.com", "N3w!password", "10.0.0.1").ok());
  EXPECT_EQ(console_->reset_password(t, "An0ther!pass").error().code, "token_used");
  advance(3600'000);
  advance(61'000);
  ASSERT_TRUE(console_->forgot_password("ada@example.com", "10.0.0.1").ok());
  const std::string t2 = mail_->last_token();
  advance(3600'000);  // reset links live one hour
  EXPECT_EQ(console_->reset_password(t2, "An0ther!pass").error().code, "token_expired");
}

TEST_F(ConsoleTest, RegeneratedKeyReplacesTheOldOneAtOnce) {
  const Activation a = onboard();
  const std::string id = console_->session(a.session.cookie)->customer_id;
  auto k = console_->regenerate_key(id, store::KeySlot::kPrimary);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k.value().prefix, store::display_prefix(k.value().key));
  EXPECT_EQ(store_->find_key(store::hash_api_key(a.primary_key)).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store_->find_key(store::hash_api_key(k.value().key)).is_ok());
  EXPECT_TRUE(store_->find_key(store::hash_api_key(a.secondary_key)).is_ok());
}

TEST_F(ConsoleTest, FreePlanHardCapCannotBeSwitchedOff) {
  const Activation a = onboard("sub-free", "free@example.com", "free");
  const std::string id = console_->session(a.session.cookie)->customer_id;
  EXPECT_TRUE(store_->get_account(id).value().hard_cap);
  EXPECT_EQ(console_->set_hard_cap(id, false).error().code, "forbidden");
  EXPECT_TRUE(console_->dashboard(id).value().hard_cap_locked);
  const Activation b = onboard("sub-paid", "paid@example.com", "starter");
  const std::string paid = console_->session(b.session.cookie)->customer_id;
  EXPECT_TRUE(console_->set_hard_cap(paid, true).value());
  EXPECT_TRUE(store_->get_account(paid).value().hard_cap);
}

TEST_F(ConsoleTest, DashboardListsEveryDayOfTheMonthSoFarWithRecordedCalls) {
  const Activation a = onboard();
  const std::string id = console_->session(a.session.cookie)->customer_id;
  const store::Account acc = store_->get_account(id).value();
  for (int i = 0; i < 3; ++i) {
    auto t = meter_->reserve(acc);
    ASSERT_TRUE(t.is_ok() && t.value().granted);
    ASSERT_TRUE(meter_->commit(acc, t.value()).is_ok());
  }
  auto d = console_->dashboard(id);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.value().days.size(), 2u);  // 2026-12-01 and -02
  EXPECT_EQ(d.value().days[0].day, "2026-12-01");
  EXPECT_EQ(d.value().days[0].calls, 0);
  EXPECT_EQ(d.value().days[1].calls, 3);
  EXPECT_EQ(d.value().usage.used_calls, 3);
  EXPECT_EQ(d.value().keys.size(), 2u);
}

}  // namespace
}  // namespace livecheck::console
