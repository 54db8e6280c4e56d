// SqliteStore against a real SQLite file in a temporary folder.
#include "store/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/api_keys.h"
#include "store/sqlite_store.h"

namespace livecheck::store {
namespace {

// StatusOr -> value, failing the test (not crashing) on an error status.
template <typename T>
T V(StatusOr<T> s) {
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : T{};
}

class TempDb {
 public:
  TempDb() {
    dir_ = std::filesystem::temp_directory_path() / ("livecheck-store-test-" + generate_uuid_v4());
    std::filesystem::create_directories(dir_);
  }
  ~TempDb() { std::filesystem::remove_all(dir_); }
  std::string url() const { return "sqlite:" + (dir_ / "sub" / "t.db").string(); }

 private:
  std::filesystem::path dir_;
};

Account make_account(const std::string& plan = "starter") {
  Account a;
  a.customer_id = generate_uuid_v4();
  a.email = "a@example.com";
  a.company = "Example";
  a.plan = plan;
  a.created_at_ms = 1;
  return a;
}

std::unique_ptr<Store> open_or_die(const std::string& url) {
  auto s = open_store(url);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return std::move(s).value();
}

ReserveRequest reserve_req(const std::string& id, std::int64_t limit, bool overage,
                           std::int64_t now = 1000) {
  ReserveRequest r;
  r.customer_id = id;
  r.period = "2026-11";
  r.limit = limit;
  r.allow_overage = overage;
  r.owner = "test";
  r.now_ms = now;
  r.expires_at_ms = now + 60'000;
  return r;
}

TEST(Store, UnknownSchemeIsInvalidArgument) {
  auto s = open_store("postgresql://nowhere/db");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

TEST(Store, CreatesFolderAndMigratesOnceAcrossReopen) {
  TempDb db;
  const Account a = make_account();
  {
    auto s = open_or_die(db.url());
    ASSERT_TRUE(s->create_account(a).is_ok());
  }
  auto s = open_or_die(db.url());  // second open: migrations already applied, data kept
  auto got = s->get_account(a.customer_id);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->email, a.email);
  EXPECT_FALSE(got->monthly_limit.has_value());
}

TEST(Store, AccountsCrud) {
  TempDb db;
  auto s = open_or_die(db.url());
  Account a = make_account("enterprise");
  a.monthly_limit = 77;
  ASSERT_TRUE(s->create_account(a).is_ok());
  EXPECT_EQ(s->create_account(a).code(), StatusCode::kInvalidArgument);  // duplicate id
  EXPECT_EQ(s->get_account("nope").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(s->set_hard_cap(a.customer_id, true).is_ok());
  ASSERT_TRUE(s->set_plan(a.customer_id, "business", std::nullopt).is_ok());
  auto got = s->get_account(a.customer_id);
  ASSERT_TRUE(got.is_ok());
  EXPECT_TRUE(got->hard_cap);
  EXPECT_EQ(got->plan, "business");
  EXPECT_FALSE(got->monthly_limit.has_value());
  EXPECT_EQ(s->set_plan("nope", "free", std::nullopt).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->list_accounts()->size(), 1u);
}

TEST(Store, PutKeyReplacesSlotAndOldHashStopsMatching) {
  TempDb db;
  auto s = open_or_die(db.url());
  const Account a = make_account();
  ASSERT_TRUE(s->create_account(a).is_ok());
  KeyRecord k{a.customer_id, KeySlot::kPrimary, hash_api_key("lc_old"), "lc_old", 1, std::nullopt};
  ASSERT_TRUE(s->put_key(k).is_ok());
  KeyRecord k2{a.customer_id, KeySlot::kSecondary, hash_api_key("lc_sec"), "lc_sec", 1, std::nullopt};
  ASSERT_TRUE(s->put_key(k2).is_ok());
  ASSERT_TRUE(s->find_key(hash_api_key("lc_old")).is_ok());
  k.hash = hash_api_key("lc_new");
  ASSERT_TRUE(s->put_key(k).is_ok());
  EXPECT_EQ(s->find_key(hash_api_key("lc_old")).status().code(), StatusCode::kNotFound);
  auto found = s->find_key(hash_api_key("lc_new"));
  ASSERT_TRUE(found.is_ok());
  EXPECT_EQ(found->slot, KeySlot::kPrimary);
  EXPECT_TRUE(same_hash(found->hash, hash_api_key("lc_new")));
  EXPECT_TRUE(s->find_key(hash_api_key("lc_sec")).is_ok());
  EXPECT_EQ(s->list_keys(a.customer_id)->size(), 2u);
}

TEST(Store, ReservationsHoldPlacesButOnlyCommitsCount) {
  TempDb db;
  auto s = open_or_die(db.url());
  const std::string id = "acct";
  auto r1 = s->reserve_call(reserve_req(id, 2, false));
  auto r2 = s->reserve_call(reserve_req(id, 2, false));
  auto r3 = s->reserve_call(reserve_req(id, 2, false));
  ASSERT_TRUE(r1->granted && r2->granted);
  EXPECT_FALSE(r3->granted);  // two places held: the limit is reached
  EXPECT_EQ(V(s->monthly_calls(id, "2026-11")), 0);
  ASSERT_TRUE(s->release_call(r2->reservation_id).is_ok());
  EXPECT_EQ(V(s->commit_call(r1->reservation_id, id, "2026-11", "2026-11-22")), 1);
  auto r4 = s->reserve_call(reserve_req(id, 2, false));
  ASSERT_TRUE(r4->granted);
  EXPECT_EQ(r4->committed, 1);
  EXPECT_EQ(V(s->commit_call(r4->reservation_id, id, "2026-11", "2026-11-23")), 2);
  EXPECT_FALSE(s->reserve_call(reserve_req(id, 2, false))->granted);
  EXPECT_TRUE(s->reserve_call(reserve_req(id, 2, true))->granted);  // overage allowed
  auto days = s->daily_calls(id, "2026-11");
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ(V(days)[0].day, "2026-11-22");
  EXPECT_EQ(V(s->monthly_calls(id, "2026-12")), 0);
}

TEST(Store, ExpiredReservationsStopCountingAndArePurged) {
  TempDb db;
  auto s = open_or_die(db.url());
  ASSERT_TRUE(s->reserve_call(reserve_req("a", 1, false, 1000))->granted);
  EXPECT_FALSE(s->reserve_call(reserve_req("a", 1, false, 2000))->granted);
  // 61 s later the first reservation (a crashed process's) has expired.
  EXPECT_TRUE(s->reserve_call(reserve_req("a", 1, false, 62'000))->granted);
  EXPECT_EQ(V(s->purge_expired_reservations(62'000)), 1);
  EXPECT_EQ(V(s->monthly_calls("a", "2026-11")), 0);
}

TEST(Store, DeleteReservationsOfOneOwner) {
  TempDb db;
  auto s = open_or_die(db.url());
  auto dead = reserve_req("a", 10, false);
  dead.owner = "host:1:dead";
  ASSERT_TRUE(s->reserve_call(dead)->granted);
  ASSERT_TRUE(s->reserve_call(reserve_req("a", 10, false))->granted);
  auto owners = s->reservation_owners();
  ASSERT_EQ(owners->size(), 2u);
  EXPECT_EQ(V(s->delete_reservations_of("host:1:dead")), 1);
  EXPECT_EQ(s->reserve_call(reserve_req("a", 10, false))->pending, 1);
}

// Two connections (as two processes would have) race for the last places of a hard cap.
TEST(Store, ConcurrentReservationsNeverOvershootTheLimit) {
  TempDb db;
  auto s1 = open_or_die(db.url());
  auto s2 = open_or_die(db.url());
  constexpr int kLimit = 25;
  std::atomic<int> granted{0};
  auto worker = [&](Store* s) {
    for (int i = 0; i < 40; ++i) {
      auto r = s->reserve_call(reserve_req("race", kLimit, false));
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      if (r->granted) {
        ++granted;
        ASSERT_TRUE(s->commit_call(r->reservation_id, "race", "2026-11", "2026-11-01").is_ok());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(worker, i % 2 ? s1.get() : s2.get());
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), kLimit);
  EXPECT_EQ(V(s1->monthly_calls("race", "2026-11")), kLimit);
}

}  // namespace
}  // namespace livecheck::store
