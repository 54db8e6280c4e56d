// RetentionSweeper with an injected clock: images go when their retention ends, results stay.
#include "sessions/sweeper.h"

#include <chrono>
#include <thread>

#include "test_env.h"

namespace livecheck::sessions::testing {
namespace {

std::string finished_session(SessionService& service, const store::Account& account) {
  auto sid = service.generate_signature_id(account, "STANDARD", "DISTANT_NEAR");
  auto s = service.begin_capture(account, sid.value.signature_id);
  EXPECT_TRUE(s.ok());
  s.value.score = 70;
  EXPECT_TRUE(service.finish_capture(s.value, {1, 2}, {3, 4}, {7}).ok());
  return s.value.liveness_id.value_or("");
}

TEST_F(SessionEnv, SweeperDeletesImagesAfterRetentionAndKeepsTheResult) {
  const std::string id = finished_session(*service_, account_);
  RetentionSweeper sweeper(store_.get(), &service_->images(), [this] { return now_.load(); });
  EXPECT_EQ(V(sweeper.run_once()), 0);
  EXPECT_TRUE(service_->images().read(id, kAuditFile).is_ok());

  now_ += 24LL * 3600 * 1000 - 1;  // one ms before the end of the 24 h default
  EXPECT_EQ(V(sweeper.run_once()), 0);
  auto before = service_->find_result(account_, id, "");
  EXPECT_TRUE(service_->images_available(before.value));

  now_ += 1;
  EXPECT_EQ(V(sweeper.run_once()), 1);
  EXPECT_FALSE(service_->images().read(id, kFarFile).is_ok());
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(service_->images().dir()) / id));
  auto after = service_->find_result(account_, id, "");
  ASSERT_TRUE(after.ok());  // the result outlives its images
  EXPECT_EQ(after.value.score, 70);
  EXPECT_TRUE(after.value.images_deleted_at_ms.has_value());
  EXPECT_FALSE(service_->images_available(after.value));
  EXPECT_EQ(V(sweeper.run_once()), 0);  // idempotent
}

TEST_F(SessionEnv, ImagesAreUnavailableAtExpiryEvenBeforeASweep) {
  const std::string id = finished_session(*service_, account_);
  now_ += 24LL * 3600 * 1000;
  EXPECT_FALSE(service_->images_available(service_->find_result(account_, id, "").value));
}

TEST_F(SessionEnv, MediaUrlsNeverOutliveTheImages) {
  const std::string id = finished_session(*service_, account_);
  now_ += 23LL * 3600 * 1000;  // 1 h of retention left
  const auto s = service_->find_result(account_, id, "").value;
  const std::string url = service_->media_url(s, kFarFile);
  const auto e = url.find("expires=") + 8;
  EXPECT_EQ(std::stoll(url.substr(e, url.find('&') - e)), *s.images_expire_at_ms / 1000);
}

TEST_F(SessionEnv, SweeperPurgesExpiredTokensAndUnfinishedSessions) {
  auto sid = service_->generate_signature_id(account_, "STANDARD", "DISTANT_NEAR");
  RetentionSweeper sweeper(store_.get(), &service_->images(), [this] { return now_.load(); });
  now_ += 600'001;
  ASSERT_TRUE(sweeper.run_once().is_ok());
  EXPECT_EQ(store_->find_liveness_session(sid.value.signature_id).status().code(),
            StatusCode::kNotFound);
}

TEST_F(SessionEnv, SweeperThreadRunsAndStops) {
  const std::string id = finished_session(*service_, account_);
  now_ += 25LL * 3600 * 1000;
  RetentionSweeper sweeper(store_.get(), &service_->images(), [this] { return now_.load(); });
  sweeper.start(std::chrono::milliseconds(10));
  for (int i = 0; i < 500 && service_->images().read(id, kFarFile).is_ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sweeper.stop();
  EXPECT_FALSE(service_->images().read(id, kFarFile).is_ok());
}

}  // namespace
}  // namespace livecheck::sessions::testing
