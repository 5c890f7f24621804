//! Remembered consent: recording each grant at the authorization endpoint,
//! and telling the site whether a new request is covered by one.

use async_trait::async_trait;

use crate::consent::{GrantStorage, NewGrant, OAuth2Grant};
use crate::error::OAuth2Error;
use crate::models::OAuth2Client;
use crate::oauth2::rfc6749::authorization::{AuthorizationRequest, Login};
use crate::oauth2::rfc6749::authorization_hooks::AuthorizationHook;
use crate::oauth2::server::AuthorizationServer;
use crate::oidc::ClaimsRequest;
use crate::scope::Scope;
use crate::storage::StorageResult;

/// What the user already granted, measured against a request
/// ([`AuthorizationServer::remembered_consent`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RememberedConsent {
    /// Nothing may be skipped: no grant on record (or one older than
    /// [`remember_for`](crate::config::ConsentSettings::remember_for)), a
    /// public client (RFC 6749 §10.2), or `prompt=consent` (OpenID Connect
    /// Core §3.1.2.1). Show the whole consent page.
    No,
    /// The request asks for nothing beyond what was granted: the page may
    /// be skipped.
    Covered {
        /// When the user last granted the client.
        since: i64,
    },
    /// Some of the request was granted before: ask for the rest only.
    Partly {
        /// Requested scopes granted before.
        granted: Scope,
        /// Requested scopes not granted before.
        new_scopes: Scope,
        /// Claims asked for by name and not granted before.
        new_claims: Scope,
    },
}

impl RememberedConsent {
    /// Whether the consent page may be skipped: the `consent_remembered` of
    /// [`AuthorizationRequest::interaction`].
    pub fn covers(&self) -> bool {
        matches!(self, RememberedConsent::Covered { .. })
    }
}

/// The claims a request asks for by name (the `claims` parameter's
/// `userinfo` and `id_token` members).
fn claims_named<C>(request: &AuthorizationRequest<C>) -> Scope {
    request
        .extensions
        .get::<ClaimsRequest>()
        .map(|c| Scope::from_tokens(c.userinfo.keys().chain(c.id_token.keys())))
        .unwrap_or_default()
}

/// Records a grant each time a user grants a request at the authorization
/// endpoint (before anything is issued for it: a grant that cannot be
/// recorded is a `server_error`, and nothing is issued). Registered by
/// [`AuthorizationServer::with_grants`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordGrants;

#[async_trait]
impl<S: GrantStorage> AuthorizationHook<S> for RecordGrants {
    async fn granting(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<(), OAuth2Error> {
        server
            .save_consent(
                &login.user_id,
                request.client.client_id(),
                &request.scope,
                claims_named(request),
            )
            .await?;
        Ok(())
    }
}

impl<S: GrantStorage> AuthorizationServer<S> {
    /// Records that `user_id` granted `client_id` the `scope` somewhere
    /// other than the authorization endpoint (which records its grants
    /// itself with [`with_grants`](Self::with_grants)): the device flow's
    /// verification page after [`approve_user_code`](Self::approve_user_code),
    /// a site's own consent screen. The grant is then listed and withdrawn
    /// like the others.
    pub async fn record_grant(
        &self,
        user_id: &str,
        client_id: &str,
        scope: &Scope,
    ) -> StorageResult<()> {
        self.save_consent(user_id, client_id, scope, Scope::empty())
            .await
    }

    /// A consent, merged into the user's grant to the client.
    async fn save_consent(
        &self,
        user_id: &str,
        client_id: &str,
        scope: &Scope,
        claims: Scope,
    ) -> StorageResult<()> {
        self.storage
            .save_grant(NewGrant {
                client_id: client_id.to_owned(),
                user_id: user_id.to_owned(),
                scope: scope.to_string(),
                claims: claims.to_string(),
                at: self.now(),
            })
            .await
    }

    /// Records the grants users give at the authorization endpoint
    /// ([`RecordGrants`]), for [`remembered_consent`](Self::remembered_consent)
    /// and for the list of what a user has granted
    /// ([`grants_of`](Self::grants_of)).
    pub fn with_grants(self) -> Self {
        self.with_authorization_hook(RecordGrants)
    }

    /// Whether `user_id` already granted what `request` asks: scopes, and
    /// claims asked for by name. Never for a public client unless
    /// [`remember_public_clients`](crate::config::ConsentSettings::remember_public_clients)
    /// is on (RFC 6749 §10.2: its identity is not proven, so a skipped page
    /// could grant an impostor), and never with `prompt=consent`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use oauth_core::consent::RememberedConsent;
    /// use oauth_core::memory::MemoryStorage;
    /// use oauth_core::{AuthorizationServer, ClientMetadata, ClientRecord, Config, Consent, Login};
    /// use oauth_core::OAuth2Request;
    ///
    /// let storage = MemoryStorage::new();
    /// storage.insert_client(ClientRecord::confidential("app", "s3cret", ClientMetadata {
    ///     redirect_uris: vec!["https://app.example/cb".into()],
    ///     scope: Some("read write".into()),
    ///     ..ClientMetadata::default()
    /// }));
    /// let server = AuthorizationServer::new(storage, Config::default())?.with_grants();
    /// let ask = |scope: &str| OAuth2Request::get(format!(
    ///     "https://as.example/authorize?response_type=code&client_id=app&state=s&scope={scope}"));
    /// let read = server.validate_authorization_request(&ask("read")).await.unwrap();
    /// assert_eq!(server.remembered_consent(&read, "42").await?, RememberedConsent::No);
    /// server.complete_authorization(&read, Consent::LoggedIn(Login::user("42"))).await;
    /// assert!(server.remembered_consent(&read, "42").await?.covers());
    /// let more = server.validate_authorization_request(&ask("read%20write")).await.unwrap();
    /// assert!(matches!(server.remembered_consent(&more, "42").await?,
    ///     RememberedConsent::Partly { new_scopes, .. } if new_scopes.to_string() == "write"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn remembered_consent(
        &self,
        request: &AuthorizationRequest<S::Client>,
        user_id: &str,
    ) -> StorageResult<RememberedConsent> {
        let settings = &self.config.consent;
        let prompt_consent = request.oidc().is_some_and(|o| o.prompt_consent);
        if prompt_consent || (request.client.is_public() && !settings.remember_public_clients) {
            return Ok(RememberedConsent::No);
        }
        let Some(grant) = self
            .storage
            .find_grant(user_id, request.client.client_id())
            .await?
        else {
            return Ok(RememberedConsent::No);
        };
        let now = self.now();
        if settings
            .remember_for
            .is_some_and(|secs| grant.updated_at() <= now.saturating_sub(secs))
        {
            return Ok(RememberedConsent::No);
        }
        let granted_scope = grant.scope();
        let new_scopes = request.scope.difference(&granted_scope);
        let new_claims = claims_named(request).difference(&grant.claims());
        if new_scopes.is_empty() && new_claims.is_empty() {
            return Ok(RememberedConsent::Covered {
                since: grant.updated_at(),
            });
        }
        let granted = request.scope.intersection(&granted_scope);
        if granted.is_empty() && grant.claims().is_empty() {
            return Ok(RememberedConsent::No);
        }
        Ok(RememberedConsent::Partly {
            granted,
            new_scopes,
            new_claims,
        })
    }
}
