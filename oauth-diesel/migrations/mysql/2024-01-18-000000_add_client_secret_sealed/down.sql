ALTER TABLE oauth2_client DROP COLUMN client_secret_sealed;
