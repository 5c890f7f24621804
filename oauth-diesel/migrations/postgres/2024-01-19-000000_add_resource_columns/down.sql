ALTER TABLE oauth2_token DROP COLUMN actor;
ALTER TABLE oauth2_token DROP COLUMN refresh_token_audience;
ALTER TABLE oauth2_token DROP COLUMN audience;
ALTER TABLE oauth2_code DROP COLUMN audience;
