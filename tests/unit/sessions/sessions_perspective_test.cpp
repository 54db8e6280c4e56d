// The perspective statistic (src/sessions/perspective.h) on synthetic keypoints: a 3D face model
// projected with a pinhole camera at far and near distances must be called 3D, the same face
// flattened (a print) and pure 2D similarities must be called flat, over many seeded draws.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "sessions/face_model.h"
#include "sessions/perspective.h"

namespace livecheck::sessions {
namespace {

constexpr int kDraws = 1000;

class Draws {
 public:
  explicit Draws(unsigned seed) : rng_(seed) {}
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  // A hand-held pose: small yaw/pitch/roll and off-axis offsets.
  HeadPose pose(double distance_mm) {
    return {distance_mm,    uniform(-30, 30), uniform(-30, 30),
            uniform(-8, 8), uniform(-8, 8),   uniform(-10, 10)};
  }
  // Gaussian keypoint noise, sigma = `share` of the inter-ocular distance.
  Keypoints noisy(Keypoints k, double share) {
    const double sigma = share * distance(k[0], k[1]);
    std::normal_distribution<double> g(0, sigma);
    for (Point& p : k) p = {p.x + g(rng_), p.y + g(rng_)};
    return k;
  }
  FaceModel3d face() { return typical_face_model(uniform(80, 100), uniform(20, 28)); }
  PinholeCamera camera() { return {uniform(600, 1000), 360, 480}; }

