-- Log-in sessions: the SHA-256 digest of the secret the browser's cookie
-- holds, who, when they logged in (OpenID Connect's auth_time), until when.
-- Logging out deletes the row; deleting a user deletes its sessions.
CREATE TABLE sessions (
    id VARCHAR(64) PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL,
    auth_time BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
