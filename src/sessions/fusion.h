// Session verdict: reasons, their meaning, and the fusion of the score components into
// livenessScore (0-100, >= 50 passes) and attackType.
//
// Components, each 0..100 with 50 at its own pass threshold:
//   engine_far, engine_near: engine_component(P(spoof), threshold), piecewise linear;
//   perspective: perspective_component(ear_parallax) (perspective.h), logistic.
// Fusion (first rule that applies):
//   1. any injection reason            -> score 0,                     attackType 2;
//   2. any unusable reason             -> min(components, 40),         attackType 3;
//   3. min(components) >= 50           -> score = floor(min),          attackType null;
//   4. perspective passes, one frame's engine component fails and the other's is >= 75
//      (texture evidence disagrees between two frames of the same face) -> inconsistent_evidence,
//                                          score = floor(min),        attackType 3;
//   5. perspective is the only failing component and within one softness of its threshold
//      (component >= 27: too little parallax to tell, e.g. the phone barely moved)
//                                       -> perspective_marginal,  score = floor(min), attackType 3;
//   6. otherwise                       -> score = floor(min),          attackType 1.
// The score is the weakest component, not an average: a good print passes the texture model and
// only the perspective check stops it, so no component may buy back another's failure. floor()
// keeps "score >= 50" equivalent to "every component passed". Rule 2's cap keeps unsure results
// well below the pass mark while still ordering them by the evidence that was measured.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace livecheck::sessions {

enum class ReasonKind { kInjection, kPresentation, kUnusable };

struct ReasonInfo {
  const char* name;
  ReasonKind kind;
};

// Every reason, in report order.
inline constexpr ReasonInfo kSessionReasons[] = {
    {"nonce_mismatch", ReasonKind::kInjection},     // the session nonce was wrong / missing
    {"bad_timestamps", ReasonKind::kInjection},     // capture times impossible
    {"non_camera_source", ReasonKind::kInjection},  // PNG frame or editor metadata
    {"identical_frames", ReasonKind::kInjection},   // same bytes or pHash within a few bits
    {"resized_copy", ReasonKind::kInjection},       // one frame is a rescaled copy of the other
    {"replayed_frame", ReasonKind::kInjection},     // a frame seen in a recent session
    {"no_face_far", ReasonKind::kUnusable},
    {"no_face_near", ReasonKind::kUnusable},
    {"poor_quality_far", ReasonKind::kUnusable},  // the engine's quality gate failed
    {"poor_quality_near", ReasonKind::kUnusable},
    {"near_not_closer", ReasonKind::kUnusable},         // face scale near/far below the minimum
    {"face_mismatch", ReasonKind::kUnusable},           // the frames may show different faces
    {"perspective_unmeasured", ReasonKind::kUnusable},  // no canonical keypoints
    {"spoof_far", ReasonKind::kPresentation},           // engine: P(spoof) above its threshold
    {"spoof_near", ReasonKind::kPresentation},
    {"flat_perspective", ReasonKind::kPresentation},   // ear_parallax below the 3D threshold
    {"inconsistent_evidence", ReasonKind::kUnusable},  // rule 4 above
    {"perspective_marginal", ReasonKind::kUnusable},   // rule 5 above
};

inline constexpr int kPassScore = 50;
inline constexpr int kUnsureMaxScore = 40;
inline constexpr double kConfidentComponent = 75;  // rule 4: "the other frame is clearly live"
// Rule 5: 100 / (1 + e) ~ 26.9, the perspective component one softness below its threshold.
inline constexpr double kMarginalComponent = 26.8;

enum class AttackType : int { kPresentation = 1, kInjection = 2, kUnsure = 3 };

// 0..100 from the engine's calibrated P(spoof) and the threshold its verdict used: 100 at 0,
// 50 at the threshold (P == threshold is live, as in CheckResult::is_fake), 0 at 1.
double engine_component(double p_spoof, double threshold);

struct ScoreComponents {
  std::optional<double> engine_far;  // absent when that frame has no face
  std::optional<double> engine_near;
  std::optional<double> perspective;  // absent when not measurable
};

struct Verdict {
  int score = 0;                     // livenessScore, 0..100
  std::optional<int> attack_type;    // null when score >= 50
  std::vector<std::string> reasons;  // kSessionReasons order, no duplicates
};

// `findings`: reasons the checks produced (any order, unknown names are kept at the end).
// spoof_far / spoof_near / flat_perspective are derived here from the components (< 50).
Verdict fuse(const ScoreComponents& components, const std::vector<std::string>& findings);

}  // namespace livecheck::sessions
