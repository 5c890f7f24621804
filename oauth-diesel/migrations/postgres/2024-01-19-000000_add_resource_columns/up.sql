-- RFC 8707 resource indicators: the resources a code's request named,
-- an access token is for (its aud), and its refresh token may ask for;
-- space-separated, NULL when not restricted. RFC 8693 token exchange: the
-- act claim of a delegated token, as JSON.
ALTER TABLE oauth2_code ADD COLUMN audience TEXT;
ALTER TABLE oauth2_token ADD COLUMN audience TEXT;
ALTER TABLE oauth2_token ADD COLUMN refresh_token_audience TEXT;
ALTER TABLE oauth2_token ADD COLUMN actor TEXT;
