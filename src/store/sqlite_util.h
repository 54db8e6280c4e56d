// Internal helpers shared by the SQLite Store files: a prepared statement with binding helpers,
// an IMMEDIATE transaction that rolls back unless committed, and the sqlite -> Status mapping.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace livecheck::store::sqlite {

// A writer waits this long for another process's transaction before giving up with io_error.
inline constexpr int kBusyTimeoutMs = 5000;

inline Status db_error(sqlite3* db, const char* what) {
  const int rc = sqlite3_errcode(db);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return Status::invalid_argument(msg);
  return Status::io_error(msg);
}

// RAII prepared statement with 1-based binding helpers.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& bind(int i, const KeyHash& h) {
    sqlite3_bind_blob(stmt_, i, h.data(), static_cast<int>(h.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, const std::optional<std::int64_t>& v) {
    if (v) return bind(i, *v);
    return bind_null(i);
  }
  Stmt& bind(int i, const std::optional<std::string>& v) {
    if (v) return bind(i, *v);
    return bind_null(i);
  }
  Stmt& bind(int i, const std::vector<std::uint8_t>& v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Stmt& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // SQLITE_ROW / SQLITE_DONE / an error code.
  int step() { return sqlite3_step(stmt_); }
  std::int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::optional<std::int64_t> opt_i64(int col) const {
    if (is_null(col)) return std::nullopt;
    return i64(col);
  }
  std::optional<std::string> opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  double f64(int col) const { return sqlite3_column_double(stmt_, col); }
  std::vector<std::uint8_t> blob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
    if (!p) return {};
    return {p, p + sqlite3_column_bytes(stmt_, col)};
  }
  KeyHash hash(int col) const {
    KeyHash h{};
    const void* p = sqlite3_column_blob(stmt_, col);
    if (p && sqlite3_column_bytes(stmt_, col) == static_cast<int>(h.size())) {
      std::memcpy(h.data(), p, h.size());
    }
    return h;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Rolls back unless commit() succeeded; keeps every early return transaction-safe.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  // IMMEDIATE takes the write lock up front: two processes cannot read the same count and both
  // decide there is room for one more call.
  Status begin() {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return db_error(db_, "begin");
    }
    open_ = true;
    return Status::ok();
  }
  Status commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return db_error(db_, "commit");
    }
    open_ = false;
    return Status::ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

}  // namespace livecheck::store::sqlite
