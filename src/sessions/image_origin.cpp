#include "sessions/image_origin.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

namespace livecheck::sessions {
namespace {

constexpr std::size_t kMaxField = 64;  // longer software strings are cut (they only feed a log)
constexpr std::uint16_t kTagMake = 0x010F;
constexpr std::uint16_t kTagSoftware = 0x0131;
constexpr std::uint16_t kTagProcessingSoftware = 0x000B;
constexpr std::uint16_t kTypeAscii = 2;
constexpr std::string_view kExifId("Exif\0\0", 6);
constexpr std::string_view kXmpId("http://ns.adobe.com/xap/1.0/\0", 29);
constexpr std::string_view kIrbId("Photoshop 3.0\0", 14);
constexpr std::uint8_t kPngSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

using Bytes = std::span<const std::uint8_t>;

std::string_view as_view(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::string clean(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\0') break;
    out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : ' ');
  }
  const auto b = out.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  out = out.substr(b, out.find_last_not_of(' ') - b + 1);
  if (out.size() > kMaxField) out.resize(kMaxField);
  return out;
}

bool names_editor(const std::string& software) {
  std::string lower = software;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(std::begin(kEditorNames), std::end(kEditorNames),
                     [&](const char* name) { return lower.find(name) != std::string::npos; });
}

// TIFF reader over the APP1 payload after "Exif\0\0".
struct Tiff {
  Bytes d;
  bool big_endian = false;
  bool read16(std::size_t at, std::uint16_t* v) const {
    if (at + 2 > d.size()) return false;
    *v = big_endian ? static_cast<std::uint16_t>(d[at] << 8 | d[at + 1])
                    : static_cast<std::uint16_t>(d[at + 1] << 8 | d[at]);
    return true;
  }
  bool read32(std::size_t at, std::uint32_t* v) const {
    if (at + 4 > d.size()) return false;
    std::uint32_t r = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint32_t byte = d[at + (big_endian ? i : 3 - i)];
      r = r << 8 | byte;
    }
    *v = r;
    return true;
  }
};

// IFD0's Make, Software and ProcessingSoftware (ASCII).
void read_exif(Bytes payload, ImageOrigin* o) {
  if (payload.size() < 8) return;
  Tiff t{payload};
  if (payload[0] == 'M' && payload[1] == 'M') {
    t.big_endian = true;
  } else if (!(payload[0] == 'I' && payload[1] == 'I')) {
    return;
  }
  std::uint32_t ifd = 0;
  std::uint16_t count = 0;
  if (!t.read32(4, &ifd) || !t.read16(ifd, &count)) return;
  std::string software, processing;
  for (std::uint16_t i = 0; i < count; ++i) {
    const std::size_t e = ifd + 2 + 12u * i;
    std::uint16_t tag = 0, type = 0;
    std::uint32_t n = 0, value = 0;
    if (!t.read16(e, &tag) || !t.read16(e + 2, &type) || !t.read32(e + 4, &n) ||
        !t.read32(e + 8, &value)) {
      return;
    }
    if (type != kTypeAscii || n == 0 || n > 4096) continue;
    const std::size_t at = n <= 4 ? e + 8 : value;
    if (at + n > payload.size()) continue;
    const std::string s = clean(as_view(payload.subspan(at, n)));
    if (tag == kTagMake) o->camera_make = s;
    if (tag == kTagSoftware) software = s;
    if (tag == kTagProcessingSoftware) processing = s;
  }
  for (const std::string& s : {software, processing}) {
    if (!s.empty() && o->software.empty()) o->software = s;
    if (!s.empty() && names_editor(s)) o->editor = true;
  }
}

// XMP CreatorTool / softwareAgent values, as attributes (name="v") or elements (<name>v<).
void read_xmp(std::string_view xml, ImageOrigin* o) {
  for (std::string_view key : {"CreatorTool", "softwareAgent"}) {
    std::size_t pos = 0;
    while ((pos = xml.find(key, pos)) != std::string_view::npos) {
      pos += key.size();
      std::size_t start = pos;
      char end = '<';
      if (start + 1 < xml.size() && xml[start] == '=' &&
          (xml[start + 1] == '"' || xml[start + 1] == '\'')) {
        end = xml[start + 1];
        start += 2;
      } else if (start < xml.size() && xml[start] == '>') {
        start += 1;
      } else {
        continue;
      }
      const std::size_t stop = xml.find(end, start);
      if (stop == std::string_view::npos) break;
      const std::string s = clean(xml.substr(start, std::min(stop - start, kMaxField)));
      if (!s.empty() && o->software.empty()) o->software = s;
      if (names_editor(s)) o->editor = true;
    }
  }
}

// Walks the JPEG segments up to the first scan.
void read_jpeg(Bytes b, ImageOrigin* o) {
  std::size_t p = 2;  // after SOI
  while (p + 4 <= b.size()) {
    if (b[p] != 0xFF) return;
    const std::uint8_t marker = b[p + 1];
    if (marker == 0xFF) {  // fill byte
      ++p;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      p += 2;  // markers without a length
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return;  // start of scan / end of image
    const std::size_t len = static_cast<std::size_t>(b[p + 2]) << 8 | b[p + 3];
    if (len < 2 || p + 2 + len > b.size()) return;
    const Bytes payload = b.subspan(p + 4, len - 2);
    const std::string_view v = as_view(payload);
    if (marker == 0xE1 && v.starts_with(kExifId)) {
      o->has_exif = true;
      read_exif(payload.subspan(kExifId.size()), o);
    } else if (marker == 0xE1 && v.starts_with(kXmpId)) {
      o->has_xmp = true;
      read_xmp(v.substr(kXmpId.size()), o);
    } else if (marker == 0xED && v.starts_with(kIrbId)) {
      o->photoshop_irb = true;
    }
    p += 2 + len;
  }
}

std::uint32_t be32(Bytes b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
         static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

// tEXt chunks with keyword "Software" (PNG frames are non-camera anyway; this is for the log).
void read_png(Bytes b, ImageOrigin* o) {
  std::size_t p = sizeof(kPngSignature);
  while (p + 12 <= b.size()) {
    const std::uint32_t len = be32(b, p);
    if (len > b.size() - p - 12) return;
    const std::string_view type = as_view(b.subspan(p + 4, 4));
    if (type == "IDAT" || type == "IEND") return;  // metadata we read precedes the pixels
    if (type == "tEXt") {
      const std::string_view text = as_view(b.subspan(p + 8, len));
      if (text.starts_with(std::string_view("Software\0", 9))) {
        o->software = clean(text.substr(9));
        o->editor = names_editor(o->software);
      }
    }
    p += 12 + len;
  }
}

}  // namespace

ImageOrigin inspect_origin(std::span<const std::uint8_t> bytes, const OriginOptions& options) {
  ImageOrigin o;
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
    o.container = "jpeg";
    read_jpeg(bytes, &o);
  } else if (bytes.size() >= sizeof(kPngSignature) &&
             std::memcmp(bytes.data(), kPngSignature, sizeof(kPngSignature)) == 0) {
    o.container = "png";
    read_png(bytes, &o);
  }
  if (o.container == "unknown") {
    o.why = "unknown_format";
  } else if (o.container == "png" && options.require_jpeg) {
    o.why = "png_frame";
  } else if (o.editor) {
    o.why = "editor_software";
  }
  o.non_camera = !o.why.empty();
  return o;
}

}  // namespace livecheck::sessions
