// A fixed set of worker threads fed by a bounded FIFO. try_push() never blocks: when the queue
// is full the caller answers 503 at once instead of letting latency grow without bound.
// Thread safety: all methods are thread-safe. shutdown() runs the jobs already queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace livecheck::api {

class WorkQueue {
 public:
  WorkQueue(int workers, std::size_t capacity);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // false when `capacity` jobs are already waiting (running jobs do not count).
  bool try_push(std::function<void()> job);
  std::size_t waiting() const;
  void shutdown();

 private:
  void loop();

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace livecheck::api
