#include "billing/meter.h"

#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "billing/plans.h"

namespace livecheck::billing {

UsageSnapshot make_snapshot(const store::Account& account, const Period& period,
                            std::int64_t used_calls) {
  UsageSnapshot u;
  u.plan = account.plan;
  u.period = period;
  u.monthly_limit = monthly_limit(account);
  u.used_calls = used_calls;
  u.remaining_calls = std::max<std::int64_t>(0, u.monthly_limit - used_calls);
  u.over_limit_calls = std::max<std::int64_t>(0, used_calls - u.monthly_limit);
  u.hard_cap = !allows_overage(account);  // effective: the free plan is always capped
  return u;
}

Meter::Meter(store::Store* store, Clock clock, std::string owner)
    : store_(store), clock_(std::move(clock)), owner_(std::move(owner)) {}

StatusOr<Ticket> Meter::reserve(const store::Account& account) {
  const std::int64_t now = clock_.now_ms();
  Ticket t;
  t.customer_id = account.customer_id;
  t.period = period_at(now);
  t.limit = monthly_limit(account);
  store::ReserveRequest r;
  r.customer_id = account.customer_id;
  r.period = t.period.key;
  r.limit = t.limit;
  r.allow_overage = allows_overage(account);
  r.owner = owner_;
  r.now_ms = now;
  r.expires_at_ms = now + kReservationTtlMs;
  auto out = store_->reserve_call(r);
  if (!out.is_ok()) return out.status();
  t.granted = out->granted;
  t.reservation_id = out->reservation_id;
  return t;
}

StatusOr<UsageSnapshot> Meter::commit(const store::Account& account, const Ticket& ticket) {
  // The call is billed in the month it was reserved in, even if it completes after midnight.
  auto calls = store_->commit_call(ticket.reservation_id, ticket.customer_id, ticket.period.key,
                                   ticket.period.day);
  if (!calls.is_ok()) return calls.status();
  return make_snapshot(account, ticket.period, calls.value());
}

Status Meter::release(const Ticket& ticket) {
  if (!ticket.granted) return Status::ok();
  return store_->release_call(ticket.reservation_id);
}

StatusOr<UsageSnapshot> Meter::usage(const store::Account& account) {
  const Period p = period_at(clock_.now_ms());
  auto calls = store_->monthly_calls(account.customer_id, p.key);
  if (!calls.is_ok()) return calls.status();
  return make_snapshot(account, p, calls.value());
}

std::string process_owner_id() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  unsigned char r[4];
  randombytes_buf(r, sizeof r);
  char hex[9];
  sodium_bin2hex(hex, sizeof hex, r, sizeof r);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + hex;
}

StatusOr<int> Meter::purge_stale() {
  auto expired = store_->purge_expired_reservations(clock_.now_ms());
  if (!expired.is_ok()) return expired.status();
  int purged = expired.value();
  auto owners = store_->reservation_owners();
  if (!owners.is_ok()) return owners.status();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::string mine = std::string(host) + ":";
  for (const std::string& owner : owners.value()) {
    if (owner.rfind(mine, 0) != 0 || owner == owner_) continue;
    const std::string rest = owner.substr(mine.size());
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    // ESRCH: no such process. A reused pid keeps its rows until expiry, which is still safe.
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      auto n = store_->delete_reservations_of(owner);
      if (n.is_ok()) purged += n.value();
    }
  }
  return purged;
}

}  // namespace livecheck::billing
