// Plans, UTC periods, and the Meter over a real SQLite store, plus a fault-injecting Store.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "billing/accounts.h"
#include "billing/clock.h"
#include "billing/meter.h"
#include "billing/plans.h"
#include "store/api_keys.h"
#include "store/forwarding_store.h"
#include "store/store.h"

namespace livecheck::billing {
namespace {

// StatusOr -> value, failing the test (not crashing) on an error status.
template <typename T>
T V(StatusOr<T> s) {
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : T{};
}

TEST(Plans, PublishedLimits) {
  EXPECT_EQ(find_plan("free")->monthly_limit, 100);
  EXPECT_EQ(find_plan("starter")->monthly_limit, 1000);
  EXPECT_EQ(find_plan("standard")->monthly_limit, 5000);
  EXPECT_EQ(find_plan("professional")->monthly_limit, 10000);
  EXPECT_EQ(find_plan("business")->monthly_limit, 30000);
  EXPECT_TRUE(find_plan("enterprise")->per_account_limit);
  EXPECT_EQ(find_plan("gold"), nullptr);
}

TEST(Plans, FreeNeverAllowsOverageHardCapStops) {
  store::Account a;
  a.plan = "free";
  EXPECT_FALSE(allows_overage(a));
  a.plan = "starter";
  EXPECT_TRUE(allows_overage(a));
  a.hard_cap = true;
  EXPECT_FALSE(allows_overage(a));
  a.plan = "enterprise";
  a.monthly_limit = 12;
  EXPECT_EQ(monthly_limit(a), 12);
}

TEST(Period, MonthBoundariesInUtc) {
  const auto jan31 = *parse_time("2026-01-31T23:59:59Z");
  const Period p = period_at(jan31 + 999);
  EXPECT_EQ(p.key, "2026-01");
  EXPECT_EQ(p.day, "2026-01-31");
  EXPECT_EQ(format_iso_ms(p.start_ms), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso_ms(p.end_ms), "2026-02-01T00:00:00.000Z");
  EXPECT_EQ(period_at(jan31 + 1000).key, "2026-02");
  const Period dec = period_at(*parse_time("2026-12-15T00:00:00Z"));
  EXPECT_EQ(format_iso_ms(dec.end_ms), "2027-01-01T00:00:00.000Z");
  const Period feb = period_at(*parse_time("2028-02-29T12:00:00Z"));  // leap day
  EXPECT_EQ(format_iso_ms(feb.end_ms), "2028-03-01T00:00:00.000Z");
}

TEST(Clock, ParsesIsoAndEpochAndRejectsGarbage) {
  EXPECT_EQ(*parse_time("1700000000123"), 1700000000123);
  EXPECT_EQ(*parse_time("1970-01-01T00:00:01Z"), 1000);
  EXPECT_FALSE(parse_time("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_time("yesterday"));
  EXPECT_EQ(format_iso_ms(1700000000123), "2023-11-14T22:13:20.123Z");
}

TEST(Clock, TestOverrideFileIsReadOnEveryCall) {
  const auto path =
      std::filesystem::temp_directory_path() / ("livecheck-clock-" + store::generate_uuid_v4());
  std::ofstream(path) << "2026-03-01T00:00:00Z";
  setenv("LIVECHECK_TEST_CLOCK_FILE", path.c_str(), 1);
  const Clock c = Clock::from_environment();
  unsetenv("LIVECHECK_TEST_CLOCK_FILE");
  EXPECT_EQ(format_iso_ms(c.now_ms()), "2026-03-01T00:00:00.000Z");
  std::ofstream(path) << "2026-04-01T00:00:00Z";
  EXPECT_EQ(period_at(c.now_ms()).key, "2026-04");
  std::filesystem::remove(path);
}

TEST(Snapshot, RemainingAndOverLimit) {
  store::Account a;
  a.plan = "enterprise";
  a.monthly_limit = 3;
  const Period p = period_at(0);
  auto s = make_snapshot(a, p, 2);
  EXPECT_EQ(s.remaining_calls, 1);
  EXPECT_EQ(s.over_limit_calls, 0);
  s = make_snapshot(a, p, 5);
  EXPECT_EQ(s.remaining_calls, 0);
  EXPECT_EQ(s.over_limit_calls, 2);
}

class TempStore {
 public:
  TempStore() {
    dir_ =
        std::filesystem::temp_directory_path() / ("livecheck-billing-" + store::generate_uuid_v4());
    store_ = std::move(store::open_store("sqlite:" + (dir_ / "t.db").string())).value();
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::Store& get() { return *store_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

// Fault injection in the leveldb Env style: wraps a real store, fails commit_call on demand.
class FailingCommitStore : public store::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  bool fail_commit = false;

  StatusOr<std::int64_t> commit_call(std::int64_t rid, const std::string& id,
                                     const std::string& period, const std::string& day) override {
    if (fail_commit) return Status::io_error("injected");
    return inner_->commit_call(rid, id, period, day);
  }
};

TEST(Meter, HardCapRefusesAtLimitWithoutCounting) {
  TempStore ts;
  NewAccountRequest r{"a@b.c", "B", "enterprise", true, 2, 0};
  auto acc = create_account(ts.get(), r);
  ASSERT_TRUE(acc.is_ok()) << acc.status().to_string();
  Meter meter(&ts.get(), Clock::from_environment(), "t");
  for (int i = 0; i < 2; ++i) {
    auto t = meter.reserve(acc->account);
    ASSERT_TRUE(t->granted);
    auto u = meter.commit(acc->account, t.value());
    EXPECT_EQ(u->used_calls, i + 1);
  }
  auto t = meter.reserve(acc->account);
  EXPECT_FALSE(t->granted);
  EXPECT_EQ(meter.usage(acc->account)->used_calls, 2);
}

TEST(Meter, ReleasedReservationIsNotCounted) {
  TempStore ts;
  auto acc = create_account(ts.get(), {"a@b.c", "B", "enterprise", true, 1, 0});
  Meter meter(&ts.get(), Clock::from_environment(), "t");
  auto t = meter.reserve(acc->account);
  ASSERT_TRUE(meter.release(t.value()).is_ok());
  EXPECT_EQ(meter.usage(acc->account)->used_calls, 0);
  EXPECT_TRUE(meter.reserve(acc->account)->granted);  // the place came back
}

TEST(Meter, FailedCommitCountsNothing) {
  TempStore ts;
  FailingCommitStore failing(&ts.get());
  auto acc = create_account(failing, {"a@b.c", "B", "starter", false, std::nullopt, 0});
  Meter meter(&failing, Clock::from_environment(), "t");
  auto t = meter.reserve(acc->account);
  failing.fail_commit = true;
  EXPECT_FALSE(meter.commit(acc->account, t.value()).is_ok());
  ASSERT_TRUE(meter.release(t.value()).is_ok());
  EXPECT_EQ(meter.usage(acc->account)->used_calls, 0);
}

TEST(Accounts, ValidatesPlanAndLimit) {
  TempStore ts;
  EXPECT_EQ(
      create_account(ts.get(), {"a@b.c", "B", "gold", false, std::nullopt, 0}).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(create_account(ts.get(), {"a@b.c", "B", "starter", false, 5, 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      create_account(ts.get(), {"nope", "B", "starter", false, std::nullopt, 0}).status().code(),
      StatusCode::kInvalidArgument);
}

TEST(Accounts, KeysWorkUntilRegenerated) {
  TempStore ts;
  auto acc = create_account(ts.get(), {"a@b.c", "B", "starter", false, std::nullopt, 0});
  ASSERT_TRUE(acc.is_ok());
  EXPECT_NE(acc->primary_key, acc->secondary_key);
  EXPECT_TRUE(ts.get().find_key(store::hash_api_key(acc->primary_key)).is_ok());
  auto fresh = regenerate_key(ts.get(), acc->account.customer_id, store::KeySlot::kPrimary, 0);
  ASSERT_TRUE(fresh.is_ok());
  EXPECT_FALSE(ts.get().find_key(store::hash_api_key(acc->primary_key)).is_ok());
  EXPECT_TRUE(ts.get().find_key(store::hash_api_key(fresh.value())).is_ok());
  EXPECT_TRUE(ts.get().find_key(store::hash_api_key(acc->secondary_key)).is_ok());
  EXPECT_EQ(regenerate_key(ts.get(), "missing", store::KeySlot::kPrimary, 0).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace livecheck::billing
