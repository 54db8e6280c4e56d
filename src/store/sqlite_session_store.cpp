// SqliteStore: session liveness tables (migrations/004_sessions.sql).
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "store/sqlite_store.h"
#include "store/sqlite_util.h"

namespace livecheck::store {
using sqlite::db_error;
using sqlite::Stmt;
using sqlite::Transaction;

namespace {

Status run(sqlite3* db, Stmt& s, const char* what) {
  if (!s.ok() || s.step() != SQLITE_DONE) return db_error(db, what);
  return Status::ok();
}

// Like run(), but not_found when the statement changed no row.
Status run_one(sqlite3* db, Stmt& s, const char* what, const char* not_found) {
  if (Status st = run(db, s, what); !st.is_ok()) return st;
  if (sqlite3_changes(db) == 0) return Status::not_found(not_found);
  return Status::ok();
}

constexpr const char* kAccessKeySelect =
    "SELECT access_key, customer_id, sealed_secret, disabled, created_at_ms FROM access_keys";

AccessKeyRecord read_access_key(const Stmt& s) {
  AccessKeyRecord k;
  k.access_key = s.text(0);
  k.customer_id = s.text(1);
  k.sealed_secret = s.blob(2);
  k.disabled = s.i64(3) != 0;
  k.created_at_ms = s.i64(4);
  return k;
}

constexpr const char* kSessionSelect =
    "SELECT signature_id, customer_id, nonce, product_level, liveness_type, created_at_ms,"
    " expires_at_ms, attempts, liveness_id, completed_at_ms, score, attack_type, reasons,"
    " analysis, far_time_ms, near_time_ms, images_expire_at_ms, images_deleted_at_ms,"
    " cleared_at_ms, billed_at_ms FROM liveness_sessions";

LivenessSession read_session(const Stmt& s) {
  LivenessSession x;
  x.signature_id = s.text(0);
  x.customer_id = s.text(1);
  x.nonce = s.text(2);
  x.product_level = s.text(3);
  x.liveness_type = s.text(4);
  x.created_at_ms = s.i64(5);
  x.expires_at_ms = s.i64(6);
  x.attempts = static_cast<int>(s.i64(7));
  x.liveness_id = s.opt_text(8);
  x.completed_at_ms = s.opt_i64(9);
  x.score = s.is_null(10) ? 0.0 : s.f64(10);
  if (auto a = s.opt_i64(11)) x.attack_type = static_cast<int>(*a);
  x.reasons_json = s.is_null(12) ? "[]" : s.text(12);
  x.analysis_json = s.is_null(13) ? "{}" : s.text(13);
  x.far_time_ms = s.opt_i64(14);
  x.near_time_ms = s.opt_i64(15);
  x.images_expire_at_ms = s.opt_i64(16);
  x.images_deleted_at_ms = s.opt_i64(17);
  x.cleared_at_ms = s.opt_i64(18);
  x.billed_at_ms = s.opt_i64(19);
  return x;
}

StatusOr<LivenessSession> find_session_where(sqlite3* db, const char* column,
                                             const std::string& value) {
  const std::string sql = std::string(kSessionSelect) + " WHERE " + column + " = ?";
  Stmt s(db, sql.c_str());
  if (!s.ok()) return db_error(db, "find_liveness_session");
  s.bind(1, value);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return Status::not_found("no such session");
  if (rc != SQLITE_ROW) return db_error(db, "find_liveness_session");
  return read_session(s);
}

}  // namespace

Status SqliteStore::put_access_key(const AccessKeyRecord& k) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "INSERT INTO access_keys(access_key, customer_id, sealed_secret, disabled,"
         " created_at_ms) VALUES(?,?,?,?,?)");
  s.bind(1, k.access_key).bind(2, k.customer_id).bind(3, k.sealed_secret);
  s.bind(4, std::int64_t{k.disabled ? 1 : 0}).bind(5, k.created_at_ms);
  return run(db, s, "put_access_key");
}

