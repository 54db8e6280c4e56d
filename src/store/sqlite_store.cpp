#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <utility>

#include "store/migrations.h"
#include "store/sqlite_util.h"

namespace livecheck::store {
using sqlite::db_error;
using sqlite::kBusyTimeoutMs;
using sqlite::Stmt;
using sqlite::Transaction;

namespace {

constexpr const char* kAccountColumns =
    "customer_id, email, company, plan, monthly_limit, hard_cap, status, created_at_ms, "
    "default_threshold";

Account read_account(const Stmt& s) {
  Account a;
  a.customer_id = s.text(0);
  a.email = s.text(1);
  a.company = s.text(2);
  a.plan = s.text(3);
  if (!s.is_null(4)) a.monthly_limit = s.i64(4);
  a.hard_cap = s.i64(5) != 0;
  a.status = s.text(6);
  a.created_at_ms = s.i64(7);
  if (!s.is_null(8)) a.default_threshold = s.text(8);
  return a;
}

KeyRecord read_key(const Stmt& s) {
  KeyRecord k;
  k.customer_id = s.text(0);
  k.slot = s.text(1) == "secondary" ? KeySlot::kSecondary : KeySlot::kPrimary;
  k.hash = s.hash(2);
  k.display_prefix = s.text(3);
  k.created_at_ms = s.i64(4);
  k.last_used_at_ms = s.opt_i64(5);
  return k;
}

}  // namespace

namespace {

Status open_connection(const std::string& path, sqlite3** out) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::io_error("cannot open database " + path + ": " +
                                (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return s;
  }
  *out = db;
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return Status::ok();
}

}  // namespace

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  if (path.empty()) return Status::invalid_argument("empty SQLite path");
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::unique_ptr<SqliteStore> store(new SqliteStore());
  if (Status s = open_connection(path, &store->writer_.db); !s.is_ok()) return s;
  // WAL: readers never wait for a writer (this process's or `livecheck admin`'s) and vice versa.
  // synchronous=NORMAL in WAL is durable across process crashes (kill -9); only an OS crash may
  // lose the last transactions, never corrupt the file.
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (Status s = store->exec(store->writer_.db, pragma); !s.is_ok()) return s;
  }
  if (Status s = store->migrate(); !s.is_ok()) return s;
  if (Status s = open_connection(path, &store->reader_.db); !s.is_ok()) return s;
  return store;
}

SqliteStore::~SqliteStore() {
  sqlite3_close(reader_.db);
  sqlite3_close(writer_.db);
}

Status SqliteStore::exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::io_error(msg);
  }
  return Status::ok();
}

Status SqliteStore::migrate() {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  if (Status s = exec(db,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "name TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)");
      !s.is_ok()) {
    return s;
  }
  for (const Migration& m : migrations()) {
    Stmt q(db, "SELECT 1 FROM schema_migrations WHERE name = ?");
    if (!q.ok()) return db_error(db, "migrate");
    q.bind(1, m.name);
    if (q.step() == SQLITE_ROW) continue;
    if (Status s = exec(db, m.sql.c_str()); !s.is_ok()) {
      return Status::io_error("migration " + m.name + ": " + s.message());
    }
    Stmt ins(db,
             "INSERT INTO schema_migrations(name, applied_at_ms) "
             "VALUES(?, CAST(strftime('%s','now') AS INTEGER) * 1000)");
    ins.bind(1, m.name);
    if (ins.step() != SQLITE_DONE) return db_error(db, "migrate");
  }
  return tx.commit();
}

Status SqliteStore::create_account(const Account& a) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "INSERT INTO accounts(customer_id, email, company, plan, monthly_limit, hard_cap, status,"
         " created_at_ms) VALUES(?,?,?,?,?,?,?,?)");
  if (!s.ok()) return db_error(db, "create_account");
  s.bind(1, a.customer_id).bind(2, a.email).bind(3, a.company).bind(4, a.plan);
  if (a.monthly_limit) {
    s.bind(5, *a.monthly_limit);
  } else {
    s.bind_null(5);
  }
  s.bind(6, std::int64_t{a.hard_cap ? 1 : 0}).bind(7, a.status).bind(8, a.created_at_ms);
  if (s.step() != SQLITE_DONE) return db_error(db, "create_account");
  return Status::ok();
}

StatusOr<Account> SqliteStore::get_account(const std::string& customer_id) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  const std::string sql =
      std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE customer_id = ?";
  Stmt s(db, sql.c_str());
  if (!s.ok()) return db_error(db, "get_account");
  s.bind(1, customer_id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return read_account(s);
  if (rc == SQLITE_DONE) return Status::not_found("no such account");
  return db_error(db, "get_account");
}

StatusOr<std::vector<Account>> SqliteStore::list_accounts() {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  const std::string sql =
      std::string("SELECT ") + kAccountColumns + " FROM accounts ORDER BY created_at_ms, email";
  Stmt s(db, sql.c_str());
  if (!s.ok()) return db_error(db, "list_accounts");
  std::vector<Account> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_account(s));
  if (rc != SQLITE_DONE) return db_error(db, "list_accounts");
  return out;
}

