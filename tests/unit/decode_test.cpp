// Decoding: bad inputs are invalid_image (never a crash), the limits are enforced from the header
// before decoding, every supported pixel layout becomes 8-bit BGR, EXIF orientation is applied and
// big JPEGs are decoded with libjpeg's DCT scaling.
#include <gtest/gtest.h>
#include <png.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image_decode.h"
#include "test_support.h"

namespace livecheck {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A 640x480 colour picture with the astronaut's face in it (tests that only need "a real image").
cv::Mat photo_640x480() {
  cv::Mat a = test::astronaut();
  cv::Mat out;
  cv::resize(a, out, cv::Size(640, 480), 0, 0, cv::INTER_AREA);
  return out;
}

void expect_invalid_image(const StatusOr<DecodedImage>& r, const std::string& what) {
  ASSERT_FALSE(r.is_ok()) << what << " decoded unexpectedly";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidImage) << what << ": " << r.status().to_string();
  EXPECT_FALSE(r.status().message().empty()) << what;
}

void expect_bgr(const StatusOr<DecodedImage>& r, int width, int height, const std::string& what) {
  ASSERT_TRUE(r.is_ok()) << what << ": " << r.status().to_string();
  const DecodedImage& d = r.value();
  EXPECT_EQ(d.bgr.type(), CV_8UC3) << what;
  EXPECT_EQ(d.bgr.cols, width) << what;
  EXPECT_EQ(d.bgr.rows, height) << what;
  EXPECT_EQ(d.full_width, width) << what;
  EXPECT_EQ(d.full_height, height) << what;
  EXPECT_EQ(d.dct_scale, 1) << what;
}

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / 3.0;
}

