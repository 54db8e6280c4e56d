#include "sessions/cross_frame.h"

#include <algorithm>
#include <cmath>

namespace livecheck::sessions {
namespace {

FrameSummary summarise(const FrameEvidence& e) {
  FrameSummary s;
  s.face = e.check.has_value();
  if (s.face) {
    s.p_spoof = e.check->is_fake_likelihood;
    s.threshold = e.check->threshold;
    s.quality_valid = e.check->quality.valid;
    s.face_width_px = e.check->face.box.width;
    s.image_width = e.check->image_width;
    s.image_height = e.check->image_height;
  }
  if (s.image_width == 0) s.image_width = e.full_width;
  if (s.image_height == 0) s.image_height = e.full_height;
  s.canonical = e.canonical.has_value();
  s.phash = e.phash;
  s.sha256_hex = to_hex(e.sha256);
  s.origin = e.origin;
  return s;
}

double diagonal(const FrameSummary& s) {
  return std::hypot(static_cast<double>(s.image_width), static_cast<double>(s.image_height));
}

// Keypoints and box of the primary face in working-image coordinates.
Keypoints working_keypoints(const FrameEvidence& e) {
  Keypoints k = e.check->face.keypoints;
  for (Point& p : k) p = {p.x / e.to_full, p.y / e.to_full};
  return k;
}
Box working_box(const FrameEvidence& e) {
  const Box& b = e.check->face.box;
  return {b.x / e.to_full, b.y / e.to_full, b.width / e.to_full, b.height / e.to_full};
}

double mouth_ratio(const Keypoints& k) {
  const Point& r = k[static_cast<int>(Keypoint::kRightEye)];
  const Point& l = k[static_cast<int>(Keypoint::kLeftEye)];
  const Point mid{(r.x + l.x) / 2, (r.y + l.y) / 2};
  const double iod = distance(r, l);
  return iod > 0 ? distance(mid, k[static_cast<int>(Keypoint::kMouth)]) / iod : 0;
}

SameFaceStats same_face(const FrameEvidence& far, const FrameEvidence& near, const Keypoints& kf,
                        const Keypoints& kn, const FrameSummary& sf, const FrameSummary& sn,
                        const SessionOptions& o) {
  SameFaceStats s;
  s.measured = true;
  if (!far.bgr.empty() && !near.bgr.empty()) {
    s.colour_distance =
        face_colour_distance(far.bgr, working_box(far), near.bgr, working_box(near));
  }
  const double mf = mouth_ratio(kf), mn = mouth_ratio(kn);
  if (mf > 0 && mn > 0) s.mouth_ratio_change = std::log(mn / mf);
  const Point cf = far.check->face.box.center(), cn = near.check->face.box.center();
  if (sf.image_width > 0 && sf.image_height > 0 && sn.image_width > 0 && sn.image_height > 0) {
    s.centre_shift = std::hypot(cn.x / sn.image_width - cf.x / sf.image_width,
                                cn.y / sn.image_height - cf.y / sf.image_height);
  }
  s.consistent = s.colour_distance <= o.max_colour_distance &&
                 std::abs(s.mouth_ratio_change) <= o.max_mouth_ratio_change &&
                 s.centre_shift <= o.max_centre_shift;
  return s;
}

int nearest_recent(std::uint64_t h, std::span<const std::uint64_t> recent) {
  int best = -1;
  for (std::uint64_t r : recent) {
    const int d = hamming_distance(h, r);
    if (best < 0 || d < best) best = d;
  }
  return best;
}

}  // namespace

std::string check_timestamps(const SessionContext& c, const SessionOptions& o) {
  const std::int64_t first = std::min(c.far_captured_at_ms, c.near_captured_at_ms);
  const std::int64_t last = std::max(c.far_captured_at_ms, c.near_captured_at_ms);
  const std::int64_t gap = c.near_captured_at_ms - c.far_captured_at_ms;
  if (last > c.server_now_ms + o.max_clock_skew_ms) return "in_future";
  if (c.session_created_at_ms && first < *c.session_created_at_ms - o.max_clock_skew_ms) {
    return "before_session";
  }
  if (gap < 0) return "near_before_far";
  if (gap < o.min_gap_ms) return "gap_too_short";
  if (gap > o.max_gap_ms) return "gap_too_long";
  return "";
}

SessionAnalysis analyze_session(const FrameEvidence& far, const FrameEvidence& near,
                                const SessionContext& ctx, const SessionOptions& o) {
  SessionAnalysis a;
  std::vector<std::string> found;
  a.far = summarise(far);
  a.near = summarise(near);

  // Injection: hard failures.
  if (!ctx.nonce_ok) found.emplace_back("nonce_mismatch");
  a.capture_gap_ms = ctx.near_captured_at_ms - ctx.far_captured_at_ms;
  a.timestamp_problem = check_timestamps(ctx, o);
  if (!a.timestamp_problem.empty()) found.emplace_back("bad_timestamps");
  if (far.origin.non_camera || near.origin.non_camera) found.emplace_back("non_camera_source");
  a.byte_identical = far.sha256 == near.sha256;
  const bool both_images = !far.bgr.empty() && !near.bgr.empty();
  if (both_images) a.phash_distance = hamming_distance(far.phash, near.phash);
  if (a.byte_identical || (a.phash_distance >= 0 && a.phash_distance <= o.identical_max_bits)) {
    found.emplace_back("identical_frames");
  }
  for (const FrameEvidence* e : {&far, &near}) {
    if (e->bgr.empty()) continue;
    const int d = nearest_recent(e->phash, ctx.recent_phashes);
    if (d >= 0 && (a.replay_distance < 0 || d < a.replay_distance)) a.replay_distance = d;
  }
  if (a.replay_distance >= 0 && a.replay_distance <= o.replay_max_bits) {
    found.emplace_back("replayed_frame");
  }

  // Usability.
  const bool faces = far.check.has_value() && near.check.has_value();
  if (!far.check) found.emplace_back("no_face_far");
  if (!near.check) found.emplace_back("no_face_near");
  if (far.check && !far.check->quality.valid) found.emplace_back("poor_quality_far");
  if (near.check && !near.check->quality.valid) found.emplace_back("poor_quality_near");
  if (faces) {
    const double df = diagonal(a.far), dn = diagonal(a.near);
    if (df > 0 && dn > 0 && a.far.face_width_px > 0) {
      a.face_scale = (a.near.face_width_px / dn) / (a.far.face_width_px / df);
    }
    if (a.face_scale < o.min_scale) found.emplace_back("near_not_closer");

    if (both_images) {
      a.resized_copy =
          compare_resized_copy(far.bgr, working_keypoints(far), working_box(far), near.bgr,
                               working_keypoints(near), working_box(near), o.resized_copy);
      if (a.resized_copy.is_copy) found.emplace_back("resized_copy");
    }

    const bool canonical = far.canonical.has_value() && near.canonical.has_value();
    const Keypoints& kf = canonical ? far.canonical->keypoints : far.check->face.keypoints;
    const Keypoints& kn = canonical ? near.canonical->keypoints : near.check->face.keypoints;
    a.same_face = same_face(far, near, kf, kn, a.far, a.near, o);
    if (!a.same_face.consistent) found.emplace_back("face_mismatch");

    if (canonical || !o.require_canonical_keypoints) {
      a.keypoint_source = canonical ? "canonical" : "raw";
      a.perspective = measure_perspective(kf, kn, o.perspective);
    }
    if (!a.perspective.measured) {
      found.emplace_back("perspective_unmeasured");
    } else if (a.face_scale >= o.min_scale) {
      // The statistic grows with the distance change; below min_scale it says nothing.
      a.components.perspective = perspective_component(a.perspective.ear_parallax, o.perspective);
    }
  }
  if (far.check) {
    a.components.engine_far = engine_component(far.check->is_fake_likelihood, far.check->threshold);
  }
  if (near.check) {
    a.components.engine_near =
        engine_component(near.check->is_fake_likelihood, near.check->threshold);
  }

  Verdict v = fuse(a.components, found);
  a.liveness_score = v.score;
  a.attack_type = v.attack_type;
  a.reasons = std::move(v.reasons);
  return a;
}

}  // namespace livecheck::sessions
