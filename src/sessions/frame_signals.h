// Per-frame and frame-pair signals of the session analysis that need no model: content hashes,
// a perceptual hash, the "resized copy" comparison and a colour-appearance distance.
// Thread safety: pure functions (OpenCV calls only on local data); safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <opencv2/core.hpp>
#include <span>
#include <string>

#include "sessions/face_model.h"

namespace livecheck::sessions {

using Sha256 = std::array<std::uint8_t, 32>;

// SHA-256 of the encoded bytes as received (libsodium).
Sha256 sha256(std::span<const std::uint8_t> bytes);
std::string to_hex(const Sha256& digest);

// 64-bit DCT perceptual hash (pHash): grey, 32x32 INTER_AREA, 2-D DCT, the 8x8 lowest
// frequencies; bit i (row-major, bit 0 = DC) is set when the coefficient exceeds the median of
// the 63 AC ones. Robust to re-encoding, mild resizing and brightness changes; not to cropping.
// 0 for an empty image.
std::uint64_t phash64(const cv::Mat& bgr);
int hamming_distance(std::uint64_t a, std::uint64_t b);

// Bhattacharyya distance (0 same .. 1 disjoint) between rg-chromaticity histograms
// (r = R/(R+G+B), g = G/(R+G+B)) of the inner face: the central 60 % of each box, without
// near-black or clipped pixels. Chromaticity ignores exposure and brightness scaling, which change
// between a far and a near capture. Boxes are in each image's own pixel coordinates. 1 when a box
// is empty.
double face_colour_distance(const cv::Mat& a_bgr, const Box& a_box, const cv::Mat& b_bgr,
                            const Box& b_box);

struct ResizedCopyOptions {
  int patch_px = 96;  // comparison resolution (the smaller face is never upsampled)
  // A digital rescale of one picture matches itself almost exactly once aligned; a second capture
  // after the camera moved does not (the face's 3D shape, lighting, sensor noise). Values
  // measured on copies and on real pairs: docs/SESSIONS.md.
  double min_ncc = 0.95;        // grey patches
  double min_detail_ncc = 0.0;  // their Laplacians (fine detail); 0 = not required
};

struct ResizedCopyStats {
  bool measured = false;  // false when a face patch is under 24 px or outside its image
  double scale = 0;       // big / small face scale after refinement
  double ncc = 0;         // normalised cross-correlation of the aligned grey patches
  double detail_ncc = 0;  // the same on their Laplacians (fine detail)
  bool is_copy = false;   // measured && ncc >= min_ncc && detail_ncc >= min_detail_ncc
};

// Is one frame a digitally resized (scaled, shifted, slightly rotated) copy of the other? The
// face with the larger inter-ocular distance is brought to the smaller one's size with
// INTER_AREA using the similarity fitted on the four inner keypoints, refined by a small
// scale/angle search with phase correlation, then compared at patch_px. Keypoints and boxes are
// in each image's own pixel coordinates.
ResizedCopyStats compare_resized_copy(const cv::Mat& a_bgr, const Keypoints& a_kp, const Box& a_box,
                                      const cv::Mat& b_bgr, const Keypoints& b_kp, const Box& b_box,
                                      const ResizedCopyOptions& options = {});

}  // namespace livecheck::sessions
