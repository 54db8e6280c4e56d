// The whole cross-frame analysis (src/sessions/cross_frame.h): hand-built evidence for each rule,
// and end to end through the engine (measure_frame) on real images.
#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "session_images.h"
#include "sessions/canonical.h"
#include "sessions/cross_frame.h"
#include "sessions/face_model.h"
#include "test_support.h"

namespace livecheck::sessions {
namespace {

using livecheck::test::astronaut;
using livecheck::test::encode_jpeg;

bool has(const SessionAnalysis& a, const std::string& reason) {
  return std::find(a.reasons.begin(), a.reasons.end(), reason) != a.reasons.end();
}

// A frame as the engine would describe it, without pixels (the image checks are skipped).
FrameEvidence evidence(const Keypoints& k, double p_spoof, std::uint8_t id) {
  FrameEvidence e;
  e.sha256.fill(id);
  e.full_width = 720;
  e.full_height = 960;
  CheckResult r;
  r.image_width = e.full_width;
  r.image_height = e.full_height;
  r.threshold = 0.15;
  r.is_fake_likelihood = p_spoof;
  r.is_fake = p_spoof > r.threshold;
  r.quality.valid = true;
  r.face.keypoints = k;
  const double ears = distance(k[4], k[5]);
  const Point mid{(k[0].x + k[1].x) / 2, (k[0].y + k[1].y) / 2};
  r.face.box = {mid.x - ears * 0.55, mid.y - ears * 0.4, ears * 1.1, ears * 1.25};
  e.check = r;
  Face canonical = r.face;
  e.canonical = canonical;
  e.origin.container = "jpeg";
  return e;
}

const PinholeCamera kCamera{800, 360, 480};

SessionContext good_context() {
  SessionContext c;
  c.far_captured_at_ms = 1'700'000'000'000;
  c.near_captured_at_ms = c.far_captured_at_ms + 2'000;
  c.server_now_ms = c.near_captured_at_ms + 500;
  c.nonce_ok = true;
  return c;
}

struct Pair {
  FrameEvidence far, near;
};
Pair live_pair(double p_far = 0.02, double p_near = 0.02) {
  const FaceModel3d face = typical_face_model();
  return {evidence(project(face, {450, 5, 10, 3, -2, 2}, kCamera), p_far, 1),
          evidence(project(face, {220, -5, 5, -2, 3, 0}, kCamera), p_near, 2)};
}
Pair print_pair(double p = 0.02) {
  const FaceModel3d print = flattened(typical_face_model());
  return {evidence(project(print, {450, 5, 10, 3, -2, 2}, kCamera), p, 1),
          evidence(project(print, {220, -5, 5, -2, 3, 0}, kCamera), p, 2)};
}

TEST(Analysis, LiveFaceMovingCloserPasses) {
  const Pair p = live_pair();
  const SessionAnalysis a = analyze_session(p.far, p.near, good_context());
  EXPECT_GE(a.liveness_score, kPassScore);
  EXPECT_FALSE(a.attack_type.has_value());
  EXPECT_TRUE(a.reasons.empty()) << a.reasons.front();
  EXPECT_TRUE(a.perspective.is_3d);
  EXPECT_EQ(a.keypoint_source, "canonical");
  EXPECT_GT(a.face_scale, SessionOptions{}.min_scale);
  EXPECT_TRUE(a.same_face.consistent);
  EXPECT_EQ(a.far.sha256_hex.size(), 64u);
}

TEST(Analysis, PrintThatFoolsTheEngineIsStoppedByPerspective) {
  const Pair p = print_pair();
  const SessionAnalysis a = analyze_session(p.far, p.near, good_context());
  EXPECT_LT(a.liveness_score, kPassScore);
  EXPECT_EQ(a.attack_type, 1);
  EXPECT_TRUE(has(a, "flat_perspective"));
  EXPECT_FALSE(a.perspective.is_3d);
}

TEST(Analysis, EngineSpoofIsAPresentationAttack) {
  const Pair p = live_pair(0.9, 0.95);
  const SessionAnalysis a = analyze_session(p.far, p.near, good_context());
  EXPECT_EQ(a.attack_type, 1);
  EXPECT_TRUE(has(a, "spoof_far"));
  EXPECT_TRUE(has(a, "spoof_near"));
}

TEST(Analysis, NotMovingCloserIsUnsure) {
  const FaceModel3d face = typical_face_model();
  const FrameEvidence far = evidence(project(face, {450}, kCamera), 0.02, 1);
  const FrameEvidence near = evidence(project(face, {400}, kCamera), 0.02, 2);
  const SessionAnalysis a = analyze_session(far, near, good_context());
  EXPECT_EQ(a.attack_type, 3);
  EXPECT_TRUE(has(a, "near_not_closer"));
  EXPECT_LE(a.liveness_score, kUnsureMaxScore);
  EXPECT_FALSE(a.components.perspective.has_value());  // meaningless without the distance change
  // The minimum is configurable.
  SessionOptions o;
  o.min_scale = 1.05;
  EXPECT_FALSE(has(analyze_session(far, near, good_context(), o), "near_not_closer"));
}

TEST(Analysis, MissingFaceIsUnsure) {
  Pair p = live_pair();
  p.near.check.reset();
  p.near.canonical.reset();
  const SessionAnalysis a = analyze_session(p.far, p.near, good_context());
  EXPECT_EQ(a.attack_type, 3);
  EXPECT_TRUE(has(a, "no_face_near"));
  EXPECT_FALSE(a.near.face);
  EXPECT_LT(a.liveness_score, kPassScore);
}

TEST(Analysis, PoorQualityIsUnsure) {
  Pair p = live_pair();
  p.far.check->quality.valid = false;
  const SessionAnalysis a = analyze_session(p.far, p.near, good_context());
  EXPECT_EQ(a.attack_type, 3);
  EXPECT_TRUE(has(a, "poor_quality_far"));
}

TEST(Analysis, WithoutCanonicalKeypointsPerspectiveIsNotMeasured) {
  Pair p = live_pair();
  p.near.canonical.reset();
  const SessionAnalysis a = analyze_session(p.far, p.near, good_context());
  EXPECT_TRUE(has(a, "perspective_unmeasured"));
  EXPECT_EQ(a.attack_type, 3);
  SessionOptions o;
  o.require_canonical_keypoints = false;
  const SessionAnalysis raw = analyze_session(p.far, p.near, good_context(), o);
  EXPECT_EQ(raw.keypoint_source, "raw");
  EXPECT_FALSE(has(raw, "perspective_unmeasured"));
}

TEST(Analysis, DifferentFaceGeometryIsAMismatch) {
  Pair p = live_pair();
  // Move the near mouth far down: another face's proportions.
  Keypoints k = p.near.canonical->keypoints;
  k[static_cast<int>(Keypoint::kMouth)].y += 0.5 * distance(k[0], k[1]);
  p.near.canonical->keypoints = k;
  const SessionAnalysis a = analyze_session(p.far, p.near, good_context());
  EXPECT_TRUE(has(a, "face_mismatch"));
  EXPECT_FALSE(a.same_face.consistent);
  EXPECT_EQ(a.attack_type, 3);
}

TEST(Analysis, InjectionSignalsAreHardFailures) {
  const Pair p = live_pair();
  SessionContext c = good_context();
  c.nonce_ok = false;
  SessionAnalysis a = analyze_session(p.far, p.near, c);
  EXPECT_EQ(a.liveness_score, 0);
  EXPECT_EQ(a.attack_type, 2);
  EXPECT_TRUE(has(a, "nonce_mismatch"));

  c = good_context();
  c.near_captured_at_ms = c.far_captured_at_ms + 40;  // faster than a hand can move a phone
  a = analyze_session(p.far, p.near, c);
  EXPECT_EQ(a.attack_type, 2);
  EXPECT_TRUE(has(a, "bad_timestamps"));
  EXPECT_EQ(a.timestamp_problem, "gap_too_short");
  EXPECT_EQ(a.capture_gap_ms, 40);

  FrameEvidence same = p.near;
  same.sha256 = p.far.sha256;
  a = analyze_session(p.far, same, good_context());
  EXPECT_TRUE(a.byte_identical);
  EXPECT_TRUE(has(a, "identical_frames"));
  EXPECT_EQ(a.attack_type, 2);

  FrameEvidence edited = p.near;
  edited.origin.non_camera = true;
  edited.origin.why = "editor_software";
  a = analyze_session(p.far, edited, good_context());
  EXPECT_TRUE(has(a, "non_camera_source"));
  EXPECT_EQ(a.liveness_score, 0);
}

// End to end through the engine: the frames are encoded, measured (two engine passes each) and
// analysed.
class AnalysisWithEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_ = livecheck::test::make_runner();
    ASSERT_NE(runner_, nullptr);
  }
  FrameEvidence measure(const std::vector<std::uint8_t>& bytes) {
    FrameEvidence e;
    const Status s = measure_frame(*runner_, bytes, ImageFormat::kAuto, {}, &e);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return e;
  }
  std::unique_ptr<Runner> runner_;
};

