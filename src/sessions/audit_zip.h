// The audit archive of a session (libzip): far.jpg, near.jpg and analysis.json, stored without
// compression (JPEG does not compress further; the JSON is small).
// Errors: io_error with libzip's message. Thread safety: no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "livecheck/status.h"

namespace livecheck::sessions {

struct ZipEntry {
  std::string name;
  const std::vector<std::uint8_t>* data;  // not owned; must outlive the call
};

Status write_zip(const std::string& path, const std::vector<ZipEntry>& entries);

}  // namespace livecheck::sessions
