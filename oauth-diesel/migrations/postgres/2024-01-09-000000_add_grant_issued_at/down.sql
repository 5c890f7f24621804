ALTER TABLE oauth2_token DROP COLUMN grant_issued_at;
