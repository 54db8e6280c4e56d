// Shared helpers of the session tests: far/near pairs made from one still (a flat scaling, what
// a print or a screen at two distances looks like) and engine-measured frames.
#pragma once

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "livecheck/result.h"

namespace livecheck::sessions::test {

// The still shrunk by `scale` into a grey canvas of the same size.
inline cv::Mat far_frame(const cv::Mat& img, double scale = 0.6) {
  cv::Mat canvas(img.size(), img.type(), cv::Scalar::all(128)), small;
  cv::resize(img, small, cv::Size(), scale, scale, cv::INTER_AREA);
  small.copyTo(canvas(
      cv::Rect((img.cols - small.cols) / 2, (img.rows - small.rows) / 2, small.cols, small.rows)));
  return canvas;
}

// A crop around `face` enlarged to the still's size: the face is `factor` x bigger (relative to
// the frame) than in far_frame(img, far_scale).
inline cv::Mat near_frame(const cv::Mat& img, const Box& face, double far_scale = 0.6,
                          double factor = 2.0) {
  const double frac = std::min(1.0, 1.0 / (far_scale * factor));
  const int cw = static_cast<int>(img.cols * frac), ch = static_cast<int>(img.rows * frac);
  const Point c = face.center();
  const int x0 = std::clamp(static_cast<int>(c.x - cw / 2.0), 0, img.cols - cw);
  const int y0 = std::clamp(static_cast<int>(c.y - ch / 2.0), 0, img.rows - ch);
  cv::Mat near;
  cv::resize(img(cv::Rect(x0, y0, cw, ch)), near, img.size(), 0, 0, cv::INTER_LINEAR);
  return near;
}

}  // namespace livecheck::sessions::test
