DROP TABLE my_codes;
DROP TABLE my_tokens;
DROP TABLE my_clients;
DROP TABLE members;
