// Canonical re-detection: the keypoints the perspective statistic compares must be measured at
// the same apparent face size in both frames. BlazeFace's keypoint placement drifts with the
// face's size in its input (dev stills rescaled so that the face spans 20 % then 50 % of the
// frame: ear/eye ratio -0.05, the same sign and half the size of the perspective effect, which
// would let a flat print look 3D). Re-detecting each face in a crop where it spans a fixed share
// of the frame makes that drift the same for both frames, so it cancels in the far/near ratio.
//
// The crop: a square centred on the first detection's box, side = box width / kFaceShare,
// rendered at kSide px; pixels outside the frame are black (as in the engine's own letterbox).
// Thread safety: make_canonical_crop is pure; canonical_face uses the caller's Runner (one thread
// at a time, like Runner::check).
#pragma once

#include <opencv2/core.hpp>

#include "livecheck/engine.h"
#include "livecheck/result.h"
#include "livecheck/status.h"

namespace livecheck::sessions {

// 0.3: inside the front model's comfortable range (it is then confident, no cascade switch) and
// where its size drift is flattest (dev set: +-0.01 between 0.18 and 0.26 of the frame).
inline constexpr double kCanonicalFaceShare = 0.3;
inline constexpr int kCanonicalSide = 384;  // px; the detector reduces it to 128 or 256 anyway
// The re-detected face must overlap the expected one at least this much (IoU), or it is
// another face and the canonical keypoints are refused.
inline constexpr double kCanonicalMinIou = 0.3;

struct CanonicalCrop {
  cv::Mat bgr;       // kSide x kSide
  double scale = 1;  // crop px per image px
  double x0 = 0;     // image coordinates of the crop's (0, 0)
  double y0 = 0;
  Point to_image(Point p) const { return {x0 + p.x / scale, y0 + p.y / scale}; }
  Point to_crop(Point p) const { return {(p.x - x0) * scale, (p.y - y0) * scale}; }
};

// `box` in `bgr` pixel coordinates. Reduces with INTER_AREA, enlarges bilinearly.
CanonicalCrop make_canonical_crop(const cv::Mat& bgr, const Box& box);

// Encodes the crop (PNG), runs the engine on it and returns the face that best overlaps the
// expected box, with box and keypoints mapped back to `bgr` coordinates. not_found when no face
// overlaps enough; the engine's error otherwise.
StatusOr<Face> canonical_face(Runner& runner, const cv::Mat& bgr, const Box& box);

}  // namespace livecheck::sessions
