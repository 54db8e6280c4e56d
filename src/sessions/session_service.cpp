#include "sessions/session_service.h"

#include <algorithm>
#include <utility>

#include "store/api_keys.h"

namespace livecheck::sessions {
namespace {

struct CodeInfo {
  Code code;
  const char* name;
  const char* message;
};
// The vendor's messages where seed 002 has one.
constexpr CodeInfo kCodes[] = {
    {Code::kSuccess, "SUCCESS", "OK"},
    {Code::kRetry, "RETRY", "Please capture the frame again"},
    {Code::kParameterError, "PARAMETER_ERROR", "Parameter error, please check you input."},
    {Code::kIamFailed, "IAM_FAILED",
     "Access denied: the token or license is missing, wrong or "
     "expired"},
    {Code::kAccountDisabled, "ACCOUNT_DISABLED", "The account is disabled"},
    {Code::kLivenessIdNotExisted, "LIVENESS_ID_NOT_EXISTED", "Liveness id does not exist"},
    {Code::kResultNotFound, "RESULT_NOT_FOUND",
     "The requested resource was not found or has been deleted"},
    {Code::kQuotaExceeded, "QUOTA_EXCEEDED",
     "The monthly call limit of your plan has been reached (hard cap)"},
    {Code::kClientError, "CLIENT_ERROR", "The request is malformed"},
    {Code::kError, "ERROR", "Server error"},
};

const CodeInfo& info(Code c) {
  for (const CodeInfo& i : kCodes) {
    if (i.code == c) return i;
  }
  return kCodes[sizeof kCodes / sizeof kCodes[0] - 1];
}

template <typename T = int>
Result<T> fail(Code code, std::string message = "", std::string detail = "") {
  Result<T> r;
  r.code = code;
  r.message = std::move(message);
  r.detail = std::move(detail);
  return r;
}

Outcome fail_outcome(Code code, std::string message = "", std::string detail = "") {
  return Outcome{code, std::move(message), std::move(detail)};
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const char* code_name(Code code) { return info(code).name; }
const char* default_message(Code code) { return info(code).message; }

SessionService::SessionService(SessionConfig config, store::Store* store, MasterKey master_key,
                               UrlSigner signer, std::function<std::int64_t()> now_ms)
    : config_(std::move(config)),
      store_(store),
      master_key_(std::move(master_key)),
      signer_(std::move(signer)),
      images_(config_.image_dir),
      now_ms_(std::move(now_ms)) {}

Result<store::Account> SessionService::active_account(const std::string& customer_id) {
  auto account = store_->get_account(customer_id);
  if (!account.is_ok()) {
    if (account.status().code() == StatusCode::kNotFound)
      return fail<store::Account>(Code::kIamFailed);
    return fail<store::Account>(Code::kError, "", account.status().to_string());
  }
  // "pending" (console sign-up not finished) and "suspended" alike.
  if (account->status != "active") return fail<store::Account>(Code::kAccountDisabled);
  Result<store::Account> r;
  r.value = std::move(account).value();
  return r;
}

Result<IssuedToken> SessionService::generate_token(const TokenRequest& req) {
  using R = IssuedToken;
  if (req.access_key.empty() || req.timestamp.empty() || req.signature.empty()) {
    return fail<R>(Code::kParameterError, kMsgEmpty);
  }
  const std::int64_t period_s = req.period_s.value_or(kDefaultTokenPeriodS);
  if (period_s < kMinTokenPeriodS || period_s > kMaxTokenPeriodS) {
    return fail<R>(Code::kParameterError, kMsgIllegal);
  }
  const std::int64_t now = now_ms_();
  if (req.timestamp.size() != 13 || !all_digits(req.timestamp)) {
    return fail<R>(Code::kParameterError, "Timestamp error");
  }
  const std::int64_t ts = std::stoll(req.timestamp);
  if (ts < now - kSignatureWindowMs || ts > now + kSignatureWindowMs) {
    return fail<R>(Code::kParameterError, "Timestamp error");
  }
  // Unknown key, disabled key, wrong signature and replay all read "Signature error": a caller
  // learns nothing about which part was wrong.
  auto key = store_->find_access_key(req.access_key);
  if (!key.is_ok()) {
    if (key.status().code() == StatusCode::kNotFound) {
      return fail<R>(Code::kParameterError, "Signature error");
    }
    return fail<R>(Code::kError, "", key.status().to_string());
  }
  auto secret = master_key_.open(key->sealed_secret);
  if (!secret.is_ok()) return fail<R>(Code::kError, "", secret.status().to_string());
  const std::string want = token_signature(req.access_key, secret.value(), req.timestamp);
  std::string given = req.signature;
  std::transform(given.begin(), given.end(), given.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!same_signature(given, want) || key->disabled) {
    return fail<R>(Code::kParameterError, "Signature error");
  }
  auto account = active_account(key->customer_id);
  if (!account.ok()) return fail<R>(account.code, account.message, account.detail);
  // Once per signature: remembered until the timestamp leaves the window, after which the
  // timestamp check refuses it anyway.
  Status used = store_->use_signature(hash_token(given), ts + kSignatureWindowMs, now);
  if (!used.is_ok()) {
    if (used.code() == StatusCode::kInvalidArgument) {
      return fail<R>(Code::kParameterError, "Signature error");
    }
    return fail<R>(Code::kError, "", used.to_string());
  }
  Result<R> r;
  r.value.token = random_token(32);
  r.value.expires_at_ms = now + period_s * 1000;
  store::AccessTokenRecord rec;
  rec.hash = hash_token(r.value.token);
  rec.customer_id = key->customer_id;
  rec.access_key = key->access_key;
  rec.created_at_ms = now;
  rec.expires_at_ms = r.value.expires_at_ms;
  if (Status s = store_->put_access_token(rec); !s.is_ok()) {
    return fail<R>(Code::kError, "", s.to_string());
  }
  return r;
}

Result<store::Account> SessionService::authenticate(const std::string& token) {
  if (token.empty() || token.size() > 256) return fail<store::Account>(Code::kIamFailed);
  const store::KeyHash hash = hash_token(token);
  auto rec = store_->find_access_token(hash);
  if (!rec.is_ok()) {
    if (rec.status().code() == StatusCode::kNotFound) return fail<store::Account>(Code::kIamFailed);
    return fail<store::Account>(Code::kError, "", rec.status().to_string());
  }
  if (!store::same_hash(rec->hash, hash) || rec->expires_at_ms <= now_ms_()) {
    return fail<store::Account>(Code::kIamFailed);
  }
  return active_account(rec->customer_id);
}

Result<IssuedSignatureId> SessionService::generate_signature_id(const store::Account& account,
                                                                const std::string& product_level,
                                                                const std::string& liveness_type) {
  using R = IssuedSignatureId;
  if (product_level != "STANDARD" && product_level != "PRO") {
    return fail<R>(Code::kParameterError, kMsgIllegal);
  }
  if (liveness_type != "DISTANT_NEAR") return fail<R>(Code::kParameterError, kMsgIllegal);
  const std::int64_t now = now_ms_();
  store::LivenessSession s;
  s.signature_id = random_token(24);
  s.customer_id = account.customer_id;
  s.nonce = random_token(16);
  s.product_level = product_level;
  s.liveness_type = liveness_type;
  s.created_at_ms = now;
  s.expires_at_ms = now + config_.signature_ttl_ms;
  if (Status st = store_->put_liveness_session(s); !st.is_ok()) {
    return fail<R>(Code::kError, "", st.to_string());
  }
  Result<R> r;
  r.value = {s.signature_id, s.nonce, s.expires_at_ms};
  return r;
}

Result<IssuedLicense> SessionService::auth_license(
    const store::Account& account, std::optional<std::int64_t> seconds,
    const std::vector<std::string>& application_ids) {
  using R = IssuedLicense;
  const std::int64_t secs = seconds.value_or(kDefaultLicenseSeconds);
  if (secs < kMinLicenseSeconds || secs > kMaxLicenseSeconds) {
    return fail<R>(Code::kParameterError, kMsgIllegal);
  }
  for (const auto& id : application_ids) {
    if (id.empty() || id.size() > 256) return fail<R>(Code::kParameterError, kMsgIllegal);
  }
  const std::int64_t now = now_ms_();
  Result<R> r;
  r.value.license = random_token(32);
  r.value.expires_at_ms = now + secs * 1000;
  store::LicenseRecord rec;
  rec.hash = hash_token(r.value.license);
  rec.customer_id = account.customer_id;
  rec.application_ids = application_ids;
  rec.created_at_ms = now;
  rec.expires_at_ms = r.value.expires_at_ms;
  if (Status s = store_->put_license(rec); !s.is_ok())
    return fail<R>(Code::kError, "", s.to_string());
  return r;
}

Outcome SessionService::revoke_license(const store::Account& account, const std::string& license) {
  if (license.empty()) return fail_outcome(Code::kParameterError, kMsgEmpty);
  Status s = store_->revoke_license(hash_token(license), account.customer_id, now_ms_());
  if (s.code() == StatusCode::kNotFound) {
    return fail_outcome(Code::kParameterError, "License does not exist");
  }
  if (!s.is_ok()) return fail_outcome(Code::kError, "", s.to_string());
  return {};
}

Result<store::Account> SessionService::check_license(
    const std::string& license, const std::optional<std::string>& application_id) {
  using R = store::Account;
  if (license.empty() || license.size() > 256) return fail<R>(Code::kIamFailed);
  const store::KeyHash hash = hash_token(license);
  auto rec = store_->find_license(hash);
  if (!rec.is_ok()) {
    if (rec.status().code() == StatusCode::kNotFound) return fail<R>(Code::kIamFailed);
    return fail<R>(Code::kError, "", rec.status().to_string());
  }
  if (!store::same_hash(rec->hash, hash) || rec->revoked_at_ms || rec->expires_at_ms <= now_ms_()) {
    return fail<R>(Code::kIamFailed);
  }
  // The list binds a license to the customer's apps; it is checked when the SDK names one.
  if (application_id && !rec->application_ids.empty() &&
      std::find(rec->application_ids.begin(), rec->application_ids.end(), *application_id) ==
          rec->application_ids.end()) {
    return fail<R>(Code::kIamFailed, "The license is not valid for this applicationId");
  }
  return active_account(rec->customer_id);
}

Result<store::LivenessSession> SessionService::begin_capture(const store::Account& account,
                                                             const std::string& signature_id) {
  using R = store::LivenessSession;
  auto s = store_->find_liveness_session(signature_id);
  if (!s.is_ok()) {
    if (s.status().code() == StatusCode::kNotFound) {
      return fail<R>(Code::kParameterError, "signatureId does not exist");
    }
    return fail<R>(Code::kError, "", s.status().to_string());
  }
  if (s->customer_id != account.customer_id) {
    return fail<R>(Code::kParameterError, "signatureId does not exist");
  }
  if (s->liveness_id) return fail<R>(Code::kParameterError, "signatureId has already been used");
  if (s->expires_at_ms <= now_ms_()) return fail<R>(Code::kParameterError, "signatureId expired");
  auto attempts = store_->add_capture_attempt(signature_id);
  if (!attempts.is_ok()) return fail<R>(Code::kError, "", attempts.status().to_string());
  if (attempts.value() > config_.max_capture_attempts) {
    return fail<R>(Code::kParameterError, "Too many capture attempts for this signatureId");
  }
  s->attempts = attempts.value();
  Result<R> r;
  r.value = std::move(s).value();
  return r;
}

Outcome SessionService::finish_capture(store::LivenessSession& result, const Bytes& far,
                                       const Bytes& near,
                                       const std::vector<std::uint64_t>& frame_hashes) {
  const std::int64_t now = now_ms_();
  result.liveness_id = store::generate_uuid_v4();
  result.completed_at_ms = now;
  result.images_expire_at_ms = now + config_.image_retention_ms;
  if (Status s = images_.write(*result.liveness_id, far, near, result.analysis_json); !s.is_ok()) {
    return fail_outcome(Code::kError, "", s.to_string());
  }
  Status s = store_->complete_liveness_session(result, frame_hashes);
  if (!s.is_ok()) {
    (void)images_.remove(*result.liveness_id);  // nothing refers to them
    if (s.code() == StatusCode::kInvalidArgument) {
      return fail_outcome(Code::kParameterError, "signatureId has already been used");
    }
    return fail_outcome(Code::kError, "", s.to_string());
  }
  return {};
}

std::vector<std::uint64_t> SessionService::recent_frame_hashes() {
  // Bounded: the comparison is linear in the history (Hamming distance per hash, ~ns each).
  constexpr int kMaxHashes = 100'000;
  auto h = store_->recent_frame_hashes(now_ms_() - 30LL * 24 * 3600 * 1000, kMaxHashes);
  return h.is_ok() ? std::move(h).value() : std::vector<std::uint64_t>{};
}

Result<store::LivenessSession> SessionService::find_result(const store::Account& account,
                                                           const std::string& liveness_id,
                                                           const std::string& signature_id) {
  using R = store::LivenessSession;
  if (liveness_id.empty() && signature_id.empty()) return fail<R>(Code::kParameterError, kMsgEmpty);
  auto s = liveness_id.empty() ? store_->find_liveness_session(signature_id)
                               : store_->find_liveness_result(liveness_id);
  if (!s.is_ok()) {
    if (s.status().code() == StatusCode::kNotFound) return fail<R>(Code::kLivenessIdNotExisted);
    return fail<R>(Code::kError, "", s.status().to_string());
  }
  if (s->customer_id != account.customer_id) return fail<R>(Code::kLivenessIdNotExisted);
  if (!s->liveness_id || s->cleared_at_ms) return fail<R>(Code::kResultNotFound);
  Result<R> r;
  r.value = std::move(s).value();
  return r;
}

bool SessionService::images_available(const store::LivenessSession& s) const {
  return s.liveness_id && !s.images_deleted_at_ms && !s.cleared_at_ms &&
         s.images_expire_at_ms.value_or(0) > now_ms_();
}

std::string SessionService::media_url(const store::LivenessSession& s,
                                      const std::string& file) const {
  const std::int64_t now_s = now_ms_() / 1000;
  const std::int64_t expires_s =
      std::min(now_s + kMediaUrlTtlS, s.images_expire_at_ms.value_or(0) / 1000);
  return signer_.sign("/media/v1/" + s.liveness_id.value_or("") + "/" + file, expires_s);
}

Outcome SessionService::clear_data(const store::Account& account, const std::string& liveness_id) {
  if (liveness_id.empty()) return fail_outcome(Code::kParameterError, kMsgEmpty);
  auto s = store_->find_liveness_result(liveness_id);
  if (!s.is_ok()) {
    if (s.status().code() == StatusCode::kNotFound)
      return fail_outcome(Code::kLivenessIdNotExisted);
    return fail_outcome(Code::kError, "", s.status().to_string());
  }
  if (s->customer_id != account.customer_id) return fail_outcome(Code::kLivenessIdNotExisted);
  // Files first, then the row: if the row update fails the call fails and may be repeated.
  if (Status st = images_.remove(liveness_id); !st.is_ok()) {
    return fail_outcome(Code::kError, "", st.to_string());
  }
  if (Status st = store_->clear_liveness_result(liveness_id, now_ms_()); !st.is_ok()) {
    return fail_outcome(Code::kError, "", st.to_string());
  }
  return {};
}

StatusOr<AccessKeyPair> create_access_key(store::Store& store, const MasterKey& master_key,
                                          const std::string& customer_id, std::int64_t now_ms) {
  auto account = store.get_account(customer_id);
  if (!account.is_ok()) return account.status();
  AccessKeyPair pair = generate_access_key_pair();
  store::AccessKeyRecord rec;
  rec.access_key = pair.access_key;
  rec.customer_id = customer_id;
  rec.sealed_secret = master_key.seal(pair.secret_key);
  rec.created_at_ms = now_ms;
  if (Status s = store.put_access_key(rec); !s.is_ok()) return s;
  return pair;
}

}  // namespace livecheck::sessions
