-- Registration access tokens (RFC 7592 §3), by their SHA-256 digest: the
-- bearer credential of a client's configuration endpoint. One per client;
-- deleted with the client.
CREATE TABLE oauth2_registration_token (
    id SERIAL PRIMARY KEY,
    token_digest VARCHAR(64) NOT NULL,
    client_id VARCHAR(255) NOT NULL
);
CREATE UNIQUE INDEX oauth2_registration_token_digest ON oauth2_registration_token (token_digest);
CREATE INDEX oauth2_registration_token_client ON oauth2_registration_token (client_id);
