-- The client address of each wrong client secret (an address key: IPv4,
-- or an IPv6 /64), for the per-address limit
-- (Config::client_auth_max_failures_per_address). NULL when the address
-- was not known.
ALTER TABLE oauth2_client_auth_failure ADD COLUMN client_address VARCHAR(64);
CREATE INDEX oauth2_client_auth_failure_address ON oauth2_client_auth_failure (client_address, failed_at);