TEST_F(AnalysisWithEngine, RescaledStillIsAnInjectionAndLooksFlat) {
  const cv::Mat img = astronaut();
  CheckResult base;
  ASSERT_TRUE(livecheck::test::check_image(*runner_, img, &base).is_ok());
  const FrameEvidence far = measure(encode_jpeg(test::far_frame(img)));
  const FrameEvidence near = measure(encode_jpeg(test::near_frame(img, base.face.box)));
  ASSERT_TRUE(far.canonical.has_value()) << far.canonical_error;
  ASSERT_TRUE(near.canonical.has_value()) << near.canonical_error;
  const SessionAnalysis a = analyze_session(far, near, good_context());
  EXPECT_TRUE(has(a, "resized_copy"));
  EXPECT_EQ(a.attack_type, 2);
  EXPECT_EQ(a.liveness_score, 0);
  // The perspective statistic is measured all the same, and says flat.
  ASSERT_TRUE(a.perspective.measured);
  EXPECT_FALSE(a.perspective.is_3d) << a.perspective.ear_parallax;
  EXPECT_NEAR(a.face_scale, 2.0, 0.25);
  EXPECT_TRUE(a.same_face.consistent);
}

TEST_F(AnalysisWithEngine, CanonicalKeypointsRemoveTheDetectorsSizeDrift) {
  // The same still at two sizes: raw keypoints drift towards "3D", canonical ones stay flat.
  const cv::Mat img = astronaut();
  CheckResult base;
  ASSERT_TRUE(livecheck::test::check_image(*runner_, img, &base).is_ok());
  const FrameEvidence far = measure(encode_jpeg(test::far_frame(img, 0.5)));
  const FrameEvidence near = measure(encode_jpeg(test::near_frame(img, base.face.box, 0.5, 2.4)));
  ASSERT_TRUE(far.canonical && near.canonical);
  const auto canonical = measure_perspective(far.canonical->keypoints, near.canonical->keypoints);
  const auto raw = measure_perspective(far.check->face.keypoints, near.check->face.keypoints);
  EXPECT_LT(std::abs(canonical.ear_parallax), PerspectiveOptions{}.min_ear_parallax);
  EXPECT_LT(canonical.ear_parallax, raw.ear_parallax);
}

