//! A client row as the engine sees it: the metadata parsed once.

use std::ops::Deref;

use oauth_core::secrets::verify_client_secret;
use oauth_core::{ClientMetadata, OAuth2Client};

use crate::glue::{DieselClient, parse_metadata};

/// A client model's row, with its RFC 7591 metadata parsed when it was
/// loaded: the storage's `Client`. The engine asks a client for its
/// redirect URIs, grant types, response types, scope and authentication
/// method several times per request; each answer comes from this parse.
///
/// It dereferences to the row, so the site's own columns stay in reach;
/// the parsed metadata is [`OAuth2Client::metadata`].
///
/// ```
/// use oauth_core::{ClientMetadata, OAuth2Client};
/// use oauth_diesel::{LoadedClient, models::Client};
///
/// let row = Client {
///     id: 1,
///     user_id: None,
///     client_id: "app".into(),
///     client_secret: None,
///     client_metadata: r#"{"redirect_uris":["https://app.example/cb"],
///                          "token_endpoint_auth_method":"none"}"#.into(),
///     client_id_issued_at: 0,
///     client_secret_expires_at: 0,
///     client_secret_sealed: None,
/// };
/// let client = LoadedClient::new(row);
/// assert!(client.is_public());
/// assert!(client.check_redirect_uri("https://app.example/cb"));
/// assert_eq!(client.id, 1); // the row's own fields
/// ```
#[derive(Debug, Clone)]
pub struct LoadedClient<C> {
    row: C,
    metadata: ClientMetadata,
}

impl<C: DieselClient> LoadedClient<C> {
    /// Parses the row's metadata. Metadata that does not parse reads as
    /// empty (no redirect URIs, no grants): a damaged row can do nothing
    /// rather than anything.
    pub fn new(row: C) -> LoadedClient<C> {
        let metadata = parse_metadata(row.client_metadata_json());
        LoadedClient { row, metadata }
    }
}

impl<C> LoadedClient<C> {
    /// The row.
    pub fn row(&self) -> &C {
        &self.row
    }

    /// The row, taken back.
    pub fn into_row(self) -> C {
        self.row
    }
}

impl<C> Deref for LoadedClient<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.row
    }
}

impl<C: DieselClient> OAuth2Client for LoadedClient<C> {
    fn client_id(&self) -> &str {
        self.row.client_id()
    }
    fn check_client_secret(&self, secret: &str) -> bool {
        match self.row.client_secret_digest() {
            Some(digest) => verify_client_secret(digest, secret),
            None => false,
        }
    }
    fn client_secret_expires_at(&self) -> i64 {
        self.row.client_secret_expires_at()
    }
    fn metadata(&self) -> &ClientMetadata {
        &self.metadata
    }
    fn sealed_client_secret(&self) -> Option<&str> {
        self.row.client_secret_sealed()
    }
}
