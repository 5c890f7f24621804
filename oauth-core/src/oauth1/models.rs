//! What the OAuth 1.0a engine needs to know of a client, a temporary
//! credential and a token credential (RFC 5849 §1.1): the Rust form of
//! Authlib's `ClientMixin`, `TemporaryCredentialMixin` and
//! `TokenCredentialMixin`.
//!
//! The engine only reads through these traits; a derive can implement them
//! on a Diesel struct from its columns. New records go the other way as
//! plain structs ([`TemporaryCredentialRecord`], [`TokenCredentialRecord`])
//! that storage persists, and the in-memory storage implements the traits
//! on them.
//!
//! Unlike OAuth 2.0 tokens, OAuth 1.0a secrets are kept in clear: the
//! client secret and the token secrets are the HMAC-SHA1 key (§3.4.2), and
//! the server must recompute the MAC. A digest would only work if the
//! client signed with the digest, which would then be the secret. Keep
//! these columns as protected as private keys. The `oauth_verifier` is not
//! a signing key, so only its SHA-256 digest is stored.

use serde::{Deserialize, Serialize};

use crate::secrets::{ClientSecret, CredentialSecret};

/// A registered OAuth 1.0a client.
pub trait OAuth1Client: Send + Sync {
    /// The client identifier (`oauth_consumer_key`).
    fn client_id(&self) -> &str;

    /// The shared secret, in clear: it is the HMAC-SHA1 key and the
    /// PLAINTEXT signature, so it cannot be stored hashed (see the module
    /// documentation). Empty when the client signs only with RSA-SHA1;
    /// HMAC-SHA1 and PLAINTEXT are then refused for it.
    fn client_secret(&self) -> &str;

    /// The client's RSA public key in PEM (`BEGIN PUBLIC KEY` or
    /// `BEGIN RSA PUBLIC KEY`), for RSA-SHA1 (§3.4.3).
    fn rsa_public_key(&self) -> Option<&str> {
        None
    }

    /// The registered callback URIs.
    fn redirect_uris(&self) -> Vec<String>;

    /// Whether `oauth_callback` may be used: `oob` (§2.1, out of band), or
    /// a registered URI by exact string comparison. Override to refuse
    /// `oob` or to be stricter still.
    fn check_callback(&self, callback: &str) -> bool {
        callback == "oob" || self.redirect_uris().iter().any(|r| r == callback)
    }

    /// The realms a temporary credential gets when its request names none;
    /// also the most it may ask for (see [`OAuth1Client::check_realms`]).
    fn default_realms(&self) -> Vec<String> {
        Vec::new()
    }

    /// Whether the client may ask for every realm in `requested`: by
    /// default, those in [`OAuth1Client::default_realms`].
    fn check_realms(&self, requested: &[String]) -> bool {
        let allowed = self.default_realms();
        requested.iter().all(|r| allowed.contains(r))
    }

    /// A name to show the resource owner (consent page).
    fn client_name(&self) -> Option<String> {
        None
    }
}

/// A temporary credential (§2.1): issued to a client, authorized once by a
/// resource owner (§2.2), exchanged once for a token credential (§2.3).
pub trait OAuth1TemporaryCredential: Send + Sync {
    /// The temporary credential identifier (`oauth_token`).
    fn oauth_token(&self) -> &str;
    /// The temporary credential secret, in clear (an HMAC-SHA1 key).
    fn oauth_token_secret(&self) -> &str;
    /// The client it was issued to.
    fn client_id(&self) -> &str;
    /// The `oauth_callback` of the request: a registered URI or `oob`.
    fn callback(&self) -> &str;
    /// SHA-256 digest of the `oauth_verifier`, once authorized.
    fn verifier_digest(&self) -> Option<&str>;
    /// The resource owner who authorized it, once authorized.
    fn user_id(&self) -> Option<String>;
    /// The realms the client asked for (space-delimited in storage).
    fn realms(&self) -> Vec<String>;
    /// When it expires (Unix seconds).
    fn expires_at(&self) -> i64;

    /// Whether it has expired at `now`.
    fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at()
    }
    /// Whether a resource owner has authorized it.
    fn is_authorized(&self) -> bool {
        self.verifier_digest().is_some() && self.user_id().is_some()
    }
}

/// A token credential (§2.3): what a client signs resource requests with.
pub trait OAuth1TokenCredential: Send + Sync {
    /// The token identifier (`oauth_token`).
    fn oauth_token(&self) -> &str;
    /// The token secret, in clear (an HMAC-SHA1 key).
    fn oauth_token_secret(&self) -> &str;
    /// The client it was issued to.
    fn client_id(&self) -> &str;
    /// The resource owner who authorized it.
    fn user_id(&self) -> String;
    /// The realms it covers.
    fn realms(&self) -> Vec<String>;
}

