DROP TABLE oauth2_password_failure;
