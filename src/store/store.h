// Store: everything livecheck persists (accounts, API keys, usage, in-flight reservations) behind
// one abstract interface, in the spirit of leveldb's Env. SqliteStore is the embedded default; a
// PostgreSQL implementation can be added behind the same interface and migrations, and tests can
// wrap a Store to inject faults.
//
//   auto store = livecheck::store::open_store("sqlite:./data/livecheck.db");
//
// Errors: every call returns Status / StatusOr (codes from livecheck/status.h): not_found for a
// missing row, invalid_argument for a constraint violation, io_error when the database cannot be
// reached or is busy past its timeout. No exception leaves a Store.
// Thread safety: a Store may be shared by any number of threads. Several processes (the server
// and `livecheck admin`) may open the same database at the same time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "livecheck/status.h"

namespace livecheck::store {

enum class KeySlot { kPrimary, kSecondary };
const char* key_slot_name(KeySlot slot);  // "primary" / "secondary"
std::optional<KeySlot> key_slot_from_name(const std::string& name);

using KeyHash = std::array<std::uint8_t, 32>;  // SHA-256 of the full key

struct Account {
  std::string customer_id;  // UUID v4
  std::string email;
  std::string company;
  std::string plan;                           // plan name, see billing/plans.h
  std::optional<std::int64_t> monthly_limit;  // per-account limit (enterprise); else the plan's
  bool hard_cap = false;                      // true: 429 at the limit; false: overage
  std::string status = "active";              // "active" | "suspended"
  std::int64_t created_at_ms = 0;             // epoch milliseconds
  // Default operating point when a request names none: "0.2" or a preset name ("strict", ...);
  // unset = the server's default threshold.
  std::optional<std::string> default_threshold;
};

struct KeyRecord {
  std::string customer_id;
  KeySlot slot = KeySlot::kPrimary;
  KeyHash hash{};
  std::string display_prefix;  // "lc_abc12"
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> last_used_at_ms;  // updated at most once a minute (touch_key)
};

// The console's login for an account (one per account). Created at sign-up with no password.
struct ConsoleUser {
  std::string customer_id;
  std::string email;  // lower-case; the login id
  std::string first_name;
  std::string last_name;
  std::string company;
  std::string website;
  std::string cloud_account_id;  // 12 digits, from the marketplace token
  std::string subscription_id;
  std::optional<std::string> password_hash;  // Argon2id string; unset until activation
  std::optional<std::int64_t> email_verified_at_ms;
  std::int64_t created_at_ms = 0;
};

// A single-use e-mail link. Only the SHA-256 of the token is stored.
struct EmailToken {
  KeyHash hash{};
  std::string customer_id;
  std::string purpose;  // "verify" | "reset"
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> used_at_ms;
};

struct ConsoleSession {
  KeyHash hash{};  // SHA-256 of the cookie value
  std::string customer_id;
  std::string csrf_token;
  std::int64_t created_at_ms = 0;
  std::int64_t last_seen_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // absolute expiry
};

// Messages of the invalid_argument statuses create_console_signup and consume_email_token return
// for a lost race or a repeated request, so that callers can tell them apart.
inline constexpr const char* kEmailTaken = "email_taken";
inline constexpr const char* kSubscriptionUsed = "subscription_used";
inline constexpr const char* kTokenUsed = "token_used";

// Asks for one call of `customer_id` in `period`. The store counts committed calls plus live
// (unexpired) reservations; at or above `limit` it refuses unless `allow_overage`.
struct ReserveRequest {
  std::string customer_id;
  std::string period;  // UTC month, "2026-11"
  std::int64_t limit = 0;
  bool allow_overage = false;
  std::string owner;        // server process id (random per start)
  std::int64_t now_ms = 0;  // epoch ms
  std::int64_t expires_at_ms = 0;
};

struct ReserveOutcome {
  bool granted = false;
  std::int64_t reservation_id = 0;  // valid when granted
  std::int64_t committed = 0;       // committed calls in the period before this one
  std::int64_t pending = 0;         // other live reservations at the time
};

struct DailyUsage {
  std::string day;  // "2026-11-22"
  std::int64_t calls = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Accounts.
  virtual Status create_account(const Account& account) = 0;  // invalid_argument if id exists
  virtual StatusOr<Account> get_account(const std::string& customer_id) = 0;
  virtual StatusOr<std::vector<Account>> list_accounts() = 0;
  virtual Status set_plan(const std::string& customer_id, const std::string& plan,
                          std::optional<std::int64_t> monthly_limit) = 0;
  virtual Status set_hard_cap(const std::string& customer_id, bool hard_cap) = 0;
  // nullopt clears it. The caller validates the value (api/threshold.h).
  virtual Status set_default_threshold(const std::string& customer_id,
                                       const std::optional<std::string>& threshold) = 0;

