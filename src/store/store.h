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


// Session liveness (docs/SESSIONS.md, migrations/004_sessions.sql).
// An access key pair. The secretKey is needed in clear to verify the vendor's signature scheme,
// so it is stored sealed under a master key that lives outside the database
// (sessions/access_keys.h); the store only sees the sealed bytes.
struct AccessKeyRecord {
  std::string access_key;
  std::string customer_id;
  std::vector<std::uint8_t> sealed_secret;  // nonce || secretbox ciphertext
  bool disabled = false;
  std::int64_t created_at_ms = 0;
};

// An X-ACCESS-TOKEN. Only its SHA-256 is stored.
struct AccessTokenRecord {
  KeyHash hash{};
  std::string customer_id;
  std::string access_key;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
};

// A capture-SDK license. Only its SHA-256 is stored.
struct LicenseRecord {
  KeyHash hash{};
  std::string customer_id;
  std::vector<std::string> application_ids;  // empty: any application
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> revoked_at_ms;
};

// A capture session (one signatureId) and, once captured, its result.
struct LivenessSession {
  std::string signature_id;
  std::string customer_id;
  std::string nonce;
  std::string product_level = "STANDARD";
  std::string liveness_type = "DISTANT_NEAR";
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  int attempts = 0;
  // Result; set by complete_liveness_session.
  std::optional<std::string> liveness_id;
  std::optional<std::int64_t> completed_at_ms;
  double score = 0;                   // 0..100
  std::optional<int> attack_type;     // 1 presentation, 2 injection, 3 unsure
  std::string reasons_json = "[]";    // JSON array of strings
  std::string analysis_json = "{}";   // analysis.json of the audit zip
  std::optional<std::int64_t> far_time_ms;
  std::optional<std::int64_t> near_time_ms;
  std::optional<std::int64_t> images_expire_at_ms;
  std::optional<std::int64_t> images_deleted_at_ms;
  std::optional<std::int64_t> cleared_at_ms;
  std::optional<std::int64_t> billed_at_ms;
};

// Message of the invalid_argument status complete_liveness_session returns when the
// signatureId was completed by another request first.
inline constexpr const char* kSessionUsed = "session_used";
// Message of the invalid_argument status use_signature returns for a replayed signature.
inline constexpr const char* kSignatureUsed = "signature_used";

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
  // "active" | "suspended" (the caller validates). A suspended account's keys, console logins and
  // session-liveness tokens stop working at the next request.
  virtual Status set_account_status(const std::string& customer_id, const std::string& status) = 0;
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

  // Session liveness (sqlite_session_store.cpp).
  virtual Status put_access_key(const AccessKeyRecord& key) = 0;
  virtual StatusOr<AccessKeyRecord> find_access_key(const std::string& access_key) = 0;
  // Every key of `customer_id`; all keys when it is empty.
  virtual StatusOr<std::vector<AccessKeyRecord>> list_access_keys(
      const std::string& customer_id) = 0;
  virtual Status set_access_key_disabled(const std::string& access_key, bool disabled) = 0;
  // Records a signature as used; invalid_argument kSignatureUsed if it already was (replay).
  // Deletes used signatures that expired before now_ms in the same transaction.
  virtual Status use_signature(const KeyHash& hash, std::int64_t expires_at_ms,
                               std::int64_t now_ms) = 0;
  virtual Status put_access_token(const AccessTokenRecord& token) = 0;
  virtual StatusOr<AccessTokenRecord> find_access_token(const KeyHash& hash) = 0;
  virtual Status put_license(const LicenseRecord& license) = 0;
  virtual StatusOr<LicenseRecord> find_license(const KeyHash& hash) = 0;
  // not_found unless the license exists and belongs to customer_id.
  virtual Status revoke_license(const KeyHash& hash, const std::string& customer_id,
                                std::int64_t now_ms) = 0;
  virtual Status put_liveness_session(const LivenessSession& session) = 0;
  virtual StatusOr<LivenessSession> find_liveness_session(const std::string& signature_id) = 0;
  virtual StatusOr<LivenessSession> find_liveness_result(const std::string& liveness_id) = 0;
  // Adds one capture attempt; returns the count after it.
  virtual StatusOr<int> add_capture_attempt(const std::string& signature_id) = 0;
  // Stores the result (liveness_id and the result fields of `result`) and the frames' hashes in
  // one transaction; invalid_argument kSessionUsed when the session already has a result.
  virtual Status complete_liveness_session(const LivenessSession& result,
                                           const std::vector<std::uint64_t>& frame_hashes) = 0;
  // True when this call set billed_at_ms (the first successful result); false if already set.
  virtual StatusOr<bool> claim_liveness_billing(const std::string& liveness_id,
                                                std::int64_t now_ms) = 0;
  // Irreversible: forgets score, reasons and analysis, marks the images deleted and the result
  // cleared. The row stays so that the id answers "cleared", not "unknown".
  virtual Status clear_liveness_result(const std::string& liveness_id, std::int64_t now_ms) = 0;
  // Liveness ids whose images expired before now_ms and are not yet marked deleted.
  virtual StatusOr<std::vector<std::string>> expired_image_sessions(std::int64_t now_ms,
                                                                    int limit) = 0;
  virtual Status mark_images_deleted(const std::string& liveness_id, std::int64_t now_ms) = 0;
  // Perceptual hashes of frames captured since since_ms, newest first, at most `limit`.
  virtual StatusOr<std::vector<std::uint64_t>> recent_frame_hashes(std::int64_t since_ms,
                                                                   int limit) = 0;
  // Deletes expired tokens and signatures, licenses expired before now_ms, unfinished sessions
  // expired before now_ms and frame hashes older than hashes_before_ms.
  virtual Status purge_session_data(std::int64_t now_ms, std::int64_t hashes_before_ms) = 0;
};

// Opens (and migrates) the database named by `url`:
//   sqlite:PATH     SQLite file (created with its parent folder if missing), WAL mode
// invalid_argument for an unknown scheme.
StatusOr<std::unique_ptr<Store>> open_store(const std::string& url);

}  // namespace livecheck::store
