// A pinhole-camera model of the six BlazeFace keypoints on a 3D head. It is the basis of the
// perspective statistic's thresholds (perspective.h, docs/SESSIONS.md): the expected value of the
// statistic for a real face is computed from it, and the tests and tools/session_pairs project it
// (and a flattened copy of it, a printed photo) to synthesise far/near keypoint pairs.
//
// Units: millimetres in the head frame, pixels in the image. Head frame: origin at the nose tip,
// x towards the image right for a frontal face (the subject's left), y down, z away from the
// camera (depth behind the nose tip).
// Thread safety: pure functions.
#pragma once

#include <array>

#include "livecheck/result.h"

namespace livecheck::sessions {

using Keypoints = std::array<Point, kKeypointCount>;

struct Vec3 {
  double x = 0;
  double y = 0;
  double z = 0;
};

// The six keypoints in BlazeFace order (livecheck::Keypoint).
struct FaceModel3d {
  std::array<Vec3, kKeypointCount> points{};
};

// Adult averages (anthropometric tables, rounded): inter-pupillary 63 mm, bitragion breadth
// 144 mm, nose tip 42 mm below the eye line, mouth 70 mm below it. Depths behind the nose tip:
// eyes `eye_depth_mm` (the nose protrudes ~2-3 cm in front of the eyes), mouth 16 mm, ear
// tragions `ear_depth_mm` (8-10 cm).
FaceModel3d typical_face_model(double ear_depth_mm = 90, double eye_depth_mm = 24);

// The same face printed on paper: frontal (x, y) kept, every depth 0.
FaceModel3d flattened(const FaceModel3d& face);

// Where the head is relative to the camera. Rotations are applied roll, then pitch, then yaw
// (about the nose tip); then the nose tip is moved to (tx, ty, distance) in camera coordinates.
struct HeadPose {
  double distance_mm = 450;  // camera to nose tip along the optical axis
  double tx_mm = 0;          // off-axis offset, + = image right
  double ty_mm = 0;          // + = image down
  double yaw_deg = 0;        // + = turns the face towards the image right
  double pitch_deg = 0;      // + = chin towards the camera
  double roll_deg = 0;       // + = clockwise in the image
};

struct PinholeCamera {
  double focal_px = 700;  // ~65 degrees horizontal field of view at 900 px width
  double cx = 360;        // principal point, pixels
  double cy = 480;
};

// Perspective projection of the model's points.
Keypoints project(const FaceModel3d& face, const HeadPose& pose, const PinholeCamera& camera);

// The perspective statistic (perspective.h: ear_parallax) that a frontal, on-axis face would
// produce between a far and a near distance: ln[(Zf+e)(Zn+a) / ((Zf+a)(Zn+e))] with e, a the
// eye and ear depths. ~ (a - e)(1/Zn - 1/Zf) to first order.
double expected_ear_parallax(const FaceModel3d& face, double far_mm, double near_mm);

}  // namespace livecheck::sessions
