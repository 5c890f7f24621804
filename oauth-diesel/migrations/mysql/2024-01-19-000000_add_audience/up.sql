-- RFC 8707 resource indicators: the resources a code's request named,
-- an access token is for (its aud), and its refresh token may ask for;
-- space-separated, NULL when not restricted.
ALTER TABLE oauth2_code ADD COLUMN audience TEXT;
ALTER TABLE oauth2_token ADD COLUMN audience TEXT;
ALTER TABLE oauth2_token ADD COLUMN refresh_token_audience TEXT;
