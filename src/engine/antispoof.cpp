#include "antispoof.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace livecheck {

cv::Rect minifasnet_crop_rect(int frame_w, int frame_h, const Box& box, double scale,
                              double* effective_scale) {
  const double W = frame_w, H = frame_h;
  const double w = box.width, h = box.height;
  // 1. shrink the factor if the enlarged box would not fit.
  const double s = std::min({scale, (H - 1) / h, (W - 1) / w});
  // 2-4. enlarged box about the detector box's centre.
  const double nw = w * s, nh = h * s;
  const double cx = box.x + w / 2, cy = box.y + h / 2;
  double x1 = cx - nw / 2, x2 = cx + nw / 2;
  double y1 = cy - nh / 2, y2 = cy + nh / 2;
  // 5. shift into the frame, in upstream's order.
  if (x1 < 0) {
    x2 -= x1;
    x1 = 0;
  }
  if (y1 < 0) {
    y2 -= y1;
    y1 = 0;
  }
  if (x2 > W - 1) {
    x1 -= x2 - (W - 1);
    x2 = W - 1;
  }
  if (y2 > H - 1) {
    y1 -= y2 - (H - 1);
    y2 = H - 1;
  }
  // 6-7. truncate and make the inclusive ROI. Clamp defensively against rounding at the edges.
  const int ix1 = std::clamp(static_cast<int>(x1), 0, frame_w - 1);
  const int iy1 = std::clamp(static_cast<int>(y1), 0, frame_h - 1);
  const int ix2 = std::clamp(static_cast<int>(x2), ix1, frame_w - 1);
  const int iy2 = std::clamp(static_cast<int>(y2), iy1, frame_h - 1);
  if (effective_scale != nullptr) *effective_scale = s;
  return {ix1, iy1, ix2 - ix1 + 1, iy2 - iy1 + 1};
}

StatusOr<MiniFasNet> MiniFasNet::load(const ModelFile& model) {
  MiniFasNet m;
  try {
    m.net_ = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(model.bytes.data()),
                                      model.bytes.size());
    m.net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    m.net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    return Status::model_error("cannot load " + model.file + ": " + e.what());
  }
  m.crop_scale_ = model.crop_scale;
  m.live_class_ = model.live_class;
  m.size_ = model.input_size;
  try {
    cv::Mat probe(m.size_, m.size_, CV_8UC3, cv::Scalar(127, 127, 127));
    m.net_.setInput(
        cv::dnn::blobFromImage(probe, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F));
    cv::Mat out = m.net_.forward();
    if (out.total() != 3) {
      return Status::model_error(model.file + ": expected 3 logits, got " +
                                 std::to_string(out.total()));
    }
  } catch (const cv::Exception& e) {
    return Status::model_error(model.file + ": forward pass failed (input must be 1x3x" +
                               std::to_string(m.size_) + "x" + std::to_string(m.size_) +
                               " BGR 0..255): " + e.what());
  }
  return m;
}

std::array<double, 3> MiniFasNet::predict(const cv::Mat& bgr, const Box& box,
                                          double* effective_scale) {
  const cv::Rect roi = minifasnet_crop_rect(bgr.cols, bgr.rows, box, crop_scale_, effective_scale);
  cv::resize(bgr(roi), patch_, cv::Size(size_, size_), 0, 0, cv::INTER_LINEAR);
  net_.setInput(
      cv::dnn::blobFromImage(patch_, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F));
  const cv::Mat logits = net_.forward();
  const float* l = logits.ptr<float>();
  const double m = std::max({l[0], l[1], l[2]});
  std::array<double, 3> p{std::exp(l[0] - m), std::exp(l[1] - m), std::exp(l[2] - m)};
  const double sum = p[0] + p[1] + p[2];
  for (double& v : p) v /= sum;
  return p;
}

}  // namespace livecheck
