//! RFC 7523 §2.2 and §3 with OpenID Connect Core §9: `private_key_jwt`
//! client authentication, at the token, introspection and revocation
//! endpoints, with every refusal of §3 and the registration and metadata
//! that go with it. Refusals are `invalid_client` with 400: RFC 6749 §5.2
//! asks for 401 only when the client authenticated with a header.

mod common;
use common::*;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::jose::{Algorithm, JwkSet, SigningKey};
use oauth_core::oauth2::rfc7523::CLIENT_ASSERTION_TYPE_JWT;
use oauth_core::{
    ClientAuthMethod, ClientMetadata, ClientRecord, Config, Endpoints, OAuth2Request,
    OAuth2Response,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://as.example";
const TOKEN: &str = "https://as.example/token";
const CLIENT: &str = "jwt-client";

fn jwt_client(keys: &[&SigningKey], alg: Option<&str>) -> ClientRecord {
    ClientRecord {
        client_secret_digest: None,
        ..ClientRecord::confidential(
            CLIENT,
            "unused",
            ClientMetadata {
                token_endpoint_auth_method: ClientAuthMethod::named("private_key_jwt"),
                jwks: Some(JwkSet {
                    keys: keys.iter().map(|k| k.public_jwk()).collect(),
                }),
                token_endpoint_auth_signing_alg: alg.map(str::to_owned),
                grant_types: vec!["client_credentials".into()],
                response_types: vec![],
                scope: Some(CLIENT_SCOPE.into()),
                ..ClientMetadata::default()
            },
        )
    }
}

/// A server with the issuer set, `private_key_jwt` on, and `jwt-client`
/// registered with `key`.
fn jwt_server(key: &SigningKey) -> Server {
    let (server, _) = server_with(Config {
        issuer: Some(ISSUER.into()),
        ..Config::default()
    });
    server.storage().insert_client(jwt_client(&[key], None));
    server.with_private_key_jwt()
}

/// Claims a valid assertion of `jwt-client` for this server.
fn claims(jti: &str) -> Value {
    json!({
        "iss": CLIENT, "sub": CLIENT, "aud": ISSUER, "jti": jti,
        "iat": NOW, "exp": NOW + 60,
    })
}

fn with_claim(mut claims: Value, name: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(name);
    } else {
        claims[name] = value;
    }
    claims
}

fn assertion_request(uri: &str, assertion: &str, form: &[(&str, &str)]) -> OAuth2Request {
    let mut all = vec![
        ("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT),
        ("client_assertion", assertion),
    ];
    all.extend_from_slice(form);
    OAuth2Request::post(uri).with_form(all)
}

async fn client_credentials(server: &Server, assertion: &str) -> OAuth2Response {
    server
        .create_token_response(&assertion_request(
            TOKEN,
            assertion,
            &[("grant_type", "client_credentials"), ("scope", "profile")],
        ))
        .await
}

/// Asserts that assertions whose claim `name` is each of `values` (absent
/// for `Null`) are refused with `invalid_client`.
async fn assert_each_refused(server: &Server, key: &SigningKey, name: &str, values: Vec<Value>) {
    for (i, value) in values.into_iter().enumerate() {
        let claims = with_claim(claims(&format!("{name}-{i}")), name, value.clone());
        let r = client_credentials(server, &key.sign("JWT", &claims).unwrap()).await;
        assert_eq!(r.status, 400, "{name} = {value}: {}", r.body);
        assert_eq!(r.json_body()["error"], "invalid_client", "{name} = {value}");
    }
}

fn es256() -> SigningKey {
    SigningKey::generate(Algorithm::ES256).unwrap()
}

#[tokio::test]
async fn rfc7523_2_2_private_key_jwt_authenticates_with_each_algorithm() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::RS256] {
        let key = SigningKey::generate(alg).unwrap();
        let server = jwt_server(&key);
        let assertion = key.sign("JWT", &claims("one")).unwrap();
        let r = client_credentials(&server, &assertion).await;
        assert_eq!(r.status, 200, "{alg:?}: {}", r.body);
        assert_eq!(r.json_body()["scope"], "profile");
    }
}

