DROP TABLE oauth2_used_jti;