StatusOr<AccessKeyRecord> SqliteStore::find_access_key(const std::string& access_key) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  const std::string sql = std::string(kAccessKeySelect) + " WHERE access_key = ?";
  Stmt s(db, sql.c_str());
  if (!s.ok()) return db_error(db, "find_access_key");
  s.bind(1, access_key);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return Status::not_found("no such access key");
  if (rc != SQLITE_ROW) return db_error(db, "find_access_key");
  return read_access_key(s);
}

StatusOr<std::vector<AccessKeyRecord>> SqliteStore::list_access_keys(
    const std::string& customer_id) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  const std::string sql = std::string(kAccessKeySelect) +
                          " WHERE ? = '' OR customer_id = ? ORDER BY created_at_ms, access_key";
  Stmt s(db, sql.c_str());
  if (!s.ok()) return db_error(db, "list_access_keys");
  s.bind(1, customer_id).bind(2, customer_id);
  std::vector<AccessKeyRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_access_key(s));
  if (rc != SQLITE_DONE) return db_error(db, "list_access_keys");
  return out;
}

Status SqliteStore::set_access_key_disabled(const std::string& access_key, bool disabled) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "UPDATE access_keys SET disabled = ? WHERE access_key = ?");
  s.bind(1, std::int64_t{disabled ? 1 : 0}).bind(2, access_key);
  return run_one(db, s, "set_access_key_disabled", "no such access key");
}

Status SqliteStore::use_signature(const KeyHash& hash, std::int64_t expires_at_ms,
                                  std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  Stmt del(db, "DELETE FROM used_signatures WHERE expires_at_ms < ?");
  del.bind(1, now_ms);
  if (Status s = run(db, del, "use_signature"); !s.is_ok()) return s;
  Stmt ins(db,
           "INSERT INTO used_signatures(signature_hash, expires_at_ms) VALUES(?,?)"
           " ON CONFLICT(signature_hash) DO NOTHING");
  ins.bind(1, hash).bind(2, expires_at_ms);
  if (Status s = run(db, ins, "use_signature"); !s.is_ok()) return s;
  if (sqlite3_changes(db) == 0) return Status::invalid_argument(kSignatureUsed);
  return tx.commit();
}

Status SqliteStore::put_access_token(const AccessTokenRecord& t) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "INSERT INTO access_tokens(token_hash, customer_id, access_key, created_at_ms,"
         " expires_at_ms) VALUES(?,?,?,?,?)");
  s.bind(1, t.hash).bind(2, t.customer_id).bind(3, t.access_key).bind(4, t.created_at_ms);
  s.bind(5, t.expires_at_ms);
  return run(db, s, "put_access_token");
}

StatusOr<AccessTokenRecord> SqliteStore::find_access_token(const KeyHash& hash) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT token_hash, customer_id, access_key, created_at_ms, expires_at_ms"
         " FROM access_tokens WHERE token_hash = ?");
  if (!s.ok()) return db_error(db, "find_access_token");
  s.bind(1, hash);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return Status::not_found("no such token");
  if (rc != SQLITE_ROW) return db_error(db, "find_access_token");
  AccessTokenRecord t;
  t.hash = s.hash(0);
  t.customer_id = s.text(1);
  t.access_key = s.text(2);
  t.created_at_ms = s.i64(3);
  t.expires_at_ms = s.i64(4);
  return t;
}

Status SqliteStore::put_license(const LicenseRecord& l) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "INSERT INTO licenses(license_hash, customer_id, application_ids, created_at_ms,"
         " expires_at_ms, revoked_at_ms) VALUES(?,?,?,?,?,?)");
  s.bind(1, l.hash).bind(2, l.customer_id).bind(3, nlohmann::json(l.application_ids).dump());
  s.bind(4, l.created_at_ms).bind(5, l.expires_at_ms).bind(6, l.revoked_at_ms);
  return run(db, s, "put_license");
}

