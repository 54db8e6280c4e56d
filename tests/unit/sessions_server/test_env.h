// Shared fixture of the session-liveness server tests: a real SQLite store in a temporary folder,
// an active account, and a clock the test moves by hand.
#pragma once

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "sessions/session_service.h"
#include "store/api_keys.h"
#include "store/store.h"

namespace livecheck::sessions::testing {

template <typename T>
T V(StatusOr<T> s) {
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : T{};
}

class SessionEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir_ = std::filesystem::temp_directory_path() /
           ("livecheck-sessions-test-" + store::generate_uuid_v4());
    std::filesystem::create_directories(dir_);
    store_ = V(store::open_store("sqlite:" + (dir_ / "t.db").string()));
    account_.customer_id = store::generate_uuid_v4();
    account_.email = "s@example.com";
    account_.company = "S";
    account_.plan = "starter";
    account_.created_at_ms = now_;
    ASSERT_TRUE(store_->create_account(account_).is_ok());
    std::array<std::uint8_t, 32> mk{};
    randombytes_buf(mk.data(), mk.size());
    master_ = MasterKey::from_bytes(mk);
    SessionConfig config;
    config.image_dir = (dir_ / "sessions").string();
    auto signer = load_media_signer(*store_);
    ASSERT_TRUE(signer.is_ok()) << signer.status().to_string();
    service_ = std::make_unique<SessionService>(config, store_.get(), master_,
                                                std::move(signer).value(),
                                                [this] { return now_.load(); });
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::atomic<std::int64_t> now_{1'764'680'000'000};  // 2025-12-02, epoch ms
  std::unique_ptr<store::Store> store_;
  store::Account account_;
  MasterKey master_ = MasterKey::from_bytes({});
  std::unique_ptr<SessionService> service_;
};

}  // namespace livecheck::sessions::testing
