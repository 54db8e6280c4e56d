// ISO/IEC 30107-3 metrics of src/eval/metrics.h against cases computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "metrics.h"

namespace livecheck::eval {
namespace {

constexpr double kEps = 1e-12;

ScoredSample bona(double score) { return {score, false, ""}; }
ScoredSample attack(double score, const std::string& type) { return {score, true, type}; }

// The reference set used by most tests below.
//   bona fide: 0.1 0.2 0.3 0.6        (4)
//   print:     0.4 0.7 0.9            (3)
//   replay:    0.25 0.5               (2)
// Sorted with classes: 0.1b 0.2b 0.25r 0.3b 0.4p 0.5r 0.6b 0.7p 0.9p
// Swept thresholds and rates (accepted iff score <= t):
//   t       BPCER  APCER_print APCER_replay APCER_max APCER_pooled
//   <0.1    4/4    0           0            0         0
//   0.1     3/4    0           0            0         0
//   0.2     2/4    0           0            0         0
//   0.25    2/4    0           1/2          1/2       1/5
//   0.3     1/4    0           1/2          1/2       1/5
//   0.4     1/4    1/3         1/2          1/2       2/5
//   0.5     1/4    1/3         1            1         3/5
//   0.6     0      1/3         1            1         3/5
//   0.7     0      2/3         1            1         4/5
//   0.9     0      1           1            1         1
std::vector<ScoredSample> reference_set() {
  return {bona(0.1),
          bona(0.2),
          bona(0.3),
          bona(0.6),
          attack(0.4, "print"),
          attack(0.7, "print"),
          attack(0.9, "print"),
          attack(0.25, "replay"),
          attack(0.5, "replay")};
}

TEST(EvalMetrics, RatesAtThresholdPerTypeMaxPooledAndAcer) {
  // t = 0.35: BPCER 1/4 (0.6 rejected); print 0/3; replay 1/2 (0.25); pooled 1/5;
  // APCER_max = 1/2 (replay); ACER = (1/2 + 1/4) / 2 = 0.375.
  const OperatingPoint p = rates_at(reference_set(), 0.35);
  EXPECT_NEAR(p.bpcer, 0.25, kEps);
  ASSERT_EQ(p.apcer_by_type.size(), 2u);
  EXPECT_NEAR(p.apcer_by_type.at("print"), 0.0, kEps);
  EXPECT_NEAR(p.apcer_by_type.at("replay"), 0.5, kEps);
  EXPECT_NEAR(p.apcer_max, 0.5, kEps);
  EXPECT_EQ(p.apcer_max_type, "replay");
  EXPECT_NEAR(p.apcer_pooled, 0.2, kEps);
  EXPECT_NEAR(p.acer, 0.375, kEps);
}

TEST(EvalMetrics, ScoreEqualToThresholdIsAccepted) {
  // t = 0.3 exactly: bona 0.3 accepted, so BPCER stays 1/4 as at 0.35.
  EXPECT_NEAR(rates_at(reference_set(), 0.3).bpcer, 0.25, kEps);
  // t = 0.6: every bona fide accepted; print 1/3 (0.4); replay 2/2; pooled 3/5.
  const OperatingPoint p = rates_at(reference_set(), 0.6);
  EXPECT_NEAR(p.bpcer, 0.0, kEps);
  EXPECT_NEAR(p.apcer_by_type.at("print"), 1.0 / 3, kEps);
  EXPECT_NEAR(p.apcer_max, 1.0, kEps);
  EXPECT_NEAR(p.apcer_pooled, 0.6, kEps);
}

TEST(EvalMetrics, MaxOverTypesIsTheWorstTypeNotThePooledRate) {
  // One type at 1/1 accepted, the other at 0/9: pooled 1/10 but ISO overall APCER 1.
  std::vector<ScoredSample> s = {bona(0.0), attack(0.1, "mask")};
  for (int i = 0; i < 9; ++i) s.push_back(attack(0.9, "print"));
  const OperatingPoint p = rates_at(s, 0.5);
  EXPECT_NEAR(p.apcer_max, 1.0, kEps);
  EXPECT_EQ(p.apcer_max_type, "mask");
  EXPECT_NEAR(p.apcer_pooled, 0.1, kEps);
  EXPECT_NEAR(p.acer, 0.5, kEps);  // (1 + 0) / 2
}

TEST(EvalMetrics, SweepListsEveryDistinctDecision) {
  const std::vector<OperatingPoint> points = sweep(reference_set());
  ASSERT_EQ(points.size(), 10u);  // "accept nothing" + 9 distinct scores (table above)
  EXPECT_LT(points[0].threshold, 0.1);
  EXPECT_NEAR(points[0].bpcer, 1.0, kEps);
  EXPECT_NEAR(points[0].apcer_pooled, 0.0, kEps);
  EXPECT_DOUBLE_EQ(points[3].threshold, 0.25);
  EXPECT_NEAR(points[3].apcer_max, 0.5, kEps);
  EXPECT_NEAR(points[3].apcer_pooled, 0.2, kEps);
  EXPECT_NEAR(points[5].apcer_pooled, 0.4, kEps);  // t = 0.4
  EXPECT_NEAR(points[9].apcer_pooled, 1.0, kEps);
  EXPECT_NEAR(points[9].bpcer, 0.0, kEps);
}

TEST(EvalMetrics, AucCountsOrderedPairs) {
  // Pairs (attack > bona): 0.25 beats 2, 0.4 beats 3, 0.5 beats 3, 0.7 beats 4, 0.9 beats 4
  // = 16 of 5 x 4 = 20 -> 0.8.
  EXPECT_NEAR(auc(reference_set()), 0.8, kEps);
  // print: 3 + 4 + 4 = 11 of 12; replay: 2 + 3 = 5 of 8.
  EXPECT_NEAR(auc(restrict_to_type(reference_set(), "print")), 11.0 / 12, kEps);
  EXPECT_NEAR(auc(restrict_to_type(reference_set(), "replay")), 5.0 / 8, kEps);
}

TEST(EvalMetrics, AucCountsTiesAsHalf) {
  // bona 0.5 0.5; attacks 0.5 1.0: two ties (1/2 each) + 1.0 beats both = 3 of 4.
  EXPECT_NEAR(auc({bona(0.5), bona(0.5), attack(0.5, "print"), attack(1.0, "print")}), 0.75, kEps);
  // All scores equal: 1/2.
  EXPECT_NEAR(auc({bona(0.3), attack(0.3, "print")}), 0.5, kEps);
  // Perfectly reversed: 0.
  EXPECT_NEAR(auc({bona(0.9), attack(0.1, "print")}), 0.0, kEps);
}

TEST(EvalMetrics, BpcerAtApcerTakesTheLargestThresholdWithinTarget) {
  // Pooled, target 20% (1 of 5 attacks): largest t with APCER_pooled <= 1/5 is 0.3,
  // BPCER there = 1/4.
  TargetPoint t = bpcer_at_apcer(reference_set(), 0.2, ApcerKind::kPooled);
  ASSERT_TRUE(t.reachable);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.3);
  EXPECT_NEAR(t.point.bpcer, 0.25, kEps);
  // Max over types, target 20%: replay reaches 1/2 at 0.25, so t = 0.2, BPCER 2/4.
  t = bpcer_at_apcer(reference_set(), 0.2, ApcerKind::kMax);
  ASSERT_TRUE(t.reachable);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.2);
  EXPECT_NEAR(t.point.bpcer, 0.5, kEps);
  // Max, target 50%: at 0.4 print 1/3 and replay 1/2 both within; at 0.5 replay is 1.
  t = bpcer_at_apcer(reference_set(), 0.5, ApcerKind::kMax);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.4);
  EXPECT_NEAR(t.point.bpcer, 0.25, kEps);
  // Target 0: no attack accepted, t = 0.2, BPCER 2/4.
  t = bpcer_at_apcer(reference_set(), 0.0, ApcerKind::kPooled);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.2);
  EXPECT_NEAR(t.point.bpcer, 0.5, kEps);
}

