//! `client_secret_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): assertions
//! signed by HMAC with the client secret, which registration keeps sealed
//! for the clients of this method. The claim checks are those of
//! `private_key_jwt` (`rfc7523_client_assertions.rs`); here, what is this
//! method's own: the key, the algorithms, the sealed secret and its life.

mod common;
use common::*;

use jsonwebtoken::{EncodingKey, Header};
use oauth_core::jose::{Algorithm, KeySealer, SigningKey};
use oauth_core::oauth2::rfc7523::CLIENT_ASSERTION_TYPE_JWT;
use oauth_core::{
    ClientMetadata, Config, Endpoints, OAuth2Client, OAuth2Request, OAuth2Response, OAuth2Storage,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://as.example";
const TOKEN: &str = "https://as.example/token";
/// A key encryption key: 32 bytes of base64.
const KEK: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn config() -> Config {
    let mut config = Config {
        issuer: Some(ISSUER.into()),
        ..Config::default()
    };
    config.signing_keys.key_encryption_key = Some(KEK.into());
    config
}

fn hmac_server() -> Server {
    let (server, _) = server_with(config());
    server.with_client_secret_jwt().with_private_key_jwt()
}

/// Client credentials metadata, authenticating with `method`.
fn cc_metadata(method: &str) -> ClientMetadata {
    ClientMetadata {
        token_endpoint_auth_method: oauth_core::ClientAuthMethod::named(method),
        grant_types: vec!["client_credentials".into()],
        response_types: vec![],
        ..ClientMetadata::default()
    }
}

/// Registers a `client_secret_jwt` client; its id and secret.
async fn register(server: &Server, alg: Option<&str>) -> (String, String) {
    let metadata = ClientMetadata {
        token_endpoint_auth_method: oauth_core::ClientAuthMethod::named("client_secret_jwt"),
        token_endpoint_auth_signing_alg: alg.map(str::to_owned),
        grant_types: vec!["client_credentials".into()],
        response_types: vec![],
        scope: Some("profile".into()),
        ..ClientMetadata::default()
    };
    let registration = server.register_client(metadata, None).await.unwrap();
    let secret = registration
        .client_secret
        .expect("a secret")
        .secret()
        .to_owned();
    (registration.record.client_id, secret)
}

fn claims(client_id: &str, jti: &str) -> Value {
    json!({
        "iss": client_id, "sub": client_id, "aud": TOKEN, "jti": jti,
        "iat": NOW, "exp": NOW + 60,
    })
}

fn hmac(alg: Algorithm, secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn client_credentials(server: &Server, assertion: &str) -> OAuth2Response {
    server
        .create_token_response(&OAuth2Request::post(TOKEN).with_form([
            ("grant_type", "client_credentials"),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT),
            ("client_assertion", assertion),
        ]))
        .await
}

fn assert_refused(r: &OAuth2Response) {
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json_body()["error"], "invalid_client", "{}", r.body);
}

#[tokio::test]
async fn oidc_core_9_client_secret_jwt_authenticates_with_each_hmac_algorithm() {
    let server = hmac_server();
    let (id, secret) = register(&server, None).await;
    // RFC 7518 §3.2: long enough to key HS512.
    assert!(secret.len() >= 64, "{}", secret.len());
    for (i, alg) in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]
        .into_iter()
        .enumerate()
    {
        let r =
            client_credentials(&server, &hmac(alg, &secret, &claims(&id, &i.to_string()))).await;
        assert_eq!(r.status, 200, "{alg:?}: {}", r.body);
    }
}

#[tokio::test]
async fn rfc7523_3_9_an_assertion_keyed_by_another_secret_is_refused() {
    let server = hmac_server();
    let (id, secret) = register(&server, None).await;
    let (_, other_secret) = register(&server, None).await;
    let forged = hmac(Algorithm::HS256, &other_secret, &claims(&id, "a"));
    assert_refused(&client_credentials(&server, &forged).await);
    // The client secret itself, sent as a secret, is not this method.
    let r = server
        .create_token_response(
            &OAuth2Request::post(TOKEN)
                .with_header("Authorization", basic(&id, &secret))
                .with_form([("grant_type", "client_credentials")]),
        )
        .await;
    assert_eq!(r.json_body()["error"], "invalid_client", "{}", r.body);
}

