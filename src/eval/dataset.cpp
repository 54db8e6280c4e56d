#include "dataset.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <system_error>

namespace livecheck::eval {
namespace fs = std::filesystem;
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_video(const std::string& path) {
  static const char* const kVideoExtensions[] = {".mp4", ".webm", ".avi", ".mov", ".mkv"};
  const std::string ext = lower(fs::path(path).extension().string());
  return std::find(std::begin(kVideoExtensions), std::end(kVideoExtensions), ext) !=
         std::end(kVideoExtensions);
}

std::string normalise_attack_type(const std::string& type) {
  return type.empty() || type == "-" ? kUnknownAttackType : type;
}

// Appends the files under `folder` (recursively when asked, sorted), paths relative to `base`, with
// the given label and type.
Status collect(const fs::path& base, const fs::path& folder, Label label, const std::string& type,
               bool recursive, std::vector<EvalItem>* out) {
  std::error_code ec;
  std::vector<fs::path> files;
  // Anything that is not a folder is taken, dangling symlinks included: a file that cannot be
  // read is reported as a failure, not skipped.
  auto take = [&](const fs::directory_entry& e) {
    const std::string name = e.path().filename().string();
    std::error_code type_ec;
    if (!name.empty() && name[0] != '.' && !e.is_directory(type_ec)) files.push_back(e.path());
  };
  if (recursive) {
    fs::recursive_directory_iterator it(folder, fs::directory_options::follow_directory_symlink,
                                        ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        std::error_code type_ec;
        if (it->is_directory(type_ec)) it.disable_recursion_pending();
        continue;
      }
      take(*it);
    }
  } else {
    fs::directory_iterator it(folder, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) take(*it);
  }
  if (ec) return Status::io_error("cannot list " + folder.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    EvalItem item;
    item.path = f.lexically_relative(base).generic_string();
    item.file = f;
    item.label = label;
    item.attack_type = type;
    out->push_back(std::move(item));
  }
  return Status::ok();
}

}  // namespace

const char* label_name(Label label) {
  switch (label) {
    case Label::kLive:
      return "live";
    case Label::kSpoof:
      return "spoof";
    case Label::kNoFace:
      return "noface";
    case Label::kMultiFace:
      return "multiface";
  }
  return "?";
}

std::optional<Label> parse_label(const std::string& name) {
  for (const Label l : kAllLabels) {
    if (name == label_name(l)) return l;
  }
  return std::nullopt;
}

Status read_manifest(const fs::path& manifest, const fs::path& root, Dataset* out) {
  std::ifstream in(manifest);
  if (!in) return Status::not_found("cannot open manifest " + manifest.string());
  std::string line;
  if (!std::getline(in, line)) return Status::invalid_argument("manifest is empty");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string> header = split_tabs(line);
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column.emplace(header[i], i);
  for (const char* required : {"path", "label", "attack_type"}) {
    if (!column.contains(required)) {
      return Status::invalid_argument(std::string("manifest has no '") + required +
                                      "' column (a header row with path, label, attack_type "
                                      "separated by tabs is required)");
    }
  }
  const std::size_t path_col = column["path"], label_col = column["label"],
                    type_col = column["attack_type"];
  const auto source_it = column.find("source");
  out->has_source = source_it != column.end();

  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> f = split_tabs(line);
    if (f.size() < header.size()) f.resize(header.size());
    const std::string where = manifest.string() + ":" + std::to_string(line_no);
    const std::string& path = f[path_col];
    if (path.empty()) return Status::invalid_argument(where + ": empty path");
    if (is_video(path)) {
      out->skipped.push_back(path + " (video)");
      continue;
    }
    const auto label = parse_label(f[label_col]);
    if (!label) {
      return Status::invalid_argument(where + ": label '" + f[label_col] +
                                      "' is not one of live, spoof, noface, multiface");
    }
    EvalItem item;
    item.path = path;
    item.file = fs::path(path).is_absolute() ? fs::path(path) : root / path;
    item.label = *label;
    item.attack_type = *label == Label::kSpoof ? normalise_attack_type(f[type_col]) : "";
    if (out->has_source) item.source = f[source_it->second];
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (i != path_col && i != label_col && i != type_col)
        item.extra.emplace_back(header[i], f[i]);
    }
    out->items.push_back(std::move(item));
  }
  if (out->items.empty()) return Status::invalid_argument("manifest lists no image");
  return Status::ok();
}

Status scan_folder(const fs::path& dir, Dataset* out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::not_found("no such folder: " + dir.string());
  bool any_folder = false;
  auto add = [&](const fs::path& folder, Label label, const std::string& type,
                 bool recursive) -> Status {
    if (!fs::is_directory(folder, ec)) return Status::ok();
    any_folder = true;
    return collect(dir, folder, label, type, recursive, &out->items);
  };
  for (const auto& [name, label] :
       {std::pair{"live", Label::kLive}, std::pair{"noface", Label::kNoFace},
        std::pair{"multiface", Label::kMultiFace}}) {
    if (Status s = add(dir / name, label, "", true); !s.is_ok()) return s;
  }
  const fs::path spoof = dir / "spoof";
  if (fs::is_directory(spoof, ec)) {
    if (Status s = add(spoof, Label::kSpoof, kUnknownAttackType, false); !s.is_ok()) return s;
    std::vector<fs::path> types;
    for (fs::directory_iterator it(spoof, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] != '.' && it->is_directory(ec)) types.push_back(it->path());
    }
    std::sort(types.begin(), types.end());
    for (const auto& t : types) {
      if (Status s = add(t, Label::kSpoof, t.filename().string(), true); !s.is_ok()) return s;
    }
  }
  if (!any_folder) {
    return Status::invalid_argument(dir.string() +
                                    " has none of live/, spoof/<type>/, noface/, multiface/");
  }
  if (out->items.empty()) return Status::invalid_argument(dir.string() + " holds no image file");
  return Status::ok();
}

}  // namespace livecheck::eval
