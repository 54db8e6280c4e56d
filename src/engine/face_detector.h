// BlazeFace (MediaPipe) face detector on OpenCV cv::dnn: letterbox, anchors, sigmoid scores,
// weighted NMS, six keypoints mapped back to image coordinates.
// Thread safety: one BlazeFace per worker thread (cv::dnn::Net is not thread-safe).
#pragma once

#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "livecheck/result.h"
#include "livecheck/status.h"
#include "model_pack.h"

namespace livecheck {

class BlazeFace {
 public:
  // Builds the network from the verified in-memory ONNX bytes.
  static StatusOr<BlazeFace> load(const ModelFile& model, double min_score, double nms_iou);

  // All faces in `bgr` (8-bit BGR, any size), sorted by box area, largest first. Coordinates are
  // pixels of `bgr`.
  std::vector<Face> detect(const cv::Mat& bgr);

  int input_size() const { return size_; }

 private:
  struct Anchor {
    float cx, cy;
  };
  BlazeFace() = default;
  cv::Mat preprocess(const cv::Mat& bgr, double* scale, double* pad_x, double* pad_y);
  std::vector<Face> postprocess(const std::vector<cv::Mat>& outs, double scale, double pad_x,
                                double pad_y) const;

  cv::dnn::Net net_;
  std::vector<cv::String> out_names_;
  std::vector<Anchor> anchors_;
  std::vector<int> layer_anchor_counts_;
  int size_ = 0;
  double range_lo_ = 0, range_hi_ = 1;
  double min_score_ = 0.5;
  double nms_iou_ = 0.3;
  cv::Mat letterbox_;  // reused buffers
  cv::Mat blob_;
};

// Intersection over union of two boxes.
double iou(const Box& a, const Box& b);

}  // namespace livecheck
