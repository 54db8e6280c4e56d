#include "sessions/image_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sessions/audit_zip.h"

namespace livecheck::sessions {
namespace fs = std::filesystem;

namespace {

Status write_file(const fs::path& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return Status::io_error("cannot write " + path.filename().string());
  return Status::ok();
}

}  // namespace

bool ImageStore::valid_id(const std::string& id) {
  // Ids are server-made UUIDs; anything else never reaches the file system.
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
  });
}

bool ImageStore::valid_file(const std::string& file) {
  return file == kFarFile || file == kNearFile || file == kAuditFile;
}

Status ImageStore::write(const std::string& liveness_id, const Bytes& far, const Bytes& near,
                         const std::string& analysis_json) const {
  if (!valid_id(liveness_id)) return Status::invalid_argument("bad liveness id");
  std::error_code ec;
  const fs::path final_dir = fs::path(dir_) / liveness_id;
  const fs::path tmp = fs::path(dir_) / (".tmp-" + liveness_id);
  fs::create_directories(tmp, ec);
  if (ec) return Status::io_error("cannot create the session image folder: " + ec.message());
  const Bytes analysis(analysis_json.begin(), analysis_json.end());
  Status s = write_file(tmp / kFarFile, far);
  if (s.is_ok()) s = write_file(tmp / kNearFile, near);
  if (s.is_ok()) {
    s = write_zip((tmp / kAuditFile).string(),
                  {{kFarFile, &far}, {kNearFile, &near}, {"analysis.json", &analysis}});
  }
  // Rename: a reader sees all three files or none.
  if (s.is_ok()) {
    fs::rename(tmp, final_dir, ec);
    if (ec) s = Status::io_error("cannot move the session image folder: " + ec.message());
  }
  if (!s.is_ok()) fs::remove_all(tmp, ec);
  return s;
}

StatusOr<Bytes> ImageStore::read(const std::string& liveness_id, const std::string& file) const {
  if (!valid_id(liveness_id) || !valid_file(file)) {
    return Status::invalid_argument("bad liveness id or file");
  }
  std::ifstream in(fs::path(dir_) / liveness_id / file, std::ios::binary);
  if (!in) return Status::not_found("no such image");
  Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::io_error("cannot read the image");
  return out;
}

Status ImageStore::remove(const std::string& liveness_id) const {
  if (!valid_id(liveness_id)) return Status::invalid_argument("bad liveness id");
  std::error_code ec;
  fs::remove_all(fs::path(dir_) / liveness_id, ec);
  if (ec) return Status::io_error("cannot delete session images: " + ec.message());
  return Status::ok();
}

}  // namespace livecheck::sessions
