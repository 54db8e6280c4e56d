// SQLite implementation of Store: one file, WAL journal (readers never block the writer),
// busy_timeout so that the server and `livecheck admin` can share the file, BEGIN IMMEDIATE for
// every read-modify-write so that two processes cannot both pass the same quota check.
//
// Thread safety: two connections, each guarded by its mutex: writes (reservations, commits,
// admin changes) go through one, reads (key lookups, usage) through the other. A write waiting
// up to busy_timeout for another process's lock therefore never stalls key lookups or
// GET /v1/usage, which WAL lets proceed. Statements are short (an indexed row or two).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/store.h"

struct sqlite3;

namespace livecheck::store {

class SqliteStore final : public Store {
 public:
  // Creates the file (and its parent folder) if needed and applies pending migrations.
  static StatusOr<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;

  Status create_account(const Account& account) override;
  StatusOr<Account> get_account(const std::string& customer_id) override;
  StatusOr<std::vector<Account>> list_accounts() override;
  Status set_plan(const std::string& customer_id, const std::string& plan,
                  std::optional<std::int64_t> monthly_limit) override;
  Status set_hard_cap(const std::string& customer_id, bool hard_cap) override;
  Status set_account_status(const std::string& customer_id, const std::string& status) override;
  Status set_default_threshold(const std::string& customer_id,
                               const std::optional<std::string>& threshold) override;

  Status put_key(const KeyRecord& key) override;
  StatusOr<KeyRecord> find_key(const KeyHash& hash) override;
  StatusOr<std::vector<KeyRecord>> list_keys(const std::string& customer_id) override;
  Status touch_key(const KeyHash& hash, std::int64_t now_ms) override;

  // Console (sqlite_console_store.cpp).
  Status create_console_signup(const Account& account, const ConsoleUser& user,
                               const std::string& marketplace_token_id,
                               std::int64_t now_ms) override;
  StatusOr<bool> marketplace_token_used(const std::string& token_id) override;
  StatusOr<ConsoleUser> get_console_user(const std::string& customer_id) override;
  StatusOr<ConsoleUser> find_console_user_by_email(const std::string& email) override;
  Status put_email_token(const EmailToken& token) override;
  StatusOr<EmailToken> find_email_token(const KeyHash& hash) override;
  StatusOr<int> count_email_tokens_since(const std::string& customer_id,
                                         const std::string& purpose,
                                         std::int64_t since_ms) override;
  Status activate_console_user(const KeyHash& token, const std::string& customer_id,
                               const std::string& password_hash,
                               const std::vector<KeyRecord>& keys, std::int64_t now_ms) override;
  Status reset_console_password(const KeyHash& token, const std::string& customer_id,
                                const std::string& password_hash, std::int64_t now_ms) override;
  Status put_console_session(const ConsoleSession& session) override;
  StatusOr<ConsoleSession> find_console_session(const KeyHash& hash) override;
  Status touch_console_session(const KeyHash& hash, std::int64_t now_ms) override;
  Status delete_console_session(const KeyHash& hash) override;
  Status add_rate_event(const std::string& scope, const std::string& subject,
                        std::int64_t at_ms) override;
  StatusOr<int> count_rate_events(const std::string& scope, const std::string& subject,
                                  std::int64_t since_ms) override;
  Status clear_rate_events(const std::string& scope, const std::string& subject) override;
  Status purge_console(std::int64_t now_ms, std::int64_t events_before_ms,
                       std::int64_t tokens_before_ms) override;
  StatusOr<std::string> get_or_put_setting(const std::string& name,
                                           const std::string& value_if_absent) override;

  StatusOr<ReserveOutcome> reserve_call(const ReserveRequest& request) override;
  StatusOr<std::int64_t> commit_call(std::int64_t reservation_id, const std::string& customer_id,
                                     const std::string& period, const std::string& day) override;
  Status release_call(std::int64_t reservation_id) override;
  StatusOr<std::int64_t> monthly_calls(const std::string& customer_id,
                                       const std::string& period) override;
  StatusOr<std::vector<DailyUsage>> daily_calls(const std::string& customer_id,
                                                const std::string& period) override;
  StatusOr<int> purge_expired_reservations(std::int64_t now_ms) override;
  StatusOr<std::vector<std::string>> reservation_owners() override;
  StatusOr<int> delete_reservations_of(const std::string& owner) override;

  // Session liveness (sqlite_session_store.cpp).
  Status put_access_key(const AccessKeyRecord& key) override;
  StatusOr<AccessKeyRecord> find_access_key(const std::string& access_key) override;
  StatusOr<std::vector<AccessKeyRecord>> list_access_keys(
      const std::string& customer_id) override;
  Status set_access_key_disabled(const std::string& access_key, bool disabled) override;
  Status use_signature(const KeyHash& hash, std::int64_t expires_at_ms,
                               std::int64_t now_ms) override;
  Status put_access_token(const AccessTokenRecord& token) override;
  StatusOr<AccessTokenRecord> find_access_token(const KeyHash& hash) override;
  Status put_license(const LicenseRecord& license) override;
  StatusOr<LicenseRecord> find_license(const KeyHash& hash) override;
  Status revoke_license(const KeyHash& hash, const std::string& customer_id,
                                std::int64_t now_ms) override;
  Status put_liveness_session(const LivenessSession& session) override;
  StatusOr<LivenessSession> find_liveness_session(const std::string& signature_id) override;
  StatusOr<LivenessSession> find_liveness_result(const std::string& liveness_id) override;
  StatusOr<int> add_capture_attempt(const std::string& signature_id) override;
  Status complete_liveness_session(const LivenessSession& result,
                                           const std::vector<std::uint64_t>& frame_hashes) override;
  StatusOr<bool> claim_liveness_billing(const std::string& liveness_id,
                                                std::int64_t now_ms) override;
  Status clear_liveness_result(const std::string& liveness_id, std::int64_t now_ms) override;
  StatusOr<std::vector<std::string>> expired_image_sessions(std::int64_t now_ms,
                                                                    int limit) override;
  Status mark_images_deleted(const std::string& liveness_id, std::int64_t now_ms) override;
  StatusOr<std::vector<std::uint64_t>> recent_frame_hashes(std::int64_t since_ms,
                                                                   int limit) override;
  Status purge_session_data(std::int64_t now_ms, std::int64_t hashes_before_ms) override;

 private:
  struct Connection {
    std::mutex mu;
    sqlite3* db = nullptr;  // owned
  };
  SqliteStore() = default;
  Status migrate();
  Status exec(sqlite3* db, const char* sql);

  Connection writer_;
  Connection reader_;
};

}  // namespace livecheck::store
