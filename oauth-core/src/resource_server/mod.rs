//! A resource server apart from the authorization server: it has no token
//! tables, and checks the tokens it is given with the authorization
//! server's help.
//!
//! - JWT access tokens (RFC 9068) are verified locally against the
//!   issuer's JWK Set, found through its metadata (RFC 8414 §3) and
//!   cached; a token signed by a key the cached set does not have makes it
//!   fetch the set again, at most once per
//!   [`jwks_refetch_interval`](RemoteConfig::jwks_refetch_interval), so
//!   made-up `kid`s cannot make it fetch in a loop.
//! - Opaque tokens are introspected (RFC 7662) with the resource server's
//!   own client credentials. A checked token (introspected, or a JWT whose
//!   signature verified) is cached until it expires or
//!   [`token_cache_max_age`](RemoteConfig::token_cache_max_age) passes,
//!   whichever comes first, so a revoked token is refused at most that
//!   long after its revocation.
//! - Both must be for this resource (RFC 8707: its identifier in `aud`),
//!   from the configured issuer, unexpired, with the scope the handler
//!   requires.
//! - A DPoP-bound token (`cnf.jkt`, RFC 9449) is accepted only in the
//!   `DPoP` scheme with a proof by its key for this request (§7), each
//!   proof once (its `jti` kept in memory until it leaves the window).
//! - An authorization server that cannot be reached is `503
//!   temporarily_unavailable` for the tokens that need it, never a 500 or
//!   a hang: the transport has timeouts.
//!
//! The HTTP is a [`Transport`]; the Rocket adapter's
//! (`rocket::resource_server`, feature `resource-server`) is `reqwest`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Config;
use crate::error::OAuth2Error;
use crate::http::{OAuth2Request, form_urlencode, origin};
use crate::jose::{self, JoseError, SUPPORTED_ALGORITHMS, Verification};
use crate::oauth2::rfc6750::{BearerError, extract_access_token};
use crate::oauth2::server::{Clock, SystemClock};
use crate::scope::{Scope, ScopeRequirement};
use crate::secrets::{self, ClientSecret};

/// The configuration of a resource server (`[resource_server]` in
/// `Rocket.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemoteConfig {
    /// The authorization server's issuer identifier; its metadata is read
    /// from its well-known URL (RFC 8414 §3).
    pub issuer: String,
    /// This resource's identifier (RFC 8707, RFC 9728): the `aud` its
    /// tokens must carry.
    pub resource: String,
    /// The resource server's client at the authorization server, for
    /// introspection (none: opaque tokens are refused).
    pub client_id: Option<String>,
    /// Its secret (`client_secret_basic`).
    pub client_secret: Option<ClientSecret>,
    /// The longest a checked token is kept, in seconds (60): a token
    /// revoked at the authorization server is refused here at most this
    /// long after its introspection (JWTs cannot be revoked here: they
    /// live until `exp`). Never longer than the token lives.
    pub token_cache_max_age: i64,
    /// How many checked tokens are kept (10 000).
    pub token_cache_size: usize,
    /// How long the JWK Set is kept before it is fetched again, in seconds
    /// (300).
    pub jwks_max_age: i64,
    /// The least time between two fetches of the JWK Set for a `kid` it
    /// does not have, in seconds (30).
    pub jwks_refetch_interval: i64,
    /// The time a call to the authorization server may take, in
    /// milliseconds (3000).
    pub timeout_ms: u64,
    /// `scopes_supported` of the resource's metadata (RFC 9728 §2).
    pub scopes_supported: Option<Vec<String>>,
    /// `resource_name` of the resource's metadata.
    pub resource_name: Option<String>,
    /// Accept requests, and an issuer, over plain `http` (false): for
    /// local development only.
    pub insecure_transport: bool,
    /// The algorithms DPoP proofs may be signed with (RS256, ES256,
    /// EdDSA).
    pub dpop_algorithms: Vec<String>,
    /// How old a DPoP proof's `iat` may be, in seconds (300).
    pub dpop_proof_max_age: i64,
}

