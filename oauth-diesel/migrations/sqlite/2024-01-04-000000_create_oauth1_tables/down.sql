DROP TABLE oauth1_nonce;
DROP TABLE oauth1_token_credential;
DROP TABLE oauth1_temporary_credential;
DROP TABLE oauth1_client;
