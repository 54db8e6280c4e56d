// Console: the customer self-service journey behind /console/ — subscription intake, sign-up,
// e-mail verification, password, keys, sessions, usage and the hard-cap switch. HTTP-free: the
// api module turns requests into these calls and the outcomes into JSON, cookies and statuses.
//
// Errors are values (Outcome<T>): a ConsoleError carries a stable code from docs/CONSOLE.md
// ("token_expired", "weak_password", "rate_limited", …), a message fit for the page, and
// optional per-field messages. Store failures become "internal_error" (details are logged by the
// caller through `log_detail`, never shown).
// Thread safety: every method may be called from any thread. Methods that hash passwords or send
// mail block for tens of milliseconds (Argon2id) or seconds (SMTP): call them from a worker.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "billing/clock.h"
#include "billing/meter.h"
#include "console/mailer.h"
#include "console/marketplace.h"
#include "console/validation.h"
#include "store/store.h"

namespace livecheck::console {

struct ConsoleError {
  std::string code;     // "token_invalid", "email_taken", …
  std::string message;  // shown on the page
  std::map<std::string, std::string> fields;  // form field -> message
  std::vector<std::string> unmet;             // weak_password: unmet parts of the rule
  std::int64_t retry_after_s = 0;             // rate_limited
  std::string log_detail;                     // internal_error: for the log only
};

template <class T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Outcome(ConsoleError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const ConsoleError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ConsoleError> v_;
};
struct Done {};

struct ConsoleConfig {
  std::string public_url = "http://localhost:8080";  // base of links in mail; no trailing '/'
  std::int64_t verify_ttl_ms = 24 * 3600'000LL;
  std::int64_t reset_ttl_ms = 3600'000LL;
  std::int64_t session_idle_ms = 30 * 60'000LL;
  std::int64_t session_absolute_ms = 12 * 3600'000LL;
  std::int64_t login_window_ms = 15 * 60'000LL;  // failures counted over this window
  int login_failures_per_email = 5;
  int login_failures_per_addr = 20;
  int mails_per_minute = 1;  // per account and purpose
  int mails_per_hour = 5;
  int mails_per_addr_hour = 20;  // per client address, all purposes
};

struct NewSession {
  std::string cookie;  // the lc_session value (only its SHA-256 is stored)
  std::string csrf;
  std::int64_t expires_at_ms = 0;
};

struct SignedIn {
  std::string customer_id;
  std::string csrf;
  store::KeyHash session_hash{};
};

struct Activation {
  NewSession session;
  std::string primary_key;  // shown once
  std::string secondary_key;
};

struct Dashboard {
  store::Account account;
  store::ConsoleUser user;
  billing::UsageSnapshot usage;
  std::vector<store::DailyUsage> days;  // every day from the 1st to today, zeros included
  bool hard_cap_locked = false;         // the free plan always stops at its limit
  std::vector<store::KeyRecord> keys;
  std::int64_t now_ms = 0;
};

struct NewKey {
  store::KeySlot slot = store::KeySlot::kPrimary;
  std::string key;  // shown once
  std::string prefix;
  std::int64_t created_at_ms = 0;
};

class Console {
 public:
  Console(ConsoleConfig config, store::Store* store, billing::Meter* meter,
          std::unique_ptr<MarketplaceResolver> resolver, std::unique_ptr<Mailer> mailer);

  const ConsoleConfig& config() const { return config_; }
  std::int64_t now_ms() const { return meter_->clock().now_ms(); }

  Outcome<Subscription> resolve_token(const std::string& token);
  Outcome<Done> signup(const std::string& token, SignupForm form, const std::string& addr);
  Outcome<Done> resend_verification(const std::string& email, const std::string& addr);
  // The e-mail a verify/reset link belongs to, without consuming it.
  Outcome<std::string> check_email_token(const std::string& token, const std::string& purpose);
  Outcome<Activation> activate(const std::string& token, const std::string& password);
  Outcome<NewSession> login(const std::string& email, const std::string& password,
                            const std::string& addr);
  void logout(const std::string& cookie);
  // The signed-in session of a cookie (idle and absolute expiry checked; last-seen refreshed).
  std::optional<SignedIn> session(const std::string& cookie);
  Outcome<Done> forgot_password(const std::string& email, const std::string& addr);
  Outcome<Done> reset_password(const std::string& token, const std::string& password);

  Outcome<Dashboard> dashboard(const std::string& customer_id);
  Outcome<NewKey> regenerate_key(const std::string& customer_id, store::KeySlot slot);
  Outcome<bool> set_hard_cap(const std::string& customer_id, bool enabled);

 private:
  Outcome<Done> send_link(const store::ConsoleUser& user, const std::string& purpose);
  Outcome<Done> mail_allowed(const std::string& customer_id, const std::string& purpose,
                             const std::string& addr);
  struct LinkToken {
    store::EmailToken token;
    store::ConsoleUser user;
  };
  Outcome<LinkToken> usable_link(const std::string& token, const std::string& purpose);
  Outcome<NewSession> open_session(const std::string& customer_id);

  ConsoleConfig config_;
  store::Store* store_;
  billing::Meter* meter_;
  std::unique_ptr<MarketplaceResolver> resolver_;
  std::unique_ptr<Mailer> mailer_;
};

// "starter" -> "Starter".
std::string plan_display_name(const std::string& plan);

}  // namespace livecheck::console
