-- client_secret_jwt (RFC 7523 §2.2, OpenID Connect Core §9): the secret
-- itself, sealed with the key encryption key, since its assertions are
-- signed with it by HMAC and a digest cannot check them. NULL for every
-- other client.
ALTER TABLE oauth2_client ADD COLUMN client_secret_sealed TEXT;
