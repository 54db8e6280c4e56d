// docs/openapi.yaml, compiled into the binary (see CMakeLists.txt).
#pragma once

namespace livecheck::api {

const char* openapi_yaml();

}  // namespace livecheck::api
