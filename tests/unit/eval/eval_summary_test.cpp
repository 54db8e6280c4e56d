// How `livecheck eval` turns engine answers into metrics: no-face answers, invalid faces,
// processing failures, noface/multiface sets, score selection, per source, latency.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "summary.h"

namespace livecheck::eval {
namespace {

constexpr double kEps = 1e-12;

EvalItem item(Label label, const std::string& type = "", const std::string& source = "") {
  EvalItem it;
  it.path = std::string(label_name(label)) + "/" + type;
  it.label = label;
  it.attack_type = type;
  it.source = source;
  return it;
}

ItemOutcome checked(double calibrated, double raw, int faces = 1, bool valid = true,
                    double ms = 10) {
  ItemOutcome o;
  o.checked = true;
  o.calibrated = calibrated;
  o.raw = raw;
  o.face_count = faces;
  o.valid_face = valid;
  o.latency_ms = ms;
  return o;
}

ItemOutcome no_face() {
  ItemOutcome o;
  o.no_face = true;
  return o;
}

ItemOutcome failed(const std::string& code) {
  ItemOutcome o;
  o.error_code = code;
  o.error_message = "cannot open";
  return o;
}

TEST(EvalSummary, NoFaceCountsAsRejectedAndFailuresAreExcludedButListed) {
  const std::vector<EvalItem> items = {item(Label::kLive),           item(Label::kLive),
                                       item(Label::kLive),           item(Label::kSpoof, "print"),
                                       item(Label::kSpoof, "print"), item(Label::kSpoof, "print")};
  const std::vector<ItemOutcome> outcomes = {checked(0.05, 0.5),  no_face(),
                                             failed("not_found"), checked(0.9, 0.1),
                                             no_face(),           failed("invalid_image")};
  const EvalSummary s = summarise(items, outcomes, ScoreKind::kCalibrated, 0.15, false);

  // Failures: items 2 and 5, in input order, and out of the rates.
  ASSERT_EQ(s.failures.size(), 2u);
  EXPECT_EQ(s.failures[0], 2u);
  EXPECT_EQ(s.failures[1], 5u);
  EXPECT_EQ(s.samples.size(), 4u);
  EXPECT_EQ(s.pad.bona_fide, 2u);
  EXPECT_EQ(s.pad.bona_fide_fta, 1u);
  EXPECT_EQ(s.pad.attacks, 2u);
  EXPECT_EQ(s.pad.attacks_fta, 1u);
  // Live: 0.05 accepted, the faceless one rejected -> BPCER 1/2.
  // Spoof: 0.9 rejected, the faceless one not accepted -> APCER 0/2.
  EXPECT_NEAR(s.pad.at_threshold.bpcer, 0.5, kEps);
  EXPECT_NEAR(s.pad.at_threshold.apcer_max, 0.0, kEps);
  EXPECT_NEAR(s.pad.at_threshold.acer, 0.25, kEps);
  ASSERT_EQ(s.pad.types.size(), 1u);
  EXPECT_EQ(s.pad.types[0].failed_to_acquire, 1u);

  const LabelCounts& live = s.by_label.at(Label::kLive);
  EXPECT_EQ(live.total, 3u);
  EXPECT_EQ(live.checked, 1u);
  EXPECT_EQ(live.no_face, 1u);
  EXPECT_EQ(live.failed, 1u);
  // Only checked items carry a latency.
  EXPECT_EQ(s.latency.n, 2u);
}

TEST(EvalSummary, InvalidFaceIsScoredAndCounted) {
  const std::vector<EvalItem> items = {item(Label::kLive), item(Label::kSpoof, "replay")};
  const std::vector<ItemOutcome> outcomes = {checked(0.9, 0.9, 1, false),
                                             checked(0.1, 0.1, 1, false)};
  const EvalSummary s = summarise(items, outcomes, ScoreKind::kCalibrated, 0.5, false);
  EXPECT_EQ(s.by_label.at(Label::kLive).invalid_face, 1u);
  EXPECT_EQ(s.by_label.at(Label::kSpoof).invalid_face, 1u);
  EXPECT_NEAR(s.pad.at_threshold.bpcer, 1.0, kEps);      // 0.9 > 0.5
  EXPECT_NEAR(s.pad.at_threshold.apcer_max, 1.0, kEps);  // 0.1 <= 0.5
}

TEST(EvalSummary, ScoreKindSelectsCalibratedOrRaw) {
  const std::vector<EvalItem> items = {item(Label::kLive), item(Label::kSpoof, "print")};
  // Calibrated separates (live 0.1 < spoof 0.9); raw is reversed (live 0.8 > spoof 0.2).
  const std::vector<ItemOutcome> outcomes = {checked(0.1, 0.8), checked(0.9, 0.2)};
  EXPECT_NEAR(summarise(items, outcomes, ScoreKind::kCalibrated, 0.5, false).pad.auc, 1.0, kEps);
  EXPECT_NEAR(summarise(items, outcomes, ScoreKind::kRaw, 0.5, false).pad.auc, 0.0, kEps);
  EXPECT_DOUBLE_EQ(judged_score(outcomes[0], ScoreKind::kRaw), 0.8);
  EXPECT_EQ(judged_score(no_face(), ScoreKind::kRaw), kFailedToAcquire);
}

TEST(EvalSummary, NoFaceAndMultiFaceSetsJudgeTheFaceCount) {
  const std::vector<EvalItem> items = {item(Label::kNoFace),    item(Label::kNoFace),
                                       item(Label::kNoFace),    item(Label::kMultiFace),
                                       item(Label::kMultiFace), item(Label::kMultiFace)};
  const std::vector<ItemOutcome> outcomes = {no_face(),
                                             checked(0.5, 0.5, 1),
                                             failed("io_error"),
                                             checked(0.5, 0.5, 2),
                                             checked(0.5, 0.5, 1),
                                             no_face()};
  const EvalSummary s = summarise(items, outcomes, ScoreKind::kCalibrated, 0.15, false);
  EXPECT_EQ(s.noface.answered, 2u);  // the failure is not an answer
  EXPECT_EQ(s.noface.correct, 1u);
  EXPECT_EQ(s.multiface.answered, 3u);
  EXPECT_EQ(s.multiface.correct, 1u);  // only face_count >= 2
  EXPECT_TRUE(s.samples.empty());      // not part of APCER/BPCER
  EXPECT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.by_label.at(Label::kNoFace).no_face, 1u);
}

TEST(EvalSummary, PerSourceBreakdownWhenSourcesAreKnown) {
  const std::vector<EvalItem> items = {
      item(Label::kLive, "", "a"), item(Label::kSpoof, "print", "a"), item(Label::kLive, "", "b"),
      item(Label::kSpoof, "replay", "b")};
  const std::vector<ItemOutcome> outcomes = {checked(0.1, 0.1), checked(0.9, 0.9),
                                             checked(0.9, 0.9), checked(0.1, 0.1)};
  const EvalSummary s = summarise(items, outcomes, ScoreKind::kCalibrated, 0.5, true);
  ASSERT_EQ(s.by_source.size(), 2u);
  EXPECT_EQ(s.by_source[0].first, "a");
  EXPECT_NEAR(s.by_source[0].second.auc, 1.0, kEps);
  EXPECT_EQ(s.by_source[1].first, "b");
  EXPECT_NEAR(s.by_source[1].second.auc, 0.0, kEps);
  EXPECT_NEAR(s.by_source[1].second.at_threshold.bpcer, 1.0, kEps);
  EXPECT_TRUE(summarise(items, outcomes, ScoreKind::kCalibrated, 0.5, false).by_source.empty());
}

TEST(EvalSummary, LatencyPercentilesOfCheckedItems) {
  std::vector<EvalItem> items;
  std::vector<ItemOutcome> outcomes;
  for (int i = 1; i <= 5; ++i) {  // 10 20 30 40 50 ms
    items.push_back(item(Label::kLive));
    outcomes.push_back(checked(0.1, 0.1, 1, true, 10.0 * i));
  }
  const EvalSummary s = summarise(items, outcomes, ScoreKind::kCalibrated, 0.5, false);
  EXPECT_EQ(s.latency.n, 5u);
  EXPECT_NEAR(s.latency.p50, 30, kEps);
  EXPECT_NEAR(s.latency.p90, 46, kEps);  // rank 3.6 -> 40 + 0.6 * 10
  EXPECT_NEAR(s.latency.max, 50, kEps);
  EXPECT_NEAR(s.latency.mean, 30, kEps);
}

TEST(EvalSummary, OperatingPointsAtBothTargets) {
  // 100 bona fide at 0.01, 0.02, ..., 1.00 and 100 print attacks at 0.505, 0.515, ..., 1.495
  // (no ties).
  std::vector<ScoredSample> samples;
  for (int i = 1; i <= 100; ++i) samples.push_back({i / 100.0, false, ""});
  for (int j = 0; j < 100; ++j) samples.push_back({0.505 + j / 100.0, true, "print"});
  const PadSummary p = summarise_pad(samples, 0.15);
  ASSERT_EQ(p.bpcer_at_apcer_max.size(), kTargetRates.size());
  ASSERT_EQ(p.apcer_at_bpcer.size(), kTargetRates.size());
  // APCER <= 1%: one attack (0.505) may be accepted, the next is 0.515; the largest score
  // below it is 0.51 -> BPCER = bona fide above 0.51 = 49/100.
  ASSERT_TRUE(p.bpcer_at_apcer_max[0].reachable);
  EXPECT_DOUBLE_EQ(p.bpcer_at_apcer_max[0].point.threshold, 51 / 100.0);
  EXPECT_NEAR(p.bpcer_at_apcer_max[0].point.bpcer, 0.49, kEps);
  // BPCER <= 5%: the smallest t with at most 5 bona fide above it is 0.95; APCER = attacks
  // <= 0.95 = 0.505..0.945 = 45/100.
  ASSERT_TRUE(p.apcer_at_bpcer[1].reachable);
  EXPECT_DOUBLE_EQ(p.apcer_at_bpcer[1].point.threshold, 95 / 100.0);
  EXPECT_NEAR(p.apcer_at_bpcer[1].point.apcer_max, 0.45, kEps);
}

}  // namespace
}  // namespace livecheck::eval
