#include "sessions/frame_evidence.h"

#include "engine/image_decode.h"
#include "sessions/canonical.h"

namespace livecheck::sessions {

Status describe_frame(std::span<const std::uint8_t> bytes, ImageFormat declared,
                      const OriginOptions& origin_options, FrameEvidence* out) {
  *out = FrameEvidence{};
  out->sha256 = sha256(bytes);
  out->origin = inspect_origin(bytes, origin_options);
  auto decoded = decode_image(bytes, declared);
  if (!decoded.is_ok()) return decoded.status();
  DecodedImage& img = decoded.value();
  out->bgr = std::move(img.bgr);
  out->to_full = img.to_full;
  out->full_width = img.full_width;
  out->full_height = img.full_height;
  out->phash = phash64(out->bgr);
  return Status::ok();
}

Status measure_frame(Runner& runner, std::span<const std::uint8_t> bytes, ImageFormat declared,
                     const CheckOptions& options, FrameEvidence* out,
                     const OriginOptions& origin_options) {
  Status described = describe_frame(bytes, declared, origin_options, out);
  if (!described.is_ok()) return described;
  CheckResult r;
  Status s = runner.check(bytes, declared, options, &r);
  if (s.code() == StatusCode::kInvalidImage) {
    out->check_error = s.message();  // no face (the decoder already accepted the bytes)
    return Status::ok();
  }
  if (!s.is_ok()) return s;
  out->check = std::move(r);
  // Canonical keypoints on the working image (the face box scaled down from full resolution).
  const Box& b = out->check->face.box;
  const double k = 1.0 / out->to_full;
  auto face = canonical_face(runner, out->bgr, {b.x * k, b.y * k, b.width * k, b.height * k});
  if (!face.is_ok()) {
    out->canonical_error = face.status().to_string();
    return Status::ok();
  }
  Face f = std::move(face).value();
  f.box = {f.box.x * out->to_full, f.box.y * out->to_full, f.box.width * out->to_full,
           f.box.height * out->to_full};
  for (Point& p : f.keypoints) p = {p.x * out->to_full, p.y * out->to_full};
  out->canonical = f;
  return Status::ok();
}

}  // namespace livecheck::sessions
