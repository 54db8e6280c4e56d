// Reading the eval inputs: TSV manifests and live/ spoof/<type>/ folders.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dataset.h"

namespace livecheck::eval {
namespace {
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "eval_dataset_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& rel, const std::string& text = "x") const {
    const fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }

 private:
  fs::path path_;
};

TEST(EvalDataset, ManifestKeepsExtraColumnsAndResolvesPathsAgainstRoot) {
  TempDir dir;
  const fs::path m = dir.write("m.tsv",
                               "path\tlabel\tattack_type\tsource\tnotes\r\n"
                               "live/a.png\tlive\t-\towner/repo\tfull-frame\r\n"
                               "spoof/b.png\tspoof\tprint\towner/repo\tface-crop\r\n"
                               "spoof/c.png\tspoof\t-\tother/repo\t\r\n"
                               "\r\n"
                               "videos/v.webm\tspoof\treplay\towner/repo\tvideo\r\n"
                               "/abs/noface.jpg\tnoface\t-\t\t\n");
  Dataset d;
  ASSERT_TRUE(read_manifest(m, "/data", &d).is_ok());
  ASSERT_EQ(d.items.size(), 4u);
  EXPECT_TRUE(d.has_source);
  EXPECT_EQ(d.items[0].path, "live/a.png");
  EXPECT_EQ(d.items[0].file, fs::path("/data/live/a.png"));
  EXPECT_EQ(d.items[0].label, Label::kLive);
  EXPECT_EQ(d.items[0].attack_type, "");
  EXPECT_EQ(d.items[0].source, "owner/repo");
  ASSERT_EQ(d.items[0].extra.size(), 2u);  // source and notes, \r stripped
  EXPECT_EQ(d.items[0].extra[1].first, "notes");
  EXPECT_EQ(d.items[0].extra[1].second, "full-frame");
  EXPECT_EQ(d.items[1].attack_type, "print");
  EXPECT_EQ(d.items[2].attack_type, kUnknownAttackType);  // "-" on a spoof row
  EXPECT_EQ(d.items[3].label, Label::kNoFace);
  EXPECT_EQ(d.items[3].file, fs::path("/abs/noface.jpg"));  // absolute paths kept
  ASSERT_EQ(d.skipped.size(), 1u);                          // the video, listed not dropped
  EXPECT_NE(d.skipped[0].find("videos/v.webm"), std::string::npos);
}

TEST(EvalDataset, ManifestColumnsMayComeInAnyOrderAndSourceIsOptional) {
  TempDir dir;
  const fs::path m = dir.write("m.tsv",
                               "label\tattack_type\tpath\n"
                               "multiface\t-\tgroup.jpg\n");
  Dataset d;
  ASSERT_TRUE(read_manifest(m, dir.path(), &d).is_ok());
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_FALSE(d.has_source);
  EXPECT_EQ(d.items[0].label, Label::kMultiFace);
  EXPECT_EQ(d.items[0].file, dir.path() / "group.jpg");
}

TEST(EvalDataset, ManifestErrorsNameTheProblem) {
  TempDir dir;
  Dataset d;
  Status s = read_manifest(dir.write("a.tsv", "path\tlabel\nx.png\tlive\n"), "/", &d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("attack_type"), std::string::npos);

  d = {};
  s = read_manifest(dir.write("b.tsv", "path\tlabel\tattack_type\nx.png\tfake\t-\n"), "/", &d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(":2:"), std::string::npos);  // line number
  EXPECT_NE(s.message().find("fake"), std::string::npos);

  d = {};
  s = read_manifest(dir.write("c.tsv", "path\tlabel\tattack_type\n"), "/", &d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);

  d = {};
  s = read_manifest(dir.path() / "missing.tsv", "/", &d);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST(EvalDataset, FolderLayoutGivesLabelsAndAttackTypes) {
  TempDir dir;
  dir.write("set/live/a.png");
  dir.write("set/live/sub/b.jpg");
  dir.write("set/live/.hidden.png");
  dir.write("set/spoof/print/c.png");
  dir.write("set/spoof/replay/d.png");
  dir.write("set/spoof/e.png");
  dir.write("set/noface/f.jpg");
  dir.write("set/multiface/g.jpg");
  dir.write("set/other/ignored.png");
  fs::create_symlink(dir.path() / "set/live/a.png", dir.path() / "set/live/link.png");
  fs::create_symlink(dir.path() / "nowhere.png", dir.path() / "set/live/dangling.png");

  Dataset d;
  ASSERT_TRUE(scan_folder(dir.path() / "set", &d).is_ok());
  std::map<std::string, std::pair<Label, std::string>> got;
  for (const auto& it : d.items) got[it.path] = {it.label, it.attack_type};
  ASSERT_EQ(got.size(), 9u);
  EXPECT_EQ(got.at("live/a.png").first, Label::kLive);
  EXPECT_EQ(got.at("live/sub/b.jpg").first, Label::kLive);
  EXPECT_TRUE(got.contains("live/link.png"));
  EXPECT_TRUE(got.contains("live/dangling.png"));  // reported as a failure later, not dropped
  EXPECT_EQ(got.at("spoof/print/c.png"), std::make_pair(Label::kSpoof, std::string("print")));
  EXPECT_EQ(got.at("spoof/replay/d.png"), std::make_pair(Label::kSpoof, std::string("replay")));
  EXPECT_EQ(got.at("spoof/e.png").second, kUnknownAttackType);
  EXPECT_EQ(got.at("noface/f.jpg").first, Label::kNoFace);
  EXPECT_EQ(got.at("multiface/g.jpg").first, Label::kMultiFace);
  EXPECT_FALSE(d.has_source);
}

TEST(EvalDataset, FolderWithoutTheLayoutIsRejected) {
  TempDir dir;
  dir.write("set/images/a.png");
  Dataset d;
  EXPECT_EQ(scan_folder(dir.path() / "set", &d).code(), StatusCode::kInvalidArgument);
  fs::create_directories(dir.path() / "empty/live");
  d = {};
  EXPECT_EQ(scan_folder(dir.path() / "empty", &d).code(), StatusCode::kInvalidArgument);
  d = {};
  EXPECT_EQ(scan_folder(dir.path() / "missing", &d).code(), StatusCode::kNotFound);
}

TEST(EvalDataset, LabelNamesRoundTrip) {
  for (const Label l : kAllLabels) EXPECT_EQ(parse_label(label_name(l)), l);
  EXPECT_FALSE(parse_label("attack").has_value());
}

}  // namespace
}  // namespace livecheck::eval
