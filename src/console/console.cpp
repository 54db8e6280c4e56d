#include "console/console.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "billing/accounts.h"
#include "billing/plans.h"
#include "console/password.h"
#include "console/tokens.h"
#include "store/api_keys.h"

namespace livecheck::console {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

ConsoleError err(std::string code, std::string message) {
  ConsoleError e;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

ConsoleError internal(const Status& s) {
  ConsoleError e = err("internal_error", "Something went wrong on our side. Please try again.");
  e.log_detail = s.to_string();
  return e;
}

ConsoleError rate_limited(std::int64_t retry_after_s, std::string message) {
  ConsoleError e = err("rate_limited", std::move(message));
  e.retry_after_s = retry_after_s;
  return e;
}

ConsoleError token_error(TokenProblem p, bool marketplace) {
  switch (p) {
    case TokenProblem::kExpired:
      return err("token_expired", marketplace
                                      ? "This subscription link has expired. Open the product "
                                        "again from your marketplace subscription."
                                      : "This link has expired. Ask for a new one below.");
    case TokenProblem::kUsed:
      return err("token_used", marketplace
                                   ? "This subscription link has already been used to create an "
                                     "account. Log in instead."
                                   : "This link has already been used. Ask for a new one below.");
    default:
      return err("token_invalid", marketplace
                                      ? "This subscription link is not valid. Open the product "
                                        "again from your marketplace subscription."
                                      : "This link is not valid. Check that you copied all of it.");
  }
}

ConsoleError weak_password(std::vector<std::string> unmet) {
  ConsoleError e = err("weak_password",
                       "Use at least 8 characters with an upper-case letter, a lower-case "
                       "letter, a digit and a symbol.");
  e.unmet = std::move(unmet);
  return e;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string plan_label(const std::string& plan) {
  std::string l = plan;
  if (!l.empty()) l[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(l[0])));
  return l;
}

}  // namespace

Console::Console(ConsoleConfig config, store::Store* store, billing::Meter* meter,
                 std::unique_ptr<MarketplaceResolver> resolver, std::unique_ptr<Mailer> mailer)
    : config_(std::move(config)),
      store_(store),
      meter_(meter),
      resolver_(std::move(resolver)),
      mailer_(std::move(mailer)) {
  while (!config_.public_url.empty() && config_.public_url.back() == '/') {
    config_.public_url.pop_back();
  }
}

Outcome<Subscription> Console::resolve_token(const std::string& token) {
  ResolveResult r = resolver_->resolve(token, now_ms() / 1000);
  if (r.problem != TokenProblem::kNone) return token_error(r.problem, true);
  auto used = store_->marketplace_token_used(r.subscription.token_id);
  if (!used.is_ok()) return internal(used.status());
  if (used.value()) return token_error(TokenProblem::kUsed, true);
  return std::move(r.subscription);
}

Outcome<Done> Console::signup(const std::string& token, SignupForm form,
                              const std::string& addr) {
  auto sub = resolve_token(token);
  if (!sub.ok()) return sub.error();
  auto fields = normalise_and_validate(form);
  if (!fields.empty()) {
    ConsoleError e = err("invalid_request", "Some fields need your attention.");
    e.fields = std::move(fields);
    return e;
  }
  const std::int64_t now = now_ms();
  store::Account account;
  account.customer_id = store::generate_uuid_v4();
  account.email = form.email;
  account.company = form.company;
  account.plan = sub.value().plan;
  // The free plan always stops at its limit; paid plans start with overage allowed.
  account.hard_cap = !billing::find_plan(account.plan)->allows_overage;
  account.status = "pending";  // active once the password is set
  account.created_at_ms = now;
  store::ConsoleUser user;
  user.customer_id = account.customer_id;
  user.email = form.email;
  user.first_name = form.first_name;
  user.last_name = form.last_name;
  user.company = form.company;
  user.website = form.website;
  user.cloud_account_id = sub.value().account_id;
  user.subscription_id = sub.value().subscription_id;
  user.created_at_ms = now;
  Status s = store_->create_console_signup(account, user, sub.value().token_id, now);
  if (!s.is_ok()) {
    if (s.message() == store::kEmailTaken) {
      ConsoleError e = err("email_taken", "An account with this e-mail already exists. Log in, "
                                          "or reset your password.");
      e.fields["email"] = "This e-mail already has an account.";
      return e;
    }
    if (s.message() == store::kSubscriptionUsed) {
      return err("subscription_used",
                 "This marketplace subscription already has an account. Log in instead.");
    }
    if (s.message() == store::kTokenUsed) return token_error(TokenProblem::kUsed, true);
    return internal(s);
  }
  (void)store_->add_rate_event("mail_addr", addr, now);
  return send_link(user, "verify");
}

Outcome<Done> Console::mail_allowed(const std::string& customer_id, const std::string& purpose,
                                    const std::string& addr) {
  const std::int64_t now = now_ms();
  auto by_addr = store_->count_rate_events("mail_addr", addr, now - 3600'000);
  if (!by_addr.is_ok()) return internal(by_addr.status());
  if (by_addr.value() >= config_.mails_per_addr_hour) {
    return rate_limited(3600, "Too many e-mails were requested from your address. Try again in "
                              "an hour.");
  }
  (void)store_->add_rate_event("mail_addr", addr, now);
  if (customer_id.empty()) return Done{};
  auto minute = store_->count_email_tokens_since(customer_id, purpose, now - 60'000);
  auto hour = store_->count_email_tokens_since(customer_id, purpose, now - 3600'000);
  if (!minute.is_ok()) return internal(minute.status());
  if (!hour.is_ok()) return internal(hour.status());
  if (minute.value() >= config_.mails_per_minute) {
    return rate_limited(60, "An e-mail was sent less than a minute ago. Wait a minute before "
                            "asking again.");
  }
  if (hour.value() >= config_.mails_per_hour) {
    return rate_limited(3600, "Too many e-mails were sent to this address. Try again in an hour.");
  }
  return Done{};
}

Outcome<Done> Console::send_link(const store::ConsoleUser& user, const std::string& purpose) {
  const std::int64_t now = now_ms();
  const std::string token = random_token();
  store::EmailToken t;
  t.hash = sha256(token);
  t.customer_id = user.customer_id;
  t.purpose = purpose;
  t.created_at_ms = now;
  t.expires_at_ms = now + (purpose == "verify" ? config_.verify_ttl_ms : config_.reset_ttl_ms);
  if (Status s = store_->put_email_token(t); !s.is_ok()) return internal(s);
  MailMessage m;
  m.to = user.email;
  if (purpose == "verify") {
    m.link = config_.public_url + "/console/verify?token=" + token;
    m.subject = "Verify your e-mail for livecheck";
    m.text = "Hello,\n\nconfirm this e-mail address to finish setting up your livecheck "
             "account:\n\n" + m.link +
             "\n\nThe link works once and expires in 24 hours. If you did not sign up, ignore "
             "this message.\n\n-- livecheck\n";
  } else {
    m.link = config_.public_url + "/console/reset?token=" + token;
    m.subject = "Reset your livecheck password";
    m.text = "Hello,\n\nsomeone (hopefully you) asked to reset the password of your livecheck "
             "account. Choose a new password here:\n\n" + m.link +
             "\n\nThe link works once and expires in 1 hour. If you did not ask for it, ignore "
             "this message; your password stays as it is.\n\n-- livecheck\n";
  }
  if (Status s = mailer_->send(m); !s.is_ok()) {
    ConsoleError e = err("mail_failed", "We could not send the e-mail right now. Try again in a "
                                        "minute.");
    e.log_detail = s.to_string();
    return e;
  }
  return Done{};
}

Outcome<Done> Console::resend_verification(const std::string& email_in,
                                           const std::string& addr) {
  const std::string email = lower(email_in);
  auto user = store_->find_console_user_by_email(email);
  const bool pending = user.is_ok() && !user.value().password_hash;
  if (!user.is_ok() && user.status().code() != StatusCode::kNotFound) {
    return internal(user.status());
  }
  auto allowed = mail_allowed(pending ? user.value().customer_id : "", "verify", addr);
  if (!allowed.ok()) return allowed.error();
  // Unknown or already active: the same answer, no mail (no account enumeration).
  if (!pending) return Done{};
  return send_link(user.value(), "verify");
}

Outcome<Console::LinkToken> Console::usable_link(const std::string& token,
                                                 const std::string& purpose) {
  if (token.empty() || token.size() > 128) return token_error(TokenProblem::kInvalid, false);
  auto t = store_->find_email_token(sha256(token));
  if (!t.is_ok()) {
    if (t.status().code() == StatusCode::kNotFound) {
      return token_error(TokenProblem::kInvalid, false);
    }
    return internal(t.status());
  }
  if (t.value().purpose != purpose) return token_error(TokenProblem::kInvalid, false);
  if (t.value().used_at_ms) return token_error(TokenProblem::kUsed, false);
  if (now_ms() >= t.value().expires_at_ms) return token_error(TokenProblem::kExpired, false);
  auto user = store_->get_console_user(t.value().customer_id);
  if (!user.is_ok()) return internal(user.status());
  return LinkToken{std::move(t).value(), std::move(user).value()};
}

Outcome<std::string> Console::check_email_token(const std::string& token,
                                                const std::string& purpose) {
  if (purpose != "verify" && purpose != "reset") {
    return err("invalid_request", "purpose must be verify or reset");
  }
  auto link = usable_link(token, purpose);
  if (!link.ok()) return link.error();
  return link.value().user.email;
}

Outcome<NewSession> Console::open_session(const std::string& customer_id) {
  const std::int64_t now = now_ms();
  NewSession ns;
  ns.cookie = random_token();
  ns.csrf = random_token(24);
  ns.expires_at_ms = now + config_.session_absolute_ms;
  store::ConsoleSession s;
  s.hash = sha256(ns.cookie);
  s.customer_id = customer_id;
  s.csrf_token = ns.csrf;
  s.created_at_ms = now;
  s.last_seen_at_ms = now;
  s.expires_at_ms = ns.expires_at_ms;
  if (Status st = store_->put_console_session(s); !st.is_ok()) return internal(st);
  return ns;
}

Outcome<Activation> Console::activate(const std::string& token, const std::string& password) {
  auto link = usable_link(token, "verify");
  if (!link.ok()) return link.error();
  if (auto unmet = unmet_password_parts(password); !unmet.empty()) return weak_password(unmet);
  auto hash = hash_password(password);
  if (!hash.is_ok()) return internal(hash.status());
  const std::int64_t now = now_ms();
  const std::string& id = link.value().user.customer_id;
  Activation a;
  a.primary_key = store::generate_api_key();
  a.secondary_key = store::generate_api_key();
  std::vector<store::KeyRecord> keys;
  for (auto [slot, key] : {std::pair{store::KeySlot::kPrimary, &a.primary_key},
                           std::pair{store::KeySlot::kSecondary, &a.secondary_key}}) {
    store::KeyRecord k;
    k.customer_id = id;
    k.slot = slot;
    k.hash = store::hash_api_key(*key);
    k.display_prefix = store::display_prefix(*key);
    k.created_at_ms = now;
    keys.push_back(k);
  }
  Status s = store_->activate_console_user(link.value().token.hash, id, hash.value(), keys, now);
  if (!s.is_ok()) {
    if (s.message() == store::kTokenUsed) return token_error(TokenProblem::kUsed, false);
    return internal(s);
  }
  auto session = open_session(id);
  if (!session.ok()) return session.error();
  a.session = std::move(session.value());
  return a;
}

Outcome<NewSession> Console::login(const std::string& email_in, const std::string& password,
                                   const std::string& addr) {
  const std::string email = lower(email_in);
  const std::int64_t now = now_ms();
  const std::int64_t since = now - config_.login_window_ms;
  auto by_email = store_->count_rate_events("login_email", email, since);
  auto by_addr = store_->count_rate_events("login_addr", addr, since);
  if (!by_email.is_ok()) return internal(by_email.status());
  if (!by_addr.is_ok()) return internal(by_addr.status());
  const std::int64_t lock_s = config_.login_window_ms / 1000;
  if (by_email.value() >= config_.login_failures_per_email) {
    return rate_limited(lock_s, "Too many failed logins for this account. Try again in 15 "
                                "minutes, or reset your password.");
  }
  if (by_addr.value() >= config_.login_failures_per_addr) {
    return rate_limited(lock_s, "Too many failed logins from your address. Try again in 15 "
                                "minutes.");
  }
  auto user = store_->find_console_user_by_email(email);
  if (!user.is_ok() && user.status().code() != StatusCode::kNotFound) {
    return internal(user.status());
  }
  bool ok = false;
  if (user.is_ok() && user.value().password_hash) {
    ok = verify_password(password, *user.value().password_hash);
  } else {
    verify_password_dummy(password);  // same time as a real verification
  }
  if (!ok) {
    (void)store_->add_rate_event("login_email", email, now);
    (void)store_->add_rate_event("login_addr", addr, now);
    if (user.is_ok() && !user.value().password_hash) {
      return err("account_pending", "This account is not activated yet. Open the link in the "
                                    "verification e-mail, or ask for a new one.");
    }
    return err("invalid_credentials", "The e-mail or the password is wrong.");
  }
  auto account = store_->get_account(user.value().customer_id);
  if (!account.is_ok()) return internal(account.status());
  if (account.value().status == "suspended") {
    return err("account_suspended", "This account is suspended. Contact support.");
  }
  (void)store_->clear_rate_events("login_email", email);
  (void)store_->purge_console(now, now - kDayMs, now - 7 * kDayMs);
  return open_session(user.value().customer_id);
}

void Console::logout(const std::string& cookie) {
  if (!cookie.empty()) (void)store_->delete_console_session(sha256(cookie));
}

std::optional<SignedIn> Console::session(const std::string& cookie) {
  if (cookie.empty() || cookie.size() > 128) return std::nullopt;
  const store::KeyHash h = sha256(cookie);
  auto s = store_->find_console_session(h);
  if (!s.is_ok()) return std::nullopt;
  const std::int64_t now = now_ms();
  if (now >= s.value().expires_at_ms || now - s.value().last_seen_at_ms >= config_.session_idle_ms) {
    (void)store_->delete_console_session(h);
    return std::nullopt;
  }
  // A suspended account's sessions end at once (`livecheck admin set-status`).
  if (auto account = store_->get_account(s.value().customer_id);
      !account.is_ok() || account.value().status == "suspended") {
    (void)store_->delete_console_session(h);
    return std::nullopt;
  }
  // One write per minute at most: the idle clock has minute resolution.
  if (now - s.value().last_seen_at_ms >= 60'000) (void)store_->touch_console_session(h, now);
  return SignedIn{s.value().customer_id, s.value().csrf_token, h};
}

Outcome<Done> Console::forgot_password(const std::string& email_in, const std::string& addr) {
  const std::string email = lower(email_in);
  auto user = store_->find_console_user_by_email(email);
  if (!user.is_ok() && user.status().code() != StatusCode::kNotFound) {
    return internal(user.status());
  }
  auto allowed = mail_allowed(user.is_ok() ? user.value().customer_id : "", "reset", addr);
  if (!allowed.ok()) return allowed.error();
  if (!user.is_ok()) return Done{};  // same answer for unknown addresses
  return send_link(user.value(), "reset");
}

Outcome<Done> Console::reset_password(const std::string& token, const std::string& password) {
  auto link = usable_link(token, "reset");
  if (!link.ok()) return link.error();
  if (auto unmet = unmet_password_parts(password); !unmet.empty()) return weak_password(unmet);
  auto hash = hash_password(password);
  if (!hash.is_ok()) return internal(hash.status());
  const std::string& id = link.value().user.customer_id;
  Status s = store_->reset_console_password(link.value().token.hash, id, hash.value(), now_ms());
  if (!s.is_ok()) {
    if (s.message() == store::kTokenUsed) return token_error(TokenProblem::kUsed, false);
    return internal(s);
  }
  // A reset also lifts the login lock: the mailbox owner proved who they are.
  (void)store_->clear_rate_events("login_email", link.value().user.email);
  return Done{};
}

Outcome<Dashboard> Console::dashboard(const std::string& customer_id) {
  Dashboard d;
  auto account = store_->get_account(customer_id);
  if (!account.is_ok()) return internal(account.status());
  auto user = store_->get_console_user(customer_id);
  if (!user.is_ok()) return internal(user.status());
  auto usage = meter_->usage(account.value());
  if (!usage.is_ok()) return internal(usage.status());
  auto days = store_->daily_calls(customer_id, usage.value().period.key);
  if (!days.is_ok()) return internal(days.status());
  auto keys = store_->list_keys(customer_id);
  if (!keys.is_ok()) return internal(keys.status());
  d.account = std::move(account).value();
  d.user = std::move(user).value();
  d.usage = usage.value();
  d.now_ms = now_ms();
  const billing::Plan* plan = billing::find_plan(d.account.plan);
  d.hard_cap_locked = plan && !plan->allows_overage;
  // Every day of the month up to today, with the recorded counts (zeros where none).
  const billing::Period& p = d.usage.period;
  for (std::int64_t t = p.start_ms; t < p.end_ms; t += kDayMs) {
    const std::string day = billing::period_at(t).day;
    if (day > p.day) break;
    std::int64_t calls = 0;
    for (const auto& r : days.value()) {
      if (r.day == day) calls = r.calls;
    }
    d.days.push_back({day, calls});
  }
  d.keys = std::move(keys).value();
  return d;
}

Outcome<NewKey> Console::regenerate_key(const std::string& customer_id, store::KeySlot slot) {
  const std::int64_t now = now_ms();
  auto key = billing::regenerate_key(*store_, customer_id, slot, now);
  if (!key.is_ok()) return internal(key.status());
  NewKey k;
  k.slot = slot;
  k.key = std::move(key).value();
  k.prefix = store::display_prefix(k.key);
  k.created_at_ms = now;
  return k;
}

Outcome<bool> Console::set_hard_cap(const std::string& customer_id, bool enabled) {
  auto account = store_->get_account(customer_id);
  if (!account.is_ok()) return internal(account.status());
  const billing::Plan* plan = billing::find_plan(account.value().plan);
  if (plan && !plan->allows_overage && !enabled) {
    return err("forbidden", "The free plan always stops at its monthly limit.");
  }
  if (Status s = store_->set_hard_cap(customer_id, enabled); !s.is_ok()) return internal(s);
  return enabled;
}

std::string plan_display_name(const std::string& plan) { return plan_label(plan); }

}  // namespace livecheck::console
