CREATE TABLE oauth2_client (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER,
    client_id VARCHAR(255) NOT NULL,
    client_secret VARCHAR(255),
    client_id_issued_at BIGINT NOT NULL DEFAULT 0,
    client_secret_expires_at BIGINT NOT NULL DEFAULT 0,
    client_metadata TEXT NOT NULL
);
CREATE UNIQUE INDEX oauth2_client_client_id ON oauth2_client (client_id);
CREATE INDEX oauth2_client_user_id ON oauth2_client (user_id);

CREATE TABLE oauth2_token (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER,
    client_id VARCHAR(255) NOT NULL,
    token_type VARCHAR(40) NOT NULL,
    access_token VARCHAR(255) NOT NULL,
    refresh_token VARCHAR(255),
    scope TEXT NOT NULL,
    refresh_token_scope TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_in BIGINT NOT NULL,
    access_token_revoked_at BIGINT,
    refresh_token_revoked_at BIGINT,
    grant_id VARCHAR(255) NOT NULL
);
CREATE UNIQUE INDEX oauth2_token_access_token ON oauth2_token (access_token);
CREATE UNIQUE INDEX oauth2_token_refresh_token ON oauth2_token (refresh_token);
CREATE INDEX oauth2_token_grant_id ON oauth2_token (grant_id);
CREATE INDEX oauth2_token_client_id ON oauth2_token (client_id);
CREATE INDEX oauth2_token_issued_at ON oauth2_token (issued_at);

CREATE TABLE oauth2_code (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER NOT NULL,
    code VARCHAR(255) NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    redirect_uri TEXT,
    response_type VARCHAR(40) NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    auth_time BIGINT NOT NULL,
    code_challenge VARCHAR(128),
    code_challenge_method VARCHAR(16)
);
CREATE UNIQUE INDEX oauth2_code_code ON oauth2_code (code);
CREATE INDEX oauth2_code_client_id ON oauth2_code (client_id);
CREATE INDEX oauth2_code_auth_time ON oauth2_code (auth_time);
