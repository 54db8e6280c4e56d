// Body of POST /v1/check/liveness -> C++ types, at the edge of the API.
//   {"image": "<base64>", "image_format": "jpeg"|"png",
//    "threshold": 0..1 or "strict"|"balanced"|"lenient" (optional)}
// Every violation throws ApiError(kInvalidRequest) or, for a too-large image, kInvalidImage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livecheck/engine.h"

namespace livecheck::api {

// Bytes simdjson may read past the end of the input. A body whose std::string capacity has
// this much spare room is parsed in place; otherwise it is copied once.
std::size_t json_padding();

struct CheckRequest {
  std::vector<std::uint8_t> image;  // decoded bytes, 1..kMaxImageBytes
  ImageFormat format = ImageFormat::kJpeg;
  std::optional<ThresholdSetting> threshold;  // unset: the account's default, then the server's
};

// `body` must stay alive during the call. Uses a per-thread simdjson parser.
CheckRequest parse_check_request(const std::string& body);

// Standard-alphabet base64, padding optional, "\r" and "\n" ignored, an optional
// "data:image/<type>;base64," prefix. Decoded size above kMaxImageBytes -> kInvalidImage.
std::vector<std::uint8_t> decode_image_base64(std::string_view text);

}  // namespace livecheck::api
