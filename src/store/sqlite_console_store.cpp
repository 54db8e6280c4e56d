// SqliteStore: the console's tables (migrations/003_console.sql).
#include <utility>

#include "store/sqlite_store.h"
#include "store/sqlite_util.h"

namespace livecheck::store {
using sqlite::db_error;
using sqlite::Stmt;
using sqlite::Transaction;

namespace {

constexpr const char* kUserColumns =
    "customer_id, email, first_name, last_name, company, website, cloud_account_id,"
    " subscription_id, password_hash, email_verified_at_ms, created_at_ms";

ConsoleUser read_user(const Stmt& s) {
  ConsoleUser u;
  u.customer_id = s.text(0);
  u.email = s.text(1);
  u.first_name = s.text(2);
  u.last_name = s.text(3);
  u.company = s.text(4);
  u.website = s.text(5);
  u.cloud_account_id = s.text(6);
  u.subscription_id = s.text(7);
  u.password_hash = s.opt_text(8);
  u.email_verified_at_ms = s.opt_i64(9);
  u.created_at_ms = s.i64(10);
  return u;
}

// True when `sql` (one `?` bound to `value`) finds a row.
StatusOr<bool> exists(sqlite3* db, const char* sql, const std::string& value) {
  Stmt q(db, sql);
  if (!q.ok()) return db_error(db, "exists");
  q.bind(1, value);
  const int rc = q.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_error(db, "exists");
}

// Marks an unused token used. kTokenUsed if another request consumed it first.
Status consume_token(sqlite3* db, const KeyHash& token, const std::string& customer_id,
                     const char* purpose, std::int64_t now_ms) {
  Stmt s(db,
         "UPDATE email_tokens SET used_at_ms = ? WHERE token_hash = ? AND customer_id = ?"
         " AND purpose = ? AND used_at_ms IS NULL");
  if (!s.ok()) return db_error(db, "consume_token");
  s.bind(1, now_ms).bind(2, token).bind(3, customer_id).bind(4, std::string(purpose));
  if (s.step() != SQLITE_DONE) return db_error(db, "consume_token");
  if (sqlite3_changes(db) == 0) return Status::invalid_argument(kTokenUsed);
  return Status::ok();
}

Status run(sqlite3* db, Stmt& s, const char* what) {
  if (!s.ok() || s.step() != SQLITE_DONE) return db_error(db, what);
  return Status::ok();
}

}  // namespace

Status SqliteStore::create_console_signup(const Account& a, const ConsoleUser& u,
                                          const std::string& token_id, std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  // Checked inside the write transaction: two sign-ups racing for the same e-mail, subscription
  // or token cannot both pass. The UNIQUE constraints stand behind these checks.
  const std::pair<const char*, const char*> checks[] = {
      {"SELECT 1 FROM marketplace_tokens_used WHERE token_id = ?", kTokenUsed},
      {"SELECT 1 FROM console_users WHERE subscription_id = ?", kSubscriptionUsed},
      {"SELECT 1 FROM console_users WHERE email = ?", kEmailTaken},
  };
  const std::string* values[] = {&token_id, &u.subscription_id, &u.email};
  for (int i = 0; i < 3; ++i) {
    auto found = exists(db, checks[i].first, *values[i]);
    if (!found.is_ok()) return found.status();
    if (found.value()) return Status::invalid_argument(checks[i].second);
  }
  Stmt acc(db,
           "INSERT INTO accounts(customer_id, email, company, plan, monthly_limit, hard_cap,"
           " status, created_at_ms) VALUES(?,?,?,?,?,?,?,?)");
  acc.bind(1, a.customer_id).bind(2, a.email).bind(3, a.company).bind(4, a.plan);
  acc.bind(5, a.monthly_limit).bind(6, std::int64_t{a.hard_cap ? 1 : 0});
  acc.bind(7, a.status).bind(8, a.created_at_ms);
  if (Status s = run(db, acc, "create_console_signup"); !s.is_ok()) return s;
  Stmt usr(db,
           "INSERT INTO console_users(customer_id, email, first_name, last_name, company,"
           " website, cloud_account_id, subscription_id, password_hash, email_verified_at_ms,"
           " created_at_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  usr.bind(1, u.customer_id).bind(2, u.email).bind(3, u.first_name).bind(4, u.last_name);
  usr.bind(5, u.company).bind(6, u.website).bind(7, u.cloud_account_id);
  usr.bind(8, u.subscription_id).bind(9, u.password_hash).bind(10, u.email_verified_at_ms);
  usr.bind(11, u.created_at_ms);
  if (Status s = run(db, usr, "create_console_signup"); !s.is_ok()) return s;
  Stmt tok(db,
           "INSERT INTO marketplace_tokens_used(token_id, customer_id, used_at_ms)"
           " VALUES(?,?,?)");
  tok.bind(1, token_id).bind(2, u.customer_id).bind(3, now_ms);
  if (Status s = run(db, tok, "create_console_signup"); !s.is_ok()) return s;
  return tx.commit();
}

StatusOr<bool> SqliteStore::marketplace_token_used(const std::string& token_id) {
  std::lock_guard lock(reader_.mu);
  return exists(reader_.db, "SELECT 1 FROM marketplace_tokens_used WHERE token_id = ?", token_id);
}

StatusOr<ConsoleUser> SqliteStore::get_console_user(const std::string& customer_id) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM console_users WHERE customer_id = ?";
  Stmt s(db, sql.c_str());
  if (!s.ok()) return db_error(db, "get_console_user");
  s.bind(1, customer_id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return read_user(s);
  if (rc == SQLITE_DONE) return Status::not_found("no such user");
  return db_error(db, "get_console_user");
}

StatusOr<ConsoleUser> SqliteStore::find_console_user_by_email(const std::string& email) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM console_users WHERE email = ?";
  Stmt s(db, sql.c_str());
  if (!s.ok()) return db_error(db, "find_console_user_by_email");
  s.bind(1, email);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return read_user(s);
  if (rc == SQLITE_DONE) return Status::not_found("no such user");
  return db_error(db, "find_console_user_by_email");
}

Status SqliteStore::put_email_token(const EmailToken& t) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "INSERT INTO email_tokens(token_hash, customer_id, purpose, created_at_ms,"
         " expires_at_ms, used_at_ms) VALUES(?,?,?,?,?,?)");
  s.bind(1, t.hash).bind(2, t.customer_id).bind(3, t.purpose).bind(4, t.created_at_ms);
  s.bind(5, t.expires_at_ms).bind(6, t.used_at_ms);
  return run(db, s, "put_email_token");
}

