//! RFC 8693, OAuth 2.0 Token Exchange, as a grant of the token endpoint
//! (`grant_type=urn:ietf:params:oauth:grant-type:token-exchange`): a
//! client presents an access token of this server (`subject_token`), and
//! optionally one of whoever acts for its subject (`actor_token`), and
//! gets a new access token for the resources it names (`resource`,
//! `audience`), with the subject's scope or less.
//!
//! - The subject and actor tokens are access tokens of this server (types
//!   `access_token`, or `jwt` for its RFC 9068 ones), live; anything else
//!   is `invalid_request` (§2.2.2).
//! - The new token acts for the subject's user, is for the named resources
//!   only (RFC 8707: `invalid_target` when none is named or one is
//!   unknown), has at most the subject token's scope (`invalid_scope`),
//!   belongs to the subject's grant (revoking that grant revokes it), and
//!   has no refresh token (§2.2.1: optional; it lives as its subject).
//! - With an actor token, it carries `act` (§4.1): the actor's `sub`, and
//!   the actors before it nested.
//! - A policy ([`ExchangePolicy`]) decides which client may exchange
//!   which token; by default a client exchanges its own tokens, and a
//!   resource server (a client registered with `resource_server`) the
//!   tokens sent to its resource, as a service does that calls another on
//!   its caller's behalf.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::models::{ClientMetadata, OAuth2Client, OAuth2Token};
use crate::oauth2::rfc6749::grants::{IssuedToken, TokenGrant};
use crate::oauth2::rfc8707::{Audience, RESOURCE};
use crate::oauth2::server::{AuthorizationServer, TokenSpec};
use crate::scope::Scope;
use crate::secrets;
use crate::storage::OAuth2Storage;

/// The grant type (§2.1).
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// An OAuth 2.0 access token (§3).
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// A JWT (§3): this server's RFC 9068 access tokens.
pub const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// What a policy learns of a presented token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacts {
    /// The client it was issued to.
    pub client_id: String,
    /// The user it acts for.
    pub user_id: Option<String>,
    /// Its scope.
    pub scope: Scope,
    /// Its resources (RFC 8707).
    pub audience: Vec<String>,
}

/// An exchange, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The subject token's facts.
    pub subject: TokenFacts,
    /// The actor token's, if one was presented.
    pub actor: Option<TokenFacts>,
    /// The resources the new token would be for.
    pub audience: Vec<String>,
    /// The scope it would have.
    pub scope: Scope,
}

/// Decides whether a client may make an exchange (§5: the server's
/// policy); a refusal is answered as it is (`invalid_request` for tokens
/// the client may not use, §2.2.2).
pub trait ExchangePolicy: Send + Sync {
    /// `Ok` to let `client_id` (with `metadata`) make `exchange`.
    fn allows(
        &self,
        client_id: &str,
        metadata: &ClientMetadata,
        exchange: &Exchange,
    ) -> Result<(), OAuth2Error>;
}

impl<F> ExchangePolicy for F
where
    F: Fn(&str, &ClientMetadata, &Exchange) -> Result<(), OAuth2Error> + Send + Sync,
{
    fn allows(
        &self,
        client_id: &str,
        metadata: &ClientMetadata,
        exchange: &Exchange,
    ) -> Result<(), OAuth2Error> {
        self(client_id, metadata, exchange)
    }
}

/// The default policy: a token may be exchanged by the client it was
/// issued to, or by the resource server of one of its resources.
#[derive(Debug, Default, Clone, Copy)]
pub struct OwnOrAudience;

impl OwnOrAudience {
    fn may_use(client_id: &str, metadata: &ClientMetadata, token: &TokenFacts) -> bool {
        token.client_id == client_id
            || metadata
                .resource_server
                .as_ref()
                .is_some_and(|r| token.audience.contains(r))
    }
}

