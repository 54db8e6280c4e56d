// Status values returned by the livecheck engine. Exceptions never cross the engine's public API:
// every fallible call returns a Status (or a StatusOr<T>), in the style of leveldb.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace livecheck {

enum class StatusCode {
  kOk = 0,
  kInvalidImage,     // bytes are not a usable JPEG/PNG, or no face was detected
  kInvalidArgument,  // a caller-supplied option is out of range
  kNotFound,         // a file (model, image) does not exist
  kIoError,          // a file exists but could not be read
  kModelError,       // the model pack is malformed, mismatching (sha256) or cannot be loaded
  kInternal,         // a bug or an unexpected library failure; the message is safe to log
};

// The invalid_image message when the picture holds no face; callers (eval, the API) may test
// for it to tell "no face" from "undecodable".
inline constexpr const char* kNoFaceDetectedMessage = "No face was detected";

// Stable snake_case name of a code ("invalid_image", ...), used by the CLI and the API.
const char* status_code_name(StatusCode code);

class Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid_image(std::string m) { return {StatusCode::kInvalidImage, std::move(m)}; }
  static Status invalid_argument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status model_error(std::string m) { return {StatusCode::kModelError, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_image: No face was detected"
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace livecheck