// Offset of the first byte after the SOS segment header (start of entropy-coded data).
std::size_t jpeg_scan_start(const Bytes& b) {
  for (std::size_t i = 2; i + 3 < b.size(); ++i) {
    if (b[i] == 0xFF && b[i + 1] == 0xDA) return i + 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  ADD_FAILURE() << "no SOS marker";
  return b.size();
}

// Patches the frame header (SOF0/SOF2) of a JPEG to claim width x height.
Bytes patch_jpeg_size(Bytes b, int width, int height) {
  for (std::size_t i = 2; i + 8 < b.size(); ++i) {
    if (b[i] == 0xFF && (b[i + 1] == 0xC0 || b[i + 1] == 0xC2)) {
      b[i + 5] = static_cast<std::uint8_t>(height >> 8);
      b[i + 6] = static_cast<std::uint8_t>(height & 0xFF);
      b[i + 7] = static_cast<std::uint8_t>(width >> 8);
      b[i + 8] = static_cast<std::uint8_t>(width & 0xFF);
      return b;
    }
  }
  ADD_FAILURE() << "no SOF0/SOF2 marker";
  return b;
}

// PNG chunk CRC (ISO 3309 / ITU-T V.42, as in the PNG spec's sample code).
std::uint32_t png_crc(const std::uint8_t* data, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= data[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

void put_be32(Bytes* b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b->push_back(static_cast<std::uint8_t>(v >> s));
}

void put_png_chunk(Bytes* b, const char type[4], const Bytes& data) {
  put_be32(b, static_cast<std::uint32_t>(data.size()));
  Bytes td(type, type + 4);
  td.insert(td.end(), data.begin(), data.end());
  b->insert(b->end(), td.begin(), td.end());
  put_be32(b, png_crc(td.data(), td.size()));
}

// A PNG that claims width x height (RGB, 8 bit): valid signature, IHDR and IEND, and an IDAT
// with a few bytes of a zlib stream, far too little for the claimed size. A decoder that trusted
// the header would allocate width x height x 3 bytes before noticing.
Bytes png_header_only(std::uint32_t width, std::uint32_t height) {
  Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Bytes ihdr;
  put_be32(&ihdr, width);
  put_be32(&ihdr, height);
  ihdr.insert(ihdr.end(),
              {8, 2, 0, 0, 0});  // depth 8, colour type RGB, deflate, no filter, no interlace
  put_png_chunk(&b, "IHDR", ihdr);
  put_png_chunk(&b, "IDAT", {0x78, 0x9C, 0x63, 0x60, 0x00, 0x00});
  put_png_chunk(&b, "IEND", {});
  return b;
}

// Inserts an APP1 Exif segment with a single Orientation tag right after SOI.
Bytes with_exif_orientation(const Bytes& jpeg, int orientation, bool big_endian = true) {
  Bytes tiff;
  auto u16 = [&](int v) {
    if (big_endian) {
      tiff.push_back(static_cast<std::uint8_t>(v >> 8));
      tiff.push_back(static_cast<std::uint8_t>(v));
    } else {
      tiff.push_back(static_cast<std::uint8_t>(v));
      tiff.push_back(static_cast<std::uint8_t>(v >> 8));
    }
  };
  auto u32 = [&](std::uint32_t v) {
    if (big_endian) {
      u16(static_cast<int>(v >> 16));
      u16(static_cast<int>(v & 0xFFFF));
    } else {
      u16(static_cast<int>(v & 0xFFFF));
      u16(static_cast<int>(v >> 16));
    }
  };
  tiff.push_back(big_endian ? 'M' : 'I');
  tiff.push_back(big_endian ? 'M' : 'I');
  u16(42);
  u32(8);       // offset of IFD0
  u16(1);       // one entry
  u16(0x0112);  // Orientation
  u16(3);       // SHORT
  u32(1);       // count
  u16(orientation);
  u16(0);  // value padded to 4 bytes
  u32(0);  // no next IFD
  Bytes payload = {'E', 'x', 'i', 'f', 0, 0};
  payload.insert(payload.end(), tiff.begin(), tiff.end());
  const std::size_t len = payload.size() + 2;
  Bytes app1 = {0xFF, 0xE1, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
  app1.insert(app1.end(), payload.begin(), payload.end());
  // SOI, then APP1, then the rest of the original file.
  Bytes out = jpeg;
  out.insert(out.begin() + 2, app1.begin(), app1.end());
  return out;
}

// CMYK JPEG written with libjpeg (OpenCV cannot write one). Adobe convention, as Photoshop writes
// it: inverted values, so (C,M,Y,K) = (R,G,B,255) stands for the colour (R,G,B).
Bytes encode_cmyk_jpeg(const cv::Mat& bgr) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* mem = nullptr;
  unsigned long mem_size = 0;
  jpeg_mem_dest(&c, &mem, &mem_size);
  c.image_width = static_cast<JDIMENSION>(bgr.cols);
  c.image_height = static_cast<JDIMENSION>(bgr.rows);
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  jpeg_start_compress(&c, TRUE);
  std::vector<std::uint8_t> row(static_cast<std::size_t>(bgr.cols) * 4);
  while (c.next_scanline < c.image_height) {
    const cv::Vec3b* src = bgr.ptr<cv::Vec3b>(static_cast<int>(c.next_scanline));
    for (int x = 0; x < bgr.cols; ++x) {
      row[4 * x + 0] = src[x][2];
      row[4 * x + 1] = src[x][1];
      row[4 * x + 2] = src[x][0];
      row[4 * x + 3] = 255;
    }
    JSAMPROW rp = row.data();
    jpeg_write_scanlines(&c, &rp, 1);
  }
  jpeg_finish_compress(&c);
  Bytes out(mem, mem + mem_size);
  jpeg_destroy_compress(&c);
  std::free(mem);
  return out;
}

// Palette PNG written with libpng: the image quantised to a 6x6x6 colour cube. `quantised`
// receives the exact BGR picture the file encodes.
Bytes encode_palette_png(const cv::Mat& bgr, cv::Mat* quantised, bool interlaced) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  Bytes out;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    ADD_FAILURE() << "libpng write failed";
    return {};
  }
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, png_size_t n) {
        auto* o = static_cast<Bytes*>(png_get_io_ptr(p));
        o->insert(o->end(), data, data + n);
      },
      nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(bgr.cols), static_cast<png_uint_32>(bgr.rows), 8,
               PNG_COLOR_TYPE_PALETTE, interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::array<png_color, 216> palette{};
  for (int i = 0; i < 216; ++i) {
    palette[i].red = static_cast<png_byte>((i / 36) * 51);
    palette[i].green = static_cast<png_byte>(((i / 6) % 6) * 51);
    palette[i].blue = static_cast<png_byte>((i % 6) * 51);
  }
  png_set_PLTE(png, info, palette.data(), 216);
  png_write_info(png, info);
  cv::Mat idx(bgr.rows, bgr.cols, CV_8UC1);
  quantised->create(bgr.rows, bgr.cols, CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
      const int r = (p[2] + 25) / 51, g = (p[1] + 25) / 51, b = (p[0] + 25) / 51;
      idx.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(r * 36 + g * 6 + b);
      quantised->at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<std::uint8_t>(b * 51), static_cast<std::uint8_t>(g * 51),
                    static_cast<std::uint8_t>(r * 51));
    }
  }
  std::vector<png_bytep> rows(static_cast<std::size_t>(bgr.rows));
  for (int y = 0; y < bgr.rows; ++y) rows[y] = idx.ptr<png_byte>(y);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Empty, garbage, truncated, corrupt.