impl ExchangePolicy for OwnOrAudience {
    fn allows(
        &self,
        client_id: &str,
        metadata: &ClientMetadata,
        exchange: &Exchange,
    ) -> Result<(), OAuth2Error> {
        let tokens = std::iter::once(&exchange.subject).chain(exchange.actor.as_ref());
        for token in tokens {
            if !Self::may_use(client_id, metadata, token) {
                return Err(OAuth2Error::invalid_request(
                    "this client may not exchange this token: it was neither issued to it nor sent to its resource",
                ));
            }
        }
        Ok(())
    }
}

/// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`
/// ([`AuthorizationServer::with_token_exchange`]); confidential clients
/// only.
#[derive(Clone)]
pub struct TokenExchangeGrant {
    policy: Arc<dyn ExchangePolicy>,
}

impl TokenExchangeGrant {
    /// The grant with the default policy ([`OwnOrAudience`]).
    pub fn new() -> TokenExchangeGrant {
        TokenExchangeGrant::with_policy(OwnOrAudience)
    }

    /// The grant with `policy`.
    pub fn with_policy(policy: impl ExchangePolicy + 'static) -> TokenExchangeGrant {
        TokenExchangeGrant {
            policy: Arc::new(policy),
        }
    }
}

impl Default for TokenExchangeGrant {
    fn default() -> TokenExchangeGrant {
        TokenExchangeGrant::new()
    }
}

/// A presented token of `kind` (`subject` or `actor`), found and live.
async fn presented<S: OAuth2Storage>(
    server: &AuthorizationServer<S>,
    request: &OAuth2Request,
    kind: &str,
) -> Result<Option<S::Token>, OAuth2Error> {
    let form = &request.form;
    let token = form.single(&format!("{kind}_token"))?;
    let token_type = form.single(&format!("{kind}_token_type"))?;
    let (token, token_type) = match (token, token_type) {
        (None, None) => return Ok(None),
        (Some(t), Some(tt)) => (t, tt),
        // §2.1: actor_token_type is required with actor_token and must not
        // be sent without it; subject_token and its type are required.
        (Some(_), None) => {
            return Err(OAuth2Error::invalid_request(format!(
                "{kind}_token_type is required with {kind}_token"
            )));
        }
        (None, Some(_)) => {
            return Err(OAuth2Error::invalid_request(format!(
                "{kind}_token_type must not be sent without {kind}_token"
            )));
        }
    };
    match token_type {
        ACCESS_TOKEN_TYPE => {}
        JWT_TYPE if token.split('.').count() == 3 => {}
        JWT_TYPE => {
            return Err(OAuth2Error::invalid_request(format!(
                "the {kind}_token is not a JWT"
            )));
        }
        other => {
            return Err(OAuth2Error::invalid_request(format!(
                "the {kind}_token_type \"{other}\" is not supported: only this server's access tokens are exchanged"
            )));
        }
    }
    let found = server
        .storage
        .find_access_token(&secrets::digest(token))
        .await?
        .filter(|t| !t.is_access_token_revoked() && !t.is_expired(server.now()));
    // §2.2.2: an invalid subject or actor token is invalid_request.
    let token = found.ok_or_else(|| {
        OAuth2Error::invalid_request(format!(
            "the {kind}_token is not an active access token of this server"
        ))
    })?;
    // RFC 9449: a token bound to a key is exchanged only with a proof by
    // that key, as it is used only with one.
    if let Some(jkt) = token.dpop_jkt()
        && request.dpop_jkt() != Some(jkt)
    {
        return Err(OAuth2Error::invalid_request(format!(
            "the {kind}_token is DPoP-bound: exchange it with a proof by its key"
        )));
    }
    Ok(Some(token))
}

fn facts<T: OAuth2Token>(token: &T) -> TokenFacts {
    TokenFacts {
        client_id: token.client_id().to_owned(),
        user_id: token.user_id(),
        scope: token.scope(),
        audience: token.audience(),
    }
}

