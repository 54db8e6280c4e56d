// Perspective check: is the face 3D? From the six BlazeFace keypoints of a far and a near frame.
//
// The statistic: ear_parallax = ln(R_far / R_near), R = ear-tragion spread / inter-ocular
// distance. With a pinhole camera a point at depth d behind the nose tip, nose tip at distance Z,
// is magnified by f / (Z + d). The ear tragions lie ~65 mm behind the eyes, so moving the camera
// from Zf to Zn shrinks the ears' spread relative to the eyes':
//   R(Z) = R0 (Z + e) / (Z + a)   =>   ear_parallax = ln[(Zf+e)(Zn+a) / ((Zf+a)(Zn+e))]
//                                                    ~ (a - e) (1/Zn - 1/Zf)
// (e, a: eye and ear depth behind the nose tip). Far 40-50 cm, near 20-25 cm, a - e = 55-75 mm
// give 0.06-0.16 (face_model.h computes it exactly). A flat print or screen scales every
// distance alike: ear_parallax = 0 under any similarity, and also under any affine map (the eye
// line and the ear line are nearly parallel, and an affine map keeps ratios of parallel lengths),
// so tilting a flat print (weak perspective) does not create it. Head yaw, pitch and roll leave
// it unchanged to first order (both lengths are horizontal and at equal depth pairwise), unlike
// the nose ratio (pitch changes it as much as perspective does) or a similarity/affine residual
// (unsigned: noise and head rotation only add to it). Those are computed and reported, not used.
//
// The keypoints must come from detections at the same apparent face size (canonical.h): BlazeFace
// places the ears closer to the eyes the larger the face is in its input (the dev set, scaled
// stills: -0.05 from a face 20 % to 50 % of the frame width), which would mimic parallax.
//
// Thread safety: pure functions.
#pragma once

#include <span>

#include "sessions/face_model.h"

namespace livecheck::sessions {

struct PerspectiveOptions {
  // ear_parallax >= this is 3D. Flat pairs (dev stills scaled x1.5-2, canonical keypoints) stay
  // below ~0.02 (p95); a frontal face moving from 40 to 25 cm gives >= 0.06 (face_model.h).
  double min_ear_parallax = 0.035;
  // Softness of the logistic that maps ear_parallax to the 0..100 perspective component:
  // threshold +- one softness = 73 / 27.
  double softness = 0.01;
};

struct PerspectiveStats {
  bool measured = false;  // false when an inter-ocular or ear distance is degenerate (< 1 px)
  double scale = 0;       // near / far inter-ocular distance
  double ear_eye_ratio_far = 0;  // ear-tragion spread / inter-ocular distance
  double ear_eye_ratio_near = 0;
  double ear_parallax = 0;  // ln(ear_eye_ratio_far / ear_eye_ratio_near): ~0 flat, > 0 3D
  // ear_parallax / (1 - 1/scale) ~ (ear depth - eye depth) / near distance, for a real face
  // ~0.2-0.35; 0 when scale < 1.05 (undefined).
  double depth_over_distance = 0;
  // Informational, not used in the decision:
  double nose_ratio_change = 0;    // ln(N_near / N_far), N = nose tip to eye line / IOD
  double similarity_residual = 0;  // RMS residual of the best far->near similarity / near IOD
  double affine_residual = 0;      // the same for the best affine map
  bool is_3d = false;              // measured && ear_parallax >= min_ear_parallax
};

PerspectiveStats measure_perspective(const Keypoints& far, const Keypoints& near,
                                     const PerspectiveOptions& options = {});

// 0..100: 50 at min_ear_parallax, logistic in ear_parallax.
double perspective_component(double ear_parallax, const PerspectiveOptions& options = {});

// x' = a x - b y + tx, y' = b x + a y + ty (scale hypot(a, b), angle atan2(b, a)).
struct Similarity {
  double a = 1, b = 0, tx = 0, ty = 0;
  Point apply(Point p) const { return {a * p.x - b * p.y + tx, b * p.x + a * p.y + ty}; }
  double scale() const;
  double angle_rad() const;
};

// Least-squares similarity mapping `from` onto `to` (same size, >= 2 distinct points; otherwise
// the identity).
Similarity fit_similarity(std::span<const Point> from, std::span<const Point> to);

double distance(Point a, Point b);

}  // namespace livecheck::sessions