Status SqliteStore::set_plan(const std::string& customer_id, const std::string& plan,
                             std::optional<std::int64_t> monthly_limit) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "UPDATE accounts SET plan = ?, monthly_limit = ? WHERE customer_id = ?");
  if (!s.ok()) return db_error(db, "set_plan");
  s.bind(1, plan);
  if (monthly_limit) {
    s.bind(2, *monthly_limit);
  } else {
    s.bind_null(2);
  }
  s.bind(3, customer_id);
  if (s.step() != SQLITE_DONE) return db_error(db, "set_plan");
  if (sqlite3_changes(db) == 0) return Status::not_found("no such account");
  return Status::ok();
}

Status SqliteStore::set_hard_cap(const std::string& customer_id, bool hard_cap) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "UPDATE accounts SET hard_cap = ? WHERE customer_id = ?");
  if (!s.ok()) return db_error(db, "set_hard_cap");
  s.bind(1, std::int64_t{hard_cap ? 1 : 0}).bind(2, customer_id);
  if (s.step() != SQLITE_DONE) return db_error(db, "set_hard_cap");
  if (sqlite3_changes(db) == 0) return Status::not_found("no such account");
  return Status::ok();
}

Status SqliteStore::set_account_status(const std::string& customer_id,
                                       const std::string& status) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "UPDATE accounts SET status = ? WHERE customer_id = ?");
  if (!s.ok()) return db_error(db, "set_account_status");
  s.bind(1, status).bind(2, customer_id);
  if (s.step() != SQLITE_DONE) return db_error(db, "set_account_status");
  if (sqlite3_changes(db) == 0) return Status::not_found("no such account");
  return Status::ok();
}

Status SqliteStore::set_default_threshold(const std::string& customer_id,
                                          const std::optional<std::string>& threshold) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "UPDATE accounts SET default_threshold = ? WHERE customer_id = ?");
  if (!s.ok()) return db_error(db, "set_default_threshold");
  if (threshold) {
    s.bind(1, *threshold);
  } else {
    s.bind_null(1);
  }
  s.bind(2, customer_id);
  if (s.step() != SQLITE_DONE) return db_error(db, "set_default_threshold");
  if (sqlite3_changes(db) == 0) return Status::not_found("no such account");
  return Status::ok();
}

Status SqliteStore::put_key(const KeyRecord& k) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  {
    Stmt del(db, "DELETE FROM api_keys WHERE customer_id = ? AND slot = ?");
    if (!del.ok()) return db_error(db, "put_key");
    del.bind(1, k.customer_id).bind(2, std::string(key_slot_name(k.slot)));
    if (del.step() != SQLITE_DONE) return db_error(db, "put_key");
    Stmt ins(db,
             "INSERT INTO api_keys(customer_id, slot, key_hash, display_prefix, created_at_ms)"
             " VALUES(?,?,?,?,?)");
    ins.bind(1, k.customer_id)
        .bind(2, std::string(key_slot_name(k.slot)))
        .bind(3, k.hash)
        .bind(4, k.display_prefix)
        .bind(5, k.created_at_ms);
    if (ins.step() != SQLITE_DONE) return db_error(db, "put_key");
  }
  return tx.commit();
}

StatusOr<KeyRecord> SqliteStore::find_key(const KeyHash& hash) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT customer_id, slot, key_hash, display_prefix, created_at_ms, last_used_at_ms"
         " FROM api_keys"
         " WHERE key_hash = ?");
  if (!s.ok()) return db_error(db, "find_key");
  s.bind(1, hash);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return read_key(s);
  if (rc == SQLITE_DONE) return Status::not_found("no such key");
  return db_error(db, "find_key");
}

StatusOr<std::vector<KeyRecord>> SqliteStore::list_keys(const std::string& customer_id) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT customer_id, slot, key_hash, display_prefix, created_at_ms, last_used_at_ms"
         " FROM api_keys"
         " WHERE customer_id = ? ORDER BY slot");
  if (!s.ok()) return db_error(db, "list_keys");
  s.bind(1, customer_id);
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_key(s));
  if (rc != SQLITE_DONE) return db_error(db, "list_keys");
  return out;
}

Status SqliteStore::touch_key(const KeyHash& hash, std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "UPDATE api_keys SET last_used_at_ms = ? WHERE key_hash = ?"
         " AND (last_used_at_ms IS NULL OR last_used_at_ms < ?)");
  if (!s.ok()) return db_error(db, "touch_key");
  s.bind(1, now_ms).bind(2, hash).bind(3, now_ms - 60'000);
  if (s.step() != SQLITE_DONE) return db_error(db, "touch_key");
  return Status::ok();
}

