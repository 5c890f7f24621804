DROP TABLE oauth2_code;
DROP TABLE oauth2_token;
DROP TABLE oauth2_client;
