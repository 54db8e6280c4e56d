#include "face_detector.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

namespace livecheck {
namespace {

constexpr int kValuesPerAnchor = 16;  // box (cx, cy, w, h) + 6 keypoints (x, y)

double sigmoid(double x) {
  x = std::clamp(x, -100.0, 100.0);  // MediaPipe's score_clipping_thresh
  return 1.0 / (1.0 + std::exp(-x));
}

}  // namespace

double iou(const Box& a, const Box& b) {
  const double x1 = std::max(a.x, b.x), y1 = std::max(a.y, b.y);
  const double x2 = std::min(a.x + a.width, b.x + b.width);
  const double y2 = std::min(a.y + a.height, b.y + b.height);
  const double inter = std::max(0.0, x2 - x1) * std::max(0.0, y2 - y1);
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

StatusOr<BlazeFace> BlazeFace::load(const ModelFile& model, double min_score, double nms_iou) {
  BlazeFace d;
  try {
    d.net_ = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(model.bytes.data()),
                                      model.bytes.size());
    d.net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    d.net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    return Status::model_error("cannot load " + model.file + ": " + e.what());
  }
  d.size_ = model.input_size;
  d.range_lo_ = model.range_lo;
  d.range_hi_ = model.range_hi;
  d.min_score_ = min_score;
  d.nms_iou_ = nms_iou;
  // Outputs: scores and regressors of each anchor layer, in the graph's naming order.
  d.out_names_ = {"Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"};
  for (std::size_t l = 0; l < model.strides.size(); ++l) {
    const int cells = d.size_ / model.strides[l];
    int count = 0;
    for (int y = 0; y < cells; ++y) {
      for (int x = 0; x < cells; ++x) {
        for (int a = 0; a < model.per_cell[l]; ++a) {
          d.anchors_.push_back({(x + 0.5f) / cells, (y + 0.5f) / cells});
          ++count;
        }
      }
    }
    d.layer_anchor_counts_.push_back(count);
  }
  if (d.layer_anchor_counts_.size() != 2) {
    return Status::model_error(model.file + ": expected two anchor layers");
  }
  // Prove the graph runs and has the expected output shapes ("input must be SxS RGB").
  try {
    cv::Mat probe(d.size_, d.size_, CV_8UC3, cv::Scalar(127, 127, 127));
    double s, px, py;
    d.net_.setInput(d.preprocess(probe, &s, &px, &py));
    std::vector<cv::Mat> outs;
    d.net_.forward(outs, d.out_names_);
    for (int l = 0; l < 2; ++l) {
      if (outs[l].total() != static_cast<std::size_t>(d.layer_anchor_counts_[l]) ||
          outs[l + 2].total() !=
              static_cast<std::size_t>(d.layer_anchor_counts_[l]) * kValuesPerAnchor) {
        return Status::model_error(model.file + ": output shapes do not match its anchors");
      }
    }
  } catch (const cv::Exception& e) {
    return Status::model_error(model.file + ": forward pass failed (input must be " +
                               std::to_string(d.size_) + "x" + std::to_string(d.size_) +
                               " RGB NHWC): " + e.what());
  }
  return d;
}

cv::Mat BlazeFace::preprocess(const cv::Mat& bgr, double* scale, double* pad_x, double* pad_y) {
  // Letterbox: keep the aspect ratio, centre the image on a black SxS canvas.
  const double s = static_cast<double>(size_) / std::max(bgr.cols, bgr.rows);
  const int w = std::max(1, static_cast<int>(std::lround(bgr.cols * s)));
  const int h = std::max(1, static_cast<int>(std::lround(bgr.rows * s)));
  const int px = (size_ - w) / 2, py = (size_ - h) / 2;
  letterbox_.create(size_, size_, CV_8UC3);
  letterbox_.setTo(cv::Scalar::all(0));
  cv::Mat roi = letterbox_(cv::Rect(px, py, w, h));
  cv::resize(bgr, roi, roi.size(), 0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  // NHWC float RGB in [range_lo, range_hi].
  const int dims[4] = {1, size_, size_, 3};
  blob_.create(4, dims, CV_32F);
  cv::Mat rgb(size_, size_, CV_32FC3, blob_.ptr<float>());
  cv::Mat tmp;
  cv::cvtColor(letterbox_, tmp, cv::COLOR_BGR2RGB);
  tmp.convertTo(rgb, CV_32F, (range_hi_ - range_lo_) / 255.0, range_lo_);
  *scale = s;
  *pad_x = px;
  *pad_y = py;
  return blob_;
}

std::vector<Face> BlazeFace::postprocess(const std::vector<cv::Mat>& outs, double scale,
                                         double pad_x, double pad_y) const {
  struct Candidate {
    double score;
    double v[4 + 2 * kKeypointCount];  // cx, cy, w, h, keypoints; normalised letterbox units
  };
  std::vector<Candidate> cands;
  std::size_t base = 0;
  for (int l = 0; l < 2; ++l) {
    const float* scores = outs[l].ptr<float>();
    const float* regs = outs[l + 2].ptr<float>();
    for (int i = 0; i < layer_anchor_counts_[l]; ++i) {
      const double score = sigmoid(scores[i]);
      if (score < min_score_) continue;
      const Anchor& a = anchors_[base + i];
      const float* r = regs + static_cast<std::size_t>(i) * kValuesPerAnchor;
      Candidate c;
      c.score = score;
      c.v[0] = a.cx + r[0] / size_;
      c.v[1] = a.cy + r[1] / size_;
      c.v[2] = r[2] / size_;
      c.v[3] = r[3] / size_;
      for (int k = 0; k < kKeypointCount; ++k) {
        c.v[4 + 2 * k] = a.cx + r[4 + 2 * k] / size_;
        c.v[5 + 2 * k] = a.cy + r[5 + 2 * k] / size_;
      }
      cands.push_back(c);
    }
    base += layer_anchor_counts_[l];
  }
  std::sort(cands.begin(), cands.end(),
            [](const Candidate& a, const Candidate& b) { return a.score > b.score; });

  auto to_box = [](const Candidate& c) {
    return Box{c.v[0] - c.v[2] / 2, c.v[1] - c.v[3] / 2, c.v[2], c.v[3]};
  };
  // Weighted NMS as in MediaPipe: overlapping candidates are blended, weighted by score.
  std::vector<bool> used(cands.size(), false);
  std::vector<Face> faces;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    if (used[i]) continue;
    const Box bi = to_box(cands[i]);
    double acc[4 + 2 * kKeypointCount] = {0};
    double wsum = 0;
    for (std::size_t j = i; j < cands.size(); ++j) {
      if (used[j] || iou(bi, to_box(cands[j])) < nms_iou_) continue;
      used[j] = true;
      for (int k = 0; k < 4 + 2 * kKeypointCount; ++k) acc[k] += cands[j].v[k] * cands[j].score;
      wsum += cands[j].score;
    }
    for (double& v : acc) v /= wsum;
    // Normalised letterbox units -> pixels of the input image.
    auto px = [&](double nx) { return (nx * size_ - pad_x) / scale; };
    auto py = [&](double ny) { return (ny * size_ - pad_y) / scale; };
    Face f;
    f.score = cands[i].score;
    f.box.width = acc[2] * size_ / scale;
    f.box.height = acc[3] * size_ / scale;
    f.box.x = px(acc[0]) - f.box.width / 2;
    f.box.y = py(acc[1]) - f.box.height / 2;
    for (int k = 0; k < kKeypointCount; ++k) {
      f.keypoints[k] = {px(acc[4 + 2 * k]), py(acc[5 + 2 * k])};
    }
    faces.push_back(f);
  }
  std::sort(faces.begin(), faces.end(),
            [](const Face& a, const Face& b) { return a.box.area() > b.box.area(); });
  return faces;
}

std::vector<Face> BlazeFace::detect(const cv::Mat& bgr) {
  double scale, pad_x, pad_y;
  net_.setInput(preprocess(bgr, &scale, &pad_x, &pad_y));
  std::vector<cv::Mat> outs;
  net_.forward(outs, out_names_);
  return postprocess(outs, scale, pad_x, pad_y);
}

}  // namespace livecheck
