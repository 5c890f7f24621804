//! RFC 9068, JWT Profile for OAuth 2.0 Access Tokens: for a client
//! registered with `access_token_strategy: "jwt"`, the access token is a
//! JWT signed by the key ring (`typ: at+jwt`, §2.1) with the claims of
//! §2.2 (`iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti`, `scope`,
//! and `auth_time`/`acr`/`amr` where the grant knows the login). Its
//! digest is stored as any access token's, so the server still looks it
//! up: `RequireOAuth`, revocation and introspection treat it as they treat
//! an opaque one.

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::error::OAuth2Error;
use crate::jose::{KeyRing, SigningKeyStorage};
use crate::models::{Authentication, OAuth2Client};
use crate::oauth2::rfc6749::grants::IssuedToken;
use crate::oauth2::server::{AuthorizationServer, TokenSpec};
use crate::secrets;
use crate::storage::OAuth2Storage;

/// The `access_token_strategy` of opaque tokens (the default).
pub const OPAQUE: &str = "opaque";
/// The `access_token_strategy` of RFC 9068 tokens.
pub const JWT: &str = "jwt";
/// The `typ` header of RFC 9068 access tokens (§2.1).
pub const AT_JWT: &str = "at+jwt";

/// Signs with a key ring over storage `S`: what `with_signing_keys` leaves
/// in the server, so that issuance over any storage can sign.
#[async_trait]
pub(crate) trait TokenSigner<S>: Send + Sync {
    async fn sign(
        &self,
        storage: &S,
        now: i64,
        typ: &str,
        claims: &Value,
    ) -> Result<String, OAuth2Error>;
}

pub(crate) struct RingSigner(pub KeyRing);

#[async_trait]
impl<S: SigningKeyStorage> TokenSigner<S> for RingSigner {
    async fn sign(
        &self,
        storage: &S,
        now: i64,
        typ: &str,
        claims: &Value,
    ) -> Result<String, OAuth2Error> {
        let key = self.0.current(storage, now).await?;
        key.sign(typ, claims).map_err(|e| {
            tracing::error!(kid = key.kid(), "an access token could not be signed: {e}");
            OAuth2Error::server_error("the access token could not be signed")
        })
    }
}

