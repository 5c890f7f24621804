-- JWT IDs accepted once (RFC 7523 §3: a client assertion's jti), kept
-- until the JWT expires. jti_key is the SHA-256 digest of what the jti was
-- used for, its issuer and the jti itself: fixed length whatever the jti.
-- A jti is recorded by inserting it: a unique violation means it was used.
CREATE TABLE oauth2_used_jti (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    jti_key VARCHAR(64) NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth2_used_jti_key ON oauth2_used_jti (jti_key);
CREATE INDEX oauth2_used_jti_expires_at ON oauth2_used_jti (expires_at);