impl Default for RemoteConfig {
    fn default() -> RemoteConfig {
        RemoteConfig {
            issuer: String::new(),
            resource: String::new(),
            client_id: None,
            client_secret: None,
            token_cache_max_age: 60,
            token_cache_size: 10_000,
            jwks_max_age: 300,
            jwks_refetch_interval: 30,
            timeout_ms: 3000,
            scopes_supported: None,
            resource_name: None,
            insecure_transport: false,
            dpop_algorithms: crate::config::Dpop::default().algorithms,
            dpop_proof_max_age: crate::config::Dpop::default().proof_max_age,
        }
    }
}

impl RemoteConfig {
    /// Checks the values, with a message naming the key.
    pub fn validate(&self) -> Result<(), String> {
        let web = |url: &str| {
            url::Url::parse(url).is_ok_and(|u| {
                u.scheme() == "https" || (self.insecure_transport && u.scheme() == "http")
            }) && !url.contains(['?', '#'])
        };
        if !web(&self.issuer) {
            return Err("resource_server.issuer must be an https URL without query or fragment (http with insecure_transport)".into());
        }
        if crate::oauth2::rfc8707::check_resource(&self.resource).is_err()
            || crate::oauth2::rfc9728::metadata_url(&self.resource).is_none()
        {
            return Err("resource_server.resource must be an http(s) URL without query or fragment (RFC 9728 §2)".into());
        }
        if self.client_id.is_some() != self.client_secret.is_some() {
            return Err("resource_server.client_id and client_secret go together".into());
        }
        if !(1..=3600).contains(&self.token_cache_max_age) {
            return Err("resource_server.token_cache_max_age must be 1 to 3600 seconds".into());
        }
        if self.token_cache_size == 0 {
            return Err("resource_server.token_cache_size must be positive".into());
        }
        if self.jwks_max_age < 1 || self.jwks_refetch_interval < 1 {
            return Err(
                "resource_server.jwks_max_age and jwks_refetch_interval must be positive".into(),
            );
        }
        if self.dpop_algorithms.is_empty()
            || self
                .dpop_algorithms
                .iter()
                .any(|a| jose::supported_algorithm(a).is_none())
        {
            return Err("resource_server.dpop_algorithms must name RS256, ES256 or EdDSA".into());
        }
        if !(1..=3600).contains(&self.dpop_proof_max_age) {
            return Err("resource_server.dpop_proof_max_age must be 1 to 3600 seconds".into());
        }
        if !(100..=60_000).contains(&self.timeout_ms) {
            return Err("resource_server.timeout_ms must be 100 to 60000".into());
        }
        Ok(())
    }

    /// The URL of the authorization server's metadata (RFC 8414 §3: the
    /// well-known suffix between the host and the issuer's path).
    pub fn metadata_url(&self) -> Option<String> {
        let base = origin(&self.issuer)?;
        let path = self.issuer[base.len()..].trim_end_matches('/');
        Some(format!(
            "{base}/.well-known/oauth-authorization-server{path}"
        ))
    }
}

/// An HTTP answer, as much of it as the resource server reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: String,
}

/// The authorization server could not be reached (connection refused,
/// timeout, unreadable answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable(pub String);

/// How the resource server speaks HTTP to the authorization server.
#[async_trait]
pub trait Transport: Send + Sync {
    /// `GET url`.
    async fn get(&self, url: &str) -> Result<Reply, Unreachable>;
    /// `POST url` with a form body and an `Authorization` header.
    async fn post_form(
        &self,
        url: &str,
        authorization: &str,
        form: &[(&str, &str)],
    ) -> Result<Reply, Unreachable>;
}

/// What a handler learns of a token checked remotely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteToken {
    /// The client the token was issued to.
    pub client_id: String,
    /// The user it acts for (`sub`; none for a client's own token).
    pub user_id: Option<String>,
    /// Its scope.
    pub scope: Scope,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
    /// Its resources (`aud`).
    pub audience: Vec<String>,
    /// The thumbprint of the DPoP key it is bound to (`cnf.jkt`).
    pub dpop_jkt: Option<String>,
    /// Whether it was verified as a JWT (else introspected).
    pub jwt: bool,
}

