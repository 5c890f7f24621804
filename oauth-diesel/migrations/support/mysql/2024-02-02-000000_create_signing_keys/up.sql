-- OpenID Connect signing keys, shared by every instance on this database.
-- private_key is sealed with AES-256-GCM when a key encryption key is
-- configured ("v1:..."), in clear otherwise ("clear:..."). A key is in
-- the JWK Set from created_at until published_until, and signs from
-- signs_from until signs_until (Unix seconds; NULL: not yet retired).
CREATE TABLE oauth2_signing_key (
    id INTEGER PRIMARY KEY AUTO_INCREMENT NOT NULL,
    kid VARCHAR(255) NOT NULL,
    alg VARCHAR(16) NOT NULL,
    private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    signs_from BIGINT NOT NULL,
    signs_until BIGINT,
    published_until BIGINT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE UNIQUE INDEX oauth2_signing_key_kid ON oauth2_signing_key (kid);
