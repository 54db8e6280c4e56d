// Where did an encoded frame come from? Cheap byte-level inspection of the container and its
// metadata (no libexif: the few EXIF/XMP fields needed are read by walking the JPEG segments and
// the TIFF IFD0 directly, bounds-checked).
//
// The capture SDK draws the camera frame on a canvas and sends canvas.toBlob("image/jpeg"): a
// JPEG with no EXIF. The rule is conservative: only evidence that a person edited the picture or
// that it did not come through the SDK's encoder marks it non-camera:
//   * a PNG frame (when require_jpeg, the default): the SDK never sends PNG;
//   * EXIF Software / ProcessingSoftware or an XMP CreatorTool / softwareAgent naming a known
//     image editor (kEditorNames).
// Camera EXIF (Make/Model), an APP13 "Photoshop 3.0" block (also written by IPTC tools) and other
// software names are reported but not held against the frame.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace livecheck::sessions {

// Case-insensitive substrings of the software fields that mean "edited".
// Names that occur in camera or OS strings ("Canvas", "Camera") are left out on purpose.
inline constexpr const char* kEditorNames[] = {
    "photoshop", "gimp",    "paint.net", "pixelmator",    "affinity photo", "lightroom",
    "snapseed",  "picsart", "facetune",  "faceapp",       "photopea",       "krita",
    "fotor",     "luminar", "remini",    "photodirector", "meitu",
};

struct OriginOptions {
  bool require_jpeg = true;  // a PNG frame did not come from the SDK's canvas encoder
};

struct ImageOrigin {
  std::string container = "unknown";  // "jpeg" | "png" | "unknown"
  bool has_exif = false;              // JPEG APP1 "Exif"
  bool has_xmp = false;               // JPEG APP1 XMP packet
  bool photoshop_irb = false;         // JPEG APP13 "Photoshop 3.0" (IPTC/IRB)
  std::string camera_make;            // EXIF Make (IFD0), trimmed, <= 64 chars
  std::string software;               // first of EXIF Software, ProcessingSoftware, XMP tool,
                                      // PNG tEXt "Software"; trimmed, <= 64 chars
  bool editor = false;                // a software field names a known editor
  bool non_camera = false;            // the rule's verdict
  std::string why;                    // "" | "png_frame" | "editor_software" | "unknown_format"
};

ImageOrigin inspect_origin(std::span<const std::uint8_t> bytes, const OriginOptions& options = {});

}  // namespace livecheck::sessions
