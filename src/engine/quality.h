// Face quality checks: brightness, sharpness, size, inside-the-frame, pose from keypoints,
// several faces. Each failed check is a machine-readable reason (result.h).
// Thread safety: pure functions.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "livecheck/result.h"

namespace livecheck {

// Thresholds; defaults are documented in docs/DEV.md ("Quality").
struct QualityThresholds {
  double min_face_px = 64;          // face box width in ORIGINAL image pixels
  double min_face_ratio = 0.08;     // face box width / image short side
  double min_brightness = 50;       // mean luma
  double max_brightness = 215;
  double min_sharpness = 12;        // variance of Laplacian at 128 px face width
  double min_inside_ratio = 0.85;   // share of the face box inside the frame
  double max_roll_deg = 30;
  double max_yaw_deg = 35;
  double second_face_ratio = 0.5;   // another face at least this wide (vs primary) counts
};

// `bgr` is the working image; `faces` are in its pixel coordinates, largest first (non-empty);
// `to_full` converts working pixels to original pixels (for the absolute size check).
Quality assess_quality(const cv::Mat& bgr, const std::vector<Face>& faces, double to_full,
                       const QualityThresholds& t = {});

// Mean BT.601 luma of the part of `box` inside the image; 0 when the box misses the image.
double mean_luma(const cv::Mat& bgr, const Box& box);

// Roll (degrees, + = clockwise in image coordinates) and yaw estimate (degrees) from keypoints.
double estimate_roll_deg(const Face& f);
double estimate_yaw_deg(const Face& f);

}  // namespace livecheck
