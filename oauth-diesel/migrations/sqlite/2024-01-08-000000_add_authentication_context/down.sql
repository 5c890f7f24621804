ALTER TABLE oauth2_token DROP COLUMN authentication;
ALTER TABLE oauth2_code DROP COLUMN authentication;
