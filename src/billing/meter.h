// Metering: one call is reserved for the account's current UTC month before inference,
// committed when the response is a 200 and released on any error.
//
//   auto t = meter.reserve(account);              // before inference
//   if (!t->granted) -> 429 quota_exceeded        // hard cap / free plan at the limit
//   ... inference ...
//   auto u = meter.commit(*t);   or   meter.release(*t);
//
// Exactness: usage grows only in commit(), so the stored count equals the number of 200s. A
// reservation only holds a place under the limit (so that concurrent requests cannot overshoot a
// hard cap) and never becomes usage. If the process dies (kill -9), its reservations are deleted
// by the next server start on the same host (owner = "host:pid:random", pid no longer alive), and
// in any case stop counting after kReservationTtlMs.
// Thread safety: all methods may be called from any thread (the Store serialises).
#pragma once

#include <cstdint>
#include <string>

#include "billing/clock.h"
#include "store/store.h"

namespace livecheck::billing {

// Longer than any request can live (read timeout + queue wait + inference), short enough that a
// crashed server's reservations stop blocking a hard-capped account within a minute.
inline constexpr std::int64_t kReservationTtlMs = 60'000;

// "host:pid:random" for this process.
std::string process_owner_id();

struct Ticket {
  bool granted = false;
  std::int64_t reservation_id = 0;
  std::string customer_id;
  Period period;
  std::int64_t limit = 0;
};

// What the response metadata reports after a commit (or for GET /v1/usage).
struct UsageSnapshot {
  std::string plan;
  Period period;
  std::int64_t monthly_limit = 0;
  std::int64_t used_calls = 0;        // committed calls this month, overage included
  std::int64_t remaining_calls = 0;   // max(0, limit - used)
  std::int64_t over_limit_calls = 0;  // max(0, used - limit)
  bool hard_cap = false;  // calls are refused at the limit: the account's switch, or plan free
};

UsageSnapshot make_snapshot(const store::Account& account, const Period& period,
                            std::int64_t used_calls);

class Meter {
 public:
  // `owner` identifies this process in reservation rows; see process_owner_id().
  Meter(store::Store* store, Clock clock, std::string owner);

  StatusOr<Ticket> reserve(const store::Account& account);
  // Counts the call; returns the month's usage after it.
  StatusOr<UsageSnapshot> commit(const store::Account& account, const Ticket& ticket);
  // Best effort: a failed release only delays the place until expiry.
  Status release(const Ticket& ticket);
  StatusOr<UsageSnapshot> usage(const store::Account& account);
  // Deletes expired reservations and those of dead processes of this host. Called at start.
  StatusOr<int> purge_stale();

  const Clock& clock() const { return clock_; }

 private:
  store::Store* store_;
  Clock clock_;
  std::string owner_;
};

}  // namespace livecheck::billing
