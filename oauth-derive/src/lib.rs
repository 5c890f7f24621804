//! Derive macros for the `oauth-core` model traits.
//!
//! The derives (`OAuth2Client`, `OAuth2Token`, `OAuth2AuthorizationCode`) are
//! not implemented yet; this crate is a placeholder in the workspace so that
//! the layout is fixed from the start.
