-- 001: accounts, API keys, monthly/daily usage, in-flight reservations.
-- Portable SQL (SQLite and PostgreSQL): TEXT ids, INTEGER counters, epoch milliseconds.

CREATE TABLE accounts (
  customer_id   TEXT PRIMARY KEY,            -- UUID v4
  email         TEXT NOT NULL,
  company       TEXT NOT NULL,
  plan          TEXT NOT NULL,               -- free|starter|standard|professional|business|enterprise
  monthly_limit INTEGER,                     -- per-account limit (enterprise); NULL = the plan's
  hard_cap      INTEGER NOT NULL DEFAULT 0,  -- 1: refuse at the limit (429); 0: overage
  status        TEXT NOT NULL DEFAULT 'active',
  created_at_ms BIGINT NOT NULL
);

-- Two slots per account. Only SHA-256 of the key is stored, plus a display prefix ("lc_abc12").
CREATE TABLE api_keys (
  customer_id    TEXT NOT NULL REFERENCES accounts(customer_id),
  slot           TEXT NOT NULL CHECK (slot IN ('primary', 'secondary')),
  key_hash       BLOB NOT NULL UNIQUE,
  display_prefix TEXT NOT NULL,
  created_at_ms  BIGINT NOT NULL,
  PRIMARY KEY (customer_id, slot)
);

-- Committed calls (200 responses only) per account per UTC month ('2026-11') and per UTC day.
CREATE TABLE usage_monthly (
  customer_id TEXT NOT NULL,
  period      TEXT NOT NULL,
  calls       BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, period)
);
CREATE TABLE usage_daily (
  customer_id TEXT NOT NULL,
  day         TEXT NOT NULL,
  calls       BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, day)
);

-- A call being processed. Holds a place under the limit but is never usage: usage grows only on
-- commit. A crashed server's rows stop counting at expires_at_ms and are purged at the next start.
CREATE TABLE reservations (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id   TEXT NOT NULL,
  period        TEXT NOT NULL,
  owner         TEXT NOT NULL,              -- random id of the server process that reserved
  expires_at_ms BIGINT NOT NULL
);
CREATE INDEX reservations_by_account ON reservations (customer_id, period, expires_at_ms);
