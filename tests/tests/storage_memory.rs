//! The storage conformance suite on the in-memory storage.

oauth_tests::all_storage_tests!(Some(((), oauth_core::memory::MemoryStorage::new())));