TEST(Decode, ZeroBytesIsInvalidImage) {
  const Bytes empty;
  for (ImageFormat f : {ImageFormat::kAuto, ImageFormat::kJpeg, ImageFormat::kPng}) {
    expect_invalid_image(decode_image(empty, f), "0 bytes");
  }
}

TEST(Decode, RandomGarbageIsInvalidImage) {
  std::mt19937 rng(1234);
  for (std::size_t n : {1u, 2u, 3u, 7u, 8u, 100u, 4096u, 100000u}) {
    Bytes b(n);
    for (auto& v : b) v = static_cast<std::uint8_t>(rng());
    expect_invalid_image(decode_image(b, ImageFormat::kAuto), "garbage " + std::to_string(n));
  }
}

TEST(Decode, GarbageAfterAValidMagicNumberIsInvalidImage) {
  std::mt19937 rng(99);
  for (const Bytes& magic :
       {Bytes{0xFF, 0xD8, 0xFF}, Bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}}) {
    for (std::size_t n : {0u, 1u, 16u, 5000u}) {
      Bytes b = magic;
      for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(rng()));
      expect_invalid_image(decode_image(b, ImageFormat::kAuto),
                           "magic + " + std::to_string(n) + " random bytes");
    }
  }
}

TEST(Decode, TruncatedJpegIsInvalidImage) {
  const Bytes full = test::encode_jpeg(photo_640x480());
  ASSERT_TRUE(decode_image(full, ImageFormat::kJpeg).is_ok());
  const Bytes half(full.begin(), full.begin() + full.size() / 2);
  const auto r = decode_image(half, ImageFormat::kJpeg);
  expect_invalid_image(r, "half a JPEG");
  EXPECT_NE(lower(r.status().message()).find("truncated"), std::string::npos)
      << r.status().message();
}

TEST(Decode, TruncatedPngIsInvalidImage) {
  const Bytes full = test::encode_png(photo_640x480());
  ASSERT_TRUE(decode_image(full, ImageFormat::kPng).is_ok());
  const Bytes half(full.begin(), full.begin() + full.size() / 2);
  const auto r = decode_image(half, ImageFormat::kPng);
  expect_invalid_image(r, "half a PNG");
  EXPECT_NE(lower(r.status().message()).find("truncated"), std::string::npos)
      << r.status().message();
}

TEST(Decode, EveryTruncationPointIsInvalidImage) {
  // From a 1-byte stub to one byte short of the end, in the header and in the pixel data.
  for (const Bytes& full :
       {test::encode_jpeg(photo_640x480()), test::encode_png(photo_640x480())}) {
    std::vector<std::size_t> cuts = {1, 2, 3, 4, 8, 20, 50, 100, 200, 400, 700};
    for (int k = 1; k < 16; ++k) cuts.push_back(full.size() * k / 16);
    cuts.push_back(full.size() - 2);
    cuts.push_back(full.size() - 1);
    for (std::size_t cut : cuts) {
      const Bytes part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
      expect_invalid_image(decode_image(part, ImageFormat::kAuto),
                           "cut at " + std::to_string(cut) + " of " + std::to_string(full.size()));
    }
  }
}

