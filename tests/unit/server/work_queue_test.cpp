#include "api/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace livecheck::api {
namespace {

TEST(WorkQueue, RefusesWhenFullInsteadOfBlocking) {
  WorkQueue q(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(q.try_push([&] {
    started.set_value();
    gate.wait();  // occupies the only worker
  }));
  started.get_future().wait();
  std::atomic<int> ran{0};
  EXPECT_TRUE(q.try_push([&] { ++ran; }));
  EXPECT_TRUE(q.try_push([&] { ++ran; }));
  EXPECT_FALSE(q.try_push([&] { ++ran; }));  // two waiting: full
  EXPECT_EQ(q.waiting(), 2u);
  release.set_value();
  q.shutdown();  // runs what was queued, then joins
  EXPECT_EQ(ran.load(), 2);
  EXPECT_FALSE(q.try_push([] {}));  // closed
}

}  // namespace
}  // namespace livecheck::api
