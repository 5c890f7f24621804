DROP TABLE oauth2_grant;
