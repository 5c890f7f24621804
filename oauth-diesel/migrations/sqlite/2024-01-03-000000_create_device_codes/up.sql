CREATE TABLE oauth2_device_code (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    device_code VARCHAR(255) NOT NULL,
    user_code VARCHAR(255),
    client_id VARCHAR(255) NOT NULL,
    user_id INTEGER,
    scope TEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    polling_interval BIGINT NOT NULL,
    last_polled_at BIGINT
);
CREATE UNIQUE INDEX oauth2_device_code_device_code ON oauth2_device_code (device_code);
CREATE UNIQUE INDEX oauth2_device_code_user_code ON oauth2_device_code (user_code);
CREATE INDEX oauth2_device_code_expires_at ON oauth2_device_code (expires_at);

CREATE TABLE oauth2_user_code_failure (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX oauth2_user_code_failure_user ON oauth2_user_code_failure (user_id, failed_at);
