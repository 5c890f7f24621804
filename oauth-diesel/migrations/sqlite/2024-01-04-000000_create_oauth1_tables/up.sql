-- OAuth 1.0a (RFC 5849). Client and token secrets are in clear: they are
-- the HMAC-SHA1 keys the server recomputes signatures with. The verifier is
-- kept only as its SHA-256 digest. Lists (redirect URIs, realms) are
-- space-separated.

CREATE TABLE oauth1_client (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER,
    client_id VARCHAR(255) NOT NULL,
    client_secret VARCHAR(255) NOT NULL,
    client_name TEXT,
    redirect_uris TEXT NOT NULL,
    default_realms TEXT NOT NULL,
    rsa_public_key TEXT
);
CREATE UNIQUE INDEX oauth1_client_client_id ON oauth1_client (client_id);
CREATE INDEX oauth1_client_user_id ON oauth1_client (user_id);

CREATE TABLE oauth1_temporary_credential (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    user_id INTEGER,
    oauth_token VARCHAR(255) NOT NULL,
    oauth_token_secret VARCHAR(255) NOT NULL,
    oauth_callback TEXT NOT NULL,
    oauth_verifier_digest VARCHAR(255),
    realms TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth1_temporary_credential_oauth_token ON oauth1_temporary_credential (oauth_token);
CREATE INDEX oauth1_temporary_credential_client_id ON oauth1_temporary_credential (client_id);
CREATE INDEX oauth1_temporary_credential_expires_at ON oauth1_temporary_credential (expires_at);

CREATE TABLE oauth1_token_credential (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    user_id INTEGER NOT NULL,
    oauth_token VARCHAR(255) NOT NULL,
    oauth_token_secret VARCHAR(255) NOT NULL,
    realms TEXT NOT NULL,
    issued_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth1_token_credential_oauth_token ON oauth1_token_credential (oauth_token);
CREATE INDEX oauth1_token_credential_client_id ON oauth1_token_credential (client_id);
CREATE INDEX oauth1_token_credential_user_id ON oauth1_token_credential (user_id);

-- A nonce is recorded by inserting it: a unique violation means it was
-- seen. oauth_token is '' rather than NULL for requests without a token,
-- since NULLs never collide in a unique index. The engine refuses nonces
-- over 255 bytes.
CREATE TABLE oauth1_nonce (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    timestamp BIGINT NOT NULL,
    nonce VARCHAR(255) NOT NULL,
    oauth_token VARCHAR(255) NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth1_nonce_unique ON oauth1_nonce (client_id, timestamp, nonce, oauth_token);
CREATE INDEX oauth1_nonce_expires_at ON oauth1_nonce (expires_at);
