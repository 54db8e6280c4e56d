#include "api/check_request.h"

#include <simdjson.h>
#include <sodium.h>

#include <cmath>

#include "api/errors.h"

namespace livecheck::api {
namespace {

constexpr std::string_view kDataPrefix = "data:";
constexpr std::string_view kBase64Marker = ";base64,";
constexpr const char* kIgnoredChars = "\r\n";  // line-wrapped base64 (MIME, `base64` w/o -w0)

[[noreturn]] void bad_request(const std::string& message) {
  throw ApiError(ErrorCode::kInvalidRequest, message);
}

std::string_view strip_data_url(std::string_view text) {
  if (text.substr(0, kDataPrefix.size()) != kDataPrefix) return text;
  const std::size_t marker = text.find(kBase64Marker);
  // Only "data:image/<subtype>;base64," is an image in base64; anything else is not ours.
  if (marker == std::string_view::npos || text.substr(5, 6) != "image/" || marker > 64) {
    bad_request("image: a data URL must look like data:image/<type>;base64,<data>");
  }
  return text.substr(marker + kBase64Marker.size());
}

}  // namespace

std::size_t json_padding() { return simdjson::SIMDJSON_PADDING; }

std::vector<std::uint8_t> decode_image_base64(std::string_view text) {
  text = strip_data_url(text);
  std::size_t significant = 0;  // characters that are not ignored line breaks
  for (char c : text) significant += (c != '\r' && c != '\n');
  if (significant == 0) bad_request("image is empty");
  // Reject before allocating: 4 base64 characters carry 3 bytes.
  if (significant / 4 * 3 > kMaxImageBytes + 3) {
    throw ApiError(ErrorCode::kInvalidImage, "The decoded image exceeds 10 MiB.");
  }
  // A length that is a multiple of 4 must be correctly padded; any other length must have no
  // padding at all (libsodium checks both, we only pick the variant).
  const int variant = significant % 4 == 0 ? sodium_base64_VARIANT_ORIGINAL
                                           : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  std::vector<std::uint8_t> out(significant / 4 * 3 + 3);
  std::size_t out_len = 0;
  // b64_end == nullptr: the whole input must be valid, trailing garbage included.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), kIgnoredChars, &out_len,
                        nullptr, variant) != 0) {
    bad_request("image is not valid base64 (standard alphabet, optional padding)");
  }
  out.resize(out_len);
  if (out.empty()) bad_request("image is empty");
  if (out.size() > kMaxImageBytes) {
    throw ApiError(ErrorCode::kInvalidImage, "The decoded image exceeds 10 MiB.");
  }
  return out;
}

CheckRequest parse_check_request(const std::string& body) {
  // One parser per thread: it keeps its buffers, so a 13 MiB body does not reallocate them on
  // every request; parsers are not thread-safe.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::error_code err;
  if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING) {
    err = parser.parse(body.data(), body.size(), /*realloc_if_needed=*/false).get(doc);
  } else {
    err = parser.parse(body).get(doc);  // copies into a padded buffer
  }
  if (err) bad_request("The body is not valid JSON.");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) bad_request("The body must be a JSON object.");

  CheckRequest req;
  simdjson::dom::element image;
  if (obj["image"].get(image)) bad_request("image is required");
  std::string_view image_text;
  if (image.get_string().get(image_text)) bad_request("image must be a base64 string");

  simdjson::dom::element format;
  if (obj["image_format"].get(format)) bad_request("image_format is required");
  std::string_view format_text;
  if (format.get_string().get(format_text)) bad_request("image_format must be a string");
  if (format_text == "jpeg") {
    req.format = ImageFormat::kJpeg;
  } else if (format_text == "png") {
    req.format = ImageFormat::kPng;
  } else {
    bad_request("image_format must be \"jpeg\" or \"png\"");
  }

  simdjson::dom::element threshold;
  if (!obj["threshold"].get(threshold) && !threshold.is_null()) {
    constexpr const char* kThresholdRule =
        "threshold must be a number between 0 and 1 or one of \"strict\", \"balanced\", "
        "\"lenient\"";
    if (threshold.is_string()) {
      std::string_view name;
      if (threshold.get_string().get(name)) bad_request(kThresholdRule);
      auto setting = parse_threshold_setting(name);
      if (!setting || setting->value) bad_request(kThresholdRule);  // names only, not "0.2"
      req.threshold = std::move(setting);
    } else {
      double t = 0;
      if (threshold.get_double().get(t) || !std::isfinite(t) || t < 0.0 || t > 1.0) {
        bad_request(kThresholdRule);
      }
      req.threshold = ThresholdSetting{t, ""};
    }
  }
  req.image = decode_image_base64(image_text);
  return req;
}

}  // namespace livecheck::api
