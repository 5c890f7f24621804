-- DPoP (RFC 9449): the RFC 7638 thumbprint of the key a token is bound to
-- (cnf.jkt); NULL for a bearer token.
ALTER TABLE oauth2_token ADD COLUMN dpop_jkt VARCHAR(64);
