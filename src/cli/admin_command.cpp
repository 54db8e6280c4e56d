// `livecheck admin <subcommand>`: accounts, keys, plans and usage, straight on the database.
// Safe while the server runs (SQLite WAL + busy timeout; key changes apply to the next request).
// Output is JSON on stdout; errors go to stderr with exit status 1 (2 for usage errors).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "billing/accounts.h"
#include "billing/clock.h"
#include "billing/meter.h"
#include "billing/plans.h"
#include "console/marketplace.h"
#include "commands.h"
#include "livecheck/engine.h"
#include "sessions/access_keys.h"
#include "sessions/session_service.h"
#include "store/store.h"

namespace livecheck::cli {
namespace {

struct AdminArgs {
  std::string db = "sqlite:./data/livecheck.db";
  std::string customer;
  std::string email;
  std::string company;
  std::string plan;
  std::string hard_cap = "off";
  std::optional<std::int64_t> limit;
  std::string slot;
  std::string threshold;
  std::string status;
  // marketplace-token
  std::string account_id;
  std::string subscription_id;
  std::int64_t lifetime_s = 3600;
  std::string public_url = "http://localhost:8080";
  std::string marketplace_secret;
  // access keys (session liveness)
  std::string master_key_file = "data/master.key";
  std::string access_key;
};

int fail(const Status& s) {
  std::fprintf(stderr, "livecheck admin: %s\n", s.to_string().c_str());
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

// Names and e-mails come from the command line and need not be UTF-8: replace, never throw.
void print(const nlohmann::json& j) {
  std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

nlohmann::json account_json(store::Store& store, const store::Account& a) {
  nlohmann::json keys = nlohmann::json::object();
  if (auto ks = store.list_keys(a.customer_id); ks.is_ok()) {
    for (const auto& k : ks.value()) keys[store::key_slot_name(k.slot)] = k.display_prefix + "…";
  }
  return {{"customer_id", a.customer_id},
          {"email", a.email},
          {"company", a.company},
          {"plan", a.plan},
          {"monthly_limit", billing::monthly_limit(a)},
          {"hard_cap", a.hard_cap},
          {"default_threshold",
           a.default_threshold ? nlohmann::json(*a.default_threshold) : nlohmann::json(nullptr)},
          {"status", a.status},
          {"created_at", billing::format_iso_ms(a.created_at_ms)},
          {"keys", keys}};
}

using Action = int (*)(store::Store&, const AdminArgs&);

int create_account(store::Store& store, const AdminArgs& a) {
  billing::NewAccountRequest r;
  r.email = a.email;
  r.company = a.company;
  r.plan = a.plan;
  r.hard_cap = a.hard_cap == "on";
  r.monthly_limit = a.limit;
  r.now_ms = billing::Clock::from_environment().now_ms();
  auto out = billing::create_account(store, r);
  if (!out.is_ok()) return fail(out.status());
  // The only time the full keys exist outside the caller's hands: printed once, never stored.
  print({{"customer_id", out->account.customer_id},
         {"primary_key", out->primary_key},
         {"secondary_key", out->secondary_key}});
  return 0;
}

int regenerate_key(store::Store& store, const AdminArgs& a) {
  const auto slot = store::key_slot_from_name(a.slot);
  auto key = billing::regenerate_key(store, a.customer, *slot,
                                     billing::Clock::from_environment().now_ms());
  if (!key.is_ok()) return fail(key.status());
  print({{"customer_id", a.customer}, {"slot", a.slot}, {"key", key.value()}});
  return 0;
}

int show_account(store::Store& store, const std::string& customer) {
  auto acc = store.get_account(customer);
  if (!acc.is_ok()) return fail(acc.status());
  print(account_json(store, acc.value()));
  return 0;
}

int set_plan(store::Store& store, const AdminArgs& a) {
  if (Status s = billing::change_plan(store, a.customer, a.plan, a.limit); !s.is_ok()) {
    return fail(s);
  }
  return show_account(store, a.customer);
}

int set_hard_cap(store::Store& store, const AdminArgs& a) {
  if (Status s = store.set_hard_cap(a.customer, a.hard_cap == "on"); !s.is_ok()) return fail(s);
  return show_account(store, a.customer);
}

int set_status(store::Store& store, const AdminArgs& a) {
  auto account = store.get_account(a.customer);
  if (!account.is_ok()) return fail(account.status());
  // A console sign-up that never set its password stays pending: activating it here would give
  // an account nobody can log in to.
  if (account.value().status == "pending") {
    return fail(Status::invalid_argument("the account's console sign-up is not finished"));
  }
  if (Status s = store.set_account_status(a.customer, a.status); !s.is_ok()) return fail(s);
  return show_account(store, a.customer);
}

int set_threshold(store::Store& store, const AdminArgs& a) {
  std::optional<std::string> value;
  if (a.threshold != "default") {
    if (!parse_threshold_setting(a.threshold)) {
      return fail(Status::invalid_argument(
          "--threshold must be a number 0..1, strict, balanced, lenient or default"));
    }
    value = a.threshold;
  }
  if (Status s = store.set_default_threshold(a.customer, value); !s.is_ok()) return fail(s);
  return show_account(store, a.customer);
}

int list_accounts(store::Store& store, const AdminArgs&) {
  auto all = store.list_accounts();
  if (!all.is_ok()) return fail(all.status());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : all.value()) out.push_back(account_json(store, a));
  print(out);
  return 0;
}

int usage(store::Store& store, const AdminArgs& a) {
  auto acc = store.get_account(a.customer);
  if (!acc.is_ok()) return fail(acc.status());
  billing::Meter meter(&store, billing::Clock::from_environment(), "admin");
  auto u = meter.usage(acc.value());
  if (!u.is_ok()) return fail(u.status());
  auto days = store.daily_calls(a.customer, u->period.key);
  nlohmann::json daily = nlohmann::json::object();
  if (days.is_ok()) {
    for (const auto& d : days.value()) daily[d.day] = d.calls;
  }
  print({{"customer_id", a.customer},
         {"plan", u->plan},
         {"period_start", billing::format_iso_ms(u->period.start_ms)},
         {"period_end", billing::format_iso_ms(u->period.end_ms)},
         {"monthly_limit", u->monthly_limit},
         {"used_calls", u->used_calls},
         {"remaining_calls", u->remaining_calls},
         {"over_limit_calls", u->over_limit_calls},
         {"hard_cap", u->hard_cap},
         {"daily", daily}});
  return 0;
}

// Stands in for a marketplace's redirect: a signed registration token and its onboarding URL.
int marketplace_token(store::Store& store, const AdminArgs& a) {
  auto secret = console::marketplace_secret(store, a.marketplace_secret);
  if (!secret.is_ok()) return fail(secret.status());
  const std::int64_t now_s = billing::Clock::from_environment().now_ms() / 1000;
  console::HmacTokenResolver resolver(secret.value());
  auto token = resolver.mint(a.account_id, a.subscription_id, a.plan, now_s, a.lifetime_s);
  if (!token.is_ok()) return fail(token.status());
  std::string base = a.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  print({{"token", token.value()},
         {"expires_at", billing::format_iso_ms((now_s + a.lifetime_s) * 1000)},
         {"onboarding_url", base + "/console/onboard?token=" + token.value()}});
  return 0;
}

int run_admin(const AdminArgs& args, Action action) {
  auto store = store::open_store(args.db);
  if (!store.is_ok()) return fail(store.status());
  return action(*store.value(), args);
}

// The secretKey exists in clear only in this output; the database holds it sealed under the
// master key file (docs/SESSIONS.md, "Secret storage").
int create_access_key(store::Store& store, const AdminArgs& a) {
  auto mk = sessions::MasterKey::load_or_create(a.master_key_file);
  if (!mk.is_ok()) return fail(mk.status());
  auto pair = sessions::create_access_key(store, mk.value(), a.customer,
                                          billing::Clock::from_environment().now_ms());
  if (!pair.is_ok()) return fail(pair.status());
  print({{"customer_id", a.customer},
         {"accessKey", pair->access_key},
         {"secretKey", pair->secret_key}});
  return 0;
}

int list_access_keys(store::Store& store, const AdminArgs& a) {
  auto keys = store.list_access_keys(a.customer);
  if (!keys.is_ok()) return fail(keys.status());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : keys.value()) {
    out.push_back({{"accessKey", k.access_key},
                   {"customer_id", k.customer_id},
                   {"disabled", k.disabled},
                   {"created_at", billing::format_iso_ms(k.created_at_ms)}});
  }
  print(out);
  return 0;
}

int set_access_key_disabled(store::Store& store, const AdminArgs& a, bool disabled) {
  if (Status s = store.set_access_key_disabled(a.access_key, disabled); !s.is_ok()) {
    return fail(s);
  }
  print({{"accessKey", a.access_key}, {"disabled", disabled}});
  return 0;
}
int disable_access_key(store::Store& store, const AdminArgs& a) {
  return set_access_key_disabled(store, a, true);
}
int enable_access_key(store::Store& store, const AdminArgs& a) {
  return set_access_key_disabled(store, a, false);
}

}  // namespace

CommandFn add_admin_command(CLI::App& root) {
  auto args = std::make_shared<AdminArgs>();
  auto action = std::make_shared<Action>(nullptr);
  CLI::App* admin = root.add_subcommand(
      "admin", "Manage accounts, API keys, plans and usage (works while the server runs).");
  admin->require_subcommand(1);
  admin->fallthrough();  // `admin create-account --db X` and `admin --db X create-account`
  admin->add_option("--db", args->db, "Database URL (default sqlite:./data/livecheck.db)")
      ->envname("LIVECHECK_DB");

  std::string plans;
  for (const auto& p : billing::all_plans())
    plans += (plans.empty() ? "" : "|") + std::string(p.name);
  auto on_off = CLI::IsMember({"on", "off"});
  auto add = [&](const char* name, const char* help, Action fn) {
    CLI::App* sub = admin->add_subcommand(name, help);
    sub->callback([action, fn] { *action = fn; });
    return sub;
  };

  CLI::App* c = add("create-account",
                    "Create an account; prints {customer_id, primary_key, secondary_key} once",
                    create_account);
  c->add_option("--email", args->email, "Contact e-mail")->required();
  c->add_option("--company", args->company, "Company name")->required();
  c->add_option("--plan", args->plan, plans)->required();
  c->add_option("--hard-cap", args->hard_cap, "on: 429 at the limit; off: overage (default)")
      ->check(on_off);
  c->add_option("--limit", args->limit, "Monthly limit (enterprise plan only)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));

  CLI::App* r =
      add("regenerate-key",
          "Replace a key slot; the old key stops working at once; prints the new key once",
          regenerate_key);
  r->add_option("--customer", args->customer, "customer_id")->required();
  r->add_option("--slot", args->slot, "primary|secondary")
      ->required()
      ->check(CLI::IsMember({"primary", "secondary"}));

  CLI::App* p = add("set-plan", "Change an account's plan", set_plan);
  p->add_option("--customer", args->customer, "customer_id")->required();
  p->add_option("--plan", args->plan, plans)->required();
  p->add_option("--limit", args->limit, "Monthly limit (enterprise plan only)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));

  CLI::App* h =
      add("set-hard-cap", "Turn the hard cap on (429 at the limit) or off (overage)", set_hard_cap);
  h->add_option("--customer", args->customer, "customer_id")->required();
  h->add_option("--hard-cap", args->hard_cap, "on|off")->required()->check(on_off);

  CLI::App* st = add("set-status",
                      "Suspend an account (its API keys, console logins and session tokens stop\n"
                      "working at the next request) or reactivate it",
                      set_status);
  st->add_option("--customer", args->customer, "customer_id")->required();
  st->add_option("--status", args->status, "active|suspended")
      ->required()
      ->check(CLI::IsMember({"active", "suspended"}));

  CLI::App* t = add("set-threshold",
                    "Set the account's default operating point (used when a request names none)",
                    set_threshold);
  t->add_option("--customer", args->customer, "customer_id")->required();
  t->add_option("--threshold", args->threshold,
                "A number 0..1, a preset (strict|balanced|lenient) or `default` (the server's)")
      ->required();

  add("list-accounts", "List accounts (key prefixes only)", list_accounts);

  CLI::App* m = add("marketplace-token",
                    "Mint a signed marketplace registration token and print its onboarding URL\n"
                    "(stands in for the marketplace's redirect; see docs/CONSOLE.md)",
                    marketplace_token);
  m->add_option("--account-id", args->account_id, "Cloud account id (12 digits)")->required();
  m->add_option("--subscription-id", args->subscription_id, "Marketplace subscription id")
      ->required();
  m->add_option("--plan", args->plan, plans)->required();
  m->add_option("--lifetime", args->lifetime_s, "Seconds the token is valid (default 3600)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));
  m->add_option("--public-url", args->public_url,
                "Base URL of the console in the printed link (default http://localhost:8080)")
      ->envname("LIVECHECK_PUBLIC_URL");
  m->add_option("--marketplace-secret", args->marketplace_secret,
                "HMAC secret (default: the one kept in the database, shared with serve)")
      ->envname("LIVECHECK_MARKETPLACE_SECRET");

  CLI::App* u = add("usage", "This UTC month's usage of an account, with per-day counts", usage);
  u->add_option("--customer", args->customer, "customer_id")->required();

  CLI::App* ak = add("create-access-key",
                     "Create a session-liveness accessKey/secretKey pair; prints the secret once",
                     create_access_key);
  ak->add_option("--customer", args->customer, "customer_id")->required();
  ak->add_option("--master-key-file", args->master_key_file,
                 "Key file that seals secrets, shared with serve (default data/master.key)")
      ->envname("LIVECHECK_MASTER_KEY_FILE");
  CLI::App* lk = add("list-access-keys", "List access keys (never secrets)", list_access_keys);
  lk->add_option("--customer", args->customer, "customer_id (default: all)");
  CLI::App* dk = add("disable-access-key",
                     "Disable an access key: generate-token refuses it from the next call",
                     disable_access_key);
  dk->add_option("--access-key", args->access_key, "accessKey")->required();
  CLI::App* ek = add("enable-access-key", "Enable a disabled access key", enable_access_key);
  ek->add_option("--access-key", args->access_key, "accessKey")->required();

  return [args, action] { return *action ? run_admin(*args, *action) : 2; };
}

}  // namespace livecheck::cli
