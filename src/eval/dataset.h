// What `livecheck eval` evaluates: a list of labelled image files, read from a TSV manifest or
// from a folder laid out as live/, spoof/<attack type>/, noface/, multiface/.
// Errors: functions return Status (invalid_argument for malformed input, not_found / io_error for
// files); nothing throws.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "livecheck/status.h"

namespace livecheck::eval {

// live / spoof: a presentation-attack-detection sample (bona fide or attack).
// noface: an image without any face (correct answer: no face detected).
// multiface: an image with two or more faces (correct answer: face count >= 2).
enum class Label { kLive, kSpoof, kNoFace, kMultiFace };
inline constexpr Label kAllLabels[] = {Label::kLive, Label::kSpoof, Label::kNoFace,
                                       Label::kMultiFace};

const char* label_name(Label label);
std::optional<Label> parse_label(const std::string& name);

// Attack type of a spoof row whose attack_type is empty or "-".
inline constexpr const char* kUnknownAttackType = "unknown";

struct EvalItem {
  std::string path;            // as written in the manifest / relative to the folder
  std::filesystem::path file;  // resolved file to read
  Label label = Label::kLive;
  std::string attack_type;  // spoof only; "" otherwise
  std::string source;       // manifest `source` column, "" when absent
  std::vector<std::pair<std::string, std::string>> extra;  // other manifest columns, in order
};

struct Dataset {
  std::vector<EvalItem> items;
  bool has_source = false;           // the manifest has a `source` column
  std::vector<std::string> skipped;  // rows not evaluated (videos), with the reason
};

// Reads a TSV manifest with a header row. Required columns: path, label, attack_type; other
// columns are kept. Paths are relative to `root` (absolute paths are used as they are). Rows whose
// path is a video (.mp4, .webm, .avi, .mov, .mkv) are skipped and listed in Dataset::skipped.
Status read_manifest(const std::filesystem::path& manifest, const std::filesystem::path& root,
                     Dataset* out);

// Collects every non-hidden entry that is not a folder (symlinks followed; dangling ones are kept
// so that they are reported as failures) under dir/live, dir/spoof/<type>
// (files directly in spoof/ get type "unknown"), dir/noface and dir/multiface, sorted by path.
// invalid_argument when none of these folders exists or they hold no file.
Status scan_folder(const std::filesystem::path& dir, Dataset* out);

}  // namespace livecheck::eval
