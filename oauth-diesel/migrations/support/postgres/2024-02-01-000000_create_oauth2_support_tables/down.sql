DROP TABLE oauth2_device_code;
DROP TABLE oauth2_user_code_failure;
DROP TABLE oauth2_client_auth_failure;