StatusOr<LicenseRecord> SqliteStore::find_license(const KeyHash& hash) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT license_hash, customer_id, application_ids, created_at_ms, expires_at_ms,"
         " revoked_at_ms FROM licenses WHERE license_hash = ?");
  if (!s.ok()) return db_error(db, "find_license");
  s.bind(1, hash);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return Status::not_found("no such license");
  if (rc != SQLITE_ROW) return db_error(db, "find_license");
  LicenseRecord l;
  l.hash = s.hash(0);
  l.customer_id = s.text(1);
  // Written by put_license only; a damaged value reads as "any application" would be too lax,
  // so it reads as a list nobody matches.
  auto ids = nlohmann::json::parse(s.text(2), nullptr, /*allow_exceptions=*/false);
  if (ids.is_array()) {
    for (const auto& id : ids) {
      if (id.is_string()) l.application_ids.push_back(id.get<std::string>());
    }
  } else {
    l.application_ids.push_back("");
  }
  l.created_at_ms = s.i64(3);
  l.expires_at_ms = s.i64(4);
  l.revoked_at_ms = s.opt_i64(5);
  return l;
}

Status SqliteStore::revoke_license(const KeyHash& hash, const std::string& customer_id,
                                   std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "UPDATE licenses SET revoked_at_ms = COALESCE(revoked_at_ms, ?)"
         " WHERE license_hash = ? AND customer_id = ?");
  s.bind(1, now_ms).bind(2, hash).bind(3, customer_id);
  return run_one(db, s, "revoke_license", "no such license");
}

Status SqliteStore::put_liveness_session(const LivenessSession& x) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "INSERT INTO liveness_sessions(signature_id, customer_id, nonce, product_level,"
         " liveness_type, created_at_ms, expires_at_ms) VALUES(?,?,?,?,?,?,?)");
  s.bind(1, x.signature_id).bind(2, x.customer_id).bind(3, x.nonce).bind(4, x.product_level);
  s.bind(5, x.liveness_type).bind(6, x.created_at_ms).bind(7, x.expires_at_ms);
  return run(db, s, "put_liveness_session");
}

StatusOr<LivenessSession> SqliteStore::find_liveness_session(const std::string& signature_id) {
  std::lock_guard lock(reader_.mu);
  return find_session_where(reader_.db, "signature_id", signature_id);
}

StatusOr<LivenessSession> SqliteStore::find_liveness_result(const std::string& liveness_id) {
  std::lock_guard lock(reader_.mu);
  return find_session_where(reader_.db, "liveness_id", liveness_id);
}

StatusOr<int> SqliteStore::add_capture_attempt(const std::string& signature_id) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "UPDATE liveness_sessions SET attempts = attempts + 1 WHERE signature_id = ?"
         " RETURNING attempts");
  if (!s.ok()) return db_error(db, "add_capture_attempt");
  s.bind(1, signature_id);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return Status::not_found("no such session");
  if (rc != SQLITE_ROW) return db_error(db, "add_capture_attempt");
  return static_cast<int>(s.i64(0));
}

Status SqliteStore::complete_liveness_session(const LivenessSession& r,
                                              const std::vector<std::uint64_t>& frame_hashes) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  Stmt up(db,
          "UPDATE liveness_sessions SET liveness_id = ?, completed_at_ms = ?, score = ?,"
          " attack_type = ?, reasons = ?, analysis = ?, far_time_ms = ?, near_time_ms = ?,"
          " images_expire_at_ms = ? WHERE signature_id = ? AND liveness_id IS NULL");
  up.bind(1, r.liveness_id).bind(2, r.completed_at_ms).bind(3, r.score);
  if (r.attack_type) {
    up.bind(4, std::int64_t{*r.attack_type});
  } else {
    up.bind_null(4);
  }
  up.bind(5, r.reasons_json).bind(6, r.analysis_json).bind(7, r.far_time_ms);
  up.bind(8, r.near_time_ms).bind(9, r.images_expire_at_ms).bind(10, r.signature_id);
  if (Status s = run(db, up, "complete_liveness_session"); !s.is_ok()) return s;
  if (sqlite3_changes(db) == 0) return Status::invalid_argument(kSessionUsed);
  for (const std::uint64_t h : frame_hashes) {
    Stmt ins(db, "INSERT INTO frame_hashes(phash, liveness_id, created_at_ms) VALUES(?,?,?)");
    ins.bind(1, static_cast<std::int64_t>(h)).bind(2, r.liveness_id.value_or(""));
    ins.bind(3, r.completed_at_ms.value_or(0));
    if (Status s = run(db, ins, "complete_liveness_session"); !s.is_ok()) return s;
  }
  return tx.commit();
}