#[tokio::test]
async fn rfc7523_3_the_claim_checks_apply_to_hmac_assertions() {
    let server = hmac_server();
    let (id, secret) = register(&server, None).await;
    let replayed = hmac(Algorithm::HS256, &secret, &claims(&id, "once"));
    assert_eq!(client_credentials(&server, &replayed).await.status, 200);
    // §3 item 7: once.
    assert_refused(&client_credentials(&server, &replayed).await);
    let bad = [
        ("aud", json!("https://elsewhere.example")),
        ("exp", json!(NOW - 120)),
        ("exp", Value::Null),
        ("jti", Value::Null),
        ("sub", json!("someone-else")),
        ("exp", json!(NOW + 7200)),
    ];
    for (i, (name, value)) in bad.into_iter().enumerate() {
        let mut c = claims(&id, &format!("bad-{i}"));
        if value.is_null() {
            c.as_object_mut().unwrap().remove(name);
        } else {
            c[name] = value.clone();
        }
        let r = client_credentials(&server, &hmac(Algorithm::HS256, &secret, &c)).await;
        assert_refused(&r);
    }
}

#[tokio::test]
async fn rfc8725_3_1_a_client_secret_jwt_client_is_refused_any_other_algorithm() {
    let server = hmac_server();
    let (id, _) = register(&server, None).await;
    // An asymmetric assertion is private_key_jwt's, which this client did
    // not register.
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let signed = key.sign("JWT", &claims(&id, "es")).unwrap();
    assert_refused(&client_credentials(&server, &signed).await);
    // And `none`.
    let b64 = |v: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none"})),
        b64(&claims(&id, "none"))
    );
    assert_refused(&client_credentials(&server, &unsigned).await);
}

#[tokio::test]
async fn oidc_registration_2_the_registered_hmac_algorithm_is_the_only_one() {
    let server = hmac_server();
    let (id, secret) = register(&server, Some("HS512")).await;
    let hs256 = hmac(Algorithm::HS256, &secret, &claims(&id, "256"));
    assert_refused(&client_credentials(&server, &hs256).await);
    let hs512 = hmac(Algorithm::HS512, &secret, &claims(&id, "512"));
    assert_eq!(client_credentials(&server, &hs512).await.status, 200);
    // An asymmetric algorithm cannot be registered for an HMAC method.
    let metadata = ClientMetadata {
        token_endpoint_auth_method: oauth_core::ClientAuthMethod::named("client_secret_jwt"),
        token_endpoint_auth_signing_alg: Some("ES256".into()),
        grant_types: vec!["client_credentials".into()],
        response_types: vec![],
        ..ClientMetadata::default()
    };
    let e = server.register_client(metadata, None).await.unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_client_metadata");
}

#[tokio::test]
async fn rfc7518_3_2_a_secret_shorter_than_the_hash_cannot_key_it() {
    let server = hmac_server();
    let short = "a-secret-of-only-thirty-six-chars!!!";
    assert_eq!(short.len(), 36);
    let sealer = KeySealer::new(KEK).unwrap();
    let mut client =
        oauth_core::ClientRecord::confidential("short", short, cc_metadata("client_secret_jwt"));
    client.client_secret_sealed = Some(sealer.seal(short.as_bytes()).unwrap());
    server.storage().insert_client(client);
    // Enough for HS256 (32 bytes), not for HS384 (48).
    let hs256 = hmac(Algorithm::HS256, short, &claims("short", "a"));
    assert_eq!(client_credentials(&server, &hs256).await.status, 200);
    let hs384 = hmac(Algorithm::HS384, short, &claims("short", "b"));
    assert_refused(&client_credentials(&server, &hs384).await);
}

