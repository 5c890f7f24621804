-- Pushed authorization requests (RFC 9126), by the SHA-256 digest of their
-- request_uri, until used or expired. params is the request's parameters,
-- form-urlencoded, without the client's credentials. A request is used
-- once: whoever's DELETE removed the row used it.
CREATE TABLE oauth2_pushed_request (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    request_uri_digest VARCHAR(64) NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    params TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth2_pushed_request_digest ON oauth2_pushed_request (request_uri_digest);
CREATE INDEX oauth2_pushed_request_expires_at ON oauth2_pushed_request (expires_at);
