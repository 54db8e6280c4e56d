-- 004: session liveness (docs/SESSIONS.md): access key pairs, access tokens, used request
-- signatures (replay protection), SDK licenses, capture sessions with their results, and the
-- perceptual hashes of captured frames (cross-session reuse detection).
-- Secrets: access tokens and licenses are stored as SHA-256; the secretKey of an access key is
-- stored sealed (libsodium secretbox) under a master key kept outside the database.

CREATE TABLE access_keys (
  access_key    TEXT PRIMARY KEY,
  customer_id   TEXT NOT NULL REFERENCES accounts(customer_id),
  sealed_secret BLOB NOT NULL,              -- nonce || crypto_secretbox_easy(secretKey)
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX access_keys_customer ON access_keys(customer_id);

CREATE TABLE access_tokens (
  token_hash    BLOB PRIMARY KEY,           -- SHA-256 of the X-ACCESS-TOKEN value
  customer_id   TEXT NOT NULL,
  access_key    TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL
);
CREATE INDEX access_tokens_expiry ON access_tokens(expires_at_ms);

-- A generate-token signature is accepted once; kept until it leaves the timestamp window.
CREATE TABLE used_signatures (
  signature_hash BLOB PRIMARY KEY,          -- SHA-256 of the signature hex
  expires_at_ms  BIGINT NOT NULL
);

CREATE TABLE licenses (
  license_hash    BLOB PRIMARY KEY,         -- SHA-256 of the license
  customer_id     TEXT NOT NULL,
  application_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array; empty = any application
  created_at_ms   BIGINT NOT NULL,
  expires_at_ms   BIGINT NOT NULL,
  revoked_at_ms   BIGINT
);

-- One row per signatureId; the result columns are filled by a successful capture.
CREATE TABLE liveness_sessions (
  signature_id         TEXT PRIMARY KEY,
  customer_id          TEXT NOT NULL,
  nonce                TEXT NOT NULL,
  product_level        TEXT NOT NULL,
  liveness_type        TEXT NOT NULL,
  created_at_ms        BIGINT NOT NULL,
  expires_at_ms        BIGINT NOT NULL,
  attempts             INTEGER NOT NULL DEFAULT 0,
  liveness_id          TEXT UNIQUE,
  completed_at_ms      BIGINT,
  score                REAL,
  attack_type          INTEGER,
  reasons              TEXT,                -- JSON array of strings
  analysis             TEXT,                -- analysis.json
  far_time_ms          BIGINT,
  near_time_ms         BIGINT,
  images_expire_at_ms  BIGINT,
  images_deleted_at_ms BIGINT,
  cleared_at_ms        BIGINT,
  billed_at_ms         BIGINT
);
CREATE INDEX liveness_sessions_images ON liveness_sessions(images_expire_at_ms);

CREATE TABLE frame_hashes (
  phash         BIGINT NOT NULL,             -- 64-bit perceptual hash (two's complement)
  liveness_id   TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX frame_hashes_time ON frame_hashes(created_at_ms);