/// A temporary credential as the engine creates it, and as the in-memory
/// storage keeps it. Storage receives it without `user_id` and
/// `verifier_digest`; those are set once, by
/// [`OAuth1Storage::authorize_temporary_credential`](crate::oauth1::OAuth1Storage::authorize_temporary_credential).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryCredentialRecord {
    /// `oauth_token`.
    pub oauth_token: String,
    /// `oauth_token_secret`.
    pub oauth_token_secret: CredentialSecret,
    /// The client it was issued to.
    pub client_id: String,
    /// `oauth_callback`: a registered URI or `oob`.
    pub oauth_callback: String,
    /// Space-delimited realms.
    pub realms: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// The resource owner, once authorized.
    pub user_id: Option<String>,
    /// SHA-256 digest of the verifier, once authorized.
    pub verifier_digest: Option<String>,
}

impl OAuth1TemporaryCredential for TemporaryCredentialRecord {
    fn oauth_token(&self) -> &str {
        &self.oauth_token
    }
    fn oauth_token_secret(&self) -> &str {
        self.oauth_token_secret.secret()
    }
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn callback(&self) -> &str {
        &self.oauth_callback
    }
    fn verifier_digest(&self) -> Option<&str> {
        self.verifier_digest.as_deref()
    }
    fn user_id(&self) -> Option<String> {
        self.user_id.clone()
    }
    fn realms(&self) -> Vec<String> {
        split_realms(&self.realms)
    }
    fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

/// A token credential as the engine issues it and storage persists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCredentialRecord {
    /// `oauth_token`.
    pub oauth_token: String,
    /// `oauth_token_secret`.
    pub oauth_token_secret: CredentialSecret,
    /// The client it was issued to.
    pub client_id: String,
    /// The resource owner who authorized it.
    pub user_id: String,
    /// Space-delimited realms.
    pub realms: String,
    /// Unix seconds.
    pub issued_at: i64,
}

impl OAuth1TokenCredential for TokenCredentialRecord {
    fn oauth_token(&self) -> &str {
        &self.oauth_token
    }
    fn oauth_token_secret(&self) -> &str {
        self.oauth_token_secret.secret()
    }
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn user_id(&self) -> String {
        self.user_id.clone()
    }
    fn realms(&self) -> Vec<String> {
        split_realms(&self.realms)
    }
}

/// A ready-made OAuth 1.0a client record (what the in-memory storage
/// keeps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth1ClientRecord {
    /// `oauth_consumer_key`.
    pub client_id: String,
    /// The shared secret, in clear (empty for an RSA-only client).
    pub client_secret: ClientSecret,
    /// PEM RSA public key, for RSA-SHA1.
    pub rsa_public_key: Option<String>,
    /// Registered callback URIs.
    pub redirect_uris: Vec<String>,
    /// Default (and allowed) realms.
    pub default_realms: Vec<String>,
    /// Human-readable name.
    pub client_name: Option<String>,
}

impl OAuth1ClientRecord {
    /// A client with a shared secret and these callback URIs.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uris: impl IntoIterator<Item = impl Into<String>>,
    ) -> OAuth1ClientRecord {
        OAuth1ClientRecord {
            client_id: client_id.into(),
            client_secret: ClientSecret::new(client_secret),
            rsa_public_key: None,
            redirect_uris: redirect_uris.into_iter().map(Into::into).collect(),
            default_realms: Vec::new(),
            client_name: None,
        }
    }

    /// With an RSA public key (PEM).
    pub fn with_rsa_public_key(mut self, pem: impl Into<String>) -> Self {
        self.rsa_public_key = Some(pem.into());
        self
    }

    /// With default (and allowed) realms.
    pub fn with_default_realms(
        mut self,
        realms: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.default_realms = realms.into_iter().map(Into::into).collect();
        self
    }
}

impl OAuth1Client for OAuth1ClientRecord {
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn client_secret(&self) -> &str {
        self.client_secret.secret()
    }
    fn rsa_public_key(&self) -> Option<&str> {
        self.rsa_public_key.as_deref()
    }
    fn redirect_uris(&self) -> Vec<String> {
        self.redirect_uris.clone()
    }
    fn default_realms(&self) -> Vec<String> {
        self.default_realms.clone()
    }
    fn client_name(&self) -> Option<String> {
        self.client_name.clone()
    }
}

/// Realms as stored: space-delimited.
pub fn split_realms(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}
