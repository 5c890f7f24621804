ALTER TABLE oauth2_token DROP COLUMN dpop_jkt;
