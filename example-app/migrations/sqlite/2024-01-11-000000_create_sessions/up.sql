-- Log-in sessions: the SHA-256 digest of the secret the browser's cookie
-- holds, who, when they logged in (OpenID Connect's auth_time), until when.
-- Logging out deletes the row; deleting a user deletes its sessions.
CREATE TABLE sessions (
    id VARCHAR(64) PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_time BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