 private:
  std::mt19937 rng_;
};

TEST(FaceModel, ExpectedParallaxGrowsAsTheCameraComesCloser) {
  const FaceModel3d m = typical_face_model();
  const double phone = expected_ear_parallax(m, 450, 220);
  EXPECT_GT(phone, 0.08);  // the design range 0.06-0.16 (perspective.h)
  EXPECT_LT(phone, 0.16);
  EXPECT_LT(expected_ear_parallax(m, 400, 250), phone);
  EXPECT_GT(expected_ear_parallax(m, 500, 200), phone);
  EXPECT_NEAR(expected_ear_parallax(flattened(m), 450, 220), 0.0, 1e-12);
  // The documented threshold sits below the smallest design case.
  EXPECT_LT(PerspectiveOptions{}.min_ear_parallax, expected_ear_parallax(m, 400, 250));
}

TEST(FaceModel, FrontalProjectionMatchesTheClosedForm) {
  const FaceModel3d m = typical_face_model();
  const PinholeCamera cam{800, 360, 480};
  const auto s = measure_perspective(project(m, {450}, cam), project(m, {220}, cam));
  ASSERT_TRUE(s.measured);
  EXPECT_NEAR(s.ear_parallax, expected_ear_parallax(m, 450, 220), 1e-9);
  EXPECT_GT(s.scale, 1.5);
}

TEST(Perspective, RealFaceIsCalled3DOverManyRandomPoses) {
  Draws d(1);
  int called_3d = 0;
  for (int i = 0; i < kDraws; ++i) {
    const FaceModel3d face = d.face();
    const PinholeCamera cam = d.camera();
    const auto s =
        measure_perspective(d.noisy(project(face, d.pose(d.uniform(400, 500)), cam), 0.005),
                            d.noisy(project(face, d.pose(d.uniform(200, 250)), cam), 0.005));
    ASSERT_TRUE(s.measured);
    called_3d += s.is_3d;
  }
  EXPECT_GE(called_3d, kDraws * 97 / 100);
}

TEST(Perspective, FlattenedFaceIsCalledFlatOverTheSamePoses) {
  Draws d(2);
  int called_flat = 0;
  for (int i = 0; i < kDraws; ++i) {
    const FaceModel3d print = flattened(d.face());
    const PinholeCamera cam = d.camera();
    const auto s =
        measure_perspective(d.noisy(project(print, d.pose(d.uniform(400, 500)), cam), 0.005),
                            d.noisy(project(print, d.pose(d.uniform(200, 250)), cam), 0.005));
    called_flat += !s.is_3d;
  }
  EXPECT_GE(called_flat, kDraws * 97 / 100);
}

TEST(Perspective, Pure2DSimilarityWithPixelNoiseIsCalledFlat) {
  Draws d(3);
  int called_flat = 0;
  for (int i = 0; i < kDraws; ++i) {
    const Keypoints far = project(flattened(d.face()), d.pose(450), d.camera());
    const double sc = d.uniform(1.3, 2.5), ang = d.uniform(-0.3, 0.3);
    const Similarity t{sc * std::cos(ang), sc * std::sin(ang), d.uniform(-200, 200),
                       d.uniform(-200, 200)};
    Keypoints near{};
    for (int k = 0; k < kKeypointCount; ++k) near[k] = t.apply(far[k]);
    // One pixel of noise on each coordinate at the near size, half a pixel at the far size.
    std::normal_distribution<double> g(0, 1);
    std::mt19937 rng(static_cast<unsigned>(i));
    for (Point& p : near) p = {p.x + g(rng), p.y + g(rng)};
    const auto s = measure_perspective(far, near);
    called_flat += !s.is_3d;
  }
  EXPECT_GE(called_flat, kDraws * 99 / 100);
}

TEST(Perspective, ExactSimilarityGivesZeroParallaxAndResiduals) {
  const Keypoints far = project(typical_face_model(), {450, 10, -5, 5, 3, 4}, {});
  const Similarity t{1.5, 0.4, 30, -20};
  Keypoints near{};
  for (int k = 0; k < kKeypointCount; ++k) near[k] = t.apply(far[k]);
  const auto s = measure_perspective(far, near);
  EXPECT_NEAR(s.ear_parallax, 0, 1e-12);
  EXPECT_NEAR(s.similarity_residual, 0, 1e-9);
  EXPECT_NEAR(s.affine_residual, 0, 1e-9);
  EXPECT_NEAR(s.scale, t.scale(), 1e-9);
  EXPECT_FALSE(s.is_3d);
}

TEST(Perspective, AffineSqueezeOfAFrontalPrintKeepsTheRatio) {
  // A print tilted about a vertical or horizontal axis (weak perspective): x and y scale
  // differently. Eye line and ear line are parallel in a frontal, unrolled face, so the ratio of
  // their lengths is kept.
  const Keypoints far = project(flattened(typical_face_model()), {450}, {});
  for (const auto& [sx, sy] : {std::pair{0.85, 1.0}, std::pair{1.0, 0.8}, std::pair{1.7, 1.4}}) {
    Keypoints near{};
    for (int k = 0; k < kKeypointCount; ++k) near[k] = {far[k].x * sx + 5, far[k].y * sy - 7};
    EXPECT_NEAR(measure_perspective(far, near).ear_parallax, 0, 1e-9) << sx << " " << sy;
  }
}

TEST(Perspective, HeadRotationAloneDoesNotLookLikeDepth) {
  // Orthographic-like setting (far camera): turning or nodding the head between frames must
  // not change the ear/eye ratio much (both lengths are horizontal, each pair at equal depth).
  const FaceModel3d face = typical_face_model();
  const PinholeCamera cam{8000, 0, 0};
  const Keypoints a = project(face, {5000}, cam);
  for (const HeadPose& p : {HeadPose{5000, 0, 0, 15, 0, 0}, HeadPose{5000, 0, 0, 0, 15, 0},
                            HeadPose{5000, 0, 0, 0, 0, 20}}) {
    EXPECT_NEAR(measure_perspective(a, project(face, p, cam)).ear_parallax, 0, 0.005);
  }
}

TEST(Perspective, DegenerateKeypointsAreNotMeasured) {
  Keypoints same{};
  for (Point& p : same) p = {100, 100};
  const auto s = measure_perspective(same, same);
  EXPECT_FALSE(s.measured);
  EXPECT_FALSE(s.is_3d);
}

TEST(Perspective, ComponentIsFiftyAtTheThresholdAndMonotone) {
  const PerspectiveOptions o;
  EXPECT_NEAR(perspective_component(o.min_ear_parallax, o), 50, 1e-9);
  EXPECT_LT(perspective_component(0.0, o), 10);
  EXPECT_GT(perspective_component(0.1, o), 99);
  double last = -1;
  for (double s = -0.1; s <= 0.2; s += 0.01) {
    const double c = perspective_component(s, o);
    EXPECT_GT(c, last);
    last = c;
  }
}

TEST(Similarity, FitRecoversAKnownTransform) {
  const Keypoints from = project(typical_face_model(), {450}, {});
  const Similarity t{0.9, -0.3, 12, 40};
  Keypoints to{};
  for (int k = 0; k < kKeypointCount; ++k) to[k] = t.apply(from[k]);
  const Similarity f = fit_similarity(from, to);
  EXPECT_NEAR(f.a, t.a, 1e-9);
  EXPECT_NEAR(f.b, t.b, 1e-9);
  EXPECT_NEAR(f.tx, t.tx, 1e-6);
  EXPECT_NEAR(f.ty, t.ty, 1e-6);
  EXPECT_NEAR(f.angle_rad(), std::atan2(-0.3, 0.9), 1e-9);
}

}  // namespace
}  // namespace livecheck::sessions
