-- The tables the storage uses beside the models of a site (for a site on
-- tables of its own, instead of the standard set, which has them too):
-- the guessing-limit counters of client secrets and device user codes
-- (RFC 6819 §5.1.4.2.3, RFC 8628 §5.1), and the standard device code table
-- of the default device code model.
CREATE TABLE oauth2_client_auth_failure (
    id SERIAL PRIMARY KEY,
    client_id VARCHAR(255) NOT NULL,
    failed_at BIGINT NOT NULL,
    client_address VARCHAR(64)
);
CREATE INDEX oauth2_client_auth_failure_client ON oauth2_client_auth_failure (client_id, failed_at);
CREATE INDEX oauth2_client_auth_failure_address ON oauth2_client_auth_failure (client_address, failed_at);

CREATE TABLE oauth2_user_code_failure (
    id SERIAL PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    failed_at BIGINT NOT NULL,
    client_address VARCHAR(64)
);
CREATE INDEX oauth2_user_code_failure_user ON oauth2_user_code_failure (user_id, failed_at);
CREATE INDEX oauth2_user_code_failure_address ON oauth2_user_code_failure (client_address, failed_at);

CREATE TABLE oauth2_device_code (
    id SERIAL PRIMARY KEY,
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