TEST(Decode, CorruptJpegScanDataIsDecodedOrInvalidNeverACrash) {
  const cv::Mat img = photo_640x480();
  const Bytes good = test::encode_jpeg(img);
  const std::size_t scan = jpeg_scan_start(good);
  ASSERT_LT(scan + 100, good.size());
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  std::mt19937 rng(42);
  int decoded = 0, refused = 0;
  for (int trial = 0; trial < 40; ++trial) {
    Bytes b = good;
    const int flips = 1 + trial % 20;
    for (int i = 0; i < flips; ++i) {
      const std::size_t pos = scan + rng() % (good.size() - scan - 2);  // keep EOI intact
      b[pos] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    }
    const auto r = decode_image(b, ImageFormat::kJpeg);
    if (r.is_ok()) {
      ++decoded;
      EXPECT_EQ(r.value().bgr.type(), CV_8UC3);
      EXPECT_EQ(r.value().bgr.cols, 640);
      EXPECT_EQ(r.value().bgr.rows, 480);
    } else {
      ++refused;
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidImage) << r.status().to_string();
    }
    // The whole pipeline on the same bytes: a result or invalid_image, nothing else.
    CheckResult cr;
    const Status s = test::check_bytes(*runner, b, &cr, ImageFormat::kJpeg);
    EXPECT_TRUE(s.is_ok() || s.code() == StatusCode::kInvalidImage) << s.to_string();
  }
  std::printf("corrupt JPEG scan data: %d decoded, %d refused\n", decoded, refused);
}

