// Plain result types of the livecheck engine. No JSON, HTTP or SQL here: the CLI and the API
// server convert these structs at their edges.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace livecheck {

// Pixel coordinates in the decoded, EXIF-oriented image as the caller sent it (not the reduced
// working copy the engine may analyse internally).
struct Point {
  double x = 0;
  double y = 0;
};

struct Box {
  double x = 0;  // left
  double y = 0;  // top
  double width = 0;
  double height = 0;
  double area() const { return width * height; }
  Point center() const { return {x + width / 2, y + height / 2}; }
};

// BlazeFace keypoint order (MediaPipe): eyes, nose tip, mouth centre, ear tragions.
// "right"/"left" are the subject's: the subject's right eye is on the image's left.
enum class Keypoint : int {
  kRightEye = 0,
  kLeftEye = 1,
  kNoseTip = 2,
  kMouth = 3,
  kRightEar = 4,
  kLeftEar = 5,
};
inline constexpr int kKeypointCount = 6;

struct Face {
  Box box;
  double score = 0;  // detector confidence, 0..1
  std::array<Point, kKeypointCount> keypoints{};
  const Point& keypoint(Keypoint k) const { return keypoints[static_cast<int>(k)]; }
};

// Machine-readable quality reasons. All of them are blocking (isValidFace = false) today; the
// table in quality.cpp carries a per-reason flag so that an advisory reason can be added.
inline constexpr const char* kReasonFaceTooSmall = "face_too_small";
inline constexpr const char* kReasonTooDark = "too_dark";
inline constexpr const char* kReasonTooBright = "too_bright";
inline constexpr const char* kReasonBlurry = "blurry";
inline constexpr const char* kReasonFaceCutOff = "face_cut_off";
inline constexpr const char* kReasonPoseTooLarge = "pose_too_large";
inline constexpr const char* kReasonMultipleFaces = "multiple_faces";

struct Quality {
  double brightness = 0;      // mean luma (BT.601, 0..255) inside the primary face box
  double sharpness = 0;       // variance of the Laplacian of the face, normalised to 128 px width
  double face_width_px = 0;   // primary face box width in original image pixels
  double face_ratio = 0;      // face box width / image short side
  double inside_ratio = 1.0;  // share of the face box area that lies inside the frame, 0..1
  double roll_deg = 0;        // in-plane rotation of the eye line, + = clockwise in the image
  double yaw_deg = 0;  // rough left/right head turn from keypoints, + = turned to image right
  int face_count = 0;  // faces above the detector threshold
  std::vector<std::string> reasons;  // failed checks, in a fixed order
  bool valid = false;                // no blocking reason fired
};

// Raw anti-spoof model outputs, before calibration.
struct AntiSpoofScores {
  std::array<double, 3> v2_softmax{};    // MiniFASNetV2 (crop 2.7x); index 1 = live
  std::array<double, 3> v1se_softmax{};  // MiniFASNetV1SE (crop 4.0x); index 1 = live
  double v2_live = 0;                    // v2_softmax[1]
  double v1se_live = 0;                  // v1se_softmax[1]
  double fused_live = 0;                 // weighted mean of the live probabilities
  double raw_spoof = 0;                  // 1 - fused_live
  double crop_scale_v2 = 0;              // effective crop factor after the fit-in-frame rule
  double crop_scale_v1se = 0;
};

// Wall-clock milliseconds per stage (steady clock).
struct StageTimes {
  double decode_ms = 0;
  double detect_ms = 0;
  double quality_ms = 0;
  double antispoof_ms = 0;
  double total_ms = 0;
};

struct CheckResult {
  bool is_fake = false;           // is_fake_likelihood > threshold
  double is_fake_likelihood = 0;  // P(spoof), 0..1 (calibrated when the pack has a calibration)
  double threshold = 0;           // the threshold the verdict used
  bool is_valid_face = false;     // == quality.valid
  double face_brightness = 0;     // == quality.brightness
  Face face;                      // the primary (largest) face
  std::vector<Face> faces;        // all faces, largest first
  Quality quality;
  AntiSpoofScores scores;
  StageTimes times;
  int image_width = 0;  // oriented image size as decoded at full scale
  int image_height = 0;
  int decode_scale = 1;  // 1, 2, 4 or 8: libjpeg DCT scaling used when decoding
  std::string model_pack_version;
};

}  // namespace livecheck