  // Keys. put_key replaces the slot in one transaction: the old key stops working at once.
  virtual Status put_key(const KeyRecord& key) = 0;
  virtual StatusOr<KeyRecord> find_key(const KeyHash& hash) = 0;  // not_found if unknown
  virtual StatusOr<std::vector<KeyRecord>> list_keys(const std::string& customer_id) = 0;
  // Sets last_used_at_ms unless it was set less than a minute before now_ms (one write per
  // key per minute however busy the key is).
  virtual Status touch_key(const KeyHash& hash, std::int64_t now_ms) = 0;

  // Console sign-up, in one transaction: the account (status "pending"), its user and the used
  // marketplace token id. invalid_argument with message kEmailTaken, kSubscriptionUsed or
  // kTokenUsed when that one is already taken.
  virtual Status create_console_signup(const Account& account, const ConsoleUser& user,
                                       const std::string& marketplace_token_id,
                                       std::int64_t now_ms) = 0;
  virtual StatusOr<bool> marketplace_token_used(const std::string& token_id) = 0;
  virtual StatusOr<ConsoleUser> get_console_user(const std::string& customer_id) = 0;
  virtual StatusOr<ConsoleUser> find_console_user_by_email(const std::string& email) = 0;
  virtual Status put_email_token(const EmailToken& token) = 0;
  virtual StatusOr<EmailToken> find_email_token(const KeyHash& hash) = 0;
  virtual StatusOr<int> count_email_tokens_since(const std::string& customer_id,
                                                 const std::string& purpose,
                                                 std::int64_t since_ms) = 0;
  // Activation, in one transaction: consumes the verify token (invalid_argument kTokenUsed if it
  // was used meanwhile), stores the password hash, marks the e-mail verified, makes the account
  // active and stores its keys.
  virtual Status activate_console_user(const KeyHash& token, const std::string& customer_id,
                                       const std::string& password_hash,
                                       const std::vector<KeyRecord>& keys,
                                       std::int64_t now_ms) = 0;
  // Password reset, in one transaction: consumes the reset token (kTokenUsed as above), stores
  // the new hash and deletes every session of the account.
  virtual Status reset_console_password(const KeyHash& token, const std::string& customer_id,
                                        const std::string& password_hash,
                                        std::int64_t now_ms) = 0;
  virtual Status put_console_session(const ConsoleSession& session) = 0;
  virtual StatusOr<ConsoleSession> find_console_session(const KeyHash& hash) = 0;
  virtual Status touch_console_session(const KeyHash& hash, std::int64_t now_ms) = 0;
  virtual Status delete_console_session(const KeyHash& hash) = 0;
  // Rate limits: events per (scope, subject) in a time window.
  virtual Status add_rate_event(const std::string& scope, const std::string& subject,
                                std::int64_t at_ms) = 0;
  virtual StatusOr<int> count_rate_events(const std::string& scope, const std::string& subject,
                                          std::int64_t since_ms) = 0;
  virtual Status clear_rate_events(const std::string& scope, const std::string& subject) = 0;
  // Deletes expired sessions, rate events older than `events_before_ms` and e-mail tokens
  // expired before `tokens_before_ms`.
  virtual Status purge_console(std::int64_t now_ms, std::int64_t events_before_ms,
                               std::int64_t tokens_before_ms) = 0;
  // Returns the stored value of `name`, storing `value_if_absent` first if there is none (the
  // first process to ask wins; every process then sees the same value).
  virtual StatusOr<std::string> get_or_put_setting(const std::string& name,
                                                   const std::string& value_if_absent) = 0;

  // Metering. reserve_call is atomic with respect to every other reserve_call on the database.
  // commit_call deletes the reservation (if still there) and adds one call to the month and the
  // day in the same transaction; it returns the month's committed calls after the commit.
  virtual StatusOr<ReserveOutcome> reserve_call(const ReserveRequest& request) = 0;
  virtual StatusOr<std::int64_t> commit_call(std::int64_t reservation_id,
                                             const std::string& customer_id,
                                             const std::string& period, const std::string& day) = 0;
  virtual Status release_call(std::int64_t reservation_id) = 0;
  virtual StatusOr<std::int64_t> monthly_calls(const std::string& customer_id,
                                               const std::string& period) = 0;
  virtual StatusOr<std::vector<DailyUsage>> daily_calls(const std::string& customer_id,
                                                        const std::string& period) = 0;
  // Deletes reservations that expired before now_ms (left behind by a crashed process).
  virtual StatusOr<int> purge_expired_reservations(std::int64_t now_ms) = 0;
  // Owners that hold reservations, and deletion of one owner's rows: lets a starting server drop
  // the places held by processes of this host that no longer exist, without waiting for expiry.
  virtual StatusOr<std::vector<std::string>> reservation_owners() = 0;
  virtual StatusOr<int> delete_reservations_of(const std::string& owner) = 0;
};

// Opens (and migrates) the database named by `url`:
//   sqlite:PATH     SQLite file (created with its parent folder if missing), WAL mode
// invalid_argument for an unknown scheme.
StatusOr<std::unique_ptr<Store>> open_store(const std::string& url);

}  // namespace livecheck::store
