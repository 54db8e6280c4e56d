// SessionService: the session-liveness calls of docs/SESSIONS.md without HTTP or JSON — access
// tokens, signatureIds, licenses, result lookup, clear-data and signed media URLs. The API layer
// (src/api/session_handlers.cpp) parses requests, runs the engine for captures and renders the
// vendor envelope from the Outcome codes returned here.
//
// Ownership: borrows the Store (must outlive the service); owns its MasterKey, UrlSigner and
// ImageStore.
// Errors: every call returns an Outcome whose code is the wire code (SUCCESS, PARAMETER_ERROR,
// IAM_FAILED, ...); store failures become kError and are logged by the caller via `detail`.
// Thread safety: all methods may be called concurrently from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sessions/access_keys.h"
#include "sessions/image_store.h"
#include "sessions/url_signing.h"
#include "store/store.h"

namespace livecheck::sessions {

// The wire codes (docs/SESSIONS.md "Error codes").
enum class Code {
  kSuccess,
  kRetry,
  kParameterError,
  kIamFailed,
  kAccountDisabled,
  kLivenessIdNotExisted,
  kResultNotFound,
  kQuotaExceeded,
  kClientError,
  kError,
};
const char* code_name(Code code);        // "SUCCESS", "PARAMETER_ERROR", ...
const char* default_message(Code code);  // "OK", "Parameter error, please check you input.", ...

inline constexpr const char* kMsgEmpty = "Parameter should not be empty";
inline constexpr const char* kMsgIllegal =
    "Parameter error, please check your request whether has illegal parameters";

struct Outcome {
  Code code = Code::kSuccess;
  std::string message;  // shown to the caller; default_message(code) when empty
  std::string detail;   // for the log only (store errors); never shown
  bool ok() const { return code == Code::kSuccess; }
};
template <typename T>
struct Result : Outcome {
  T value{};
};

struct SessionConfig {
  std::string image_dir = "data/sessions";
  std::int64_t image_retention_ms = 24LL * 3600 * 1000;
  std::int64_t signature_ttl_ms = 10LL * 60 * 1000;
  int max_capture_attempts = 5;
};

struct TokenRequest {
  std::string access_key;
  std::string timestamp;  // 13-digit epoch ms, as sent (it is part of the signed text)
  std::string signature;
  std::optional<std::int64_t> period_s;
};
struct IssuedToken {
  std::string token;
  std::int64_t expires_at_ms = 0;
};
struct IssuedSignatureId {
  std::string signature_id;
  std::string nonce;
  std::int64_t expires_at_ms = 0;
};
struct IssuedLicense {
  std::string license;
  std::int64_t expires_at_ms = 0;
};

inline constexpr std::int64_t kMinLicenseSeconds = 60;
inline constexpr std::int64_t kMaxLicenseSeconds = 86'400;
inline constexpr std::int64_t kDefaultLicenseSeconds = 600;

class SessionService {
 public:
  SessionService(SessionConfig config, store::Store* store, MasterKey master_key, UrlSigner signer,
                 std::function<std::int64_t()> now_ms);

  Result<IssuedToken> generate_token(const TokenRequest& request);
  // X-ACCESS-TOKEN -> its active account. IAM_FAILED for a missing, unknown or expired token;
  // ACCOUNT_DISABLED when the account was suspended after the token was issued.
  Result<store::Account> authenticate(const std::string& token);

  Result<IssuedSignatureId> generate_signature_id(const store::Account& account,
                                                  const std::string& product_level,
                                                  const std::string& liveness_type);
  Result<IssuedLicense> auth_license(const store::Account& account,
                                     std::optional<std::int64_t> seconds,
                                     const std::vector<std::string>& application_ids);
  Outcome revoke_license(const store::Account& account, const std::string& license);

  // X-LICENSE (and the applicationId the SDK sent, if any) -> the license's active account.
  Result<store::Account> check_license(const std::string& license,
                                       const std::optional<std::string>& application_id);
  // The session a capture may use: the account's, unexpired, without a result, under the attempt
  // limit. Counts the attempt.
  Result<store::LivenessSession> begin_capture(const store::Account& account,
                                               const std::string& signature_id);
  // Stores images and result; sets liveness_id, completion time and image expiry on `result`.
  Outcome finish_capture(store::LivenessSession& result, const Bytes& far, const Bytes& near,
                         const std::vector<std::uint64_t>& frame_hashes);
  // Recent frame hashes of all sessions, for the re-use signal.
  std::vector<std::uint64_t> recent_frame_hashes();

  // The account's session by livenessId (preferred when both are given) or signatureId.
  // LIVENESS_ID_NOT_EXISTED when unknown or another account's; RESULT_NOT_FOUND when never
  // captured or cleared.
  Result<store::LivenessSession> find_result(const store::Account& account,
                                             const std::string& liveness_id,
                                             const std::string& signature_id);
  // True when the session's images may still be served.
  bool images_available(const store::LivenessSession& s) const;
  // "/media/v1/<id>/<file>?expires=...&sig=..." valid for kMediaUrlTtlS (never beyond the
  // images' retention).
  std::string media_url(const store::LivenessSession& s, const std::string& file) const;
  Outcome clear_data(const store::Account& account, const std::string& liveness_id);

  const ImageStore& images() const { return images_; }
  const UrlSigner& signer() const { return signer_; }
  store::Store& store() { return *store_; }
  std::int64_t now_ms() const { return now_ms_(); }

 private:
  Result<store::Account> active_account(const std::string& customer_id);

  SessionConfig config_;
  store::Store* store_;
  MasterKey master_key_;
  UrlSigner signer_;
  ImageStore images_;
  std::function<std::int64_t()> now_ms_;
};

// Creates an access key pair for an existing account (admin CLI, later the console); the secret
// is returned once and stored sealed. not_found for an unknown account.
StatusOr<AccessKeyPair> create_access_key(store::Store& store, const MasterKey& master_key,
                                          const std::string& customer_id, std::int64_t now_ms);

}  // namespace livecheck::sessions
