#include "sessions/canonical.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace livecheck::sessions {
namespace {

double iou(const Box& a, const Box& b) {
  const double x1 = std::max(a.x, b.x), y1 = std::max(a.y, b.y);
  const double x2 = std::min(a.x + a.width, b.x + b.width);
  const double y2 = std::min(a.y + a.height, b.y + b.height);
  const double inter = std::max(0.0, x2 - x1) * std::max(0.0, y2 - y1);
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

}  // namespace

CanonicalCrop make_canonical_crop(const cv::Mat& bgr, const Box& box) {
  CanonicalCrop c;
  const double side = std::max(box.width, 1.0) / kCanonicalFaceShare;  // image px
  c.scale = kCanonicalSide / side;
  const Point centre = box.center();
  c.x0 = centre.x - side / 2;
  c.y0 = centre.y - side / 2;
  cv::Mat src = bgr;
  cv::Matx23d warp(c.scale, 0, -c.x0 * c.scale, 0, c.scale, -c.y0 * c.scale);
  if (c.scale < 1) {
    // Reduce with INTER_AREA first (a bilinear warp would alias), then only translate.
    const cv::Rect roi =
        cv::Rect(static_cast<int>(std::floor(c.x0)) - 1, static_cast<int>(std::floor(c.y0)) - 1,
                 static_cast<int>(std::ceil(side)) + 3, static_cast<int>(std::ceil(side)) + 3) &
        cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (roi.area() == 0) {
      c.bgr = cv::Mat(kCanonicalSide, kCanonicalSide, CV_8UC3, cv::Scalar::all(0));
      return c;
    }
    cv::resize(bgr(roi), src, cv::Size(), c.scale, c.scale, cv::INTER_AREA);
    // INTER_AREA maps x to (x + 0.5) f - 0.5; the half-pixel terms are left out (< 0.5 px).
    warp = cv::Matx23d(1, 0, -(c.x0 - roi.x) * c.scale, 0, 1, -(c.y0 - roi.y) * c.scale);
  }
  cv::warpAffine(src, c.bgr, warp, cv::Size(kCanonicalSide, kCanonicalSide), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return c;
}

StatusOr<Face> canonical_face(Runner& runner, const cv::Mat& bgr, const Box& box) {
  const CanonicalCrop crop = make_canonical_crop(bgr, box);
  std::vector<std::uint8_t> png;
  // Compression level 1: lossless and ~1 ms for 384x384; a JPEG would add its own blocking.
  if (!cv::imencode(".png", crop.bgr, png, {cv::IMWRITE_PNG_COMPRESSION, 1})) {
    return Status::internal("canonical crop: PNG encoding failed");
  }
  CheckResult r;
  const Status s = runner.check(png, ImageFormat::kPng, {}, &r);
  if (!s.is_ok()) return s;
  const Point p0 = crop.to_crop({box.x, box.y});
  const Box expected{p0.x, p0.y, box.width * crop.scale, box.height * crop.scale};
  const Face* best = nullptr;
  double best_iou = kCanonicalMinIou;
  for (const Face& f : r.faces) {
    const double v = iou(f.box, expected);
    if (v >= best_iou) best = &f, best_iou = v;
  }
  if (best == nullptr) return Status::not_found("canonical crop: the face was not found again");
  Face out = *best;
  const Point b0 = crop.to_image({best->box.x, best->box.y});
  out.box = {b0.x, b0.y, best->box.width / crop.scale, best->box.height / crop.scale};
  for (Point& k : out.keypoints) k = crop.to_image(k);
  return out;
}

}  // namespace livecheck::sessions
