DROP INDEX oauth2_token_user_client;
ALTER TABLE oauth2_token DROP COLUMN refresh_token_rotated_at;