/// How many fetches the validator made: for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchCounts {
    /// Metadata documents fetched.
    pub metadata: u64,
    /// JWK Sets fetched.
    pub jwks: u64,
    /// Introspection calls.
    pub introspections: u64,
}

#[derive(Debug, Clone)]
struct Discovered {
    jwks_uri: Option<String>,
    introspection_endpoint: Option<String>,
}

#[derive(Default)]
struct State {
    discovered: Option<Discovered>,
    jwks: Option<(Arc<JwkSet>, i64)>,
    /// When the JWK Set was last fetched for an unknown `kid`.
    last_refetch: Option<i64>,
    /// Tokens checked, by digest, with the instant they may be kept until.
    checked: HashMap<String, (RemoteToken, i64)>,
    /// DPoP proof `jti`s seen, until they leave the window.
    used_jtis: HashMap<String, i64>,
    counts: FetchCounts,
}

/// Validates tokens for a resource server apart from the authorization
/// server.
pub struct RemoteValidator {
    config: RemoteConfig,
    /// The bearer settings and transport rule of its requests.
    bearer_config: Config,
    transport: Box<dyn Transport>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

fn unavailable(what: &str) -> BearerError {
    BearerError::new(OAuth2Error::temporarily_unavailable(format!(
        "the authorization server could not be reached to check the token ({what}); try again later"
    )))
}

fn invalid(description: &str) -> BearerError {
    BearerError::new(OAuth2Error::invalid_token(description))
}

impl RemoteValidator {
    /// A validator for `config` (checked) over `transport`.
    pub fn new(config: RemoteConfig, transport: impl Transport + 'static) -> Result<Self, String> {
        config.validate()?;
        let bearer_config = Config {
            insecure_transport: config.insecure_transport,
            ..Config::default()
        };
        Ok(RemoteValidator {
            config,
            bearer_config,
            transport: Box::new(transport),
            clock: Arc::new(SystemClock),
            state: Mutex::new(State::default()),
        })
    }

    /// The same with another clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Its configuration.
    pub fn remote_config(&self) -> &RemoteConfig {
        &self.config
    }

    /// The engine configuration its requests are read with (bearer
    /// methods, transport).
    pub fn bearer_config(&self) -> &Config {
        &self.bearer_config
    }