/// Whether `client` gets RFC 9068 access tokens.
pub fn wants_jwt<C: OAuth2Client + ?Sized>(client: &C) -> bool {
    client.metadata().access_token_strategy.as_deref() == Some(JWT)
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// A token for `client` (not yet stored), with the OpenID Connect
    /// context of its grant: opaque, or for a client with
    /// `access_token_strategy: "jwt"` an RFC 9068 JWT issued by `issuer`
    /// (the request's, [`issuer_for`](Self::issuer_for)). What the
    /// built-in grants issue with; [`issue_token_for`](Self::issue_token_for)
    /// stores it too.
    pub async fn mint_token<C: OAuth2Client + ?Sized>(
        &self,
        client: &C,
        issuer: Option<&str>,
        spec: TokenSpec<'_>,
        authentication: Option<Authentication>,
    ) -> Result<IssuedToken, OAuth2Error> {
        let mut issued = self.new_token(spec);
        issued.record.authentication = authentication;
        self.sign_if_jwt(client, issuer, issued).await
    }

    /// `issued` (from [`new_token`](Self::new_token), its record complete)
    /// as the client's strategy wants it: as it is, or with its access
    /// token replaced by the RFC 9068 JWT of its record.
    pub(crate) async fn sign_if_jwt<C: OAuth2Client + ?Sized>(
        &self,
        client: &C,
        issuer: Option<&str>,
        mut issued: IssuedToken,
    ) -> Result<IssuedToken, OAuth2Error> {
        if wants_jwt(client) {
            // §2.2: sub is the user (as this client knows them, §8 of
            // OpenID Connect), or the client when no user is involved.
            let sub = match &issued.record.user_id {
                Some(user_id) => self.subject_for(client, user_id),
                None => issued.record.client_id.clone(),
            };
            let jwt = self.jwt_access_token(&issued, issuer, &sub).await?;
            issued.record.access_token_digest = secrets::digest(&jwt);
            issued.access_token = secrets::AccessToken::new(jwt);
        }
        Ok(issued)
    }

    /// The registration check of `access_token_strategy`: `opaque` or
    /// `jwt`, and `jwt` only on a server that signs.
    pub(crate) fn validate_access_token_strategy(
        &self,
        metadata: &crate::models::ClientMetadata,
    ) -> Result<(), OAuth2Error> {
        match metadata.access_token_strategy.as_deref() {
            None | Some(OPAQUE) => Ok(()),
            Some(JWT) if self.signer.is_some() => Ok(()),
            Some(JWT) => Err(OAuth2Error::invalid_client_metadata(
                "access_token_strategy \"jwt\" needs a server with signing keys",
            )),
            Some(other) => Err(OAuth2Error::invalid_client_metadata(format!(
                "access_token_strategy must be \"opaque\" or \"jwt\", not \"{other}\""
            ))),
        }
    }

    /// [`mint_token`](Self::mint_token), then stored.
    pub async fn issue_token_for<C: OAuth2Client + ?Sized>(
        &self,
        client: &C,
        issuer: Option<&str>,
        spec: TokenSpec<'_>,
        authentication: Option<Authentication>,
    ) -> Result<IssuedToken, OAuth2Error> {
        let issued = self
            .mint_token(client, issuer, spec, authentication)
            .await?;
        self.storage.save_token(issued.record.clone()).await?;
        Ok(issued)
    }

    /// The JWT of §2.2 for `issued`.
    async fn jwt_access_token(
        &self,
        issued: &IssuedToken,
        issuer: Option<&str>,
        sub: &str,
    ) -> Result<String, OAuth2Error> {
        let signer = self.signer.as_ref().ok_or_else(|| {
            OAuth2Error::server_error("JWT access tokens need signing keys (with_signing_keys)")
        })?;
        let issuer = issuer
            .map(str::to_owned)
            .or_else(|| self.config.issuer.clone())
            .ok_or_else(|| OAuth2Error::server_error("the issuer identifier is not known"))?;
        let record = &issued.record;
        let mut claims = Map::new();
        claims.insert("iss".into(), issuer.clone().into());
        claims.insert(
            "exp".into(),
            record.issued_at.saturating_add(record.expires_in).into(),
        );
        // §3: the resources of RFC 8707 indicators, and without them the
        // default resource: this server's own (its API, UserInfo).
        let audience = crate::oauth2::rfc8707::from_stored(record.audience.as_deref());
        if audience.is_empty() {
            claims.insert("aud".into(), issuer.into());
        } else {
            claims.insert("aud".into(), crate::oauth2::rfc8707::aud_claim(&audience));
        }
        claims.insert("sub".into(), sub.into());
        claims.insert("client_id".into(), record.client_id.clone().into());
        claims.insert("iat".into(), record.issued_at.into());
        claims.insert("jti".into(), secrets::random_token(16).into());
        if !record.scope.is_empty() {
            claims.insert("scope".into(), record.scope.clone().into());
        }
        // RFC 8693 §4.1: who acts for the subject.
        if let Some(act) = &record.actor {
            claims.insert("act".into(), act.clone());
        }
        // RFC 9449 §6.1: the key a bound token is bound to.
        if let Some(jkt) = &record.dpop_jkt {
            claims.insert("cnf".into(), serde_json::json!({ "jkt": jkt }));
        }
        if let Some(a) = &record.authentication {
            if let Some(t) = a.auth_time {
                claims.insert("auth_time".into(), t.into());
            }
            if let Some(acr) = &a.acr {
                claims.insert("acr".into(), acr.clone().into());
            }
            if !a.amr.is_empty() {
                claims.insert("amr".into(), a.amr.clone().into());
            }
        }
        signer
            .sign(&self.storage, self.now(), AT_JWT, &Value::Object(claims))
            .await
    }
}