TEST(EvalMetrics, BpcerAtApcerToleratesRoundingOfTheTarget) {
  // 29 of 100 attacks accepted must meet a 0.29 target although 0.29 * 100 != 29 in doubles.
  std::vector<ScoredSample> s = {bona(0.5)};
  for (int i = 0; i < 100; ++i) s.push_back(attack(i < 29 ? 0.1 : 0.9, "print"));
  const TargetPoint t = bpcer_at_apcer(s, 0.29, ApcerKind::kPooled);
  ASSERT_TRUE(t.reachable);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.5);
  EXPECT_NEAR(t.point.apcer_pooled, 0.29, kEps);
}

TEST(EvalMetrics, ApcerAtBpcerTakesTheSmallestThresholdWithinTarget) {
  // Target 25%: BPCER first drops to 1/4 at t = 0.3; APCER there: max 1/2, pooled 1/5.
  TargetPoint t = apcer_at_bpcer(reference_set(), 0.25);
  ASSERT_TRUE(t.reachable);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.3);
  EXPECT_NEAR(t.point.apcer_max, 0.5, kEps);
  EXPECT_NEAR(t.point.apcer_pooled, 0.2, kEps);
  // Target 0: t = 0.6 (all bona fide accepted); APCER max 1, pooled 3/5.
  t = apcer_at_bpcer(reference_set(), 0.0);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.6);
  EXPECT_NEAR(t.point.apcer_max, 1.0, kEps);
  EXPECT_NEAR(t.point.apcer_pooled, 0.6, kEps);
}

