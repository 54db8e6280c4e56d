// Image-origin metadata (src/sessions/image_origin.h): JPEG segments and EXIF/XMP fields built
// byte by byte, PNG frames, and malformed metadata that must not crash the parser.
#include <gtest/gtest.h>

#include <cstdint>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sessions/image_origin.h"
#include "test_support.h"

namespace livecheck::sessions {
namespace {

using Bytes = std::vector<std::uint8_t>;

// What the SDK sends: a canvas JPEG (OpenCV writes SOI + JFIF APP0, no EXIF).
Bytes canvas_jpeg() {
  const cv::Mat img(64, 64, CV_8UC3, cv::Scalar(40, 120, 200));
  return livecheck::test::encode_jpeg(img);
}

// Byte-wise appends (GCC 12 at -O3 reports false stringop-overflow warnings on small
// vector::insert calls).
void append(Bytes* b, std::string_view s) {
  for (char c : s) b->push_back(static_cast<std::uint8_t>(c));
}
void append(Bytes* b, const Bytes& s) {
  for (std::uint8_t c : s) b->push_back(c);
}

void put16(Bytes* b, std::uint16_t v, bool be) {
  if (be) {
    b->push_back(v >> 8), b->push_back(v & 0xFF);
  } else {
    b->push_back(v & 0xFF), b->push_back(v >> 8);
  }
}
void put32(Bytes* b, std::uint32_t v, bool be) {
  for (int i = 0; i < 4; ++i) b->push_back((v >> (be ? 24 - 8 * i : 8 * i)) & 0xFF);
}

// An APP1 Exif segment whose IFD0 holds the given ASCII tags.
Bytes exif_segment(const std::vector<std::pair<std::uint16_t, std::string>>& tags, bool be) {
  Bytes tiff;
  append(&tiff, be ? "MM" : "II");
  put16(&tiff, 42, be);
  put32(&tiff, 8, be);
  put16(&tiff, static_cast<std::uint16_t>(tags.size()), be);
  std::uint32_t data_at = 8 + 2 + 12 * static_cast<std::uint32_t>(tags.size()) + 4;
  Bytes data;
  for (const auto& [tag, text] : tags) {
    const std::uint32_t n = static_cast<std::uint32_t>(text.size()) + 1;
    put16(&tiff, tag, be);
    put16(&tiff, 2, be);  // ASCII
    put32(&tiff, n, be);
    if (n <= 4) {
      append(&tiff, text);
      for (std::size_t i = text.size(); i < 4; ++i) tiff.push_back(0);
    } else {
      put32(&tiff, data_at + static_cast<std::uint32_t>(data.size()), be);
      append(&data, text);
      data.push_back(0);
    }
  }
  put32(&tiff, 0, be);  // no next IFD
  append(&tiff, data);
  Bytes seg = {0xFF, 0xE1};
  const std::string id("Exif\0\0", 6);
  put16(&seg, static_cast<std::uint16_t>(2 + id.size() + tiff.size()), true);
  append(&seg, id);
  append(&seg, tiff);
  return seg;
}

Bytes app_segment(std::uint8_t marker, const std::string& payload) {
  Bytes seg = {0xFF, marker};
  put16(&seg, static_cast<std::uint16_t>(2 + payload.size()), true);
  append(&seg, payload);
  return seg;
}

// Inserts a segment right after SOI.
Bytes with_segment(Bytes jpeg, const Bytes& seg) {
  Bytes out(jpeg.begin(), jpeg.begin() + 2);
  append(&out, seg);
  append(&out, Bytes(jpeg.begin() + 2, jpeg.end()));
  return out;
}

TEST(ImageOrigin, CanvasJpegIsCamera) {
  const ImageOrigin o = inspect_origin(canvas_jpeg());
  EXPECT_EQ(o.container, "jpeg");
  EXPECT_FALSE(o.has_exif);
  EXPECT_FALSE(o.non_camera);
  EXPECT_EQ(o.why, "");
}

TEST(ImageOrigin, PhoneCameraExifIsNotHeldAgainstTheFrame) {
  for (bool be : {false, true}) {
    const Bytes b = with_segment(
        canvas_jpeg(),
        exif_segment({{0x010F, "Apple"}, {0x0110, "iPhone 13"}, {0x0131, "17.1.2"}}, be));
    const ImageOrigin o = inspect_origin(b);
    EXPECT_TRUE(o.has_exif);
    EXPECT_EQ(o.camera_make, "Apple");
    EXPECT_EQ(o.software, "17.1.2");
    EXPECT_FALSE(o.non_camera) << (be ? "big endian" : "little endian");
  }
}

TEST(ImageOrigin, EditorSoftwareTagMarksNonCamera) {
  for (const char* sw : {"Adobe Photoshop 25.0 (Windows)", "GIMP 2.10.34", "paint.net 5.0"}) {
    for (bool be : {false, true}) {
      const ImageOrigin o =
          inspect_origin(with_segment(canvas_jpeg(), exif_segment({{0x0131, sw}}, be)));
      EXPECT_TRUE(o.editor) << sw;
      EXPECT_TRUE(o.non_camera) << sw;
      EXPECT_EQ(o.why, "editor_software");
      EXPECT_EQ(o.software, sw);
    }
  }
  // ProcessingSoftware (0x000B) counts too; a short inline value (<= 4 bytes) is read in place.
  EXPECT_TRUE(inspect_origin(with_segment(canvas_jpeg(), exif_segment({{0x000B, "GIMP"}}, false)))
                  .non_camera);
}

TEST(ImageOrigin, XmpCreatorToolIsRead) {
  const std::string xmp = std::string("http://ns.adobe.com/xap/1.0/\0", 29) +
                          "<x:xmpmeta><rdf:Description xmp:CreatorTool=\"Adobe Lightroom 7\"/>"
                          "</x:xmpmeta>";
  const ImageOrigin o = inspect_origin(with_segment(canvas_jpeg(), app_segment(0xE1, xmp)));
  EXPECT_TRUE(o.has_xmp);
  EXPECT_EQ(o.software, "Adobe Lightroom 7");
  EXPECT_TRUE(o.non_camera);

  const std::string element = std::string("http://ns.adobe.com/xap/1.0/\0", 29) +
                              "<stEvt:softwareAgent>Snapseed 2.0</stEvt:softwareAgent>";
  EXPECT_TRUE(inspect_origin(with_segment(canvas_jpeg(), app_segment(0xE1, element))).non_camera);
}

TEST(ImageOrigin, PhotoshopIrbAloneIsReportedNotHeldAgainst) {
  const ImageOrigin o = inspect_origin(
      with_segment(canvas_jpeg(), app_segment(0xED, std::string("Photoshop 3.0\0", 14) + "8BIM")));
  EXPECT_TRUE(o.photoshop_irb);
  EXPECT_FALSE(o.non_camera);
}

TEST(ImageOrigin, PngFramesAreNonCameraUnlessAllowed) {
  const cv::Mat img(32, 32, CV_8UC3, cv::Scalar::all(90));
  const Bytes png = livecheck::test::encode_png(img);
  const ImageOrigin o = inspect_origin(png);
  EXPECT_EQ(o.container, "png");
  EXPECT_TRUE(o.non_camera);
  EXPECT_EQ(o.why, "png_frame");
  EXPECT_FALSE(inspect_origin(png, {.require_jpeg = false}).non_camera);

  // A tEXt Software chunk after IHDR (CRC not checked by the inspector).
  const std::string text = std::string("Software\0GIMP 2.10", 18);
  Bytes chunk;
  put32(&chunk, static_cast<std::uint32_t>(text.size()), true);
  append(&chunk, "tEXt");
  append(&chunk, text);
  put32(&chunk, 0, true);
  Bytes tagged(png.begin(), png.begin() + 33);
  append(&tagged, chunk);
  append(&tagged, Bytes(png.begin() + 33, png.end()));
  const ImageOrigin t = inspect_origin(tagged, {.require_jpeg = false});
  EXPECT_EQ(t.software, "GIMP 2.10");
  EXPECT_TRUE(t.non_camera);
}

TEST(ImageOrigin, MalformedMetadataNeverCrashes) {
  const Bytes good = with_segment(canvas_jpeg(), exif_segment({{0x0131, "GIMP 2.10"}}, false));
  // Every truncation and a corrupted byte at every position of the metadata.
  for (std::size_t n = 0; n < 120 && n < good.size(); ++n) {
    const Bytes cut(good.begin(), good.begin() + n);
    (void)inspect_origin(cut);
    Bytes bad = good;
    bad[n] ^= 0xA5;
    (void)inspect_origin(bad);
  }
  EXPECT_EQ(inspect_origin(Bytes{}).why, "unknown_format");
  EXPECT_TRUE(inspect_origin(Bytes{'G', 'I', 'F', '8'}).non_camera);
}

}  // namespace
}  // namespace livecheck::sessions
