// The API's error vocabulary: one table maps each code to its HTTP status and default message,
// and one exception type carries a code from anywhere in a handler to the single wrapper
// (handlers.cpp: run_handler) that turns it into the error JSON. Nobody builds error JSON by hand.
#pragma once

#include <stdexcept>
#include <string>

namespace livecheck::api {

enum class ErrorCode {
  kInvalidRequest,
  kInvalidImage,
  kInvalidApiKey,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kPayloadTooLarge,
  kQuotaExceeded,
  kServiceUnavailable,
  kInternalError,
};

struct ErrorInfo {
  ErrorCode code;
  const char* name;             // wire name, e.g. "invalid_request"
  unsigned http_status;         // e.g. 400
  const char* default_message;  // safe to show to any caller
};

const ErrorInfo& error_info(ErrorCode code);

// Thrown by handlers; the message is shown to the caller, so it must never contain internals
// (paths, SQL, library messages). Log those separately.
class ApiError : public std::runtime_error {
 public:
  explicit ApiError(ErrorCode code) : ApiError(code, error_info(code).default_message) {}
  ApiError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace livecheck::api
