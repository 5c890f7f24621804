DROP TABLE oauth2_registration_token;
