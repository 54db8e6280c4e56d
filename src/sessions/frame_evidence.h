// Everything the cross-frame analysis needs to know about one frame, measured once when the
// frame arrives: content hashes, origin metadata, the decoded image, the engine's result and the
// canonical keypoints (canonical.h).
//
//   sessions::FrameEvidence far;
//   Status s = sessions::measure_frame(*lease, bytes, ImageFormat::kJpeg, {}, &far);
//
// Thread safety: describe_frame is pure; measure_frame uses the caller's Runner (one thread at a
// time). A FrameEvidence is a plain value; analyze_session only reads it.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <span>
#include <string>

#include "livecheck/engine.h"
#include "livecheck/result.h"
#include "livecheck/status.h"
#include "sessions/frame_signals.h"
#include "sessions/image_origin.h"

namespace livecheck::sessions {

struct FrameEvidence {
  // From the bytes as received.
  Sha256 sha256{};
  ImageOrigin origin;
  // From the decoded image (the engine's decoder: EXIF orientation, working resolution).
  cv::Mat bgr;           // 8-bit BGR working image; may be empty (then the image checks are
                         // skipped, e.g. in tests that build evidence by hand)
  double to_full = 1.0;  // working px * to_full = CheckResult px
  int full_width = 0;    // oriented full-resolution size
  int full_height = 0;
  std::uint64_t phash = 0;  // phash64 of the working image
  // From the engine. nullopt: no face (check_error says why).
  std::optional<CheckResult> check;
  std::string check_error;
  // Re-detected at the canonical face size, in CheckResult (full-resolution) coordinates;
  // nullopt when there is no face or it was not found again (canonical_error says why).
  std::optional<Face> canonical;
  std::string canonical_error;
};

// Hashes, origin and decode; no model. invalid_image (the engine decoder's message) when the
// bytes are not a usable JPEG/PNG of the declared format.
Status describe_frame(std::span<const std::uint8_t> bytes, ImageFormat declared,
                      const OriginOptions& origin_options, FrameEvidence* out);

// describe_frame, Runner::check and the canonical re-detection (two engine passes). A frame with
// no face is not an error: ok with check == nullopt. Errors: invalid_image (undecodable),
// invalid_argument (threshold), internal (engine failure).
Status measure_frame(Runner& runner, std::span<const std::uint8_t> bytes, ImageFormat declared,
                     const CheckOptions& options, FrameEvidence* out,
                     const OriginOptions& origin_options = {});

}  // namespace livecheck::sessions
