-- 002: the account's default operating point for POST /v1/check/liveness when a request names
-- no threshold: a number 0..1 as text ("0.2") or a preset name of the model pack ("strict",
-- "balanced", "lenient"). NULL = the server's default (--threshold, 0.15).
ALTER TABLE accounts ADD COLUMN default_threshold TEXT;