TEST_F(AnalysisWithEngine, CanonicalFaceIsTheSameFaceAtAFixedShare) {
  const cv::Mat img = astronaut();
  CheckResult base;
  ASSERT_TRUE(livecheck::test::check_image(*runner_, img, &base).is_ok());
  const CanonicalCrop crop = make_canonical_crop(img, base.face.box);
  ASSERT_EQ(crop.bgr.cols, kCanonicalSide);
  EXPECT_NEAR(base.face.box.width * crop.scale, kCanonicalSide * kCanonicalFaceShare, 1e-6);
  const Point c = crop.to_crop(base.face.box.center());
  EXPECT_NEAR(c.x, kCanonicalSide / 2.0, 1e-6);
  const Point back = crop.to_image(c);
  EXPECT_NEAR(back.x, base.face.box.center().x, 1e-9);

  auto face = canonical_face(*runner_, img, base.face.box);
  ASSERT_TRUE(face.is_ok()) << face.status().to_string();
  const double iod = distance(base.face.keypoints[0], base.face.keypoints[1]);
  for (int k = 0; k < kKeypointCount; ++k) {
    EXPECT_LT(distance(face.value().keypoints[k], base.face.keypoints[k]), 0.25 * iod) << k;
  }
  // A box where there is no face: nothing is found again.
  EXPECT_FALSE(canonical_face(*runner_, img, {5, 430, 60, 60}).is_ok());
}

TEST_F(AnalysisWithEngine, FrameWithoutAFaceIsMeasuredAndReported) {
  const cv::Mat grey(480, 640, CV_8UC3, cv::Scalar::all(120));
  const FrameEvidence e = measure(encode_jpeg(grey));
  EXPECT_FALSE(e.check.has_value());
  EXPECT_FALSE(e.check_error.empty());
  EXPECT_NE(e.phash, 0u);
  FrameEvidence bad;
  EXPECT_EQ(
      measure_frame(*runner_, std::vector<std::uint8_t>{1, 2, 3}, ImageFormat::kAuto, {}, &bad)
          .code(),
      StatusCode::kInvalidImage);
}

TEST_F(AnalysisWithEngine, ReplayedAndPngFramesAreInjections) {
  const cv::Mat img = astronaut();
  CheckResult base;
  ASSERT_TRUE(livecheck::test::check_image(*runner_, img, &base).is_ok());
  const FrameEvidence far = measure(encode_jpeg(test::far_frame(img)));
  const FrameEvidence near = measure(encode_jpeg(test::near_frame(img, base.face.box)));
  // An earlier session's far frame, re-encoded at another quality: its pHash is stored.
  const FrameEvidence earlier = measure(encode_jpeg(test::far_frame(img), 70));
  SessionContext c = good_context();
  const std::uint64_t recent[] = {0x0123456789abcdefULL, earlier.phash};
  c.recent_phashes = recent;
  const SessionAnalysis a = analyze_session(far, near, c);
  EXPECT_TRUE(has(a, "replayed_frame"));
  EXPECT_LE(a.replay_distance, SessionOptions{}.replay_max_bits);

  const FrameEvidence png = measure(livecheck::test::encode_png(test::far_frame(img)));
  EXPECT_EQ(png.origin.why, "png_frame");
  EXPECT_TRUE(has(analyze_session(png, near, good_context()), "non_camera_source"));
}

}  // namespace
}  // namespace livecheck::sessions