TEST(Decode, CorruptPngDataIsDecodedOrInvalidNeverACrash) {
  const Bytes good = test::encode_png(photo_640x480());
  std::mt19937 rng(7);
  for (int trial = 0; trial < 30; ++trial) {
    Bytes b = good;
    for (int i = 0; i < 1 + trial % 10; ++i) {
      const std::size_t pos = 60 + rng() % (good.size() - 60 - 12);  // past IHDR, before IEND
      b[pos] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    }
    const auto r = decode_image(b, ImageFormat::kPng);
    if (r.is_ok()) {
      EXPECT_EQ(r.value().bgr.type(), CV_8UC3);
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidImage) << r.status().to_string();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Declared format.

TEST(Decode, JpegDeclaredAsPngIsInvalidImageNamingBothFormats) {
  const auto r = decode_image(test::encode_jpeg(photo_640x480()), ImageFormat::kPng);
  expect_invalid_image(r, "JPEG declared as PNG");
  const std::string m = lower(r.status().message());
  EXPECT_NE(m.find("png"), std::string::npos) << r.status().message();
  EXPECT_NE(m.find("jpeg"), std::string::npos) << r.status().message();
}

TEST(Decode, PngDeclaredAsJpegIsInvalidImageNamingBothFormats) {
  const auto r = decode_image(test::encode_png(photo_640x480()), ImageFormat::kJpeg);
  expect_invalid_image(r, "PNG declared as JPEG");
  const std::string m = lower(r.status().message());
  EXPECT_NE(m.find("png"), std::string::npos) << r.status().message();
  EXPECT_NE(m.find("jpeg"), std::string::npos) << r.status().message();
}

TEST(Decode, MatchingAndAutoDeclarationsDecode) {
  const cv::Mat img = photo_640x480();
  expect_bgr(decode_image(test::encode_jpeg(img), ImageFormat::kJpeg), 640, 480, "jpeg/jpeg");
  expect_bgr(decode_image(test::encode_jpeg(img), ImageFormat::kAuto), 640, 480, "jpeg/auto");
  expect_bgr(decode_image(test::encode_png(img), ImageFormat::kPng), 640, 480, "png/png");
  expect_bgr(decode_image(test::encode_png(img), ImageFormat::kAuto), 640, 480, "png/auto");
}

TEST(Decode, SniffFormatReadsMagicBytes) {
  EXPECT_EQ(sniff_format(test::encode_jpeg(photo_640x480())), SniffedFormat::kJpeg);
  EXPECT_EQ(sniff_format(test::encode_png(photo_640x480())), SniffedFormat::kPng);
  EXPECT_EQ(sniff_format(Bytes{0xFF, 0xD8}), SniffedFormat::kUnknown);
  EXPECT_EQ(sniff_format(Bytes{'G', 'I', 'F', '8', '9', 'a', 0, 0, 0}), SniffedFormat::kUnknown);
  EXPECT_EQ(sniff_format(Bytes{}), SniffedFormat::kUnknown);
}

// ---------------------------------------------------------------------------------------------
// Limits, checked from the header before any pixel is decoded.

TEST(Decode, PngHeaderWiderThan16384IsRefusedBeforeDecoding) {
  const Bytes b = png_header_only(20000, 10);
  const auto h = read_image_header(b, SniffedFormat::kPng);
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(h.value().width, 20000);
  EXPECT_EQ(h.value().height, 10);
  const auto r = decode_image(b, ImageFormat::kPng);
  expect_invalid_image(r, "PNG 20000x10");
  EXPECT_NE(r.status().message().find("20000x10"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("16384"), std::string::npos) << r.status().message();
}

TEST(Decode, JpegHeaderOf17000x17000IsRefusedBeforeDecoding) {
  const Bytes b = patch_jpeg_size(test::encode_jpeg(photo_640x480()), 17000, 17000);
  const auto h = read_image_header(b, SniffedFormat::kJpeg);
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(h.value().width, 17000);
  EXPECT_EQ(h.value().height, 17000);
  const auto r = decode_image(b, ImageFormat::kJpeg);
  expect_invalid_image(r, "JPEG 17000x17000");
  EXPECT_NE(r.status().message().find("17000x17000"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("16384"), std::string::npos) << r.status().message();
}

TEST(Decode, JpegHeaderOf56MegapixelsIsRefusedBeforeDecoding) {
  // Each side is within 16384; the area (8000 x 7000 = 56 MP) is over 50 MP.
  const Bytes b = patch_jpeg_size(test::encode_jpeg(photo_640x480()), 8000, 7000);
  const auto r = decode_image(b, ImageFormat::kJpeg);
  expect_invalid_image(r, "JPEG 8000x7000");
  EXPECT_NE(r.status().message().find("8000x7000"), std::string::npos) << r.status().message();
  EXPECT_NE(lower(r.status().message()).find("50 megapixels"), std::string::npos)
      << r.status().message();
}

TEST(Decode, PngHeaderOf56MegapixelsIsRefused) {
  const auto r = decode_image(png_header_only(8000, 7000), ImageFormat::kAuto);
  expect_invalid_image(r, "PNG 8000x7000");
  EXPECT_NE(lower(r.status().message()).find("50 megapixels"), std::string::npos)
      << r.status().message();
}

TEST(Decode, PngHeaderWithZeroWidthIsInvalidImage) {
  expect_invalid_image(decode_image(png_header_only(0, 10), ImageFormat::kPng), "PNG 0x10");
}

TEST(Decode, InputOver10MiBIsInvalidImage) {
  Bytes b = test::encode_jpeg(photo_640x480());
  b.resize(kMaxImageBytes + 1, 0);  // a valid JPEG followed by zero padding
  const auto r = decode_image(b, ImageFormat::kJpeg);
  expect_invalid_image(r, "10 MiB + 1 byte");
  EXPECT_NE(r.status().message().find("10 MiB"), std::string::npos) << r.status().message();
}

TEST(Decode, InputOfExactly10MiBIsAccepted) {
  Bytes b = test::encode_jpeg(photo_640x480());
  b.resize(kMaxImageBytes, 0);  // trailing bytes after EOI are ignored by decoders
  expect_bgr(decode_image(b, ImageFormat::kJpeg), 640, 480, "exactly 10 MiB");
}

// ---------------------------------------------------------------------------------------------
// Pixel layouts: all become 8-bit, 3-channel BGR of the right size.

TEST(Decode, GreyJpegDecodesToBgr) {
  cv::Mat grey;
  cv::cvtColor(photo_640x480(), grey, cv::COLOR_BGR2GRAY);
  const Bytes b = test::encode_jpeg(grey);
  const auto h = read_image_header(b, SniffedFormat::kJpeg);
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h.value().channels, 1);
  const auto r = decode_image(b, ImageFormat::kJpeg);
  expect_bgr(r, 640, 480, "grey JPEG");
  cv::Mat back;
  cv::cvtColor(r.value().bgr, back, cv::COLOR_BGR2GRAY);
  cv::Mat back3, grey3;
  cv::cvtColor(back, back3, cv::COLOR_GRAY2BGR);
  cv::cvtColor(grey, grey3, cv::COLOR_GRAY2BGR);
  EXPECT_LT(mean_abs_diff(back3, grey3), 3.0);
}

TEST(Decode, CmykJpegDecodesToBgrWithTheRightColours) {
  const cv::Mat img = photo_640x480();
  const Bytes b = encode_cmyk_jpeg(img);
  const auto h = read_image_header(b, SniffedFormat::kJpeg);
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(h.value().channels, 4);
  const auto r = decode_image(b, ImageFormat::kJpeg);
  expect_bgr(r, 640, 480, "CMYK JPEG");
  EXPECT_LT(mean_abs_diff(r.value().bgr, img), 4.0) << "colours changed by the CMYK round trip";
}

TEST(Decode, CmykJpegFaceIsFound) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  CheckResult r;
  const Status s = test::check_bytes(*runner, encode_cmyk_jpeg(photo_640x480()), &r);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(r.quality.face_count, 1);
}

TEST(Decode, ProgressiveJpegDecodesToBgr) {
  const cv::Mat img = photo_640x480();
  const Bytes b =
      test::encode(img, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90, cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  const auto h = read_image_header(b, SniffedFormat::kJpeg);
  ASSERT_TRUE(h.is_ok());
  EXPECT_TRUE(h.value().progressive);
  const auto r = decode_image(b, ImageFormat::kJpeg);
  expect_bgr(r, 640, 480, "progressive JPEG");
  EXPECT_LT(mean_abs_diff(r.value().bgr, img), 4.0);
}

TEST(Decode, TruncatedProgressiveJpegIsInvalidImage) {
  const Bytes b = test::encode(photo_640x480(), ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  const Bytes part(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(b.size() * 2 / 3));
  expect_invalid_image(decode_image(part, ImageFormat::kJpeg), "2/3 of a progressive JPEG");
}

TEST(Decode, GreyPngDecodesToBgr) {
  cv::Mat grey;
  cv::cvtColor(photo_640x480(), grey, cv::COLOR_BGR2GRAY);
  const auto r = decode_image(test::encode_png(grey), ImageFormat::kPng);
  expect_bgr(r, 640, 480, "grey PNG");
  std::vector<cv::Mat> ch;
  cv::split(r.value().bgr, ch);
  for (const cv::Mat& c : ch) EXPECT_EQ(cv::norm(c, grey, cv::NORM_INF), 0.0);
}

TEST(Decode, SixteenBitPngDecodesTo8BitBgr) {
  const cv::Mat img = photo_640x480();
  cv::Mat img16;
  img.convertTo(img16, CV_16UC3, 257.0);  // v -> v * 257, so the top byte is v
  const Bytes b = test::encode_png(img16);
  const auto h = read_image_header(b, SniffedFormat::kPng);
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h.value().bit_depth, 16);
  const auto r = decode_image(b, ImageFormat::kPng);
  expect_bgr(r, 640, 480, "16-bit PNG");
  EXPECT_LE(cv::norm(r.value().bgr, img, cv::NORM_INF), 1.0);
}

TEST(Decode, SixteenBitGreyPngDecodesTo8BitBgr) {
  cv::Mat grey, grey16;
  cv::cvtColor(photo_640x480(), grey, cv::COLOR_BGR2GRAY);
  grey.convertTo(grey16, CV_16UC1, 257.0);
  expect_bgr(decode_image(test::encode_png(grey16), ImageFormat::kPng), 640, 480,
             "16-bit grey PNG");
}

TEST(Decode, RgbaPngDecodesToBgrDroppingAlpha) {
  const cv::Mat img = photo_640x480();
  cv::Mat bgra;
  cv::cvtColor(img, bgra, cv::COLOR_BGR2BGRA);
  // Half transparent, half opaque.
  for (int y = 0; y < bgra.rows; ++y) {
    for (int x = 0; x < bgra.cols / 2; ++x) bgra.at<cv::Vec4b>(y, x)[3] = 0;
  }
  const Bytes b = test::encode_png(bgra);
  const auto h = read_image_header(b, SniffedFormat::kPng);
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h.value().channels, 4);
  const auto r = decode_image(b, ImageFormat::kPng);
  expect_bgr(r, 640, 480, "RGBA PNG");
  EXPECT_EQ(cv::norm(r.value().bgr, img, cv::NORM_INF), 0.0);
}

TEST(Decode, PalettePngDecodesToTheExactPaletteColours) {
  const cv::Mat img = photo_640x480();
  for (bool interlaced : {false, true}) {
    cv::Mat expected;
    const Bytes b = encode_palette_png(img, &expected, interlaced);
    ASSERT_GT(b.size(), 33u);
    EXPECT_EQ(b[25], 3) << "IHDR colour type should be 3 (palette)";
    const auto r = decode_image(b, ImageFormat::kPng);
    expect_bgr(r, 640, 480, interlaced ? "interlaced palette PNG" : "palette PNG");
    EXPECT_EQ(cv::norm(r.value().bgr, expected, cv::NORM_INF), 0.0);
  }
}

// ---------------------------------------------------------------------------------------------
// EXIF orientation.

struct OrientationCase {
  int tag;
  cv::RotateFlags stored_from_upright;  // how the camera stored an upright scene
  bool swaps;
};

class DecodeExif : public ::testing::TestWithParam<OrientationCase> {};

TEST_P(DecodeExif, OrientationTagIsApplied) {
  const OrientationCase c = GetParam();
  // 512x384 upright: the astronaut's head and shoulders (non-square so a swap is visible).
  const cv::Mat upright = test::astronaut()(cv::Rect(0, 0, 512, 384)).clone();
  cv::Mat stored;
  cv::rotate(upright, stored, c.stored_from_upright);
  for (bool big_endian : {true, false}) {
    const Bytes b = with_exif_orientation(test::encode_jpeg(stored, 95), c.tag, big_endian);
    const auto r = decode_image(b, ImageFormat::kJpeg);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r.value().bgr.cols, 512) << "orientation " << c.tag;
    EXPECT_EQ(r.value().bgr.rows, 384) << "orientation " << c.tag;
    EXPECT_EQ(r.value().full_width, 512);
    EXPECT_EQ(r.value().full_height, 384);
    EXPECT_LT(mean_abs_diff(r.value().bgr, upright), 4.0)
        << "orientation " << c.tag << (big_endian ? " (MM)" : " (II)") << " not applied";
  }
}

INSTANTIATE_TEST_SUITE_P(Orientations, DecodeExif,
                         ::testing::Values(OrientationCase{6, cv::ROTATE_90_COUNTERCLOCKWISE, true},
                                           OrientationCase{8, cv::ROTATE_90_CLOCKWISE, true},
                                           OrientationCase{3, cv::ROTATE_180, false}),
                         [](const auto& info) {
                           return "Orientation" + std::to_string(info.param.tag);
                         });

TEST(Decode, ExifOrientation6FaceIsFoundUpright) {
  const cv::Mat upright = test::astronaut()(cv::Rect(0, 0, 512, 384)).clone();
  cv::Mat stored;
  cv::rotate(upright, stored, cv::ROTATE_90_COUNTERCLOCKWISE);  // 384x512 as stored
  const Bytes b = with_exif_orientation(test::encode_jpeg(stored, 95), 6);
  const auto h = read_image_header(b, SniffedFormat::kJpeg);
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h.value().width, 384);  // as stored
  EXPECT_EQ(h.value().height, 512);

  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  CheckResult rotated, reference;
  Status s = test::check_bytes(*runner, b, &rotated, ImageFormat::kJpeg);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  s = test::check_bytes(*runner, test::encode_jpeg(upright, 95), &reference, ImageFormat::kJpeg);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(rotated.image_width, 512);
  EXPECT_EQ(rotated.image_height, 384);
  EXPECT_EQ(rotated.quality.face_count, 1);
  // Upright face: small roll, eyes above the mouth, same box as the upright picture.
  EXPECT_LT(std::abs(rotated.quality.roll_deg), 15.0);
  EXPECT_LT(rotated.face.keypoint(Keypoint::kRightEye).y,
            rotated.face.keypoint(Keypoint::kMouth).y);
  const double dx = rotated.face.box.center().x - reference.face.box.center().x;
  const double dy = rotated.face.box.center().y - reference.face.box.center().y;
  EXPECT_LT(std::hypot(dx, dy), 0.1 * reference.face.box.width);
}

