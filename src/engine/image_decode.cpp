#include "image_decode.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace livecheck {
namespace {

constexpr std::uint8_t kPngMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

// ---- libjpeg header reading. libjpeg reports fatal errors through error_exit, which must not
// return; we longjmp back. No object with a destructor lives between setjmp and longjmp.
struct JpegErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void jpeg_silent(j_common_ptr, int) {}

// Returns false with `message` filled when the header cannot be read. `sos_offset` is the offset
// of the first scan's data, where the entropy-coded image starts.
bool read_jpeg_header_c(const std::uint8_t* data, std::size_t size, ImageHeader* h,
                        std::size_t* sos_offset, char* message) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager jerr;
  cinfo.err = jpeg_std_error(&jerr.pub);
  jerr.pub.error_exit = jpeg_error_exit;
  jerr.pub.emit_message = jpeg_silent;
  jerr.message[0] = '\0';
  if (setjmp(jerr.jump)) {
    std::snprintf(message, JMSG_LENGTH_MAX, "%s", jerr.message);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  h->width = static_cast<int>(cinfo.image_width);
  h->height = static_cast<int>(cinfo.image_height);
  h->channels = cinfo.num_components;
  h->progressive = cinfo.progressive_mode != 0;
  *sos_offset = size - cinfo.src->bytes_in_buffer;
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// ---- libpng header reading (same longjmp discipline).
struct PngReader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos;
};

void png_read_mem(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
  if (r->size - r->pos < n) png_error(png, "PNG data is truncated");
  std::memcpy(out, r->data + r->pos, n);
  r->pos += n;
}

void png_error_fn(png_structp png, png_const_charp msg) {
  auto* buf = static_cast<char*>(png_get_error_ptr(png));
  std::snprintf(buf, 200, "%s", msg);
  png_longjmp(png, 1);
}
void png_warning_fn(png_structp, png_const_charp) {}

bool read_png_header_c(const std::uint8_t* data, std::size_t size, ImageHeader* h, char* message) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, message, png_error_fn, png_warning_fn);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return false;
  }
  PngReader reader{data, size, 0};
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  // libpng's own limit would otherwise refuse > 1,000,000 px a side with a less clear message.
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_set_read_fn(png, &reader, png_read_mem);
  png_read_info(png, info);
  h->width = static_cast<int>(png_get_image_width(png, info));
  h->height = static_cast<int>(png_get_image_height(png, info));
  h->channels = png_get_channels(png, info);
  h->bit_depth = png_get_bit_depth(png, info);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// A complete JPEG has an EOI marker (FF D9) after the start of its first scan; entropy-coded
// data never contains FF D9 (0xFF is byte-stuffed), so any FF D9 there is an EOI.
bool jpeg_has_eoi(std::span<const std::uint8_t> bytes, std::size_t sos_offset) {
  for (std::size_t i = std::max<std::size_t>(sos_offset, 1); i < bytes.size(); ++i) {
    if (bytes[i] == 0xD9 && bytes[i - 1] == 0xFF) return true;
  }
  return false;
}

// A complete PNG ends with an IEND chunk (possibly followed by junk some encoders append).
bool png_has_iend(std::span<const std::uint8_t> bytes) {
  static constexpr std::uint8_t kIend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  if (bytes.size() < 8) return false;
  auto it = std::search(bytes.begin() + 8, bytes.end(), std::begin(kIend), std::end(kIend));
  return it != bytes.end();
}

const char* format_label(SniffedFormat f) {
  switch (f) {
    case SniffedFormat::kJpeg:
      return "JPEG";
    case SniffedFormat::kPng:
      return "PNG";
    case SniffedFormat::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace

SniffedFormat sniff_format(std::span<const std::uint8_t> bytes) {
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
    return SniffedFormat::kJpeg;
  }
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngMagic, 8) == 0) {
    return SniffedFormat::kPng;
  }
  return SniffedFormat::kUnknown;
}

