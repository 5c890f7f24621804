//! OpenID Connect, one module per part of the specification.
//!
//! - [`claims`]: the claims each scope stands for (§5.4), the `claims`
//!   request parameter (§5.5), and what is released by both.
//! - [`id_token`]: the ID Token (OpenID Connect Core 1.0 §2) and the hashes
//!   that bind it to an access token or a code (§3.1.3.6, §3.3.2.11).

pub mod claims;
pub mod id_token;

pub use claims::{ClaimRequest, ClaimsRequest, claims_of_scope, release_claims};
pub use id_token::{IdTokenClaims, token_hash};
