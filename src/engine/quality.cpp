#include "quality.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

namespace livecheck {
namespace {

constexpr double kRadToDeg = 180.0 / std::numbers::pi;
constexpr int kSharpnessWidth = 128;  // faces are resized to this width before the Laplacian

cv::Rect clip(const Box& b, const cv::Mat& img) {
  const int x1 = std::clamp(static_cast<int>(std::floor(b.x)), 0, img.cols);
  const int y1 = std::clamp(static_cast<int>(std::floor(b.y)), 0, img.rows);
  const int x2 = std::clamp(static_cast<int>(std::ceil(b.x + b.width)), 0, img.cols);
  const int y2 = std::clamp(static_cast<int>(std::ceil(b.y + b.height)), 0, img.rows);
  return {x1, y1, std::max(0, x2 - x1), std::max(0, y2 - y1)};
}

double sharpness(const cv::Mat& bgr, const Box& box) {
  const cv::Rect r = clip(box, bgr);
  if (r.width < 4 || r.height < 4) return 0;
  cv::Mat grey, resized, lap;
  cv::cvtColor(bgr(r), grey, cv::COLOR_BGR2GRAY);
  const double f = static_cast<double>(kSharpnessWidth) / r.width;
  cv::resize(grey, resized, cv::Size(), f, f, f < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::Laplacian(resized, lap, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

// Reasons in report order, each with its blocking flag.
struct ReasonRule {
  const char* name;
  bool blocking;
};
constexpr ReasonRule kReasonRules[] = {
    {kReasonFaceTooSmall, true},  {kReasonTooDark, true},    {kReasonTooBright, true},
    {kReasonBlurry, true},        {kReasonFaceCutOff, true}, {kReasonPoseTooLarge, true},
    {kReasonMultipleFaces, true},
};

}  // namespace

double mean_luma(const cv::Mat& bgr, const Box& box) {
  const cv::Rect r = clip(box, bgr);
  if (r.area() == 0) return 0;
  const cv::Scalar m = cv::mean(bgr(r));  // B, G, R
  return 0.114 * m[0] + 0.587 * m[1] + 0.299 * m[2];
}

double estimate_roll_deg(const Face& f) {
  const Point& r = f.keypoint(Keypoint::kRightEye);  // image left
  const Point& l = f.keypoint(Keypoint::kLeftEye);   // image right
  return std::atan2(l.y - r.y, l.x - r.x) * kRadToDeg;
}

double estimate_yaw_deg(const Face& f) {
  // The nose tip's offset from the eye midpoint, measured along the eye line and relative to
  // half the inter-ocular distance, is ~sin(yaw) for a frontal-ish face. The ear tragions are
  // not used: BlazeFace places them poorly when the head turns.
  const Point& r = f.keypoint(Keypoint::kRightEye);
  const Point& l = f.keypoint(Keypoint::kLeftEye);
  const Point& n = f.keypoint(Keypoint::kNoseTip);
  const double ex = l.x - r.x, ey = l.y - r.y;
  const double iod = std::hypot(ex, ey);
  if (iod < 1e-6) return 0;
  const double mx = (l.x + r.x) / 2, my = (l.y + r.y) / 2;
  const double along = ((n.x - mx) * ex + (n.y - my) * ey) / iod;  // px along the eye line
  // Nose tip depth ~ 0.6 IOD in front of the eye plane: offset = depth * sin(yaw).
  const double s = std::clamp(along / (0.6 * iod), -1.0, 1.0);
  return std::asin(s) * kRadToDeg;
}

Quality assess_quality(const cv::Mat& bgr, const std::vector<Face>& faces, double to_full,
                       const QualityThresholds& t) {
  Quality q;
  const Face& f = faces.front();
  q.face_count = static_cast<int>(faces.size());
  q.brightness = mean_luma(bgr, f.box);
  q.sharpness = sharpness(bgr, f.box);
  q.face_width_px = f.box.width * to_full;
  q.face_ratio = f.box.width / std::min(bgr.cols, bgr.rows);
  const cv::Rect inside = clip(f.box, bgr);
  q.inside_ratio = f.box.area() > 0 ? std::min(1.0, inside.area() / f.box.area()) : 0;
  q.roll_deg = estimate_roll_deg(f);
  q.yaw_deg = estimate_yaw_deg(f);

  int others = 0;
  for (std::size_t i = 1; i < faces.size(); ++i) {
    if (faces[i].box.width >= t.second_face_ratio * f.box.width) ++others;
  }
  auto fired = [&](const char* reason) {
    const std::string r(reason);
    if (r == kReasonFaceTooSmall) {
      return q.face_width_px < t.min_face_px || q.face_ratio < t.min_face_ratio;
    }
    if (r == kReasonTooDark) return q.brightness < t.min_brightness;
    if (r == kReasonTooBright) return q.brightness > t.max_brightness;
    if (r == kReasonBlurry) return q.sharpness < t.min_sharpness;
    if (r == kReasonFaceCutOff) return q.inside_ratio < t.min_inside_ratio;
    if (r == kReasonPoseTooLarge) {
      return std::abs(q.roll_deg) > t.max_roll_deg || std::abs(q.yaw_deg) > t.max_yaw_deg;
    }
    if (r == kReasonMultipleFaces) return others > 0;
    return false;
  };
  q.valid = true;
  for (const ReasonRule& rule : kReasonRules) {
    if (fired(rule.name)) {
      q.reasons.emplace_back(rule.name);
      if (rule.blocking) q.valid = false;
    }
  }
  return q;
}

}  // namespace livecheck
