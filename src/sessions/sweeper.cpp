#include "sessions/sweeper.h"

namespace livecheck::sessions {

StatusOr<int> RetentionSweeper::run_once() {
  const std::int64_t now = now_ms_();
  int deleted = 0;
  // Batches keep each read short; a backlog (server down for days) drains over a few loops.
  constexpr int kBatch = 500;
  for (;;) {
    auto ids = store_->expired_image_sessions(now, kBatch);
    if (!ids.is_ok()) return ids.status();
    for (const std::string& id : ids.value()) {
      // Files first: a crash in between leaves a row that the next pass deletes again (no-op),
      // never an image the database believes gone.
      if (Status s = images_->remove(id); !s.is_ok()) return s;
      if (Status s = store_->mark_images_deleted(id, now); !s.is_ok()) return s;
      ++deleted;
    }
    if (static_cast<int>(ids->size()) < kBatch) break;
  }
  if (Status s = store_->purge_session_data(now, now - kFrameHashHistoryMs); !s.is_ok()) return s;
  return deleted;
}

void RetentionSweeper::start(std::chrono::milliseconds interval,
                             std::function<void(const Status&)> on_error) {
  stop();
  stopping_ = false;
  thread_ = std::thread([this, interval, on_error = std::move(on_error)] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto r = run_once();
      if (!r.is_ok() && on_error) on_error(r.status());
      lock.lock();
      cv_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void RetentionSweeper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace livecheck::sessions
