// ForwardingStore: a Store that passes every call to another one (leveldb's EnvWrapper). Tests
// subclass it and override the one call they want to fail or observe.
// Thread safety: that of the wrapped store.
#pragma once

#include "store/store.h"

namespace livecheck::store {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store* inner) : inner_(inner) {}

  Status create_account(const Account& account) override { return inner_->create_account(account); }
  StatusOr<Account> get_account(const std::string& customer_id) override {
    return inner_->get_account(customer_id);
  }
  StatusOr<std::vector<Account>> list_accounts() override { return inner_->list_accounts(); }
  Status set_plan(const std::string& customer_id, const std::string& plan,
                  std::optional<std::int64_t> monthly_limit) override {
    return inner_->set_plan(customer_id, plan, monthly_limit);
  }
  Status set_hard_cap(const std::string& customer_id, bool hard_cap) override {
    return inner_->set_hard_cap(customer_id, hard_cap);
  }
  Status set_account_status(const std::string& customer_id, const std::string& status) override {
    return inner_->set_account_status(customer_id, status);
  }
  Status set_default_threshold(const std::string& customer_id,
                               const std::optional<std::string>& threshold) override {
    return inner_->set_default_threshold(customer_id, threshold);
  }
  Status put_key(const KeyRecord& key) override { return inner_->put_key(key); }
  StatusOr<KeyRecord> find_key(const KeyHash& hash) override { return inner_->find_key(hash); }
  StatusOr<std::vector<KeyRecord>> list_keys(const std::string& customer_id) override {
    return inner_->list_keys(customer_id);
  }
  Status touch_key(const KeyHash& hash, std::int64_t now_ms) override {
    return inner_->touch_key(hash, now_ms);
  }
  Status create_console_signup(const Account& account, const ConsoleUser& user,
                               const std::string& marketplace_token_id,
                               std::int64_t now_ms) override {
    return inner_->create_console_signup(account, user, marketplace_token_id, now_ms);
  }
  StatusOr<bool> marketplace_token_used(const std::string& token_id) override {
    return inner_->marketplace_token_used(token_id);
  }
  StatusOr<ConsoleUser> get_console_user(const std::string& customer_id) override {
    return inner_->get_console_user(customer_id);
  }
  StatusOr<ConsoleUser> find_console_user_by_email(const std::string& email) override {
    return inner_->find_console_user_by_email(email);
  }
  Status put_email_token(const EmailToken& token) override {
    return inner_->put_email_token(token);
  }
  StatusOr<EmailToken> find_email_token(const KeyHash& hash) override {
    return inner_->find_email_token(hash);
  }
  StatusOr<int> count_email_tokens_since(const std::string& customer_id, const std::string& purpose,
                                         std::int64_t since_ms) override {
    return inner_->count_email_tokens_since(customer_id, purpose, since_ms);
  }
  Status activate_console_user(const KeyHash& token, const std::string& customer_id,
                               const std::string& password_hash, const std::vector<KeyRecord>& keys,
                               std::int64_t now_ms) override {
    return inner_->activate_console_user(token, customer_id, password_hash, keys, now_ms);
  }
  Status reset_console_password(const KeyHash& token, const std::string& customer_id,
                                const std::string& password_hash, std::int64_t now_ms) override {
    return inner_->reset_console_password(token, customer_id, password_hash, now_ms);
  }
  Status put_console_session(const ConsoleSession& session) override {
    return inner_->put_console_session(session);
  }
  StatusOr<ConsoleSession> find_console_session(const KeyHash& hash) override {
    return inner_->find_console_session(hash);
  }
  Status touch_console_session(const KeyHash& hash, std::int64_t now_ms) override {
    return inner_->touch_console_session(hash, now_ms);
  }
  Status delete_console_session(const KeyHash& hash) override {
    return inner_->delete_console_session(hash);
  }
  Status add_rate_event(const std::string& scope, const std::string& subject,
                        std::int64_t at_ms) override {
    return inner_->add_rate_event(scope, subject, at_ms);
  }
  StatusOr<int> count_rate_events(const std::string& scope, const std::string& subject,
                                  std::int64_t since_ms) override {
    return inner_->count_rate_events(scope, subject, since_ms);
  }
  Status clear_rate_events(const std::string& scope, const std::string& subject) override {
    return inner_->clear_rate_events(scope, subject);
  }
  Status purge_console(std::int64_t now_ms, std::int64_t events_before_ms,
                       std::int64_t tokens_before_ms) override {
    return inner_->purge_console(now_ms, events_before_ms, tokens_before_ms);
  }
  StatusOr<std::string> get_or_put_setting(const std::string& name,
                                           const std::string& value_if_absent) override {
    return inner_->get_or_put_setting(name, value_if_absent);
  }
  StatusOr<ReserveOutcome> reserve_call(const ReserveRequest& request) override {
    return inner_->reserve_call(request);
  }
  StatusOr<std::int64_t> commit_call(std::int64_t reservation_id, const std::string& customer_id,
                                     const std::string& period, const std::string& day) override {
    return inner_->commit_call(reservation_id, customer_id, period, day);
  }
  Status release_call(std::int64_t reservation_id) override {
    return inner_->release_call(reservation_id);
  }
  StatusOr<std::int64_t> monthly_calls(const std::string& customer_id,
                                       const std::string& period) override {
    return inner_->monthly_calls(customer_id, period);
  }
  StatusOr<std::vector<DailyUsage>> daily_calls(const std::string& customer_id,
                                                const std::string& period) override {
    return inner_->daily_calls(customer_id, period);
  }
  StatusOr<int> purge_expired_reservations(std::int64_t now_ms) override {
    return inner_->purge_expired_reservations(now_ms);
  }
  StatusOr<std::vector<std::string>> reservation_owners() override {
    return inner_->reservation_owners();
  }
  StatusOr<int> delete_reservations_of(const std::string& owner) override {
    return inner_->delete_reservations_of(owner);
  }
  Status put_access_key(const AccessKeyRecord& key) override {
    return inner_->put_access_key(key);
  }
  StatusOr<AccessKeyRecord> find_access_key(const std::string& access_key) override {
    return inner_->find_access_key(access_key);
  }
  StatusOr<std::vector<AccessKeyRecord>> list_access_keys(const std::string& customer_id) override {
    return inner_->list_access_keys(customer_id);
  }
  Status set_access_key_disabled(const std::string& access_key, bool disabled) override {
    return inner_->set_access_key_disabled(access_key, disabled);
  }
  Status use_signature(const KeyHash& hash, std::int64_t expires_at_ms, std::int64_t now_ms) override {
    return inner_->use_signature(hash, expires_at_ms, now_ms);
  }
  Status put_access_token(const AccessTokenRecord& token) override {
    return inner_->put_access_token(token);
  }
  StatusOr<AccessTokenRecord> find_access_token(const KeyHash& hash) override {
    return inner_->find_access_token(hash);
  }
  Status put_license(const LicenseRecord& license) override {
    return inner_->put_license(license);
  }
  StatusOr<LicenseRecord> find_license(const KeyHash& hash) override {
    return inner_->find_license(hash);
  }
  Status revoke_license(const KeyHash& hash, const std::string& customer_id, std::int64_t now_ms) override {
    return inner_->revoke_license(hash, customer_id, now_ms);
  }
  Status put_liveness_session(const LivenessSession& session) override {
    return inner_->put_liveness_session(session);
  }
  StatusOr<LivenessSession> find_liveness_session(const std::string& signature_id) override {
    return inner_->find_liveness_session(signature_id);
  }
  StatusOr<LivenessSession> find_liveness_result(const std::string& liveness_id) override {
    return inner_->find_liveness_result(liveness_id);
  }
  StatusOr<int> add_capture_attempt(const std::string& signature_id) override {
    return inner_->add_capture_attempt(signature_id);
  }
  Status complete_liveness_session(const LivenessSession& result, const std::vector<std::uint64_t>& frame_hashes) override {
    return inner_->complete_liveness_session(result, frame_hashes);
  }
  StatusOr<bool> claim_liveness_billing(const std::string& liveness_id, std::int64_t now_ms) override {
    return inner_->claim_liveness_billing(liveness_id, now_ms);
  }
  Status clear_liveness_result(const std::string& liveness_id, std::int64_t now_ms) override {
    return inner_->clear_liveness_result(liveness_id, now_ms);
  }
  StatusOr<std::vector<std::string>> expired_image_sessions(std::int64_t now_ms, int limit) override {
    return inner_->expired_image_sessions(now_ms, limit);
  }
  Status mark_images_deleted(const std::string& liveness_id, std::int64_t now_ms) override {
    return inner_->mark_images_deleted(liveness_id, now_ms);
  }
  StatusOr<std::vector<std::uint64_t>> recent_frame_hashes(std::int64_t since_ms, int limit) override {
    return inner_->recent_frame_hashes(since_ms, limit);
  }
  Status purge_session_data(std::int64_t now_ms, std::int64_t hashes_before_ms) override {
    return inner_->purge_session_data(now_ms, hashes_before_ms);
  }

 protected:
  Store* inner_;
};

}  // namespace livecheck::store
