#include "sessions/perspective.h"

#include <cmath>
#include <opencv2/core.hpp>

namespace livecheck::sessions {
namespace {

constexpr double kMinLengthPx = 1.0;        // below this a ratio is meaningless
constexpr double kMinScaleForDepth = 1.05;  // depth_over_distance needs a real distance change

const Point& kp(const Keypoints& k, Keypoint which) { return k[static_cast<int>(which)]; }

double inter_ocular(const Keypoints& k) {
  return distance(kp(k, Keypoint::kRightEye), kp(k, Keypoint::kLeftEye));
}
double ear_spread(const Keypoints& k) {
  return distance(kp(k, Keypoint::kRightEar), kp(k, Keypoint::kLeftEar));
}

// Distance of the nose tip from the eye line, per inter-ocular distance.
double nose_ratio(const Keypoints& k) {
  const Point& r = kp(k, Keypoint::kRightEye);
  const Point& l = kp(k, Keypoint::kLeftEye);
  const Point& n = kp(k, Keypoint::kNoseTip);
  const double dx = l.x - r.x, dy = l.y - r.y;
  const double len2 = dx * dx + dy * dy;
  return std::abs((n.x - r.x) * dy - (n.y - r.y) * dx) / len2;
}

double rms_residual(const Keypoints& mapped, const Keypoints& target) {
  double sum = 0;
  for (int i = 0; i < kKeypointCount; ++i) {
    const double d = distance(mapped[i], target[i]);
    sum += d * d;
  }
  return std::sqrt(sum / kKeypointCount);
}

// Least-squares affine far -> near, applied to `far`.
Keypoints affine_fit_apply(const Keypoints& far, const Keypoints& near) {
  cv::Matx33d m = cv::Matx33d::zeros();
  cv::Vec3d bx(0, 0, 0), by(0, 0, 0);
  for (int i = 0; i < kKeypointCount; ++i) {
    const cv::Vec3d v(far[i].x, far[i].y, 1);
    m += v * v.t();
    bx += v * near[i].x;
    by += v * near[i].y;
  }
  cv::Vec3d cx, cy;
  cv::solve(m, bx, cx, cv::DECOMP_SVD);
  cv::solve(m, by, cy, cv::DECOMP_SVD);
  Keypoints out{};
  for (int i = 0; i < kKeypointCount; ++i) {
    const cv::Vec3d v(far[i].x, far[i].y, 1);
    out[i] = {cx.dot(v), cy.dot(v)};
  }
  return out;
}

}  // namespace

double distance(Point a, Point b) { return std::hypot(a.x - b.x, a.y - b.y); }

double Similarity::scale() const { return std::hypot(a, b); }
double Similarity::angle_rad() const { return std::atan2(b, a); }

Similarity fit_similarity(std::span<const Point> from, std::span<const Point> to) {
  const std::size_t n = std::min(from.size(), to.size());
  if (n < 2) return {};
  Point fc{0, 0}, tc{0, 0};
  for (std::size_t i = 0; i < n; ++i) {
    fc.x += from[i].x / n;
    fc.y += from[i].y / n;
    tc.x += to[i].x / n;
    tc.y += to[i].y / n;
  }
  double num_a = 0, num_b = 0, den = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double px = from[i].x - fc.x, py = from[i].y - fc.y;
    const double qx = to[i].x - tc.x, qy = to[i].y - tc.y;
    num_a += px * qx + py * qy;
    num_b += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (den < 1e-12) return {};
  Similarity s;
  s.a = num_a / den;
  s.b = num_b / den;
  s.tx = tc.x - (s.a * fc.x - s.b * fc.y);
  s.ty = tc.y - (s.b * fc.x + s.a * fc.y);
  return s;
}

PerspectiveStats measure_perspective(const Keypoints& far, const Keypoints& near,
                                     const PerspectiveOptions& options) {
  PerspectiveStats s;
  const double iod_far = inter_ocular(far), iod_near = inter_ocular(near);
  const double ears_far = ear_spread(far), ears_near = ear_spread(near);
  if (iod_far < kMinLengthPx || iod_near < kMinLengthPx || ears_far < kMinLengthPx ||
      ears_near < kMinLengthPx) {
    return s;
  }
  s.measured = true;
  s.scale = iod_near / iod_far;
  s.ear_eye_ratio_far = ears_far / iod_far;
  s.ear_eye_ratio_near = ears_near / iod_near;
  s.ear_parallax = std::log(s.ear_eye_ratio_far / s.ear_eye_ratio_near);
  if (s.scale >= kMinScaleForDepth) s.depth_over_distance = s.ear_parallax / (1 - 1 / s.scale);
  const double nose_far = nose_ratio(far), nose_near = nose_ratio(near);
  if (nose_far > 0 && nose_near > 0) s.nose_ratio_change = std::log(nose_near / nose_far);

  const Similarity sim = fit_similarity(far, near);
  Keypoints mapped{};
  for (int i = 0; i < kKeypointCount; ++i) mapped[i] = sim.apply(far[i]);
  s.similarity_residual = rms_residual(mapped, near) / iod_near;
  s.affine_residual = rms_residual(affine_fit_apply(far, near), near) / iod_near;
  s.is_3d = s.ear_parallax >= options.min_ear_parallax;
  return s;
}

double perspective_component(double ear_parallax, const PerspectiveOptions& options) {
  const double z = (ear_parallax - options.min_ear_parallax) / options.softness;
  return 100.0 / (1.0 + std::exp(-z));
}

}  // namespace livecheck::sessions
