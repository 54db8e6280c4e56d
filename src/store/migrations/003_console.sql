-- 003: the customer console. Login users (one per account), single-use e-mail tokens, cookie
-- sessions, rate-limit events, used marketplace tokens, settings. Secrets are stored hashed:
-- passwords as Argon2id strings, tokens and session ids as SHA-256.

CREATE TABLE console_users (
  customer_id          TEXT PRIMARY KEY REFERENCES accounts(customer_id),
  email                TEXT NOT NULL UNIQUE,     -- lower-case; the login id
  first_name           TEXT NOT NULL,
  last_name            TEXT NOT NULL,
  company              TEXT NOT NULL,
  website              TEXT NOT NULL,
  cloud_account_id     TEXT NOT NULL,            -- 12 digits, from the marketplace
  subscription_id      TEXT NOT NULL UNIQUE,     -- one account per subscription
  password_hash        TEXT,                     -- Argon2id (libsodium crypto_pwhash_str); NULL until set
  email_verified_at_ms BIGINT,
  created_at_ms        BIGINT NOT NULL
);

-- Marketplace registration tokens that created an account: a token works once.
CREATE TABLE marketplace_tokens_used (
  token_id      TEXT PRIMARY KEY,                -- the token's jti
  customer_id   TEXT NOT NULL,
  used_at_ms    BIGINT NOT NULL
);

-- E-mail links (verification, password reset): SHA-256 of the token, single use, expiring.
CREATE TABLE email_tokens (
  token_hash    BLOB PRIMARY KEY,
  customer_id   TEXT NOT NULL,
  purpose       TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  used_at_ms    BIGINT
);
CREATE INDEX email_tokens_by_account ON email_tokens (customer_id, purpose, created_at_ms);

-- Signed-in browsers: SHA-256 of the cookie value; idle and absolute expiry.
CREATE TABLE console_sessions (
  token_hash      BLOB PRIMARY KEY,
  customer_id     TEXT NOT NULL,
  csrf_token      TEXT NOT NULL,
  created_at_ms   BIGINT NOT NULL,
  last_seen_at_ms BIGINT NOT NULL,
  expires_at_ms   BIGINT NOT NULL                -- absolute expiry
);
CREATE INDEX console_sessions_by_account ON console_sessions (customer_id);

-- Events counted by rate limits (failed logins per e-mail / per address, mails per address).
-- In the database so that several nodes share the counters.
CREATE TABLE rate_events (
  scope   TEXT NOT NULL,                         -- 'login_email' | 'login_addr' | 'mail_addr' ...
  subject TEXT NOT NULL,
  at_ms   BIGINT NOT NULL
);
CREATE INDEX rate_events_by_subject ON rate_events (scope, subject, at_ms);

-- Generated secrets shared by every process on this database (the marketplace HMAC secret when
-- none is configured).
CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

ALTER TABLE api_keys ADD COLUMN last_used_at_ms BIGINT;
