-- When the grant (token family) began: the issue of its first token, kept
-- by every rotation, for the absolute refresh lifetime
-- (oauth2.lifetimes.refresh_token_absolute, RFC 9700 §4.14.2). NULL for
-- rows from before this column; the engine then counts from issued_at.
ALTER TABLE oauth2_token ADD COLUMN grant_issued_at BIGINT;
