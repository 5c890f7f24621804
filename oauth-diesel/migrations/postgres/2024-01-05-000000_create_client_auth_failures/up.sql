-- Wrong client secrets, per client: the storage-held limit on online
-- guessing (Config::client_auth_max_failures).
CREATE TABLE oauth2_client_auth_failure (
    id SERIAL PRIMARY KEY,
    client_id VARCHAR(255) NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX oauth2_client_auth_failure_client ON oauth2_client_auth_failure (client_id, failed_at);
