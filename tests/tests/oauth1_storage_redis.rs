//! The OAuth 1.0a storage conformance suite on Redis (`REDIS_URL`) in front
//! of SQLite: temporary credentials and nonces in Redis, clients and token
//! credentials in the database.

use oauth_tests::suite_oauth1::RedisStore;

oauth_tests::all_oauth1_storage_tests!(RedisStore::with_storage().await);
oauth_tests::all_oauth1_store_tests!(RedisStore::new());
oauth_tests::oauth1_tests!(store = RedisStore::new(); redis_values_expire);
