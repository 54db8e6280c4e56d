// The files an eval run writes: report.json fields, report.md tables, readable PNG plots.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "plots.h"
#include "report.h"

namespace livecheck::eval {
namespace {
namespace fs = std::filesystem;

struct Fixture {
  std::vector<EvalItem> items;
  std::vector<ItemOutcome> outcomes;
  RunInfo run;
};

Fixture small_run() {
  Fixture f;
  auto add = [&](Label label, const std::string& type, const ItemOutcome& o) {
    EvalItem it;
    it.path = std::string(label_name(label)) + "/" + std::to_string(f.items.size()) + ".png";
    it.label = label;
    it.attack_type = type;
    it.source = "src";
    it.extra = {{"source", "src"}, {"notes", "full-frame"}};
    f.items.push_back(it);
    f.outcomes.push_back(o);
  };
  for (int i = 0; i < 10; ++i) {
    ItemOutcome o;
    o.checked = true;
    o.calibrated = 0.02 * i;
    o.raw = 0.5;
    o.valid_face = i % 3 != 0;
    o.face_count = 1;
    o.latency_ms = 5 + i;
    add(Label::kLive, "", o);
    o.calibrated = 0.5 + 0.05 * i;
    add(Label::kSpoof, i % 2 ? "print" : "replay", o);
  }
  ItemOutcome missing;
  missing.error_code = "not_found";
  missing.error_message = "no such file: x.png";
  add(Label::kLive, "", missing);
  ItemOutcome faceless;
  faceless.no_face = true;
  add(Label::kNoFace, "", faceless);
  f.run.input_kind = "manifest";
  f.run.input = "m.tsv";
  f.run.root = "/data";
  f.run.models = "models";
  f.run.detector = "cascade";
  f.run.model_pack_version = "1.0.0";
  f.run.threads = 2;
  return f;
}

TEST(EvalReport, JsonHoldsMetricsFailuresAndOneRowPerImage) {
  const Fixture f = small_run();
  const EvalSummary s = summarise(f.items, f.outcomes, ScoreKind::kCalibrated, 0.15, true);
  const nlohmann::json j = report_json(f.run, f.items, f.outcomes, s);
  EXPECT_EQ(j["score"], "calibrated");
  EXPECT_DOUBLE_EQ(j["threshold"].get<double>(), 0.15);
  EXPECT_EQ(j["counts"]["images"], 22);
  EXPECT_EQ(j["counts"]["failed"], 1);
  ASSERT_EQ(j["failures"].size(), 1u);
  EXPECT_EQ(j["failures"][0]["path"], f.items[20].path);
  EXPECT_EQ(j["failures"][0]["error"]["code"], "not_found");
  const auto& m = j["metrics"];
  EXPECT_TRUE(m["at_threshold"]["apcer_by_type"].contains("print"));
  EXPECT_TRUE(m["at_threshold"]["apcer_by_type"].contains("replay"));
  for (const char* key : {"apcer_max", "apcer_pooled", "bpcer", "acer"}) {
    EXPECT_TRUE(m["at_threshold"][key].is_number()) << key;
  }
  EXPECT_EQ(m["bpcer_at_apcer"].size(), 4u);  // {1%, 5%} x {max, pooled}
  EXPECT_EQ(m["apcer_at_bpcer"].size(), 2u);
  EXPECT_TRUE(m["per_attack_type"].contains("print"));
  EXPECT_TRUE(j["per_source"].contains("src"));
  EXPECT_EQ(j["detection"]["noface"]["correct"], 1);
  EXPECT_EQ(j["latency_ms"]["n"], 20);
  ASSERT_EQ(j["images"].size(), 22u);
  EXPECT_TRUE(j["images"][20]["score"].is_null());
  EXPECT_EQ(j["images"][20]["error"]["code"], "not_found");
  EXPECT_EQ(j["images"][0]["extra"]["notes"], "full-frame");
  EXPECT_EQ(j["images"][0]["accepted"], true);  // 0.0 <= 0.15
  EXPECT_TRUE(j["rules"]["no_face"].is_string());
}

TEST(EvalReport, UndefinedRatesAreNullInJsonAndNaInMarkdown) {
  const Fixture f = small_run();  // keep only the checked live images: no attack at all
  std::vector<EvalItem> items;
  std::vector<ItemOutcome> outcomes;
  for (std::size_t i = 0; i < f.items.size(); ++i) {
    if (f.items[i].label == Label::kLive && f.outcomes[i].checked) {
      items.push_back(f.items[i]);
      outcomes.push_back(f.outcomes[i]);
    }
  }
  const EvalSummary s = summarise(items, outcomes, ScoreKind::kCalibrated, 0.15, false);
  // NaN is kept in memory and written as null.
  const nlohmann::json j = nlohmann::json::parse(report_json(f.run, items, outcomes, s).dump());
  EXPECT_TRUE(j["metrics"]["at_threshold"]["apcer_max"].is_null());
  EXPECT_TRUE(j["metrics"]["auc"].is_null());
  EXPECT_FALSE(j.contains("per_source"));
  const std::string md = report_markdown(f.run, items, outcomes, s);
  EXPECT_NE(md.find("| APCER at T, pooled over all attacks | n/a |"), std::string::npos);
}

TEST(EvalReport, MarkdownHasTheTablesAndListsFailures) {
  const Fixture f = small_run();
  const EvalSummary s = summarise(f.items, f.outcomes, ScoreKind::kRaw, 0.3, true);
  const std::string md = report_markdown(f.run, f.items, f.outcomes, s);
  for (const char* heading :
       {"## ISO/IEC 30107-3 metrics", "## Per attack type", "## Answers per label", "## Per source",
        "## Latency", "## Failures (1)", "## How the numbers are computed"}) {
    EXPECT_NE(md.find(heading), std::string::npos) << heading;
  }
  EXPECT_NE(md.find("**raw**"), std::string::npos);
  EXPECT_NE(md.find(f.items[20].path), std::string::npos);
  EXPECT_NE(md.find("not_found: no such file"), std::string::npos);
  EXPECT_NE(md.find("| print |"), std::string::npos);
}

TEST(EvalReport, WritesAllFilesAndThePlotsDecode) {
  const Fixture f = small_run();
  const EvalSummary s = summarise(f.items, f.outcomes, ScoreKind::kCalibrated, 0.15, true);
  std::string tmpl = (fs::temp_directory_path() / "eval_report_XXXXXX").string();
  const fs::path dir = mkdtemp(tmpl.data());
  const fs::path out = dir / "nested" / "out";
  ASSERT_TRUE(write_report(out, f.run, f.items, f.outcomes, s).is_ok());
  std::ifstream in(out / "report.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(nlohmann::json::parse(text.str())["counts"]["images"], 22);
  EXPECT_TRUE(fs::exists(out / "report.md"));
  for (const char* png : {"det.png", "hist.png"}) {
    const cv::Mat img = cv::imread((out / png).string());
    ASSERT_FALSE(img.empty()) << png;
    EXPECT_EQ(img.cols, 900);
    EXPECT_EQ(img.rows, 700);
  }
  fs::remove_all(dir);
}

TEST(EvalReport, WriteFailsWithIoErrorWhenTheFolderCannotBeMade) {
  const Fixture f = small_run();
  const EvalSummary s = summarise(f.items, f.outcomes, ScoreKind::kCalibrated, 0.15, true);
  EXPECT_EQ(write_report("/proc/no/such/place", f.run, f.items, f.outcomes, s).code(),
            StatusCode::kIoError);
}

TEST(EvalPlots, DetSeriesHasPooledThenOneCurvePerType) {
  std::vector<ScoredSample> samples = {
      {0.1, false, ""}, {0.4, false, ""}, {0.3, true, "print"}, {0.9, true, "replay"}};
  const auto series = det_series(samples, 0.35);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].name, "all attacks, pooled");
  EXPECT_EQ(series[1].name, "print");
  EXPECT_EQ(series[2].name, "replay");
  // Pooled at 0.35: print accepted (1/2), bona 0.4 rejected (1/2).
  EXPECT_DOUBLE_EQ(series[0].marker.first, 0.5);
  EXPECT_DOUBLE_EQ(series[0].marker.second, 0.5);
  EXPECT_TRUE(det_series({{0.1, false, ""}}, 0.5).empty());  // no attack: no curve
}

TEST(EvalPlots, DrawingsAreFullSizeAndNotBlank) {
  const std::vector<ScoredSample> samples = {{0.1, false, ""},
                                             {kFailedToAcquire, false, ""},
                                             {0.7, true, "print"},
                                             {1.5, true, "print"}};  // out of range: end bin
  for (const cv::Mat& img :
       {draw_det(det_series(samples, 0.15), "DET"), draw_det({}, "empty"),
        draw_histogram(samples, 0.15, "hist"), draw_histogram({}, 0.5, "empty")}) {
    ASSERT_EQ(img.type(), CV_8UC3);
    EXPECT_EQ(img.size(), cv::Size(900, 700));
    cv::Mat grey;
    cv::extractChannel(img, grey, 0);
    EXPECT_LT(cv::countNonZero(grey == 255), 900 * 700);  // something was drawn
  }
}

}  // namespace
}  // namespace livecheck::eval