StatusOr<bool> SqliteStore::claim_liveness_billing(const std::string& liveness_id,
                                                   std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "UPDATE liveness_sessions SET billed_at_ms = ? WHERE liveness_id = ?"
         " AND billed_at_ms IS NULL");
  s.bind(1, now_ms).bind(2, liveness_id);
  if (Status st = run(db, s, "claim_liveness_billing"); !st.is_ok()) return st;
  return sqlite3_changes(db) > 0;
}

Status SqliteStore::clear_liveness_result(const std::string& liveness_id, std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  Stmt s(db,
         "UPDATE liveness_sessions SET score = NULL, attack_type = NULL, reasons = NULL,"
         " analysis = NULL, far_time_ms = NULL, near_time_ms = NULL,"
         " images_deleted_at_ms = COALESCE(images_deleted_at_ms, ?),"
         " cleared_at_ms = COALESCE(cleared_at_ms, ?) WHERE liveness_id = ?");
  s.bind(1, now_ms).bind(2, now_ms).bind(3, liveness_id);
  if (Status st = run_one(db, s, "clear_liveness_result", "no such result"); !st.is_ok()) {
    return st;
  }
  // The frames' hashes go too: nothing derived from the user's face is kept.
  Stmt h(db, "DELETE FROM frame_hashes WHERE liveness_id = ?");
  h.bind(1, liveness_id);
  if (Status st = run(db, h, "clear_liveness_result"); !st.is_ok()) return st;
  return tx.commit();
}

StatusOr<std::vector<std::string>> SqliteStore::expired_image_sessions(std::int64_t now_ms,
                                                                       int limit) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT liveness_id FROM liveness_sessions WHERE images_expire_at_ms <= ?"
         " AND images_deleted_at_ms IS NULL AND liveness_id IS NOT NULL"
         " ORDER BY images_expire_at_ms LIMIT ?");
  if (!s.ok()) return db_error(db, "expired_image_sessions");
  s.bind(1, now_ms).bind(2, std::int64_t{limit});
  std::vector<std::string> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.text(0));
  if (rc != SQLITE_DONE) return db_error(db, "expired_image_sessions");
  return out;
}

Status SqliteStore::mark_images_deleted(const std::string& liveness_id, std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "UPDATE liveness_sessions SET images_deleted_at_ms = COALESCE(images_deleted_at_ms, ?)"
         " WHERE liveness_id = ?");
  s.bind(1, now_ms).bind(2, liveness_id);
  return run_one(db, s, "mark_images_deleted", "no such result");
}

StatusOr<std::vector<std::uint64_t>> SqliteStore::recent_frame_hashes(std::int64_t since_ms,
                                                                      int limit) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT phash FROM frame_hashes WHERE created_at_ms >= ?"
         " ORDER BY created_at_ms DESC LIMIT ?");
  if (!s.ok()) return db_error(db, "recent_frame_hashes");
  s.bind(1, since_ms).bind(2, std::int64_t{limit});
  std::vector<std::uint64_t> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(static_cast<std::uint64_t>(s.i64(0)));
  if (rc != SQLITE_DONE) return db_error(db, "recent_frame_hashes");
  return out;
}

Status SqliteStore::purge_session_data(std::int64_t now_ms, std::int64_t hashes_before_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  const std::pair<const char*, std::int64_t> deletes[] = {
      {"DELETE FROM access_tokens WHERE expires_at_ms < ?", now_ms},
      {"DELETE FROM used_signatures WHERE expires_at_ms < ?", now_ms},
      {"DELETE FROM licenses WHERE expires_at_ms < ?", now_ms},
      {"DELETE FROM liveness_sessions WHERE liveness_id IS NULL AND expires_at_ms < ?", now_ms},
      {"DELETE FROM frame_hashes WHERE created_at_ms < ?", hashes_before_ms},
  };
  for (const auto& [sql, at] : deletes) {
    Stmt s(db, sql);
    s.bind(1, at);
    if (Status st = run(db, s, "purge_session_data"); !st.is_ok()) return st;
  }
  return tx.commit();
}

}  // namespace livecheck::store
