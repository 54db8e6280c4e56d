#include "sessions/audit_zip.h"

#include <zip.h>

namespace livecheck::sessions {

Status write_zip(const std::string& path, const std::vector<ZipEntry>& entries) {
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    Status s = Status::io_error(std::string("zip_open: ") + zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return s;
  }
  for (const ZipEntry& e : entries) {
    // freep = 0: the caller keeps the buffer alive until zip_close() below has written it.
    zip_source_t* src = zip_source_buffer(za, e.data->data(), e.data->size(), 0);
    if (!src) break;
    const zip_int64_t idx = zip_file_add(za, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(src);
      break;
    }
    zip_set_file_compression(za, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
  }
  const std::string add_error =
      zip_get_num_entries(za, 0) == static_cast<zip_int64_t>(entries.size()) ? ""
                                                                             : zip_strerror(za);
  if (!add_error.empty()) {
    zip_discard(za);
    return Status::io_error("zip_file_add: " + add_error);
  }
  if (zip_close(za) != 0) {
    Status s = Status::io_error(std::string("zip_close: ") + zip_strerror(za));
    zip_discard(za);
    return s;
  }
  return Status::ok();
}

}  // namespace livecheck::sessions
