DROP INDEX oauth2_token_user_client ON oauth2_token;
ALTER TABLE oauth2_token DROP COLUMN refresh_token_rotated_at;
