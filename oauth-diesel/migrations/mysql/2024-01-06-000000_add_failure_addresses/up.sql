-- The client address of each wrong client secret and each wrong user code
-- (an address key: IPv4, or an IPv6 /64), for the per-address limits
-- (Config::client_auth_max_failures_per_address,
-- Config::user_code_max_failures_per_address). NULL when the address was
-- not known.
ALTER TABLE oauth2_client_auth_failure ADD COLUMN client_address VARCHAR(64);
CREATE INDEX oauth2_client_auth_failure_address ON oauth2_client_auth_failure (client_address, failed_at);
ALTER TABLE oauth2_user_code_failure ADD COLUMN client_address VARCHAR(64);
CREATE INDEX oauth2_user_code_failure_address ON oauth2_user_code_failure (client_address, failed_at);