StatusOr<ImageHeader> read_image_header(std::span<const std::uint8_t> bytes, SniffedFormat format) {
  ImageHeader h;
  h.format = format;
  char message[JMSG_LENGTH_MAX + 200] = {0};
  if (format == SniffedFormat::kJpeg) {
    std::size_t sos = 0;
    if (!read_jpeg_header_c(bytes.data(), bytes.size(), &h, &sos, message)) {
      return Status::invalid_image(std::string("JPEG header could not be read: ") + message);
    }
    if (!jpeg_has_eoi(bytes, sos)) {
      return Status::invalid_image("JPEG data is truncated (no end-of-image marker)");
    }
  } else if (format == SniffedFormat::kPng) {
    if (!read_png_header_c(bytes.data(), bytes.size(), &h, message)) {
      return Status::invalid_image(std::string("PNG header could not be read: ") + message);
    }
    if (!png_has_iend(bytes)) {
      return Status::invalid_image("PNG data is truncated (no IEND chunk)");
    }
  } else {
    return Status::invalid_image("Image data is neither JPEG nor PNG");
  }
  if (h.width <= 0 || h.height <= 0) {
    return Status::invalid_image("Image has zero width or height");
  }
  return h;
}

StatusOr<DecodedImage> decode_image(std::span<const std::uint8_t> bytes, ImageFormat declared,
                                    const DecodeOptions& options) {
  if (bytes.empty()) return Status::invalid_image("Image is empty (0 bytes)");
  if (bytes.size() > kMaxImageBytes) {
    return Status::invalid_image("Image is larger than 10 MiB (" + std::to_string(bytes.size()) +
                                 " bytes)");
  }
  const SniffedFormat sniffed = sniff_format(bytes);
  if (sniffed == SniffedFormat::kUnknown) {
    return Status::invalid_image("Image data is neither JPEG nor PNG");
  }
  const SniffedFormat wanted = declared == ImageFormat::kJpeg  ? SniffedFormat::kJpeg
                               : declared == ImageFormat::kPng ? SniffedFormat::kPng
                                                               : sniffed;
  if (wanted != sniffed) {
    return Status::invalid_image(std::string("image_format is '") + image_format_name(declared) +
                                 "' but the data is a " + format_label(sniffed) + " image");
  }
  auto header = read_image_header(bytes, sniffed);
  if (!header.is_ok()) return header.status();
  const ImageHeader& h = header.value();
  if (h.width > kMaxImageSide || h.height > kMaxImageSide ||
      static_cast<int64_t>(h.width) * h.height > kMaxImagePixels) {
    return Status::invalid_image("Image dimensions " + std::to_string(h.width) + "x" +
                                 std::to_string(h.height) +
                                 " exceed the limit (16384 px per side, 50 megapixels)");
  }

  DecodedImage out;
  int flags = cv::IMREAD_COLOR;  // 8-bit BGR; grey, CMYK, 16-bit and alpha are converted
  const int long_side = std::max(h.width, h.height);
  if (sniffed == SniffedFormat::kJpeg) {
    for (int s : {8, 4, 2}) {
      if (long_side / s >= options.min_working_side) {
        out.dct_scale = s;
        break;
      }
    }
    flags = out.dct_scale == 8   ? cv::IMREAD_REDUCED_COLOR_8
            : out.dct_scale == 4 ? cv::IMREAD_REDUCED_COLOR_4
            : out.dct_scale == 2 ? cv::IMREAD_REDUCED_COLOR_2
                                 : cv::IMREAD_COLOR;
  }
  cv::Mat img;
  try {
    // imdecode applies the EXIF orientation tag (flags without IMREAD_IGNORE_ORIENTATION).
    const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8U,
                      const_cast<std::uint8_t*>(bytes.data()));
    img = cv::imdecode(buf, flags);
  } catch (const cv::Exception&) {
    img.release();
  }
  if (img.empty() || img.type() != CV_8UC3) {
    return Status::invalid_image(std::string(format_label(sniffed)) +
                                 " data is corrupt and could not be decoded");
  }
  // Oriented full-resolution size: EXIF rotation by 90/270 degrees swaps the sides.
  const bool swapped = (img.cols >= img.rows) != (h.width >= h.height) && h.width != h.height;
  out.full_width = swapped ? h.height : h.width;
  out.full_height = swapped ? h.width : h.height;

  const int decoded_long = std::max(img.cols, img.rows);
  if (decoded_long > options.max_working_side) {
    const double f = static_cast<double>(options.max_working_side) / decoded_long;
    cv::resize(img, out.bgr, cv::Size(), f, f, cv::INTER_AREA);
  } else {
    out.bgr = img;
  }
  out.to_full = static_cast<double>(std::max(out.full_width, out.full_height)) /
                std::max(out.bgr.cols, out.bgr.rows);
  return out;
}

}  // namespace livecheck