StatusOr<EmailToken> SqliteStore::find_email_token(const KeyHash& hash) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT token_hash, customer_id, purpose, created_at_ms, expires_at_ms, used_at_ms"
         " FROM email_tokens WHERE token_hash = ?");
  if (!s.ok()) return db_error(db, "find_email_token");
  s.bind(1, hash);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return Status::not_found("no such token");
  if (rc != SQLITE_ROW) return db_error(db, "find_email_token");
  EmailToken t;
  t.hash = s.hash(0);
  t.customer_id = s.text(1);
  t.purpose = s.text(2);
  t.created_at_ms = s.i64(3);
  t.expires_at_ms = s.i64(4);
  t.used_at_ms = s.opt_i64(5);
  return t;
}

StatusOr<int> SqliteStore::count_email_tokens_since(const std::string& customer_id,
                                                    const std::string& purpose,
                                                    std::int64_t since_ms) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT COUNT(*) FROM email_tokens WHERE customer_id = ? AND purpose = ?"
         " AND created_at_ms >= ?");
  if (!s.ok()) return db_error(db, "count_email_tokens_since");
  s.bind(1, customer_id).bind(2, purpose).bind(3, since_ms);
  if (s.step() != SQLITE_ROW) return db_error(db, "count_email_tokens_since");
  return static_cast<int>(s.i64(0));
}

Status SqliteStore::activate_console_user(const KeyHash& token, const std::string& customer_id,
                                          const std::string& password_hash,
                                          const std::vector<KeyRecord>& keys,
                                          std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  if (Status s = consume_token(db, token, customer_id, "verify", now_ms); !s.is_ok()) return s;
  Stmt usr(db,
           "UPDATE console_users SET password_hash = ?,"
           " email_verified_at_ms = COALESCE(email_verified_at_ms, ?) WHERE customer_id = ?");
  usr.bind(1, password_hash).bind(2, now_ms).bind(3, customer_id);
  if (Status s = run(db, usr, "activate_console_user"); !s.is_ok()) return s;
  Stmt acc(db, "UPDATE accounts SET status = 'active' WHERE customer_id = ?");
  acc.bind(1, customer_id);
  if (Status s = run(db, acc, "activate_console_user"); !s.is_ok()) return s;
  for (const KeyRecord& k : keys) {
    Stmt del(db, "DELETE FROM api_keys WHERE customer_id = ? AND slot = ?");
    del.bind(1, k.customer_id).bind(2, std::string(key_slot_name(k.slot)));
    if (Status s = run(db, del, "activate_console_user"); !s.is_ok()) return s;
    Stmt ins(db,
             "INSERT INTO api_keys(customer_id, slot, key_hash, display_prefix, created_at_ms)"
             " VALUES(?,?,?,?,?)");
    ins.bind(1, k.customer_id).bind(2, std::string(key_slot_name(k.slot))).bind(3, k.hash);
    ins.bind(4, k.display_prefix).bind(5, k.created_at_ms);
    if (Status s = run(db, ins, "activate_console_user"); !s.is_ok()) return s;
  }
  return tx.commit();
}

Status SqliteStore::reset_console_password(const KeyHash& token, const std::string& customer_id,
                                           const std::string& password_hash,
                                           std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Transaction tx(db);
  if (Status s = tx.begin(); !s.is_ok()) return s;
  if (Status s = consume_token(db, token, customer_id, "reset", now_ms); !s.is_ok()) return s;
  // The link proves the mailbox, so a reset also verifies an address never verified before.
  Stmt usr(db,
           "UPDATE console_users SET password_hash = ?,"
           " email_verified_at_ms = COALESCE(email_verified_at_ms, ?) WHERE customer_id = ?");
  usr.bind(1, password_hash).bind(2, now_ms).bind(3, customer_id);
  if (Status s = run(db, usr, "reset_console_password"); !s.is_ok()) return s;
  Stmt del(db, "DELETE FROM console_sessions WHERE customer_id = ?");
  del.bind(1, customer_id);
  if (Status s = run(db, del, "reset_console_password"); !s.is_ok()) return s;
  return tx.commit();
}