// ---------------------------------------------------------------------------------------------
// Big images.

TEST(Decode, Big4000x3000JpegIsDecodedWithDctScale4) {
  cv::Mat big;
  cv::resize(test::astronaut(), big, cv::Size(4000, 3000), 0, 0, cv::INTER_LINEAR);
  const Bytes b = test::encode_jpeg(big, 85);
  ASSERT_LT(b.size(), kMaxImageBytes);
  const auto r = decode_image(b, ImageFormat::kJpeg);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r.value().dct_scale, 4);
  EXPECT_EQ(r.value().full_width, 4000);
  EXPECT_EQ(r.value().full_height, 3000);
  EXPECT_EQ(r.value().bgr.cols, 1000);
  EXPECT_EQ(r.value().bgr.rows, 750);
  EXPECT_DOUBLE_EQ(r.value().to_full, 4.0);
}

TEST(Decode, Big4000x3000JpegFaceIsReportedInFullResolutionPixels) {
  auto runner = test::make_runner();
  ASSERT_TRUE(runner);
  const cv::Mat small = test::astronaut();
  CheckResult ref, r;
  ASSERT_TRUE(test::check_image(*runner, small, &ref).is_ok());
  cv::Mat big;
  cv::resize(small, big, cv::Size(4000, 3000), 0, 0, cv::INTER_LINEAR);
  const Status s = test::check_bytes(*runner, test::encode_jpeg(big, 85), &r);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(r.decode_scale, 4);
  EXPECT_EQ(r.image_width, 4000);
  EXPECT_EQ(r.image_height, 3000);
  const double fx = 4000.0 / 512, fy = 3000.0 / 512;
  EXPECT_NEAR(r.face.box.center().x, ref.face.box.center().x * fx, 0.05 * 4000);
  EXPECT_NEAR(r.face.box.center().y, ref.face.box.center().y * fy, 0.05 * 3000);
  EXPECT_GT(r.quality.face_width_px, 0.7 * ref.face.box.width * fy);
  for (const Point& k : r.face.keypoints) {
    EXPECT_GE(k.x, 0);
    EXPECT_LE(k.x, 4000);
  }
}

