//! OpenID Connect, one module per part of the specification.
//!
//! - [`id_token`]: the ID Token (OpenID Connect Core 1.0 §2) and the hashes
//!   that bind it to an access token or a code (§3.1.3.6, §3.3.2.11).

pub mod id_token;

pub use id_token::{IdTokenClaims, token_hash};
