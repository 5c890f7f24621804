DROP TABLE oauth2_signing_key;