#[tokio::test]
async fn rfc7523_2_2_assertions_authenticate_at_introspection_and_revocation() {
    let key = es256();
    let server = jwt_server(&key);
    let a = key.sign("JWT", &claims("issue")).unwrap();
    let token = client_credentials(&server, &a).await.json_body()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = key.sign("JWT", &claims("introspect")).unwrap();
    let r = server
        .create_introspection_response(&assertion_request(
            "https://as.example/introspect",
            &a,
            &[("token", &token)],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["active"], true, "{}", r.body);
    assert_eq!(r.json_body()["client_id"], CLIENT);
    let a = key.sign("JWT", &claims("revoke")).unwrap();
    let r = server
        .create_revocation_response(&assertion_request(
            "https://as.example/revoke",
            &a,
            &[("token", "whatever")],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Without an assertion the same request is an unauthenticated one.
    let r = server
        .create_revocation_response(&post(
            "https://as.example/revoke",
            &[("token", "x"), ("client_id", CLIENT)],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn rfc7523_3_7_a_jti_is_accepted_once() {
    let key = es256();
    let server = jwt_server(&key);
    let assertion = key.sign("JWT", &claims("once")).unwrap();
    assert_eq!(client_credentials(&server, &assertion).await.status, 200);
    let replay = client_credentials(&server, &assertion).await;
    assert_error(&replay, 400, "invalid_client");
    assert!(
        replay.json_body()["error_description"]
            .as_str()
            .unwrap()
            .contains("jti")
    );
    // A new assertion with the same jti is the same replay.
    let again = key
        .sign("JWT", &with_claim(claims("once"), "exp", json!(NOW + 120)))
        .unwrap();
    assert_error(
        &client_credentials(&server, &again).await,
        400,
        "invalid_client",
    );
    // Another jti is fine.
    let other = key.sign("JWT", &claims("twice")).unwrap();
    assert_eq!(client_credentials(&server, &other).await.status, 200);
}

#[tokio::test]
async fn oidc_core_9_jti_is_required() {
    let key = es256();
    let server = jwt_server(&key);
    assert_each_refused(&server, &key, "jti", vec![Value::Null, json!(""), json!(7)]).await;
}

#[tokio::test]
async fn rfc7523_3_1_and_2_iss_and_sub_must_be_the_client_id() {
    let key = es256();
    let server = jwt_server(&key);
    for (name, value) in [
        ("sub", json!("someone-else")),
        ("iss", json!("someone-else")),
        ("sub", Value::Null),
        ("iss", Value::Null),
    ] {
        let a = key
            .sign("JWT", &with_claim(claims("x"), name, value.clone()))
            .unwrap();
        let r = client_credentials(&server, &a).await;
        assert_error(&r, 400, "invalid_client");
    }
    // iss and sub both another registered client's id: that client did
    // not register private_key_jwt.
    let a = key
        .sign(
            "JWT",
            &with_claim(
                with_claim(claims("x"), "iss", json!("basic-client")),
                "sub",
                json!("basic-client"),
            ),
        )
        .unwrap();
    assert_error(
        &client_credentials(&server, &a).await,
        400,
        "invalid_client",
    );
}

#[tokio::test]
async fn rfc7523_3_3_aud_must_name_this_server() {
    let key = es256();
    let server = jwt_server(&key);
    // The issuer and the URL of the endpoint it is sent to are accepted, as
    // a string or in an array.
    for (i, aud) in [
        json!(ISSUER),
        json!(TOKEN),
        json!(["https://elsewhere.example", ISSUER]),
    ]
    .into_iter()
    .enumerate()
    {
        let a = key
            .sign(
                "JWT",
                &with_claim(claims(&format!("ok{i}")), "aud", aud.clone()),
            )
            .unwrap();
        assert_eq!(client_credentials(&server, &a).await.status, 200, "{aud}");
    }
    let refused = vec![
        json!("https://elsewhere.example"),
        json!("https://as.example/introspect"),
        json!("https://as.example.evil/token"),
        json!(["https://elsewhere.example"]),
        json!([]),
        Value::Null,
    ];
    assert_each_refused(&server, &key, "aud", refused).await;
}

#[tokio::test]
async fn rfc7523_3_3_aud_comes_from_the_configured_issuer_not_the_host() {
    let key = es256();
    let server = jwt_server(&key);
    // A request that arrives under another host does not make that host's
    // URL an accepted audience.
    let a = key
        .sign(
            "JWT",
            &with_claim(
                claims("host"),
                "aud",
                json!("https://attacker.example/token"),
            ),
        )
        .unwrap();
    let r = server
        .create_token_response(&assertion_request(
            "https://attacker.example/token",
            &a,
            &[("grant_type", "client_credentials")],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn rfc7523_3_4_exp_is_required_not_passed_and_not_far_ahead() {
    let key = es256();
    let server = jwt_server(&key);
    // Past beyond the 60 s leeway, and beyond the hour ahead.
    let exps = vec![
        Value::Null,
        json!(NOW - 61),
        json!(NOW + 3600 + 1),
        json!("soon"),
    ];
    assert_each_refused(&server, &key, "exp", exps).await;
}

#[tokio::test]
async fn rfc7523_3_5_and_6_nbf_and_iat_must_not_be_ahead() {
    let key = es256();
    let server = jwt_server(&key);
    for name in ["nbf", "iat"] {
        assert_each_refused(&server, &key, name, vec![json!(NOW + 300)]).await;
    }
}

#[tokio::test]
async fn rfc7523_3_9_signature_must_verify_with_a_registered_key() {
    let key = es256();
    let server = jwt_server(&key);
    // Another key, with the registered key's kid in its header or not.
    let stranger = es256();
    let a = stranger.sign("JWT", &claims("s1")).unwrap();
    assert_error(
        &client_credentials(&server, &a).await,
        400,
        "invalid_client",
    );
    let good = key.sign("JWT", &claims("s2")).unwrap();
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged_sig = stranger.sign("JWT", &claims("s2")).unwrap();
    parts[2] = forged_sig.split('.').nth(2).unwrap();
    assert_error(
        &client_credentials(&server, &parts.join(".")).await,
        400,
        "invalid_client",
    );
    // A forged assertion records nothing: the real one with its jti works.
    assert_eq!(client_credentials(&server, &good).await.status, 200);
}

#[tokio::test]
async fn rfc8725_3_1_alg_none_and_hmac_assertions_are_refused() {
    let key = es256();
    let server = jwt_server(&key);
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims("n"))
    );
    assert_error(
        &client_credentials(&server, &none).await,
        400,
        "invalid_client",
    );
    // An HS256 assertion is client_secret_jwt's, which is not served here.
    let hs = format!(
        "{}.{}.c2ln",
        b64(&json!({"alg": "HS256", "typ": "JWT"})),
        b64(&claims("h"))
    );
    let r = client_credentials(&server, &hs).await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn oidc_registration_2_the_registered_signing_alg_is_the_only_one() {
    let es = es256();
    let ed = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let (server, _) = server_with(Config {
        issuer: Some(ISSUER.into()),
        ..Config::default()
    });
    server
        .storage()
        .insert_client(jwt_client(&[&es, &ed], Some("EdDSA")));
    let server = server.with_private_key_jwt();
    let a = es.sign("JWT", &claims("es")).unwrap();
    assert_error(
        &client_credentials(&server, &a).await,
        400,
        "invalid_client",
    );
    let a = ed.sign("JWT", &claims("ed")).unwrap();
    assert_eq!(client_credentials(&server, &a).await.status, 200);
}

#[tokio::test]
async fn rfc6749_2_3_one_method_and_one_client_per_request() {
    let key = es256();
    let server = jwt_server(&key);
    let a = key.sign("JWT", &claims("m1")).unwrap();
    // With a Basic header too.
    let r = server
        .create_token_response(
            &assertion_request(TOKEN, &a, &[("grant_type", "client_credentials")])
                .with_header("Authorization", basic(CLIENT, "x")),
        )
        .await;
    assert_error(&r, 400, "invalid_request");
    // With a client_secret too.
    let r = server
        .create_token_response(&assertion_request(
            TOKEN,
            &a,
            &[("grant_type", "client_credentials"), ("client_secret", "x")],
        ))
        .await;
    assert_error(&r, 400, "invalid_request");
    // With another client_id in the body.
    let r = server
        .create_token_response(&assertion_request(
            TOKEN,
            &a,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "basic-client"),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_request");
    // None of these used the jti.
    assert_eq!(client_credentials(&server, &a).await.status, 200);
}

#[tokio::test]
async fn rfc6749_2_3_a_client_uses_only_its_registered_method() {
    let key = es256();
    let server = jwt_server(&key);
    // jwt-client by secret: refused.
    let r = server
        .create_token_response(
            &OAuth2Request::post(TOKEN)
                .with_header("Authorization", basic(CLIENT, "unused"))
                .with_form([("grant_type", "client_credentials")]),
        )
        .await;
    // RFC 6749 §5.2: after an Authorization header, 401.
    assert_error(&r, 401, "invalid_client");
    // jwt-client as a public client, by its client_id alone: refused.
    let r = server
        .create_token_response(&post(
            TOKEN,
            &[("grant_type", "client_credentials"), ("client_id", CLIENT)],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn rfc7523_2_2_malformed_assertion_parameters_are_refused() {
    let key = es256();
    let server = jwt_server(&key);
    let a = key.sign("JWT", &claims("p")).unwrap();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("client_assertion", a.as_str())], "invalid_request"),
        (
            vec![("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT)],
            "invalid_request",
        ),
        (
            vec![
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
                ),
                ("client_assertion", a.as_str()),
            ],
            "invalid_client",
        ),
        (
            vec![
                ("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT),
                ("client_assertion", "not.a-jwt"),
            ],
            "invalid_client",
        ),
    ];
    for (mut form, code) in cases {
        form.push(("grant_type", "client_credentials"));
        let r = server
            .create_token_response(&OAuth2Request::post(TOKEN).with_form(form.clone()))
            .await;
        assert_eq!(r.json_body()["error"], code, "{form:?}: {}", r.body);
    }
    // A server without private_key_jwt does not take assertions for a
    // client's id alone (the client would pass as public).
    let (plain, _) = common::server();
    let r = plain
        .create_token_response(&assertion_request(
            TOKEN,
            &a,
            &[
                ("grant_type", "password"),
                ("client_id", "public-client"),
                ("username", "alice"),
                ("password", "valid"),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn rfc7591_2_private_key_jwt_registration_needs_public_jwks() {
    let key = es256();
    let server = jwt_server(&key).with_grant(oauth_core::grants::ClientCredentialsGrant);
    let jwk = serde_json::to_value(key.public_jwk()).unwrap();
    let register = |body: Value| {
        let server = &server;
        async move {
            let metadata = oauth_core::oauth2::rfc7591::parse_metadata(&body.to_string())?;
            server.register_client(metadata, None).await
        }
    };
    let ok = register(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["client_credentials"],
        "jwks": {"keys": [jwk.clone()]},
        "token_endpoint_auth_signing_alg": "ES256",
    }))
    .await
    .unwrap();
    // No secret for a client that signs with its own key.
    assert!(ok.client_secret.is_none());
    assert!(ok.to_json().get("client_secret").is_none());
    let mut private = jwk.clone();
    private["d"] = json!("c2VjcmV0");
    for (body, why) in [
        (
            json!({"token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"]}),
            "no jwks",
        ),
        (
            json!({"token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": []}}),
            "empty jwks",
        ),
        (
            json!({"token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks_uri": "https://client.example/jwks"}),
            "jwks_uri",
        ),
        (
            json!({"token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": [private]}}),
            "private member",
        ),
        (
            json!({"token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": [jwk.clone()]}, "token_endpoint_auth_signing_alg": "none"}),
            "alg none",
        ),
        (
            json!({"token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": [jwk.clone()]}, "token_endpoint_auth_signing_alg": "HS256"}),
            "alg HS256",
        ),
        (
            json!({"token_endpoint_auth_method": "client_secret_basic", "grant_types": ["client_credentials"], "token_endpoint_auth_signing_alg": "ES256"}),
            "alg without a signing method",
        ),
    ] {
        let e = register(body).await.unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_client_metadata", "{why}: {e:?}");
    }
    // A server without the method refuses to register it at all.
    let (plain, _) = common::server();
    let metadata = oauth_core::oauth2::rfc7591::parse_metadata(
        &json!({"token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": [jwk]}}).to_string(),
    )
    .unwrap();
    let e = plain.register_client(metadata, None).await.unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_client_metadata");
}

#[tokio::test]
async fn rfc8414_2_metadata_lists_private_key_jwt_and_its_algorithms() {
    let key = es256();
    let server = jwt_server(&key);
    let endpoints = Endpoints {
        revocation: Some("/revoke".into()),
        introspection: Some("/introspect".into()),
        ..Endpoints::under("")
    };
    let doc = server.metadata(ISSUER, &endpoints);
    for field in [
        "token_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
    ] {
        let methods = doc[field].as_array().unwrap();
        assert!(
            methods.contains(&json!("private_key_jwt")),
            "{field}: {doc}"
        );
    }
    assert!(
        !doc["introspection_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("none"))
    );
    for field in [
        "token_endpoint_auth_signing_alg_values_supported",
        "revocation_endpoint_auth_signing_alg_values_supported",
        "introspection_endpoint_auth_signing_alg_values_supported",
    ] {
        assert_eq!(doc[field], json!(["RS256", "ES256", "EdDSA"]), "{field}");
    }
    // Without the method, no algorithms are announced.
    let (plain, _) = common::server();
    let doc = plain.metadata(ISSUER, &endpoints);
    assert!(
        doc.get("token_endpoint_auth_signing_alg_values_supported")
            .is_none()
    );
}
