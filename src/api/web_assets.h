// The pages and assets of web/{console,demo,sdk}, compiled into the binary (cmake/embed_web.cmake)
// so that `livecheck serve` needs no files next to it.
#pragma once

#include <cstddef>

namespace livecheck::api {

struct WebAsset {
  const char* path;  // "web/console/index.html"; nullptr ends the table
  const unsigned char* data;
  std::size_t size;
};

const WebAsset* web_assets();

}  // namespace livecheck::api
