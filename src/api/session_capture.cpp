#include "api/session_capture.h"

#include <sodium.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "sessions/cross_frame.h"
#include "sessions/frame_evidence.h"

namespace livecheck::api {
namespace {

using json = nlohmann::ordered_json;
using sessions::Code;

CaptureOutcome failure(Code code, std::string message, std::string detail = "") {
  CaptureOutcome o;
  o.code = code;
  o.message = std::move(message);
  o.detail = std::move(detail);
  return o;
}

// The first user-fixable problem of a frame, in the order a user should fix them.
std::optional<std::string> retry_reason(const sessions::FrameEvidence& ev) {
  if (!ev.check) return "no_face";
  const Quality& q = ev.check->quality;
  if (q.valid) return std::nullopt;
  const std::pair<const char*, const char*> kMap[] = {
      {kReasonMultipleFaces, "multiple_faces"}, {kReasonFaceCutOff, "too_close"},
      {kReasonFaceTooSmall, "face_too_small"},  {kReasonTooDark, "too_dark"},
      {kReasonTooBright, "too_bright"},         {kReasonBlurry, "blurry"},
  };
  for (const auto& [engine_reason, wire] : kMap) {
    for (const auto& r : q.reasons) {
      if (r == engine_reason) return wire;
    }
  }
  return std::nullopt;  // pose: left to the analysis, not something a retry hint explains
}

// Face width per image diagonal, the measure SessionOptions::min_scale is defined on.
double relative_face_width(const CheckResult& r) {
  const double diag = std::hypot(r.image_width, r.image_height);
  return diag > 0 ? r.face.box.width / diag : 0;
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json frame_json(const sessions::FrameSummary& f) {
  return {{"face", f.face},
          {"pSpoof", f.p_spoof},
          {"threshold", f.threshold},
          {"qualityValid", f.quality_valid},
          {"faceWidthPx", f.face_width_px},
          {"imageWidth", f.image_width},
          {"imageHeight", f.image_height},
          {"canonicalKeypoints", f.canonical},
          {"phash", f.phash},
          {"sha256", f.sha256_hex},
          {"origin",
           {{"container", f.origin.container},
            {"hasExif", f.origin.has_exif},
            {"cameraMake", f.origin.camera_make},
            {"software", f.origin.software},
            {"nonCamera", f.origin.non_camera},
            {"why", f.origin.why}}}};
}

json analysis_json(const sessions::SessionAnalysis& a, const store::LivenessSession& s,
                   const CaptureInput& in) {
  const auto& p = a.perspective;
  return {
      {"signatureId", s.signature_id},
      {"livenessScore", a.liveness_score},
      {"attackType", a.attack_type ? json(*a.attack_type) : json(nullptr)},
      {"reasons", a.reasons},
      {"components",
       {{"engineFar", opt(a.components.engine_far)},
        {"engineNear", opt(a.components.engine_near)},
        {"perspective", opt(a.components.perspective)}}},
      {"far", frame_json(a.far)},
      {"near", frame_json(a.near)},
      {"farCapturedAt", in.far.captured_at_ms},
      {"nearCapturedAt", in.near.captured_at_ms},
      {"faceScale", a.face_scale},
      {"keypointSource", a.keypoint_source},
      {"perspective",
       {{"measured", p.measured},
        {"scale", p.scale},
        {"earEyeRatioFar", p.ear_eye_ratio_far},
        {"earEyeRatioNear", p.ear_eye_ratio_near},
        {"earParallax", p.ear_parallax},
        {"depthOverDistance", p.depth_over_distance},
        {"noseRatioChange", p.nose_ratio_change},
        {"similarityResidual", p.similarity_residual},
        {"affineResidual", p.affine_residual},
        {"is3d", p.is_3d}}},
      {"sameFace",
       {{"measured", a.same_face.measured},
        {"colourDistance", a.same_face.colour_distance},
        {"mouthRatioChange", a.same_face.mouth_ratio_change},
        {"centreShift", a.same_face.centre_shift},
        {"consistent", a.same_face.consistent}}},
      {"byteIdentical", a.byte_identical},
      {"phashDistance", a.phash_distance},
      {"replayDistance", a.replay_distance},
      {"resizedCopy",
       {{"measured", a.resized_copy.measured},
        {"scale", a.resized_copy.scale},
        {"ncc", a.resized_copy.ncc},
        {"detailNcc", a.resized_copy.detail_ncc},
        {"isCopy", a.resized_copy.is_copy}}},
      {"captureGapMs", a.capture_gap_ms},
      {"timestampProblem", a.timestamp_problem},
  };
}

}  // namespace

CaptureOutcome run_capture(sessions::SessionService& service, Runner& runner,
                           store::LivenessSession& session, const CaptureInput& in) {
  sessions::FrameEvidence far, near;
  const std::pair<const char*, std::pair<const CaptureFrame*, sessions::FrameEvidence*>> frames[] =
      {{"far", {&in.far, &far}}, {"near", {&in.near, &near}}};
  double engine_ms = 0;
  for (const auto& [stage, f] : frames) {
    Status s = sessions::measure_frame(runner, f.first->bytes, ImageFormat::kAuto, {}, f.second);
    if (!s.is_ok()) {
      if (s.code() == StatusCode::kInvalidImage || s.code() == StatusCode::kInvalidArgument) {
        return failure(Code::kParameterError, std::string(stage) + ": " + s.message());
      }
      return failure(Code::kError, "", s.to_string());
    }
    if (f.second->check) engine_ms += f.second->check->times.total_ms;
  }

  // User-fixable problems first (RETRY keeps the session). Byte-identical frames skip this: they
  // are an injection signal for the analysis, not a user who forgot to move closer.
  const bool identical = far.sha256 == near.sha256;
  if (!identical) {
    for (const auto& [stage, f] : frames) {
      if (auto reason = retry_reason(*f.second)) {
        CaptureOutcome o;
        o.retry = CaptureRetry{stage, *reason};
        o.engine_ms = engine_ms;
        return o;
      }
    }
    const sessions::SessionOptions defaults;
    if (far.check && near.check &&
        relative_face_width(*near.check) < defaults.min_scale * relative_face_width(*far.check)) {
      CaptureOutcome o;
      o.retry = CaptureRetry{"near", "near_not_closer"};
      o.engine_ms = engine_ms;
      return o;
    }
  }

  const std::vector<std::uint64_t> recent = service.recent_frame_hashes();
  sessions::SessionContext ctx;
  ctx.far_captured_at_ms = in.far.captured_at_ms;
  ctx.near_captured_at_ms = in.near.captured_at_ms;
  ctx.server_now_ms = service.now_ms();
  ctx.session_created_at_ms = session.created_at_ms;
  ctx.nonce_ok = !in.nonce.empty() && in.nonce.size() == session.nonce.size() &&
                 sodium_memcmp(in.nonce.data(), session.nonce.data(), in.nonce.size()) == 0;
  ctx.recent_phashes = recent;
  const sessions::SessionAnalysis a = sessions::analyze_session(far, near, ctx);

  session.score = a.liveness_score;
  session.attack_type = a.attack_type;
  session.reasons_json = json(a.reasons).dump();
  session.analysis_json = analysis_json(a, session, in).dump(2);
  session.far_time_ms = in.far.captured_at_ms;
  session.near_time_ms = in.near.captured_at_ms;
  std::vector<std::uint64_t> hashes;
  for (const std::uint64_t h : {a.far.phash, a.near.phash}) {
    if (h != 0) hashes.push_back(h);
  }
  CaptureOutcome o;
  static_cast<sessions::Outcome&>(o) =
      service.finish_capture(session, in.far.bytes, in.near.bytes, hashes);
  o.engine_ms = engine_ms;
  if (o.ok()) o.liveness_id = session.liveness_id.value_or("");
  return o;
}

}  // namespace livecheck::api
