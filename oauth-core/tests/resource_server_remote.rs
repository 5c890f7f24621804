//! A resource server apart from the authorization server
//! (`resource_server::RemoteValidator`): JWT access tokens verified
//! against the issuer's JWK Set (RFC 9068, found through RFC 8414
//! metadata, cached, fetched again on an unknown `kid` within limits),
//! opaque ones introspected (RFC 7662) with a cache that never outlives the
//! token nor its maximum age, the audience (RFC 8707) and the issuer
//! checked, and 503 when the authorization server cannot be reached.
//!
//! The transport hands each call to a real authorization server engine in
//! this process, as its HTTP routes would; the Rocket adapter's `reqwest`
//! transport is tested over real HTTP in `example-app/tests`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use common::*;
use oauth_core::jose::{Algorithm, KeyRing, KeySealer, SigningKey};
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth2::rfc9449::access_token_hash;
use oauth_core::resource_server::{
    FetchCounts, RemoteConfig, RemoteToken, RemoteValidator, Reply, Transport, Unreachable,
};
use oauth_core::{
    BearerError, ClientAuthMethod, ClientMetadata, ClientRecord, Config, Endpoints, ManualClock,
    OAuth2Request, ScopeRequirement,
};
use serde_json::json;

const ISSUER: &str = "https://as.example";
const RESOURCE: &str = "https://api.example";
const OTHER: &str = "https://other.example";

/// The authorization server as its routes serve it, and a switch that
/// makes it unreachable. `stale_jwks` serves the JWK Set without its keys,
/// as a set cached before they were added.
struct InProcess {
    server: Arc<Server>,
    down: AtomicBool,
    stale_jwks: AtomicBool,
}

fn path(url: &str) -> &str {
    url.strip_prefix(ISSUER).unwrap_or(url)
}

/// The transport the validator owns.
struct Shared(Arc<InProcess>);

impl std::ops::Deref for Shared {
    type Target = InProcess;
    fn deref(&self) -> &InProcess {
        &self.0
    }
}

#[async_trait]
impl Transport for Shared {
    async fn get(&self, url: &str) -> Result<Reply, Unreachable> {
        if self.down.load(Ordering::SeqCst) {
            return Err(Unreachable("connection refused".into()));
        }
        let reply = |status: u16, body: String| Ok(Reply { status, body });
        match path(url) {
            // Also under a path: the server's one document, whatever
            // issuer the resource was told.
            p if p.starts_with("/.well-known/oauth-authorization-server") => reply(
                200,
                self.server
                    .metadata(
                        ISSUER,
                        &Endpoints {
                            jwks: Some("/jwks".into()),
                            ..Endpoints::under("")
                        },
                    )
                    .to_string(),
            ),
            "/jwks" if self.stale_jwks.load(Ordering::SeqCst) => {
                reply(200, json!({ "keys": [] }).to_string())
            }
            "/jwks" => reply(200, self.server.create_jwks_response().await.body),
            _ => reply(404, String::new()),
        }
    }

    async fn post_form(
        &self,
        url: &str,
        authorization: &str,
        form: &[(&str, &str)],
    ) -> Result<Reply, Unreachable> {
        if self.down.load(Ordering::SeqCst) {
            return Err(Unreachable("connection refused".into()));
        }
        assert_eq!(path(url), "/introspect");
        let request = OAuth2Request::post(url)
            .with_header("Authorization", authorization)
            .with_form(form.iter().copied());
        let r = self.server.create_introspection_response(&request).await;
        Ok(Reply {
            status: r.status,
            body: r.body,
        })
    }
}

fn client(id: &str, strategy: &str, resource_server: Option<&str>) -> ClientRecord {
    ClientRecord::confidential(
        id,
        SECRET,
        ClientMetadata {
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            grant_types: vec!["client_credentials".into(), "password".into()],
            response_types: vec![],
            scope: Some("profile email".into()),
            access_token_strategy: Some(strategy.into()),
            resource_server: resource_server.map(str::to_owned),
            ..ClientMetadata::default()
        },
    )
}

struct Setup {
    remote: Arc<InProcess>,
    validator: RemoteValidator,
    clock: Arc<ManualClock>,
}