Status SqliteStore::put_console_session(const ConsoleSession& c) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db,
         "INSERT INTO console_sessions(token_hash, customer_id, csrf_token, created_at_ms,"
         " last_seen_at_ms, expires_at_ms) VALUES(?,?,?,?,?,?)");
  s.bind(1, c.hash).bind(2, c.customer_id).bind(3, c.csrf_token).bind(4, c.created_at_ms);
  s.bind(5, c.last_seen_at_ms).bind(6, c.expires_at_ms);
  return run(db, s, "put_console_session");
}

StatusOr<ConsoleSession> SqliteStore::find_console_session(const KeyHash& hash) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db,
         "SELECT token_hash, customer_id, csrf_token, created_at_ms, last_seen_at_ms,"
         " expires_at_ms FROM console_sessions WHERE token_hash = ?");
  if (!s.ok()) return db_error(db, "find_console_session");
  s.bind(1, hash);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return Status::not_found("no such session");
  if (rc != SQLITE_ROW) return db_error(db, "find_console_session");
  ConsoleSession c;
  c.hash = s.hash(0);
  c.customer_id = s.text(1);
  c.csrf_token = s.text(2);
  c.created_at_ms = s.i64(3);
  c.last_seen_at_ms = s.i64(4);
  c.expires_at_ms = s.i64(5);
  return c;
}

Status SqliteStore::touch_console_session(const KeyHash& hash, std::int64_t now_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "UPDATE console_sessions SET last_seen_at_ms = ? WHERE token_hash = ?");
  s.bind(1, now_ms).bind(2, hash);
  return run(db, s, "touch_console_session");
}

Status SqliteStore::delete_console_session(const KeyHash& hash) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "DELETE FROM console_sessions WHERE token_hash = ?");
  s.bind(1, hash);
  return run(db, s, "delete_console_session");
}

Status SqliteStore::add_rate_event(const std::string& scope, const std::string& subject,
                                   std::int64_t at_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "INSERT INTO rate_events(scope, subject, at_ms) VALUES(?,?,?)");
  s.bind(1, scope).bind(2, subject).bind(3, at_ms);
  return run(db, s, "add_rate_event");
}

StatusOr<int> SqliteStore::count_rate_events(const std::string& scope, const std::string& subject,
                                             std::int64_t since_ms) {
  std::lock_guard lock(reader_.mu);
  sqlite3* db = reader_.db;
  Stmt s(db, "SELECT COUNT(*) FROM rate_events WHERE scope = ? AND subject = ? AND at_ms >= ?");
  if (!s.ok()) return db_error(db, "count_rate_events");
  s.bind(1, scope).bind(2, subject).bind(3, since_ms);
  if (s.step() != SQLITE_ROW) return db_error(db, "count_rate_events");
  return static_cast<int>(s.i64(0));
}

Status SqliteStore::clear_rate_events(const std::string& scope, const std::string& subject) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt s(db, "DELETE FROM rate_events WHERE scope = ? AND subject = ?");
  s.bind(1, scope).bind(2, subject);
  return run(db, s, "clear_rate_events");
}

Status SqliteStore::purge_console(std::int64_t now_ms, std::int64_t events_before_ms,
                                  std::int64_t tokens_before_ms) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt sessions(db, "DELETE FROM console_sessions WHERE expires_at_ms <= ?");
  sessions.bind(1, now_ms);
  if (Status s = run(db, sessions, "purge_console"); !s.is_ok()) return s;
  Stmt events(db, "DELETE FROM rate_events WHERE at_ms < ?");
  events.bind(1, events_before_ms);
  if (Status s = run(db, events, "purge_console"); !s.is_ok()) return s;
  Stmt tokens(db, "DELETE FROM email_tokens WHERE expires_at_ms < ?");
  tokens.bind(1, tokens_before_ms);
  return run(db, tokens, "purge_console");
}

StatusOr<std::string> SqliteStore::get_or_put_setting(const std::string& name,
                                                      const std::string& value_if_absent) {
  std::lock_guard lock(writer_.mu);
  sqlite3* db = writer_.db;
  Stmt ins(db, "INSERT INTO settings(name, value) VALUES(?,?) ON CONFLICT(name) DO NOTHING");
  ins.bind(1, name).bind(2, value_if_absent);
  if (Status s = run(db, ins, "get_or_put_setting"); !s.is_ok()) return s;
  Stmt sel(db, "SELECT value FROM settings WHERE name = ?");
  if (!sel.ok()) return db_error(db, "get_or_put_setting");
  sel.bind(1, name);
  if (sel.step() != SQLITE_ROW) return db_error(db, "get_or_put_setting");
  return sel.text(0);
}

}  // namespace livecheck::store