TEST(EvalMetrics, EqualErrorRateAtTheClosestPoint) {
  // Pooled: |APCER - BPCER| is smallest at t = 0.3 (1/5 vs 1/4, gap 0.05): EER = 0.225.
  Eer e = equal_error_rate(reference_set(), ApcerKind::kPooled);
  EXPECT_NEAR(e.eer, 0.225, kEps);
  EXPECT_DOUBLE_EQ(e.threshold, 0.3);
  // Max: at t = 0.25 APCER_max = BPCER = 1/2: EER = 0.5.
  e = equal_error_rate(reference_set(), ApcerKind::kMax);
  EXPECT_NEAR(e.eer, 0.5, kEps);
  EXPECT_DOUBLE_EQ(e.threshold, 0.25);
  // print alone: t = 0.4 gives APCER 1/3, BPCER 1/4 (gap 1/12, the smallest):
  // EER = (1/3 + 1/4) / 2 = 7/24.
  e = equal_error_rate(restrict_to_type(reference_set(), "print"), ApcerKind::kPooled);
  EXPECT_NEAR(e.eer, 7.0 / 24, kEps);
  EXPECT_DOUBLE_EQ(e.threshold, 0.4);
}

TEST(EvalMetrics, PerfectSeparationHasZeroErrors) {
  const std::vector<ScoredSample> s = {bona(0.1), bona(0.2), attack(0.8, "print"),
                                       attack(0.9, "replay")};
  EXPECT_NEAR(auc(s), 1.0, kEps);
  EXPECT_NEAR(equal_error_rate(s, ApcerKind::kMax).eer, 0.0, kEps);
  const TargetPoint t = bpcer_at_apcer(s, 0.01, ApcerKind::kMax);
  ASSERT_TRUE(t.reachable);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.2);
  EXPECT_NEAR(t.point.bpcer, 0.0, kEps);
}

TEST(EvalMetrics, EmptyClassesGiveUndefinedRatesNotZero) {
  const std::vector<ScoredSample> only_bona = {bona(0.1), bona(0.9)};
  OperatingPoint p = rates_at(only_bona, 0.5);
  EXPECT_NEAR(p.bpcer, 0.5, kEps);
  EXPECT_TRUE(std::isnan(p.apcer_max));
  EXPECT_TRUE(std::isnan(p.apcer_pooled));
  EXPECT_TRUE(std::isnan(p.acer));
  EXPECT_TRUE(p.apcer_by_type.empty());
  EXPECT_TRUE(std::isnan(auc(only_bona)));
  EXPECT_TRUE(std::isnan(equal_error_rate(only_bona, ApcerKind::kMax).eer));
  EXPECT_FALSE(bpcer_at_apcer(only_bona, 0.05, ApcerKind::kMax).reachable);
  EXPECT_FALSE(apcer_at_bpcer(only_bona, 0.05).reachable);

  const std::vector<ScoredSample> only_attacks = {attack(0.2, "print")};
  p = rates_at(only_attacks, 0.5);
  EXPECT_NEAR(p.apcer_max, 1.0, kEps);
  EXPECT_TRUE(std::isnan(p.bpcer));
  EXPECT_TRUE(std::isnan(auc(only_attacks)));

  const std::vector<ScoredSample> none;
  p = rates_at(none, 0.5);
  EXPECT_TRUE(std::isnan(p.bpcer));
  EXPECT_TRUE(std::isnan(p.apcer_max));
  EXPECT_EQ(sweep(none).size(), 1u);  // just "accept nothing"
}