fn setup(config: RemoteConfig) -> Setup {
    setup_with(config, Config::default().lifetimes)
}

/// [`setup`] with the authorization server's token lifetimes.
fn setup_with(config: RemoteConfig, lifetimes: oauth_core::config::Lifetimes) -> Setup {
    let (server, clock) = server_with(Config {
        issuer: Some(ISSUER.into()),
        resources: vec![RESOURCE.into(), OTHER.into()],
        lifetimes,
        ..Config::default()
    });
    let storage = server.storage();
    storage.insert_client(client("jwt-app", "jwt", None));
    storage.insert_client(client("opaque-app", "opaque", None));
    storage.insert_client(client("api", "opaque", Some(RESOURCE)));
    let server = server.with_openid_connect();
    let remote = Arc::new(InProcess {
        server: Arc::new(server),
        down: AtomicBool::new(false),
        stale_jwks: AtomicBool::new(false),
    });
    let validator = RemoteValidator::new(config, Shared(remote.clone()))
        .expect("valid")
        .with_clock(clock.clone());
    Setup {
        remote,
        validator,
        clock,
    }
}

fn remote_config() -> RemoteConfig {
    RemoteConfig {
        issuer: ISSUER.into(),
        resource: RESOURCE.into(),
        client_id: Some("api".into()),
        client_secret: Some(oauth_core::secrets::ClientSecret::new(SECRET)),
        ..RemoteConfig::default()
    }
}