TEST(Decode, BigExifRotatedJpegReportsTheOrientedFullSize) {
  cv::Mat big, stored;
  cv::resize(test::astronaut(), big, cv::Size(4000, 3000), 0, 0, cv::INTER_LINEAR);
  cv::rotate(big, stored, cv::ROTATE_90_COUNTERCLOCKWISE);  // stored 3000x4000
  const auto r =
      decode_image(with_exif_orientation(test::encode_jpeg(stored, 80), 6), ImageFormat::kJpeg);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r.value().full_width, 4000);
  EXPECT_EQ(r.value().full_height, 3000);
  EXPECT_EQ(r.value().dct_scale, 4);
  EXPECT_EQ(r.value().bgr.cols, 1000);
  EXPECT_EQ(r.value().bgr.rows, 750);
}

TEST(Decode, SmallJpegIsDecodedAtFullScale) {
  const auto r = decode_image(test::encode_jpeg(photo_640x480()), ImageFormat::kJpeg);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value().dct_scale, 1);
  EXPECT_DOUBLE_EQ(r.value().to_full, 1.0);
}

TEST(Decode, BigPngIsResizedToTheWorkingSide) {
  cv::Mat big;
  cv::resize(test::astronaut(), big, cv::Size(3000, 2000), 0, 0, cv::INTER_LINEAR);
  const auto r = decode_image(test::encode_png(big), ImageFormat::kPng);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r.value().dct_scale, 1);
  EXPECT_EQ(r.value().full_width, 3000);
  EXPECT_EQ(r.value().full_height, 2000);
  EXPECT_EQ(std::max(r.value().bgr.cols, r.value().bgr.rows), DecodeOptions{}.max_working_side);
  EXPECT_NEAR(r.value().to_full, 3000.0 / DecodeOptions{}.max_working_side, 1e-9);
}

}  // namespace
}  // namespace livecheck
