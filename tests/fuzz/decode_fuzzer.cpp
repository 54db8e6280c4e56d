// libFuzzer target for the untrusted-bytes entry point of the engine: sniffing, header parsing,
// truncation checks and decoding must return ok or invalid_image for any input, never crash.
//   make build   # for build/src/engine/liblivecheck_engine.a (the rest of the engine)
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address -Iinclude -Isrc/engine \
//     -I/usr/include/opencv4 tests/fuzz/decode_fuzzer.cpp src/engine/image_decode.cpp \
//     build/src/engine/liblivecheck_engine.a -lopencv_dnn -lopencv_imgcodecs -lopencv_imgproc \
//     -lopencv_core -ljpeg -lpng -lsodium -o decode_fuzzer
//   ./decode_fuzzer -max_len=65536 -max_total_time=300 CORPUS_DIR
// (CORPUS_DIR: a few small JPEG and PNG files.) Not part of ctest: fuzzing is open-ended.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "image_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (auto declared : {livecheck::ImageFormat::kAuto, livecheck::ImageFormat::kJpeg}) {
    auto r = livecheck::decode_image(bytes, declared);
    if (r.is_ok()) {
      const auto& img = r.value();
      if (img.bgr.empty() || img.bgr.type() != CV_8UC3) std::abort();
    } else if (r.status().code() != livecheck::StatusCode::kInvalidImage) {
      std::abort();
    }
  }
  return 0;
}