impl Setup {
    async fn token(&self, client: &str, resource: Option<&str>, scope: &str) -> String {
        let mut form = vec![("grant_type", "client_credentials"), ("scope", scope)];
        form.extend(resource.map(|r| ("resource", r)));
        let r = self
            .remote
            .server
            .create_token_response(
                &OAuth2Request::post(format!("{ISSUER}/token"))
                    .with_header("Authorization", basic(client, SECRET))
                    .with_form(form),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json_body()["access_token"].as_str().unwrap().to_owned()
    }

    async fn call(&self, token: &str, scope: &str) -> Result<RemoteToken, BearerError> {
        let required = if scope.is_empty() {
            ScopeRequirement::None
        } else {
            ScopeRequirement::all_of([scope])
        };
        self.validator
            .validate(
                &OAuth2Request::get(format!("{RESOURCE}/hello"))
                    .with_header("Authorization", format!("Bearer {token}")),
                &required,
            )
            .await
    }

    fn counts(&self) -> FetchCounts {
        self.validator.fetch_counts()
    }

    async fn revoke(&self, client: &str, token: &str) {
        let r = self
            .remote
            .server
            .create_revocation_response(
                &OAuth2Request::post(format!("{ISSUER}/revoke"))
                    .with_header("Authorization", basic(client, SECRET))
                    .with_form([("token", token)]),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

fn code(e: &BearerError) -> &str {
    e.error.as_ref().map_or("", |e| e.code.as_str())
}

#[tokio::test]
async fn rfc9068_a_jwt_for_this_resource_is_verified_locally_with_the_cached_jwks() {
    let s = setup(remote_config());
    let token = s.token("jwt-app", Some(RESOURCE), "profile").await;
    let t = s.call(&token, "profile").await.expect("admitted");
    assert!(t.jwt);
    assert_eq!(t.client_id, "jwt-app");
    assert_eq!(t.user_id, None, "a client's own token acts for no user");
    assert_eq!(t.scope.to_string(), "profile");
    assert_eq!(t.audience, vec![RESOURCE.to_owned()]);
    s.call(&token, "profile").await.expect("again");
    // RFC 8414 §3 metadata once, the JWK Set once, no introspection.
    assert_eq!(
        s.counts(),
        FetchCounts {
            metadata: 1,
            jwks: 1,
            introspections: 0
        }
    );
}

#[tokio::test]
async fn rfc8707_tokens_for_another_audience_or_none_are_refused() {
    let s = setup(remote_config());
    for client in ["jwt-app", "opaque-app"] {
        for resource in [Some(OTHER), None] {
            let token = s.token(client, resource, "profile").await;
            let e = s
                .call(&token, "profile")
                .await
                .expect_err("another audience");
            assert_eq!(code(&e), "invalid_token", "{client} {resource:?}");
            assert_eq!(e.status(), 401);
        }
    }
}

#[tokio::test]
async fn rfc6750_3_1_insufficient_scope_is_403_and_no_token_is_a_bare_401() {
    let s = setup(remote_config());
    let token = s.token("jwt-app", Some(RESOURCE), "email").await;
    let e = s.call(&token, "profile").await.expect_err("scope");
    assert_eq!(code(&e), "insufficient_scope");
    assert_eq!(e.status(), 403);
    let e = s
        .validator
        .validate(&OAuth2Request::get(RESOURCE), &ScopeRequirement::None)
        .await
        .expect_err("no token");
    assert!(e.error.is_none());
    assert_eq!(e.status(), 401);
}

#[tokio::test]
async fn rfc7662_an_opaque_token_is_introspected_once_and_then_cached() {
    let s = setup(remote_config());
    let token = s.token("opaque-app", Some(RESOURCE), "profile email").await;
    let t = s.call(&token, "profile").await.expect("admitted");
    assert!(!t.jwt);
    assert_eq!(t.client_id, "opaque-app");
    assert_eq!(t.scope.to_string(), "profile email");
    s.call(&token, "email").await.expect("cached");
    assert_eq!(s.counts().introspections, 1);
}

#[tokio::test]
async fn rfc7662_a_revoked_token_is_refused_once_the_cache_max_age_has_passed() {
    let s = setup(RemoteConfig {
        token_cache_max_age: 30,
        ..remote_config()
    });
    let token = s.token("opaque-app", Some(RESOURCE), "profile").await;
    s.call(&token, "profile").await.expect("admitted");
    s.revoke("opaque-app", &token).await;
    // Within the maximum age the cached answer stands: that is the bound
    // the configuration sets.
    s.clock.advance(29);
    s.call(&token, "profile").await.expect("still cached");
    assert_eq!(s.counts().introspections, 1);
    // Past it, the resource asks again and learns of the revocation.
    s.clock.advance(1);
    let e = s.call(&token, "profile").await.expect_err("revoked");
    assert_eq!(code(&e), "invalid_token");
    assert_eq!(s.counts().introspections, 2);
}

/// Client-credentials tokens that live 120 s, and a cache that could keep
/// them an hour.
fn short_lived_tokens_kept_an_hour() -> Setup {
    setup_with(
        RemoteConfig {
            token_cache_max_age: 3600,
            ..remote_config()
        },
        oauth_core::config::Lifetimes {
            access_token_by_grant: [("client_credentials".to_owned(), 120)].into(),
            ..Config::default().lifetimes
        },
    )
}

#[tokio::test]
async fn rfc7662_the_cache_never_outlives_the_token() {
    let s = short_lived_tokens_kept_an_hour();
    let token = s.token("opaque-app", Some(RESOURCE), "profile").await;
    let t = s.call(&token, "profile").await.expect("admitted");
    assert_eq!(t.expires_at, NOW + 120);
    s.clock.advance(119);
    s.call(&token, "profile")
        .await
        .expect("cached while it lives");
    assert_eq!(s.counts().introspections, 1);
    s.clock.advance(1);
    let e = s.call(&token, "profile").await.expect_err("expired");
    assert_eq!(code(&e), "invalid_token");
    // The cache let go of it: the server was asked, and said inactive.
    assert_eq!(s.counts().introspections, 2);
}

#[tokio::test]
async fn rfc9068_a_verified_jwt_is_kept_no_longer_than_it_lives() {
    let s = short_lived_tokens_kept_an_hour();
    let token = s.token("jwt-app", Some(RESOURCE), "profile").await;
    s.call(&token, "profile").await.expect("verified");
    // Kept while it lives, then refused though it was cached for an hour.
    s.clock.advance(119);
    s.call(&token, "profile")
        .await
        .expect("cached while it lives");
    s.clock.advance(1);
    let e = s.call(&token, "profile").await.expect_err("expired");
    assert_eq!(code(&e), "invalid_token");
}

#[tokio::test]
async fn rfc7662_2_1_only_the_resource_server_of_the_tokens_audience_may_introspect_it() {
    // The validator authenticates as `opaque-app`, which is no resource
    // server: another client's token is inactive to it.
    let s = setup(RemoteConfig {
        client_id: Some("opaque-app".into()),
        ..remote_config()
    });
    let token = s.token("jwt-app", Some(RESOURCE), "profile").await;
    let opaque = {
        // An opaque token of another client, for this resource.
        let r = s
            .remote
            .server
            .create_token_response(
                &OAuth2Request::post(format!("{ISSUER}/token"))
                    .with_header("Authorization", basic("api", SECRET))
                    .with_form([
                        ("grant_type", "client_credentials"),
                        ("resource", RESOURCE),
                        ("scope", "profile"),
                    ]),
            )
            .await;
        r.json_body()["access_token"].as_str().unwrap().to_owned()
    };
    let e = s
        .call(&opaque, "profile")
        .await
        .expect_err("not its to see");
    assert_eq!(code(&e), "invalid_token");
    // JWTs need no introspection.
    s.call(&token, "profile").await.expect("a JWT");
}

#[tokio::test]
async fn an_unknown_kid_fetches_the_jwks_again_at_most_once_per_interval() {
    let s = setup(RemoteConfig {
        jwks_refetch_interval: 30,
        ..remote_config()
    });
    // A token signed by a key the authorization server never published,
    // with every claim right.
    let forger = KeyRing::new(Algorithm::ES256, 3600, KeySealer::clear());
    let key = forger.current(&MemoryStorage::new(), NOW).await.unwrap();
    let forged = key
        .sign(
            "at+jwt",
            &json!({"iss": ISSUER, "aud": RESOURCE, "exp": NOW + 600, "client_id": "jwt-app",
                    "sub": "alice", "scope": "profile", "iat": NOW, "jti": "x"}),
        )
        .unwrap();
    let e = s.call(&forged, "profile").await.expect_err("unknown key");
    assert_eq!(code(&e), "invalid_token");
    // The first fetch, then one more for the unknown kid.
    assert_eq!(s.counts().jwks, 2);
    for _ in 0..20 {
        s.call(&forged, "profile").await.expect_err("unknown key");
    }
    assert_eq!(s.counts().jwks, 2, "no fetch loop on made-up kids");
    s.clock.advance(30);
    s.call(&forged, "profile").await.expect_err("unknown key");
    assert_eq!(s.counts().jwks, 3, "one more after the interval");
}

#[tokio::test]
async fn a_key_the_cached_jwks_lacks_is_found_by_fetching_it_again() {
    let s = setup(remote_config());
    s.remote.stale_jwks.store(true, Ordering::SeqCst);
    let token = s.token("jwt-app", Some(RESOURCE), "profile").await;
    // Cached without the key; the unknown kid fetches the set again.
    s.call(&token, "profile").await.expect_err("the stale set");
    s.remote.stale_jwks.store(false, Ordering::SeqCst);
    s.clock.advance(30);
    s.call(&token, "profile")
        .await
        .expect("found after fetching again");
}

#[tokio::test]
async fn an_unreachable_authorization_server_is_503_for_what_needs_it() {
    let s = setup(remote_config());
    let jwt = s.token("jwt-app", Some(RESOURCE), "profile").await;
    s.call(&jwt, "profile").await.expect("keys cached");
    let cached = s.token("opaque-app", Some(RESOURCE), "profile").await;
    s.call(&cached, "profile").await.expect("introspected");
    let fresh = s.token("opaque-app", Some(RESOURCE), "profile").await;
    s.remote.down.store(true, Ordering::SeqCst);
    let e = s.call(&fresh, "profile").await.expect_err("down");
    assert_eq!(code(&e), "temporarily_unavailable");
    assert_eq!(e.status(), 503);
    // What it already knows still works: cached keys, cached answers.
    s.call(&jwt, "profile").await.expect("verified locally");
    s.call(&cached, "profile").await.expect("cached");
    // Back up: the new token is introspected.
    s.remote.down.store(false, Ordering::SeqCst);
    s.call(&fresh, "profile").await.expect("recovered");
}

#[tokio::test]
async fn rfc9449_7_a_bound_token_is_taken_with_a_fresh_proof_by_its_key() {
    let s = setup(remote_config());
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let proof = |claims: serde_json::Value| key.sign_with_jwk("dpop+jwt", &claims).unwrap();
    for client in ["jwt-app", "opaque-app"] {
        let r = s
            .remote
            .server
            .create_token_response(
                &OAuth2Request::post(format!("{ISSUER}/token"))
                    .with_header("Authorization", basic(client, SECRET))
                    .with_header(
                        "DPoP",
                        proof(json!({"htm": "POST", "htu": format!("{ISSUER}/token"),
                                     "iat": NOW, "jti": format!("t-{client}")})),
                    )
                    .with_form([
                        ("grant_type", "client_credentials"),
                        ("resource", RESOURCE),
                        ("scope", "profile"),
                    ]),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let token = r.json_body()["access_token"].as_str().unwrap().to_owned();
        let at = |scheme: &str, dpop: Option<String>| {
            let mut request = OAuth2Request::get(format!("{RESOURCE}/hello?x=1"))
                .with_header("Authorization", format!("{scheme} {token}"));
            if let Some(p) = dpop {
                request = request.with_header("DPoP", p);
            }
            request
        };
        let resource_proof = |jti: &str, htu: &str| {
            proof(json!({"htm": "GET", "htu": htu, "iat": NOW, "jti": jti,
                         "ath": access_token_hash(&token)}))
        };
        let good = resource_proof(&format!("r-{client}"), &format!("{RESOURCE}/hello"));
        let t = s
            .validator
            .validate(&at("DPoP", Some(good.clone())), &ScopeRequirement::None)
            .await
            .expect("a bound token with its proof");
        assert!(t.dpop_jkt.is_some());
        // §11.1: the same proof again is a replay.
        let e = s
            .validator
            .validate(&at("DPoP", Some(good)), &ScopeRequirement::None)
            .await
            .expect_err("replayed");
        assert_eq!(code(&e), "invalid_dpop_proof");
        // §7.1: htu is this resource's URL.
        let elsewhere = resource_proof(&format!("e-{client}"), &format!("{OTHER}/hello"));
        let e = s
            .validator
            .validate(&at("DPoP", Some(elsewhere)), &ScopeRequirement::None)
            .await
            .expect_err("another URL");
        assert_eq!(code(&e), "invalid_dpop_proof");
        // §7.2: a bound token as Bearer, with the DPoP challenge.
        let e = s
            .validator
            .validate(&at("Bearer", None), &ScopeRequirement::None)
            .await
            .expect_err("as Bearer");
        assert_eq!(code(&e), "invalid_token");
        assert!(e.dpop_algs.is_some(), "a DPoP challenge");
    }
}

#[tokio::test]
async fn rfc8414_3_3_metadata_for_another_issuer_is_refused() {
    let s = setup(RemoteConfig {
        issuer: "https://as.example/other".into(),
        ..remote_config()
    });
    let token = s.token("opaque-app", Some(RESOURCE), "profile").await;
    let e = s.call(&token, "profile").await.expect_err("other issuer");
    assert_eq!(code(&e), "server_error");
}

#[test]
fn rfc9728_2_the_resource_metadata_names_its_authorization_server() {
    let s = setup(RemoteConfig {
        scopes_supported: Some(vec!["profile".into()]),
        ..remote_config()
    });
    let doc = s.validator.protected_resource_metadata();
    assert_eq!(doc["resource"], RESOURCE);
    assert_eq!(doc["authorization_servers"], json!([ISSUER]));
    assert_eq!(doc["scopes_supported"], json!(["profile"]));
}

#[test]
fn the_configuration_is_checked() {
    for (bad, key) in [
        (
            RemoteConfig {
                issuer: "http://as.example".into(),
                ..remote_config()
            },
            "issuer",
        ),
        (
            RemoteConfig {
                resource: "/api".into(),
                ..remote_config()
            },
            "resource",
        ),
        (
            RemoteConfig {
                client_secret: None,
                ..remote_config()
            },
            "client_secret",
        ),
        (
            RemoteConfig {
                token_cache_max_age: 0,
                ..remote_config()
            },
            "token_cache_max_age",
        ),
    ] {
        let e = bad.validate().expect_err(key);
        assert!(e.contains(key), "{e}");
    }
    remote_config().validate().expect("valid");
}