TEST(EvalMetrics, FailureToAcquireIsNeverAccepted) {
  // bona 0.1 and one without a face; attacks 0.5 and one without a face.
  const std::vector<ScoredSample> s = {bona(0.1), bona(kFailedToAcquire), attack(0.5, "print"),
                                       attack(kFailedToAcquire, "print")};
  // Even at T = 1: the faceless bona fide is rejected (BPCER 1/2), the faceless attack is not
  // accepted (APCER 1/2).
  const OperatingPoint p = rates_at(s, 1.0);
  EXPECT_NEAR(p.bpcer, 0.5, kEps);
  EXPECT_NEAR(p.apcer_pooled, 0.5, kEps);
  // AUC: 0.5>0.1 (1), 0.5<inf (0), inf>0.1 (1), inf=inf (1/2) -> 2.5 / 4.
  EXPECT_NEAR(auc(s), 0.625, kEps);
  // No threshold brings BPCER below the faceless share.
  EXPECT_FALSE(apcer_at_bpcer(s, 0.0).reachable);
  EXPECT_TRUE(apcer_at_bpcer(s, 0.5).reachable);
  // Thresholds stay finite: "accept nothing", 0.1, 0.5.
  const std::vector<OperatingPoint> points = sweep(s);
  ASSERT_EQ(points.size(), 3u);
  for (const auto& q : points) EXPECT_TRUE(std::isfinite(q.threshold));
  const TargetPoint t = bpcer_at_apcer(s, 0.5, ApcerKind::kPooled);
  EXPECT_DOUBLE_EQ(t.point.threshold, 0.5);
  EXPECT_NEAR(t.point.bpcer, 0.5, kEps);
}

TEST(EvalMetrics, AttackTypesAreSortedAndRestrictKeepsAllBonaFide) {
  const auto types = attack_types(reference_set());
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[0], "print");
  EXPECT_EQ(types[1], "replay");
  const auto replay = restrict_to_type(reference_set(), "replay");
  EXPECT_EQ(replay.size(), 6u);  // 4 bona fide + 2 replay
}

TEST(EvalMetrics, PercentileInterpolatesLinearly) {
  // {1,2,3,4}: p50 rank 1.5 -> 2.5; p90 rank 2.7 -> 3.7; p0 -> 1; p100 -> 4.
  const std::vector<double> v = {4, 1, 3, 2};
  EXPECT_NEAR(percentile(v, 50), 2.5, kEps);
  EXPECT_NEAR(percentile(v, 90), 3.7, kEps);
  EXPECT_NEAR(percentile(v, 0), 1.0, kEps);
  EXPECT_NEAR(percentile(v, 100), 4.0, kEps);
  EXPECT_NEAR(percentile({5}, 99), 5.0, kEps);
  EXPECT_TRUE(std::isnan(percentile({}, 50)));
}

TEST(EvalMetrics, ProbitInvertsTheNormalCdf) {
  EXPECT_NEAR(probit(0.5), 0.0, 1e-12);
  EXPECT_NEAR(probit(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(probit(0.001), -3.090232306167813, 1e-9);
  EXPECT_NEAR(probit(0.2), -probit(0.8), 1e-12);
  for (const double p : {1e-6, 0.01, 0.3, 0.7, 0.99}) {
    EXPECT_NEAR(0.5 * std::erfc(-probit(p) / std::sqrt(2.0)), p, 1e-12 + p * 1e-9);
  }
  EXPECT_EQ(probit(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(probit(1.0), std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace livecheck::eval
