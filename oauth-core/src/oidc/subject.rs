//! Subject identifier types (OpenID Connect Core 1.0 §8): `public`, the
//! user id for every client, and `pairwise` (§8.1), a different value for
//! each sector (the host of the client's redirect URIs), so that clients
//! of different sites cannot tell that they serve the same user.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::models::{ClientMetadata, OAuth2Client};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// `subject_type` of a client that gets pairwise identifiers.
pub const PAIRWISE: &str = "pairwise";

/// The sector identifier of a client (§8.1): the one host of its redirect
/// URIs; `None` when they name several hosts (a `sector_identifier_uri`
/// would be needed, which this server does not fetch) or none.
pub fn sector_identifier(metadata: &ClientMetadata) -> Option<String> {
    let mut hosts = metadata.redirect_uris.iter().map(|uri| {
        url::Url::parse(uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
    });
    let first = hosts.next()??;
    hosts
        .all(|h| h.as_deref() == Some(first.as_str()))
        .then_some(first)
}

/// The pairwise identifier of `user_id` in `sector` (§8.1, the hash
/// construction): base64url of SHA-256 over the sector, the user id and
/// the salt, each length-prefixed so no two inputs run together.
///
/// ```
/// use oauth_core::oidc::subject::pairwise_subject;
/// let a = pairwise_subject("rp.example", "42", "salt");
/// assert_eq!(a, pairwise_subject("rp.example", "42", "salt"));
/// assert_ne!(a, pairwise_subject("other.example", "42", "salt"));
/// assert_ne!(a, pairwise_subject("rp.example", "42", "another salt"));
/// assert_eq!(a.len(), 43);
/// ```
pub fn pairwise_subject(sector: &str, user_id: &str, salt: &str) -> String {
    let mut hash = Sha256::new();
    for part in [sector, user_id, salt] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// How one client's subject identifiers are made: what
/// [`AuthorizationServer::subject_key`] gives, kept with a validated
/// request to compare an `id_token_hint` with the session's user. Its
/// `Debug` leaves the salt out.
#[derive(Clone, PartialEq, Eq)]
pub struct SubjectKey {
    /// The client's sector.
    sector: String,
    /// The server's salt.
    salt: String,
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectKey")
            .field("sector", &self.sector)
            .finish_non_exhaustive()
    }
}

impl SubjectKey {
    /// The identifier of `user_id` for this client.
    pub fn subject(&self, user_id: &str) -> String {
        pairwise_subject(&self.sector, user_id, &self.salt)
    }
}

/// The identifier of `user_id` for a client whose key is `key`: the user
/// id itself for a `public` client.
pub fn subject_of(key: Option<&SubjectKey>, user_id: &str) -> String {
    match key {
        Some(key) => key.subject(user_id),
        None => user_id.to_owned(),
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The pairwise key of `client`, if it is registered with
    /// `subject_type: pairwise` (and the server has a salt and the client
    /// a sector); `None` for a public client.
    pub fn subject_key<C: OAuth2Client + ?Sized>(&self, client: &C) -> Option<SubjectKey> {
        let metadata = client.metadata();
        if metadata.subject_type.as_deref() != Some(PAIRWISE) {
            return None;
        }
        Some(SubjectKey {
            sector: sector_identifier(metadata)?,
            salt: self.config.pairwise_salt.as_ref()?.secret().to_owned(),
        })
    }

    /// The `sub` that `client` knows `user_id` by (§8).
    pub fn subject_for<C: OAuth2Client + ?Sized>(&self, client: &C, user_id: &str) -> String {
        subject_of(self.subject_key(client).as_ref(), user_id)
    }
}
