// Cross-frame analysis of a session: a far and a near photo of the same user (the phone moves
// closer between them). Pure: no HTTP, JSON or SQL; the server measures each frame once
// (frame_evidence.h: measure_frame), then calls analyze_session and stores the result.
//
//   SessionAnalysis a = analyze_session(far, near, ctx, options);
//   // a.liveness_score (>= 50 passes), a.attack_type, a.reasons, and every statistic below
//
// What it checks (docs/SESSIONS.md, "Cross-frame analysis"):
//   * injection (hard failures, attackType 2): nonce, capture timestamps, non-camera origin,
//     identical frames (SHA-256, pHash), one frame a resized copy of the other, a frame seen in
//     a recent session (caller-supplied pHashes);
//   * usability (attackType 3): a face in both frames, the engine's quality gate, the near face
//     bigger by options.min_scale, the same face (no recognition model: keypoint proportions,
//     skin colour, face position; weak evidence, see SameFaceStats), canonical keypoints present;
//   * presentation (attackType 1): the engine's P(spoof) per frame, the perspective statistic.
// Thread safety: pure function of its arguments; call it from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sessions/frame_evidence.h"
#include "sessions/frame_signals.h"
#include "sessions/fusion.h"
#include "sessions/perspective.h"

namespace livecheck::sessions {

struct SessionOptions {
  // Near/far face width (each per its image diagonal). The expected parallax grows with the
  // move: a face 45 cm away brought to 1.3x gives 0.034, at the 3D threshold; 1.5x gives 0.05;
  // the SDK's 45 -> 22 cm (~2x) gives ~0.1 (face_model.h). Below this the pair is unusable.
  double min_scale = 1.5;
  PerspectiveOptions perspective;
  ResizedCopyOptions resized_copy;
  // Perspective needs canonical keypoints (canonical.h); raw ones carry BlazeFace's size drift
  // towards "3D". Tests that build evidence by hand may relax this.
  bool require_canonical_keypoints = true;
  // pHash distances (of 64 bits) at or below which two frames are "the same picture".
  // Far vs near: the face scale changes, so even a flat rescaled pair differs by >= 16 bits
  // (dev pairs: p5 24, min 16); a re-encoded copy by 0-2.
  int identical_max_bits = 4;
  // Against other sessions' frames: JPEG re-encoding plus rescaling moves a pHash by 0-2 bits.
  // Two captures of a motionless scene by a fixed camera can be as close (dev video frames 33 ms
  // apart: <= 2 bits in 97 %), so a user retrying without moving could match: keep this tight
  // and scope recent_phashes (docs/SESSIONS.md).
  int replay_max_bits = 2;
  // Capture timestamps (client clock, ms).
  std::int64_t min_gap_ms = 150;             // a person cannot move the phone closer faster
  std::int64_t max_gap_ms = 60'000;          // a session's two captures belong together
  std::int64_t max_clock_skew_ms = 300'000;  // phone clock vs server clock
  // Same face (loose: these only catch gross substitutions).
  double max_colour_distance = 0.35;     // Bhattacharyya, rg-chromaticity of the inner face
  double max_mouth_ratio_change = 0.15;  // |ln| change of eye-midpoint-to-mouth / IOD
  double max_centre_shift = 0.4;         // face centre move, in image widths/heights
};

struct SessionContext {
  std::int64_t far_captured_at_ms = 0;  // client clock, Unix epoch ms
  std::int64_t near_captured_at_ms = 0;
  std::int64_t server_now_ms = 0;                       // server clock at analysis
  std::optional<std::int64_t> session_created_at_ms{};  // server clock
  bool nonce_ok = false;  // the caller compared the expected and the presented nonce
  std::span<const std::uint64_t> recent_phashes{};  // frames of other recent sessions
};

struct SameFaceStats {
  bool measured = false;          // both frames have a face
  double colour_distance = -1;    // -1 when an image is missing
  double mouth_ratio_change = 0;  // ln(M_near / M_far), M = eye midpoint to mouth / IOD
  double centre_shift = 0;        // face-centre move in normalised image coordinates
  bool consistent = true;
};

struct FrameSummary {
  bool face = false;
  double p_spoof = 0;    // CheckResult::is_fake_likelihood
  double threshold = 0;  // CheckResult::threshold
  bool quality_valid = false;
  double face_width_px = 0;  // full-resolution pixels
  int image_width = 0;
  int image_height = 0;
  bool canonical = false;   // canonical keypoints available
  std::uint64_t phash = 0;  // store it to detect replays (SessionContext::recent_phashes)
  std::string sha256_hex;
  ImageOrigin origin;
};

struct SessionAnalysis {
  // The verdict.
  int liveness_score = 0;          // 0..100, >= 50 passes
  std::optional<int> attack_type;  // 1 presentation, 2 injection, 3 unsure; null on a pass
  std::vector<std::string> reasons;
  ScoreComponents components;
  // Statistics, for the analysis record.
  FrameSummary far;
  FrameSummary near;
  double face_scale = 0;        // near/far face width, each per its image diagonal
  std::string keypoint_source;  // "canonical" | "raw" | "" (not measured)
  PerspectiveStats perspective;
  SameFaceStats same_face;
  bool byte_identical = false;
  int phash_distance = -1;   // far vs near; -1 when not computed
  int replay_distance = -1;  // smallest distance to a recent pHash; -1 when none given
  ResizedCopyStats resized_copy;
  std::int64_t capture_gap_ms = 0;  // near - far
  std::string timestamp_problem;    // "" or see check_timestamps
};

SessionAnalysis analyze_session(const FrameEvidence& far, const FrameEvidence& near,
                                const SessionContext& context, const SessionOptions& options = {});

// "" when plausible, else the first problem of: "in_future" (a capture after server_now + skew),
// "before_session" (before session_created_at - skew), "near_before_far", "gap_too_short",
// "gap_too_long".
std::string check_timestamps(const SessionContext& context, const SessionOptions& options);

}  // namespace livecheck::sessions
