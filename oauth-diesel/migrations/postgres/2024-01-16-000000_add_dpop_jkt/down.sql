ALTER TABLE oauth2_code DROP COLUMN dpop_jkt;
ALTER TABLE oauth2_token DROP COLUMN dpop_jkt;
