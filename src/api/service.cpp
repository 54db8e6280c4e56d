#include "api/service.h"

namespace livecheck::api {

void Service::set_engine(std::shared_ptr<const Engine> engine, std::unique_ptr<RunnerPool> pool) {
  engine_ = std::move(engine);
  pool_ = std::move(pool);
  // Publishes engine_ and pool_ to every thread that sees ready() == true (acquire).
  ready_.store(true, std::memory_order_release);
}

}  // namespace livecheck::api