StatusOr<ReserveOutcome> SqliteStore::reserve_call(const ReserveRequest& r) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  ReserveOutcome out;
  {
    Stmt used(db, "SELECT calls FROM usage_monthly WHERE customer_id = ? AND period = ?");
    if (!used.ok()) return db_error(db, "reserve_call");
    used.bind(1, r.customer_id).bind(2, r.period);
    if (used.step() == SQLITE_ROW) out.committed = used.i64(0);
    // Only live reservations hold a place: a crashed process's rows stop counting on expiry.
    Stmt pending(db,
                 "SELECT COUNT(*) FROM reservations WHERE customer_id = ? AND period = ?"
                 " AND expires_at_ms > ?");
    if (!pending.ok()) return db_error(db, "reserve_call");
    pending.bind(1, r.customer_id).bind(2, r.period).bind(3, r.now_ms);
    if (pending.step() == SQLITE_ROW) out.pending = pending.i64(0);
    if (out.committed + out.pending >= r.limit && !r.allow_overage) return out;  // refused
    Stmt ins(db,
             "INSERT INTO reservations(customer_id, period, owner, expires_at_ms)"
             " VALUES(?,?,?,?)");
    if (!ins.ok()) return db_error(db, "reserve_call");
    ins.bind(1, r.customer_id).bind(2, r.period).bind(3, r.owner).bind(4, r.expires_at_ms);
    if (ins.step() != SQLITE_DONE) return db_error(db, "reserve_call");
    out.reservation_id = sqlite3_last_insert_rowid(db);
    out.granted = true;
  }
  if (Status s = tx.commit(); !s.is_ok()) return s;
  return out;
}

StatusOr<std::int64_t> SqliteStore::commit_call(std::int64_t reservation_id,
                                                const std::string& customer_id,
                                                const std::string& period, const std::string& day) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  std::int64_t calls = 0;
  {
    Stmt del(db, "DELETE FROM reservations WHERE id = ?");
    del.bind(1, reservation_id);
    if (del.step() != SQLITE_DONE) return db_error(db, "commit_call");
    // The response is a 200 whether or not the reservation expired meanwhile: it is counted.
    Stmt month(db,
               "INSERT INTO usage_monthly(customer_id, period, calls) VALUES(?,?,1)"
               " ON CONFLICT(customer_id, period) DO UPDATE SET calls = calls + 1"
               " RETURNING calls");
    if (!month.ok()) return db_error(db, "commit_call");
    month.bind(1, customer_id).bind(2, period);
    if (month.step() != SQLITE_ROW) return db_error(db, "commit_call");
    calls = month.i64(0);
    if (month.step() != SQLITE_DONE) return db_error(db, "commit_call");
    Stmt daily(db,
               "INSERT INTO usage_daily(customer_id, day, calls) VALUES(?,?,1)"
               " ON CONFLICT(customer_id, day) DO UPDATE SET calls = calls + 1");
    daily.bind(1, customer_id).bind(2, day);
    if (daily.step() != SQLITE_DONE) return db_error(db, "commit_call");
  }
  if (Status s = tx.commit(); !s.is_ok()) return s;
  return calls;
}

Status SqliteStore::release_call(std::int64_t reservation_id) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "DELETE FROM reservations WHERE id = ?");
  if (!s.ok()) return db_error(db, "release_call");
  s.bind(1, reservation_id);
  if (s.step() != SQLITE_DONE) return db_error(db, "release_call");
  return Status::ok();
}

StatusOr<std::int64_t> SqliteStore::monthly_calls(const std::string& customer_id,
                                                  const std::string& period) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db, "SELECT calls FROM usage_monthly WHERE customer_id = ? AND period = ?");
  if (!s.ok()) return db_error(db, "monthly_calls");
  s.bind(1, customer_id).bind(2, period);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return s.i64(0);
  if (rc == SQLITE_DONE) return std::int64_t{0};
  return db_error(db, "monthly_calls");
}

StatusOr<std::vector<DailyUsage>> SqliteStore::daily_calls(const std::string& customer_id,
                                                           const std::string& period) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT day, calls FROM usage_daily WHERE customer_id = ? AND substr(day, 1, 7) = ?"
         " ORDER BY day");
  if (!s.ok()) return db_error(db, "daily_calls");
  s.bind(1, customer_id).bind(2, period);
  std::vector<DailyUsage> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back({s.text(0), s.i64(1)});
  if (rc != SQLITE_DONE) return db_error(db, "daily_calls");
  return out;
}

StatusOr<int> SqliteStore::purge_expired_reservations(std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "DELETE FROM reservations WHERE expires_at_ms <= ?");
  if (!s.ok()) return db_error(db, "purge_expired_reservations");
  s.bind(1, now_ms);
  if (s.step() != SQLITE_DONE) return db_error(db, "purge_expired_reservations");
  return sqlite3_changes(db);
}

StatusOr<std::vector<std::string>> SqliteStore::reservation_owners() {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db, "SELECT DISTINCT owner FROM reservations");
  if (!s.ok()) return db_error(db, "reservation_owners");
  std::vector<std::string> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.text(0));
  if (rc != SQLITE_DONE) return db_error(db, "reservation_owners");
  return out;
}

StatusOr<int> SqliteStore::delete_reservations_of(const std::string& owner) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "DELETE FROM reservations WHERE owner = ?");
  if (!s.ok()) return db_error(db, "delete_reservations_of");
  s.bind(1, owner);
  if (s.step() != SQLITE_DONE) return db_error(db, "delete_reservations_of");
  return sqlite3_changes(db);
}

}  // namespace livecheck::store