    /// The fetches made so far.
    pub fn fetch_counts(&self) -> FetchCounts {
        self.lock().counts
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The resource's metadata document (RFC 9728 §2).
    pub fn protected_resource_metadata(&self) -> Value {
        let mut doc = serde_json::json!({
            "resource": self.config.resource,
            "authorization_servers": [self.config.issuer],
            "bearer_methods_supported": ["header"],
            "dpop_signing_alg_values_supported": self.config.dpop_algorithms,
        });
        if let Some(scopes) = &self.config.scopes_supported {
            doc["scopes_supported"] = scopes.clone().into();
        }
        if let Some(name) = &self.config.resource_name {
            doc["resource_name"] = name.clone().into();
        }
        doc
    }

    /// Checks the request's access token for a handler that requires
    /// `required`: the answer for the handler, or the refusal (RFC 6750
    /// §3; 503 when the authorization server is needed and down).
    pub async fn validate(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<RemoteToken, BearerError> {
        if !request.secure && !self.config.insecure_transport {
            return Err(BearerError::new(OAuth2Error::invalid_request(
                "OAuth 2.0 requires TLS (https); this request arrived over plain http",
            )));
        }
        let Some((raw, dpop)) = extract_access_token(request, &self.bearer_config)? else {
            return Err(BearerError::missing());
        };
        let dpop_refusal = |e: BearerError| e.with_dpop(self.dpop_algs());
        let proof = if dpop {
            Some(self.check_proof(request, raw).map_err(dpop_refusal)?)
        } else {
            None
        };
        // A token checked before is taken from the cache: an opaque one
        // without asking again, a JWT without verifying its signature
        // again (the same bytes verify the same way).
        let digest = secrets::digest(raw);
        let token = match self.cached(&digest) {
            Some(token) => Ok(token),
            None => {
                let checked = if raw.split('.').count() == 3 {
                    self.verify_jwt(raw).await
                } else {
                    self.introspect(raw).await
                };
                checked.inspect(|token| self.remember(digest, token))
            }
        };
        let token = token.map_err(|e| if dpop { dpop_refusal(e) } else { e })?;
        // RFC 9449 §7: a bound token only with a proof by its key; a token
        // that is not bound never in the DPoP scheme.
        match (&token.dpop_jkt, &proof) {
            (None, None) => {}
            (Some(jkt), Some(proof)) if *jkt == proof.jkt => {}
            (Some(_), Some(_)) => {
                return Err(dpop_refusal(BearerError::new(
                    crate::oauth2::rfc9449::invalid_dpop_proof(
                        "the DPoP proof is not signed by the key the token is bound to",
                    ),
                )));
            }
            (Some(_), None) => {
                return Err(dpop_refusal(invalid(
                    "the access token is DPoP-bound: present it with the DPoP scheme and a proof",
                )));
            }
            (None, Some(_)) => {
                return Err(dpop_refusal(invalid(
                    "the access token is not DPoP-bound: present it as a Bearer token",
                )));
            }
        }
        if !required.is_satisfied_by(&token.scope) {
            return Err(BearerError {
                scope: required.scope().cloned(),
                ..BearerError::new(OAuth2Error::insufficient_scope(
                    "the access token does not have the scope this resource requires",
                ))
            });
        }
        Ok(token)
    }

    /// The claims every token must meet, read from a JWT or an
    /// introspection answer.
    fn admit(&self, claims: &Value, jwt: bool) -> Result<RemoteToken, BearerError> {
        let now = self.clock.now();
        let exp = claims.get("exp").and_then(Value::as_i64);
        if exp.is_none_or(|exp| now >= exp) {
            return Err(invalid("the access token has expired"));
        }
        if claims.get("iss").and_then(Value::as_str) != Some(self.config.issuer.as_str())
            && (jwt || claims.get("iss").is_some())
        {
            return Err(invalid("the access token is from another issuer"));
        }
        let audience: Vec<String> = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        // RFC 8707: a token for this resource, and no other one.
        if !audience.iter().any(|a| a == &self.config.resource) {
            return Err(invalid(
                "the access token is not for this resource (its aud does not name it)",
            ));
        }
        let client_id = claims
            .get("client_id")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("the access token names no client_id"))?
            .to_owned();
        // RFC 9068 §2.2: a client's own token has the client as its sub.
        let user_id = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|sub| !jwt || *sub != client_id)
            .map(str::to_owned);
        let scope = claims
            .get("scope")
            .and_then(Value::as_str)
            .map(Scope::from_stored)
            .unwrap_or_default();
        let dpop_jkt = claims
            .get("cnf")
            .and_then(|c| c.get("jkt"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(RemoteToken {
            client_id,
            user_id,
            scope,
            expires_at: exp.unwrap_or_default(),
            audience,
            dpop_jkt,
            jwt,
        })
    }

    /// The `algs` of this resource's `DPoP` challenges.
    fn dpop_algs(&self) -> String {
        self.config.dpop_algorithms.join(" ")
    }

    /// The request's DPoP proof (RFC 9449 §4.3, §7.1), its `jti` recorded
    /// once for this instance.
    fn check_proof(
        &self,
        request: &OAuth2Request,
        raw: &str,
    ) -> Result<crate::oauth2::rfc9449::CheckedProof, BearerError> {
        use crate::oauth2::rfc9449::{ProofRules, invalid_dpop_proof, verify_proof};
        let now = self.clock.now();
        let algorithms: Vec<_> = self
            .config
            .dpop_algorithms
            .iter()
            .filter_map(|a| jose::supported_algorithm(a))
            .collect();
        // htu: this resource's origin (its identifier's, never the Host
        // header's) and the request's path.
        let url = origin(&self.config.resource).map(|o| format!("{o}{}", request.path()));
        let rules = ProofRules {
            algorithms: &algorithms,
            url: url.as_deref(),
            max_age: self.config.dpop_proof_max_age,
            now,
        };
        let proof = verify_proof(request, Some(raw), &rules)
            .map_err(BearerError::new)?
            .ok_or_else(|| {
                BearerError::new(invalid_dpop_proof(
                    "the DPoP scheme needs a DPoP proof header",
                ))
            })?;
        let mut state = self.lock();
        if state.used_jtis.len() >= 4 * self.config.token_cache_size {
            state.used_jtis.retain(|_, until| now < *until);
        }
        if state
            .used_jtis
            .get(&proof.used.key)
            .is_some_and(|until| now < *until)
        {
            return Err(BearerError::new(invalid_dpop_proof(
                "the DPoP proof was used before (jti)",
            )));
        }
        state
            .used_jtis
            .insert(proof.used.key.clone(), proof.used.expires_at);
        Ok(proof)
    }

    async fn verify_jwt(&self, raw: &str) -> Result<RemoteToken, BearerError> {
        let rule =
            Verification::new(&SUPPORTED_ALGORITHMS).with_typ(crate::oauth2::rfc9068::AT_JWT);
        let keys = self.jwks(false).await?;
        let verified = match jose::verify(raw, &keys, &rule) {
            Err(JoseError::UnknownKey) => match self.jwks(true).await {
                // A key the set has gained since it was cached.
                Ok(fresh) if !Arc::ptr_eq(&fresh, &keys) => jose::verify(raw, &fresh, &rule),
                Ok(_) => Err(JoseError::UnknownKey),
                Err(e) => return Err(e),
            },
            other => other,
        }
        .map_err(|e| invalid(&format!("the access token does not verify: {e}")))?;
        self.admit(&verified.claims, true)
    }

    /// The issuer's JWK Set: the cached one while it is fresh; with
    /// `unknown_kid`, fetched again if the last such fetch is older than
    /// the refetch interval (else the cached one, which the caller tells
    /// apart by identity).
    async fn jwks(&self, unknown_kid: bool) -> Result<Arc<JwkSet>, BearerError> {
        let now = self.clock.now();
        {
            let mut state = self.lock();
            if let Some((keys, at)) = &state.jwks {
                let fresh = now.saturating_sub(*at) < self.config.jwks_max_age;
                if fresh && !unknown_kid {
                    return Ok(keys.clone());
                }
                if unknown_kid {
                    let recent = state
                        .last_refetch
                        .is_some_and(|t| now.saturating_sub(t) < self.config.jwks_refetch_interval);
                    if recent {
                        return Ok(keys.clone());
                    }
                    state.last_refetch = Some(now);
                }
            }
        }
        let uri = self
            .discovered()
            .await?
            .jwks_uri
            .ok_or_else(|| invalid("the authorization server publishes no jwks_uri"))?;
        self.lock().counts.jwks += 1;
        let reply = self
            .transport
            .get(&uri)
            .await
            .map_err(|_| self.forget_discovery("its JWK Set"))?;
        let keys: JwkSet = match reply.status {
            200 => serde_json::from_str(&reply.body)
                .map_err(|_| self.forget_discovery("its JWK Set is not JSON"))?,
            _ => return Err(self.forget_discovery("its JWK Set")),
        };
        let keys = Arc::new(keys);
        self.lock().jwks = Some((keys.clone(), now));
        Ok(keys)
    }

    /// The answer kept for the token with `digest`, while it may be.
    fn cached(&self, digest: &str) -> Option<RemoteToken> {
        let now = self.clock.now();
        let mut state = self.lock();
        match state.checked.get(digest) {
            Some((token, until)) if now < *until => Some(token.clone()),
            Some(_) => {
                state.checked.remove(digest);
                None
            }
            None => None,
        }
    }

    /// Keeps `token` until it expires or the cache's maximum age passes,
    /// whichever is first; a full cache first drops what is stale, then
    /// everything.
    fn remember(&self, digest: String, token: &RemoteToken) {
        let now = self.clock.now();
        let until = token
            .expires_at
            .min(now.saturating_add(self.config.token_cache_max_age));
        let mut state = self.lock();
        if state.checked.len() >= self.config.token_cache_size {
            state.checked.retain(|_, (_, until)| now < *until);
            if state.checked.len() >= self.config.token_cache_size {
                state.checked.clear();
            }
        }
        state.checked.insert(digest, (token.clone(), until));
    }

    async fn introspect(&self, raw: &str) -> Result<RemoteToken, BearerError> {
        let (Some(id), Some(secret)) = (&self.config.client_id, &self.config.client_secret) else {
            return Err(invalid(
                "this resource takes JWT access tokens only (no introspection credentials)",
            ));
        };
        let endpoint = self
            .discovered()
            .await?
            .introspection_endpoint
            .ok_or_else(|| invalid("the authorization server has no introspection endpoint"))?;
        // RFC 6749 §2.3.1: both form-encoded before Basic.
        let basic = format!(
            "Basic {}",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                format!("{}:{}", form_urlencode(id), form_urlencode(secret.secret()))
            )
        );
        self.lock().counts.introspections += 1;
        let reply = self
            .transport
            .post_form(
                &endpoint,
                &basic,
                &[("token", raw), ("token_type_hint", "access_token")],
            )
            .await
            .map_err(|_| self.forget_discovery("introspection"))?;
        let answer: Value = match reply.status {
            200 => serde_json::from_str(&reply.body)
                .map_err(|_| unavailable("its introspection answer is not JSON"))?,
            401 | 400 => {
                tracing::error!(
                    status = reply.status,
                    "the authorization server refused this resource server's introspection credentials"
                );
                return Err(BearerError::new(OAuth2Error::server_error(
                    "the resource server's introspection credentials were refused",
                )));
            }
            _ => return Err(unavailable("introspection")),
        };
        if answer.get("active").and_then(Value::as_bool) != Some(true) {
            return Err(invalid("the access token is not active"));
        }
        self.admit(&answer, false)
    }

    /// The endpoints of the issuer's metadata, fetched once and kept; its
    /// `issuer` must be the configured one (RFC 8414 §3.3).
    async fn discovered(&self) -> Result<Discovered, BearerError> {
        if let Some(d) = self.lock().discovered.clone() {
            return Ok(d);
        }
        let url = self
            .config
            .metadata_url()
            .ok_or_else(|| unavailable("no metadata URL"))?;
        self.lock().counts.metadata += 1;
        let reply = self
            .transport
            .get(&url)
            .await
            .map_err(|_| unavailable("its metadata"))?;
        if reply.status != 200 {
            return Err(unavailable("its metadata"));
        }
        let doc: Value = serde_json::from_str(&reply.body)
            .map_err(|_| unavailable("its metadata is not JSON"))?;
        if doc.get("issuer").and_then(Value::as_str) != Some(self.config.issuer.as_str()) {
            tracing::error!(
                "the authorization server's metadata names another issuer than resource_server.issuer"
            );
            return Err(BearerError::new(OAuth2Error::server_error(
                "the authorization server's metadata names another issuer (RFC 8414 §3.3)",
            )));
        }
        let text = |name: &str| doc.get(name).and_then(Value::as_str).map(str::to_owned);
        let d = Discovered {
            jwks_uri: text("jwks_uri"),
            introspection_endpoint: text("introspection_endpoint"),
        };
        self.lock().discovered = Some(d.clone());
        Ok(d)
    }

    /// After a failed call, the metadata is read again next time (the
    /// server may have moved its endpoints while it was down).
    fn forget_discovery(&self, what: &str) -> BearerError {
        self.lock().discovered = None;
        unavailable(what)
    }
}
