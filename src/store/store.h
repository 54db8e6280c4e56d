// Store: everything livecheck persists (accounts, API keys, usage, in-flight reservations) behind
// one abstract interface, in the spirit of leveldb's Env. SqliteStore is the embedded default; a
// PostgreSQL implementation can be added behind the same interface and migrations, and tests can
// wrap a Store to inject faults.
//
//   auto store = livecheck::store::open_store("sqlite:./data/livecheck.db");
//
// Errors: every call returns Status / StatusOr (codes from livecheck/status.h): not_found for a
// missing row, invalid_argument for a constraint violation, io_error when the database cannot be
// reached or is busy past its timeout. No exception leaves a Store.
// Thread safety: a Store may be shared by any number of threads. Several processes (the server
// and `livecheck admin`) may open the same database at the same time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "livecheck/status.h"

namespace livecheck::store {

enum class KeySlot { kPrimary, kSecondary };
const char* key_slot_name(KeySlot slot);  // "primary" / "secondary"
std::optional<KeySlot> key_slot_from_name(const std::string& name);

using KeyHash = std::array<std::uint8_t, 32>;  // SHA-256 of the full key

struct Account {
  std::string customer_id;  // UUID v4
  std::string email;
  std::string company;
  std::string plan;                           // plan name, see billing/plans.h
  std::optional<std::int64_t> monthly_limit;  // per-account limit (enterprise); else the plan's
  bool hard_cap = false;                      // true: 429 at the limit; false: overage
  std::string status = "active";              // "active" | "suspended"
  std::int64_t created_at_ms = 0;             // epoch milliseconds
  // Default operating point when a request names none: "0.2" or a preset name ("strict", ...);
  // unset = the server's default threshold.
  std::optional<std::string> default_threshold;
};

struct KeyRecord {
  std::string customer_id;
  KeySlot slot = KeySlot::kPrimary;
  KeyHash hash{};
  std::string display_prefix;  // "lc_abc12"
  std::int64_t created_at_ms = 0;
};

// Asks for one call of `customer_id` in `period`. The store counts committed calls plus live
// (unexpired) reservations; at or above `limit` it refuses unless `allow_overage`.
struct ReserveRequest {
  std::string customer_id;
  std::string period;  // UTC month, "2026-11"
  std::int64_t limit = 0;
  bool allow_overage = false;
  std::string owner;        // server process id (random per start)
  std::int64_t now_ms = 0;  // epoch ms
  std::int64_t expires_at_ms = 0;
};

struct ReserveOutcome {
  bool granted = false;
  std::int64_t reservation_id = 0;  // valid when granted
  std::int64_t committed = 0;       // committed calls in the period before this one
  std::int64_t pending = 0;         // other live reservations at the time
};

struct DailyUsage {
  std::string day;  // "2026-11-22"
  std::int64_t calls = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Accounts.
  virtual Status create_account(const Account& account) = 0;  // invalid_argument if id exists
  virtual StatusOr<Account> get_account(const std::string& customer_id) = 0;
  virtual StatusOr<std::vector<Account>> list_accounts() = 0;
  virtual Status set_plan(const std::string& customer_id, const std::string& plan,
                          std::optional<std::int64_t> monthly_limit) = 0;
  virtual Status set_hard_cap(const std::string& customer_id, bool hard_cap) = 0;
  // nullopt clears it. The caller validates the value (api/threshold.h).
  virtual Status set_default_threshold(const std::string& customer_id,
                                       const std::optional<std::string>& threshold) = 0;

  // Keys. put_key replaces the slot in one transaction: the old key stops working at once.
  virtual Status put_key(const KeyRecord& key) = 0;
  virtual StatusOr<KeyRecord> find_key(const KeyHash& hash) = 0;  // not_found if unknown
  virtual StatusOr<std::vector<KeyRecord>> list_keys(const std::string& customer_id) = 0;

  // Metering. reserve_call is atomic with respect to every other reserve_call on the database.
  // commit_call deletes the reservation (if still there) and adds one call to the month and the
  // day in the same transaction; it returns the month's committed calls after the commit.
  virtual StatusOr<ReserveOutcome> reserve_call(const ReserveRequest& request) = 0;
  virtual StatusOr<std::int64_t> commit_call(std::int64_t reservation_id,
                                             const std::string& customer_id,
                                             const std::string& period, const std::string& day) = 0;
  virtual Status release_call(std::int64_t reservation_id) = 0;
  virtual StatusOr<std::int64_t> monthly_calls(const std::string& customer_id,
                                               const std::string& period) = 0;
  virtual StatusOr<std::vector<DailyUsage>> daily_calls(const std::string& customer_id,
                                                        const std::string& period) = 0;
  // Deletes reservations that expired before now_ms (left behind by a crashed process).
  virtual StatusOr<int> purge_expired_reservations(std::int64_t now_ms) = 0;
  // Owners that hold reservations, and deletion of one owner's rows: lets a starting server drop
  // the places held by processes of this host that no longer exist, without waiting for expiry.
  virtual StatusOr<std::vector<std::string>> reservation_owners() = 0;
  virtual StatusOr<int> delete_reservations_of(const std::string& owner) = 0;
};

// Opens (and migrates) the database named by `url`:
//   sqlite:PATH     SQLite file (created with its parent folder if missing), WAL mode
// invalid_argument for an unknown scheme.
StatusOr<std::unique_ptr<Store>> open_store(const std::string& url);

}  // namespace livecheck::store