/// The `act` claim (§4.1) of a token for `subject` with `actor`: the
/// actor's subject, and the subject token's actors nested below it.
fn act_claim<T: OAuth2Token>(subject: &T, actor: Option<&T>) -> Option<Value> {
    let Some(actor) = actor else {
        // No new actor: the subject token's chain stands.
        return subject.actor();
    };
    let sub = actor
        .user_id()
        .unwrap_or_else(|| actor.client_id().to_owned());
    let mut act = json!({ "sub": sub, "client_id": actor.client_id() });
    if let Some(prior) = subject.actor() {
        act["act"] = prior;
    }
    Some(act)
}

#[async_trait]
impl<S: OAuth2Storage> TokenGrant<S> for TokenExchangeGrant {
    fn grant_type(&self) -> &str {
        TOKEN_EXCHANGE
    }

    fn allows_public_clients(&self) -> bool {
        false
    }

    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        let form = &request.form;
        // §2.1: the new token is an access token.
        let issued_type = match form.single("requested_token_type")? {
            None | Some(ACCESS_TOKEN_TYPE) => ACCESS_TOKEN_TYPE,
            Some(JWT_TYPE) if crate::oauth2::rfc9068::wants_jwt(client) => JWT_TYPE,
            Some(other) => {
                return Err(OAuth2Error::invalid_request(format!(
                    "the requested_token_type \"{other}\" cannot be issued to this client"
                )));
            }
        };
        let subject = presented(server, request, "subject")
            .await?
            .ok_or_else(|| {
                OAuth2Error::invalid_request("the \"subject_token\" parameter is missing")
            })?;
        let actor = presented(server, request, "actor").await?;

        // The targets: resources (RFC 8707) and audiences, both resource
        // identifiers this server knows; at least one.
        let audience = server.requested_targets(request, form, &[RESOURCE, "audience"])?;
        if audience.is_empty() {
            return Err(OAuth2Error::invalid_target(
                "a token exchange names the resource or audience the new token is for",
            ));
        }

        // The scope: the subject token's, or less (never more).
        let granted = subject.scope();
        let scope = match form.single("scope")? {
            None => granted.clone(),
            Some(text) => {
                let s = Scope::parse(text)?;
                if !s.is_subset_of(&granted) {
                    return Err(OAuth2Error::invalid_scope(
                        "the requested scope exceeds the subject token's",
                    ));
                }
                s
            }
        };
        let exchange = Exchange {
            subject: facts(&subject),
            actor: actor.as_ref().map(facts),
            audience: audience.clone(),
            scope: scope.clone(),
        };
        self.policy
            .allows(client.client_id(), client.metadata(), &exchange)?;

        let spec = TokenSpec {
            grant_type: TOKEN_EXCHANGE,
            client_id: client.client_id(),
            user_id: subject.user_id(),
            scope,
            refresh_scope: None,
            // The subject's grant: revoking it revokes this token too.
            grant_id: subject.grant_id().to_owned(),
            dpop_jkt: request.dpop_jkt().map(str::to_owned),
            audience: Audience {
                access: audience,
                refresh: Vec::new(),
            },
        };
        let mut issued = server.new_token(spec);
        issued.record.actor = act_claim(&subject, actor.as_ref());
        issued.record.authentication = subject.authentication().map(|a| a.refreshed());
        let issuer = server.issuer_for(request);
        let mut issued = server
            .sign_if_jwt(client, issuer.as_deref(), issued)
            .await?;
        server.storage.save_token(issued.record.clone()).await?;
        // §2.2.1: which kind of token this is.
        issued
            .extra
            .insert("issued_token_type".into(), issued_type.into());
        Ok(issued)
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Enables token exchange (RFC 8693) with the default policy
    /// ([`OwnOrAudience`]); clients must register the grant type.
    pub fn with_token_exchange(self) -> Self {
        self.with_grant(TokenExchangeGrant::new())
    }

    /// Enables token exchange with `policy` deciding which client may
    /// exchange which token.
    pub fn with_token_exchange_policy(self, policy: impl ExchangePolicy + 'static) -> Self {
        self.with_grant(TokenExchangeGrant::with_policy(policy))
    }
}
