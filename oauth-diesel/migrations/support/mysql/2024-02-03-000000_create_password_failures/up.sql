-- Wrong passwords at the password grant (RFC 6749 §4.3.2: the server MUST
-- protect the endpoint against brute force), counted per username (its
-- SHA-256 digest, so the table holds no names a guesser typed) and per
-- client address (an address key: IPv4, or an IPv6 /64), for
-- oauth2.limits.password.
CREATE TABLE oauth2_password_failure (
    id INTEGER PRIMARY KEY AUTO_INCREMENT NOT NULL,
    username_digest VARCHAR(64) NOT NULL,
    failed_at BIGINT NOT NULL,
    client_address VARCHAR(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX oauth2_password_failure_username ON oauth2_password_failure (username_digest, failed_at);
CREATE INDEX oauth2_password_failure_address ON oauth2_password_failure (client_address, failed_at);