#[tokio::test]
async fn client_secret_jwt_secrets_are_sealed_and_only_for_that_method() {
    let server = hmac_server();
    let (id, secret) = register(&server, None).await;
    let stored = server.storage().find_client(&id).await.unwrap().unwrap();
    let sealed = stored.client_secret_sealed.clone().expect("kept sealed");
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(!sealed.contains(&secret));
    assert_eq!(
        KeySealer::new(KEK).unwrap().open(&sealed).unwrap(),
        secret.as_bytes()
    );
    assert_eq!(stored.sealed_client_secret(), Some(sealed.as_str()));
    // Other clients' secrets are kept as digests only.
    let basic_client = server
        .register_client(cc_metadata("client_secret_basic"), None)
        .await
        .unwrap();
    let stored = server
        .storage()
        .find_client(&basic_client.record.client_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.client_secret_sealed, None);
}

#[tokio::test]
async fn rfc8414_2_metadata_lists_client_secret_jwt_and_the_hmac_algorithms() {
    let server = hmac_server();
    let doc = server.metadata(ISSUER, &Endpoints::under("/oauth"));
    let methods = doc["token_endpoint_auth_methods_supported"].to_string();
    assert!(methods.contains("\"client_secret_jwt\""), "{methods}");
    let algs = doc["token_endpoint_auth_signing_alg_values_supported"].to_string();
    for alg in ["HS256", "HS384", "HS512", "ES256"] {
        assert!(algs.contains(alg), "{algs}");
    }
    // Without the method, no HMAC algorithm is announced.
    let (plain, _) = server_with(config());
    let doc = plain
        .with_private_key_jwt()
        .metadata(ISSUER, &Endpoints::under("/oauth"));
    let algs = doc["token_endpoint_auth_signing_alg_values_supported"].to_string();
    assert!(!algs.contains("HS256"), "{algs}");
}

#[tokio::test]
async fn rfc7592_2_2_an_update_to_or_from_client_secret_jwt_issues_a_new_secret() {
    let server = hmac_server();
    let registration = server
        .register_client(cc_metadata("client_secret_basic"), None)
        .await
        .unwrap();
    let id = registration.record.client_id.clone();
    let old_secret = registration.client_secret.unwrap().secret().to_owned();
    let token = registration
        .registration_access_token
        .unwrap()
        .secret()
        .to_owned();
    let put = |method: &str| {
        let body = json!({
            "client_id": id,
            "grant_types": ["client_credentials"],
            "response_types": [],
            "token_endpoint_auth_method": method,
        })
        .to_string();
        let request = OAuth2Request::new(
            oauth_core::http::Method::parse("PUT"),
            format!("https://as.example/register/{id}"),
        )
        .with_header("Authorization", format!("Bearer {token}"));
        let server = &server;
        let id = id.clone();
        async move {
            server
                .create_client_configuration_response(&request, &id, Some(&body))
                .await
        }
    };
    // A secret kept as a digest cannot become an HMAC key: a new one.
    let r = put("client_secret_jwt").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let new_secret = r.json_body()["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);
    let assertion = hmac(Algorithm::HS256, &new_secret, &claims(&id, "after"));
    assert_eq!(client_credentials(&server, &assertion).await.status, 200);
    // And back: the sealed copy goes with the method.
    let r = put("client_secret_basic").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let basic_secret = r.json_body()["client_secret"].as_str().unwrap().to_owned();
    let stored = server.storage().find_client(&id).await.unwrap().unwrap();
    assert_eq!(stored.client_secret_sealed, None);
    assert!(stored.check_client_secret(&basic_secret));
}

#[tokio::test]
async fn a_sealed_secret_whose_digest_is_not_the_clients_is_not_accepted() {
    // A row whose sealed copy and digest disagree (written by hand, or
    // left behind by a secret changed elsewhere): the sealed copy is
    // stale, and its HMAC does not authenticate.
    let server = hmac_server();
    let sealer = KeySealer::new(KEK).unwrap();
    let stale = "a-stale-secret-that-is-long-enough-for-hs256-000000000000000000";
    let mut client = oauth_core::ClientRecord::confidential(
        "stale",
        "the-current-secret-whose-digest-is-stored-00000000000000000000",
        cc_metadata("client_secret_jwt"),
    );
    client.client_secret_sealed = Some(sealer.seal(stale.as_bytes()).unwrap());
    server.storage().insert_client(client);
    let assertion = hmac(Algorithm::HS256, stale, &claims("stale", "s1"));
    assert_refused(&client_credentials(&server, &assertion).await);
}
