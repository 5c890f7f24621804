//! OpenID Connect, one module per part of the specification.
//!
//! - [`authorize`]: the parameters of an authentication request (§3.1.2.1:
//!   `prompt`, `max_age`, `id_token_hint`, ...) and what the site does
//!   next ([`Interaction`]).
//! - [`claims`]: the claims each scope stands for (§5.4), the `claims`
//!   request parameter (§5.5), and what is released by both.
//! - [`discovery`]: the OpenID Provider Metadata (Discovery 1.0 §3).
//! - [`id_token`]: the ID Token (OpenID Connect Core 1.0 §2) and the hashes
//!   that bind it to an access token or a code (§3.1.3.6, §3.3.2.11).
//! - [`logout`]: RP-Initiated Logout 1.0 (the end-session endpoint).
//! - [`registration`]: the client metadata of Dynamic Registration §2.
//! - [`response_types`]: `id_token` and the hybrid response types
//!   (§3.2, §3.3).
//! - [`subject`]: `public` and `pairwise` subject identifiers (§8).
//! - [`token`]: ID tokens from the token endpoint (§3.1.3.3, §12.2) and
//!   [`with_openid_connect`](crate::AuthorizationServer::with_openid_connect).
//! - [`userinfo`]: the UserInfo endpoint (§5.3) and [`UserClaims`], what
//!   a site's user model says of the user.

/// The scope value that makes a request an OpenID Connect one (§3.1.2.1).
pub const OPENID: &str = "openid";

pub mod authorize;
pub mod claims;
pub mod discovery;
pub mod id_token;
pub mod logout;
pub mod registration;
pub mod response_types;
pub mod subject;
pub mod token;
pub mod userinfo;

pub use authorize::{Interaction, OidcRequest, OpenIdConnectHook};
pub use claims::{ClaimRequest, ClaimsRequest, claims_of_scope, release_claims};
pub use discovery::OpenIdConnect;
pub use id_token::{IdTokenClaims, IdTokenHint, token_hash};
pub use logout::EndSession;
pub use response_types::OidcResponse;
pub use token::IdTokenHook;
pub use userinfo::UserClaims;
