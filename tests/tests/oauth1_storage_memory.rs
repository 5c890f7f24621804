//! The OAuth 1.0a storage conformance suite on the in-memory storage.

oauth_tests::all_oauth1_storage_tests!(Some(((), oauth_core::memory::MemoryStorage::new())));
