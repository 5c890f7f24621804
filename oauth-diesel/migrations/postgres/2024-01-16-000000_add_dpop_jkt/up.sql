-- DPoP (RFC 9449): the RFC 7638 thumbprint of the key a token is bound to
-- (cnf.jkt), and of the key a code is bound to (dpop_jkt, §10); NULL when
-- unbound.
ALTER TABLE oauth2_token ADD COLUMN dpop_jkt VARCHAR(64);
ALTER TABLE oauth2_code ADD COLUMN dpop_jkt VARCHAR(64);
