-- When the refresh token was rotated out, kept while its one retry within
-- oauth2.lifetimes.refresh_token_grace_period is unused; NULL otherwise
-- (never rotated, retried, or revoked). Tokens are also found by user and
-- client, to withdraw a grant or forget a user.
ALTER TABLE oauth2_token ADD COLUMN refresh_token_rotated_at BIGINT;
CREATE INDEX oauth2_token_user_client ON oauth2_token (user_id, client_id);
