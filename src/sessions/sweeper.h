// Retention sweeper: deletes session images whose retention period ended and marks their results
// image-less, and purges expired tokens, signatures, licenses and unfinished sessions.
//
//   RetentionSweeper sweeper(store, images, clock);
//   sweeper.run_once();              // tests: one pass at the clock's "now"
//   sweeper.start(60s); ... stop();  // serve: a background thread
//
// Errors: run_once returns the first Status that stopped the pass (the next pass retries).
// Thread safety: run_once may be called from any thread, also while the thread runs (each step is
// idempotent). start/stop from one owning thread; stop() joins, and the destructor stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "livecheck/status.h"
#include "sessions/image_store.h"
#include "store/store.h"

namespace livecheck::sessions {

// Frame hashes are compared with this much history (cross-session re-use detection).
inline constexpr std::int64_t kFrameHashHistoryMs = 30LL * 24 * 3600 * 1000;

class RetentionSweeper {
 public:
  // now_ms: the clock (billing::Clock in serve, so the test clock file applies).
  RetentionSweeper(store::Store* store, const ImageStore* images,
                   std::function<std::int64_t()> now_ms)
      : store_(store), images_(images), now_ms_(std::move(now_ms)) {}
  ~RetentionSweeper() { stop(); }
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  // Returns the number of sessions whose images were deleted.
  StatusOr<int> run_once();

  void start(std::chrono::milliseconds interval,
             std::function<void(const Status&)> on_error = nullptr);
  void stop();

 private:
  store::Store* store_;
  const ImageStore* images_;
  std::function<std::int64_t()> now_ms_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace livecheck::sessions
