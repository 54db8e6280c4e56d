// MiniFASNet anti-spoof pair (V2 at crop 2.7x, V1SE at crop 4.0x) exactly as the model card
// (shared/models/minifasnet/README.md) specifies: BGR, raw 0..255 floats, NCHW 1x3x80x80, the
// upstream crop rule, softmax over three logits, index 1 = live.
// Thread safety: one MiniFasNet per worker thread.
#pragma once

#include <array>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "livecheck/result.h"
#include "livecheck/status.h"
#include "model_pack.h"

namespace livecheck {

// Upstream CropImage._get_new_box, in double precision, returning the inclusive-corner ROI as a
// cv::Rect (x1, y1, x2 - x1 + 1, y2 - y1 + 1). `effective_scale` receives s'.
cv::Rect minifasnet_crop_rect(int frame_w, int frame_h, const Box& box, double scale,
                              double* effective_scale = nullptr);

class MiniFasNet {
 public:
  static StatusOr<MiniFasNet> load(const ModelFile& model);

  // Softmax of the three logits for the patch of `box` in `bgr`.
  std::array<double, 3> predict(const cv::Mat& bgr, const Box& box, double* effective_scale);

  double crop_scale() const { return crop_scale_; }
  int live_class() const { return live_class_; }

 private:
  MiniFasNet() = default;
  cv::dnn::Net net_;
  double crop_scale_ = 0;
  int live_class_ = 1;
  int size_ = 80;
  cv::Mat patch_;
};

}  // namespace livecheck
