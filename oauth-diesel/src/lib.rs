//! Diesel storage for the `oauth-core` engine.
//!
//! Not implemented yet: until it is, `oauth_core::memory::MemoryStorage` is the
//! storage the engine ships with.
