-- OpenID Connect: when and how the user logged in, the request's nonce and
-- the claims it asked for (JSON; oauth_core::Authentication), kept with the
-- code for its ID token and with the tokens for the ID tokens of refreshes
-- (OpenID Connect Core §12.2). NULL for grants without the openid scope.
ALTER TABLE oauth2_code ADD COLUMN authentication TEXT;
ALTER TABLE oauth2_token ADD COLUMN authentication TEXT;
