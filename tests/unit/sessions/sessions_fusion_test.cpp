// Score fusion and attackType rules (src/sessions/fusion.h) and the timestamp rules
// (src/sessions/cross_frame.h: check_timestamps).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "sessions/cross_frame.h"
#include "sessions/fusion.h"
#include "sessions/perspective.h"

namespace livecheck::sessions {
namespace {

bool has(const Verdict& v, const std::string& reason) {
  return std::find(v.reasons.begin(), v.reasons.end(), reason) != v.reasons.end();
}

TEST(EngineComponent, FiftyAtTheThresholdAndMonotone) {
  for (double t : {0.05, 0.15, 0.5, 0.9}) {
    EXPECT_DOUBLE_EQ(engine_component(t, t), 50);  // P == threshold is live (not is_fake)
    EXPECT_DOUBLE_EQ(engine_component(0, t), 100);
    EXPECT_DOUBLE_EQ(engine_component(1, t), 0);
    double last = 101;
    for (int i = 0; i <= 40; ++i) {
      const double p = i / 40.0;
      const double c = engine_component(p, t);
      EXPECT_LE(c, last);
      if (std::abs(p - t) > 1e-9) {
        EXPECT_EQ(c >= 50, p < t) << p << " " << t;
      }
      last = c;
    }
  }
  EXPECT_DOUBLE_EQ(engine_component(0, 0), 100);
  EXPECT_LT(engine_component(0.01, 0), 50);  // threshold 0: anything above 0 is a spoof
  EXPECT_DOUBLE_EQ(engine_component(1, 1), 50);
}

TEST(Fuse, AllComponentsPassingIsAPassWithTheWeakestAsScore) {
  const Verdict v = fuse({90.0, 70.0, 88.0}, {});
  EXPECT_EQ(v.score, 70);
  EXPECT_FALSE(v.attack_type.has_value());
  EXPECT_TRUE(v.reasons.empty());
}

TEST(Fuse, ScoreAtLeastFiftyExactlyWhenEveryComponentPasses) {
  // floor(): 49.99 must not round up into a pass.
  const Verdict v = fuse({49.99, 90.0, 90.0}, {});
  EXPECT_EQ(v.score, 49);
  EXPECT_TRUE(has(v, "spoof_far"));
  EXPECT_EQ(fuse({50.0, 50.0, 50.0}, {}).score, 50);
}

TEST(Fuse, FlatPerspectiveAloneIsAPresentationAttack) {
  // The case the perspective check exists for: a print that fools the texture model.
  const Verdict v = fuse({95.0, 95.0, 5.0}, {});
  EXPECT_EQ(v.score, 5);
  EXPECT_EQ(v.attack_type, 1);
  EXPECT_EQ(v.reasons, std::vector<std::string>{"flat_perspective"});
}

TEST(Fuse, EngineSpoofInBothFramesIsAPresentationAttackEvenWhen3D) {
  const Verdict v = fuse({10.0, 20.0, 99.0}, {});
  EXPECT_EQ(v.attack_type, 1);
  EXPECT_TRUE(has(v, "spoof_far"));
  EXPECT_TRUE(has(v, "spoof_near"));
}

TEST(Fuse, FramesThatDisagreeWhileGeometryIs3DAreUnsure) {
  const Verdict v = fuse({90.0, 30.0, 95.0}, {});
  EXPECT_EQ(v.attack_type, 3);
  EXPECT_TRUE(has(v, "spoof_near"));
  EXPECT_TRUE(has(v, "inconsistent_evidence"));
  EXPECT_LT(v.score, kPassScore);
  // ... but not when the other frame is only marginally live, or the geometry is flat.
  EXPECT_EQ(fuse({60.0, 30.0, 95.0}, {}).attack_type, 1);
  EXPECT_EQ(fuse({90.0, 30.0, 20.0}, {}).attack_type, 1);
}

TEST(Fuse, BarelyFlatPerspectiveWithALiveTextureIsUnsure) {
  const PerspectiveOptions o;
  // One softness below the threshold: too little parallax to call it a print.
  const double marginal = perspective_component(o.min_ear_parallax - 0.9 * o.softness, o);
  Verdict v = fuse({95.0, 95.0, marginal}, {});
  EXPECT_EQ(v.attack_type, 3);
  EXPECT_TRUE(has(v, "perspective_marginal"));
  EXPECT_TRUE(has(v, "flat_perspective"));
  // Clearly flat is a presentation attack; so is a marginal parallax with a spoof texture.
  EXPECT_EQ(fuse({95.0, 95.0, perspective_component(0.0, o)}, {}).attack_type, 1);
  EXPECT_EQ(fuse({95.0, 20.0, marginal}, {}).attack_type, 1);
}

TEST(Fuse, InjectionIsAHardFailureWhateverTheScores) {
  for (const char* r : {"nonce_mismatch", "bad_timestamps", "non_camera_source", "identical_frames",
                        "resized_copy", "replayed_frame"}) {
    const Verdict v = fuse({100.0, 100.0, 100.0}, {r});
    EXPECT_EQ(v.score, 0) << r;
    EXPECT_EQ(v.attack_type, 2) << r;
    EXPECT_TRUE(has(v, r));
  }
  // Injection outranks presentation and unusable findings.
  EXPECT_EQ(fuse({5.0, 5.0, 5.0}, {"no_face_far", "replayed_frame"}).attack_type, 2);
}

TEST(Fuse, UnusableDataIsUnsureAndCappedBelowThePassMark) {
  for (const char* r : {"no_face_far", "no_face_near", "poor_quality_far", "poor_quality_near",
                        "near_not_closer", "face_mismatch", "perspective_unmeasured"}) {
    const Verdict v = fuse({100.0, 100.0, std::nullopt}, {r});
    EXPECT_EQ(v.attack_type, 3) << r;
    EXPECT_EQ(v.score, kUnsureMaxScore) << r;
  }
  // Below the cap the measured evidence still orders results.
  EXPECT_EQ(fuse({12.0, std::nullopt, std::nullopt}, {"no_face_near"}).score, 12);
  EXPECT_EQ(fuse({}, {"no_face_far", "no_face_near"}).score, 0);
}

TEST(Fuse, ReasonsComeInTableOrderWithoutDuplicates) {
  const Verdict v = fuse({10.0, 90.0, 10.0},
                         {"face_mismatch", "nonce_mismatch", "face_mismatch", "custom_reason"});
  const std::vector<std::string> expected = {"nonce_mismatch", "face_mismatch", "spoof_far",
                                             "flat_perspective", "custom_reason"};
  EXPECT_EQ(v.reasons, expected);
}

TEST(Reasons, NamesAreUniqueSnakeCase) {
  std::set<std::string> seen;
  for (const ReasonInfo& r : kSessionReasons) {
    const std::string n = r.name;
    EXPECT_TRUE(seen.insert(n).second) << n;
    EXPECT_TRUE(std::all_of(n.begin(), n.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || c == '_';
    })) << n;
  }
}

SessionContext times(std::int64_t far, std::int64_t near, std::int64_t now) {
  SessionContext c;
  c.far_captured_at_ms = far;
  c.near_captured_at_ms = near;
  c.server_now_ms = now;
  return c;
}

TEST(Timestamps, PlausibleCaptureIsAccepted) {
  EXPECT_EQ(check_timestamps(times(1'000'000, 1'002'500, 1'004'000), {}), "");
  // A phone clock a minute ahead of the server is within the skew.
  EXPECT_EQ(check_timestamps(times(1'060'000, 1'062'000, 1'000'000), {}), "");
}

TEST(Timestamps, ImpossibleCapturesAreNamed) {
  const SessionOptions o;
  EXPECT_EQ(check_timestamps(times(1'000'000, 999'000, 1'010'000), o), "near_before_far");
  EXPECT_EQ(check_timestamps(times(1'000'000, 1'000'000 + o.min_gap_ms - 1, 1'010'000), o),
            "gap_too_short");
  EXPECT_EQ(check_timestamps(times(1'000'000, 1'000'000 + o.min_gap_ms, 1'010'000), o), "");
  EXPECT_EQ(check_timestamps(times(1'000'000, 1'000'000 + o.max_gap_ms + 1, 2'000'000), o),
            "gap_too_long");
  EXPECT_EQ(check_timestamps(times(1'000'000, 1'001'000 + o.max_clock_skew_ms, 1'000'500), o),
            "in_future");
  SessionContext c = times(1'000'000, 1'002'000, 1'003'000);
  c.session_created_at_ms = 1'000'000 + o.max_clock_skew_ms + 1;
  EXPECT_EQ(check_timestamps(c, o), "before_session");
  c.session_created_at_ms = 999'000;
  EXPECT_EQ(check_timestamps(c, o), "");
}

TEST(Timestamps, LimitsAreConfigurable) {
  SessionOptions o;
  o.max_gap_ms = 5'000;
  EXPECT_EQ(check_timestamps(times(0, 6'000, 10'000), o), "gap_too_long");
  o.min_gap_ms = 0;
  EXPECT_EQ(check_timestamps(times(0, 0, 10'000), o), "");
}

}  // namespace
}  // namespace livecheck::sessions
