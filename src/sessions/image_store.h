// Where a session's images live: <dir>/<livenessId>/{far.jpg, near.jpg, audit.zip}. The frames
// are kept byte for byte as the SDK sent them (a PNG keeps its bytes under the .jpg name; the
// media route sends the type the bytes have). The audit zip holds both frames and analysis.json.
//
// Errors: io_error for file system failures; not_found for a missing file; invalid_argument for a
// liveness id or file name outside the allowed set (no path ever comes from a caller unchecked).
// Thread safety: no shared state; concurrent calls on different ids are safe, and a remove()
// racing a read() on the same id yields either the bytes or not_found.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "livecheck/status.h"

namespace livecheck::sessions {

inline constexpr const char* kFarFile = "far.jpg";
inline constexpr const char* kNearFile = "near.jpg";
inline constexpr const char* kAuditFile = "audit.zip";

using Bytes = std::vector<std::uint8_t>;

class ImageStore {
 public:
  explicit ImageStore(std::string dir) : dir_(std::move(dir)) {}

  // Writes the three files (into a temporary folder, then renamed into place).
  Status write(const std::string& liveness_id, const Bytes& far, const Bytes& near,
               const std::string& analysis_json) const;
  StatusOr<Bytes> read(const std::string& liveness_id, const std::string& file) const;
  // Deletes the session's folder; ok when it does not exist.
  Status remove(const std::string& liveness_id) const;

  const std::string& dir() const { return dir_; }
  static bool valid_id(const std::string& liveness_id);
  static bool valid_file(const std::string& file);

 private:
  std::string dir_;
};

}  // namespace livecheck::sessions
