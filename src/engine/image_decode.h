// Image decoding with the checks a public API needs: magic-byte sniffing against the declared
// format, a header-only dimension check before any pixel is decoded, truncation detection, EXIF
// orientation, and libjpeg DCT-domain downscaling of big JPEGs.
// Thread safety: free functions, reentrant.
#pragma once

#include <cstdint>
#include <span>

#include <opencv2/core.hpp>

#include "livecheck/engine.h"
#include "livecheck/status.h"

namespace livecheck {

enum class SniffedFormat { kUnknown, kJpeg, kPng };
SniffedFormat sniff_format(std::span<const std::uint8_t> bytes);

struct ImageHeader {
  SniffedFormat format = SniffedFormat::kUnknown;
  int width = 0;   // as stored (before EXIF orientation)
  int height = 0;
  int channels = 0;      // JPEG components (1 grey, 3 YCbCr, 4 CMYK) or PNG channels
  int bit_depth = 8;     // PNG only: 1..16
  bool progressive = false;
};

// Parses only the header (libjpeg / libpng). invalid_image when the header is unreadable.
StatusOr<ImageHeader> read_image_header(std::span<const std::uint8_t> bytes, SniffedFormat format);

struct DecodeOptions {
  // A JPEG is decoded at 1/2, 1/4 or 1/8 scale (libjpeg DCT scaling) as long as its long side
  // stays >= this; the analysis does not need more pixels than that.
  int min_working_side = 960;
  // After decoding, an image whose long side exceeds this is resized (INTER_AREA) to it.
  int max_working_side = 1280;
};

struct DecodedImage {
  cv::Mat bgr;             // 8-bit, 3-channel BGR, EXIF-oriented, at working resolution
  int full_width = 0;      // oriented size at full resolution
  int full_height = 0;
  int dct_scale = 1;       // 1, 2, 4 or 8
  double to_full = 1.0;    // multiply working-image coordinates by this to get full-size ones
};

// Sniffs, checks the declared format, reads the header, refuses absurd dimensions and
// truncated data, decodes to BGR. All failures are invalid_image with a user-facing message.
StatusOr<DecodedImage> decode_image(std::span<const std::uint8_t> bytes, ImageFormat declared,
                                    const DecodeOptions& options = {});

}  // namespace livecheck
