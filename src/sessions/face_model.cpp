#include "sessions/face_model.h"

#include <cmath>
#include <numbers>

namespace livecheck::sessions {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

Vec3 rotate(const Vec3& p, const HeadPose& pose) {
  // Roll about z (in the image plane), then pitch about x, then yaw about y.
  const double r = pose.roll_deg * kDegToRad;
  const double pi = pose.pitch_deg * kDegToRad;
  const double y = pose.yaw_deg * kDegToRad;
  Vec3 a{p.x * std::cos(r) - p.y * std::sin(r), p.x * std::sin(r) + p.y * std::cos(r), p.z};
  // Pitch: + brings the chin (y > 0) towards the camera (smaller z).
  Vec3 b{a.x, a.y * std::cos(pi) + a.z * std::sin(pi), -a.y * std::sin(pi) + a.z * std::cos(pi)};
  // Yaw: + turns the face to the image right: the nose tip (front) moves to +x, i.e. points
  // behind it (z > 0) move to -x.
  return {b.x * std::cos(y) - b.z * std::sin(y), b.y, b.x * std::sin(y) + b.z * std::cos(y)};
}

}  // namespace

FaceModel3d typical_face_model(double ear_depth_mm, double eye_depth_mm) {
  FaceModel3d m;
  m.points[static_cast<int>(Keypoint::kRightEye)] = {-31.5, -42, eye_depth_mm};
  m.points[static_cast<int>(Keypoint::kLeftEye)] = {31.5, -42, eye_depth_mm};
  m.points[static_cast<int>(Keypoint::kNoseTip)] = {0, 0, 0};
  m.points[static_cast<int>(Keypoint::kMouth)] = {0, 28, 16};
  m.points[static_cast<int>(Keypoint::kRightEar)] = {-72, -17, ear_depth_mm};
  m.points[static_cast<int>(Keypoint::kLeftEar)] = {72, -17, ear_depth_mm};
  return m;
}

FaceModel3d flattened(const FaceModel3d& face) {
  FaceModel3d f = face;
  for (Vec3& p : f.points) p.z = 0;
  return f;
}

Keypoints project(const FaceModel3d& face, const HeadPose& pose, const PinholeCamera& camera) {
  Keypoints k{};
  for (int i = 0; i < kKeypointCount; ++i) {
    const Vec3 p = rotate(face.points[i], pose);
    const double z = p.z + pose.distance_mm;
    k[i] = {camera.cx + camera.focal_px * (p.x + pose.tx_mm) / z,
            camera.cy + camera.focal_px * (p.y + pose.ty_mm) / z};
  }
  return k;
}

double expected_ear_parallax(const FaceModel3d& face, double far_mm, double near_mm) {
  const double e = face.points[static_cast<int>(Keypoint::kLeftEye)].z;
  const double a = face.points[static_cast<int>(Keypoint::kLeftEar)].z;
  return std::log((far_mm + e) * (near_mm + a) / ((far_mm + a) * (near_mm + e)));
}

}  // namespace livecheck::sessions
