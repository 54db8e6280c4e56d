#include "api/errors.h"

namespace livecheck::api {

const ErrorInfo& error_info(ErrorCode code) {
  static const ErrorInfo kTable[] = {
      {ErrorCode::kInvalidRequest, "invalid_request", 400, "The request is malformed."},
      {ErrorCode::kInvalidImage, "invalid_image", 400, "The image cannot be used."},
      {ErrorCode::kInvalidApiKey, "invalid_api_key", 401, "The API key is missing or invalid."},
      {ErrorCode::kForbidden, "forbidden", 403, "Access to this resource is denied."},
      {ErrorCode::kNotFound, "not_found", 404, "No such endpoint."},
      {ErrorCode::kMethodNotAllowed, "method_not_allowed", 405,
       "This method is not allowed on this endpoint."},
      {ErrorCode::kPayloadTooLarge, "payload_too_large", 413, "The request body exceeds 14 MiB."},
      {ErrorCode::kQuotaExceeded, "quota_exceeded", 429,
       "The monthly call limit has been reached."},
      {ErrorCode::kServiceUnavailable, "service_unavailable", 503,
       "The service is temporarily unavailable. Retry later."},
      {ErrorCode::kInternalError, "internal_error", 500, "An internal error occurred."},
  };
  for (const ErrorInfo& e : kTable) {
    if (e.code == code) return e;
  }
  return kTable[sizeof kTable / sizeof kTable[0] - 1];
}

}  // namespace livecheck::api
