//! RFC 9101 (JAR): signed request objects by value at the authorization
//! endpoint and pushed with PAR (RFC 9126 §3), with every refusal of §6.

mod common;
use common::*;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::http::form_urlencode;
use oauth_core::jose::{Algorithm, JwkSet, SigningKey};
use oauth_core::{
    AuthorizationError, AuthorizationRequest, ClientMetadata, ClientRecord, Config, Endpoints,
    OAuth2Request,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://as.example";
const CLIENT: &str = "jar-client";

fn jar_server(key: &SigningKey, require_signed: bool, alg: Option<&str>) -> Server {
    let (server, _) = server_with(Config {
        issuer: Some(ISSUER.into()),
        ..Config::default()
    });
    server.storage().insert_client(ClientRecord::confidential(
        CLIENT,
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            scope: Some(CLIENT_SCOPE.into()),
            jwks: Some(JwkSet {
                keys: vec![key.public_jwk()],
            }),
            request_object_signing_alg: alg.map(str::to_owned),
            require_signed_request_object: require_signed,
            ..ClientMetadata::default()
        },
    ));
    server
}

fn object_claims() -> Value {
    json!({
        "iss": CLIENT, "aud": ISSUER, "client_id": CLIENT,
        "response_type": "code", "redirect_uri": REDIRECT,
        "scope": "profile email", "state": "signed-state",
        "max_age": 300, "exp": NOW + 300, "nbf": NOW - 5,
    })
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(name);
    } else {
        claims[name] = value;
    }
    claims
}

/// The authorization request carrying `object` by value, with more query.
fn by_value(object: &str, more: &str) -> OAuth2Request {
    OAuth2Request::get(format!(
        "https://as.example/authorize?client_id={CLIENT}&request={}{more}",
        form_urlencode(object)
    ))
}

async fn validate(
    server: &Server,
    request: &OAuth2Request,
) -> Result<AuthorizationRequest<ClientRecord>, AuthorizationError> {
    server.validate_authorization_request(request).await
}

fn refused_code(e: AuthorizationError) -> String {
    match e {
        AuthorizationError::Fatal(e) => e.code.as_str().to_owned(),
        other => panic!("redirected: {other:?}"),
    }
}

#[tokio::test]
async fn rfc9101_6_3_the_parameters_are_the_objects_only() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let server = jar_server(&key, false, None);
    let object = key.sign("oauth-authz-req+jwt", &object_claims()).unwrap();
    let validated = validate(
        &server,
        &by_value(
            &object,
            "&scope=admin&state=outside&redirect_uri=https%3A%2F%2Fevil.example",
        ),
    )
    .await
    .unwrap();
    assert_eq!(validated.scope.to_string(), "profile email");
    assert_eq!(validated.state.as_deref(), Some("signed-state"));
    assert_eq!(validated.redirect_uri, REDIRECT);
}

#[tokio::test]
async fn rfc9101_6_2_objects_that_do_not_verify_are_invalid_request_object() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let server = jar_server(&key, false, None);
    let stranger = SigningKey::generate(Algorithm::ES256).unwrap();
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none"})),
        b64(&object_claims())
    );
    let cases = [
        (
            stranger.sign("JWT", &object_claims()).unwrap(),
            "another key",
        ),
        (unsigned, "alg none"),
        ("not-a-jwt".to_owned(), "not a JWT"),
        (
            key.sign(
                "JWT",
                &with(object_claims(), "client_id", json!("basic-client")),
            )
            .unwrap(),
            "another client_id",
        ),
        (
            key.sign("JWT", &with(object_claims(), "client_id", Value::Null))
                .unwrap(),
            "no client_id",
        ),
        (
            key.sign("JWT", &with(object_claims(), "iss", json!("someone")))
                .unwrap(),
            "another iss",
        ),
        (
            key.sign("JWT", &with(object_claims(), "aud", Value::Null))
                .unwrap(),
            "no aud",
        ),
        (
            key.sign(
                "JWT",
                &with(object_claims(), "aud", json!("https://other.example")),
            )
            .unwrap(),
            "another aud",
        ),
        (
            key.sign("JWT", &with(object_claims(), "exp", json!(NOW - 120)))
                .unwrap(),
            "expired",
        ),
        (
            key.sign("JWT", &with(object_claims(), "nbf", json!(NOW + 600)))
                .unwrap(),
            "not yet valid",
        ),
        (
            key.sign(
                "JWT",
                &with(
                    object_claims(),
                    "request_uri",
                    json!("https://rp.example/r"),
                ),
            )
            .unwrap(),
            "a request_uri inside",
        ),
        (
            key.sign("JWT", &with(object_claims(), "request", json!("x.y.z")))
                .unwrap(),
            "a request inside",
        ),
    ];
    for (object, why) in cases {
        let e = validate(&server, &by_value(&object, "")).await.unwrap_err();
        assert_eq!(refused_code(e), "invalid_request_object", "{why}");
    }
}

#[tokio::test]
async fn rfc9101_5_client_id_must_be_sent_beside_the_object() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let server = jar_server(&key, false, None);
    let object = key.sign("JWT", &object_claims()).unwrap();
    let request = OAuth2Request::get(format!(
        "https://as.example/authorize?request={}",
        form_urlencode(&object)
    ));
    let e = validate(&server, &request).await.unwrap_err();
    assert_eq!(refused_code(e), "invalid_request");
}

#[tokio::test]
async fn oidc_registration_2_the_registered_request_object_alg_is_the_only_one() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let server = jar_server(&key, false, Some("EdDSA"));
    let object = key.sign("JWT", &object_claims()).unwrap();
    let e = validate(&server, &by_value(&object, "")).await.unwrap_err();
    assert_eq!(refused_code(e), "invalid_request_object");
}

#[tokio::test]
async fn rfc9101_10_5_a_client_may_be_held_to_signed_requests() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let server = jar_server(&key, true, None);
    let plain = authorize_request(&[
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
    ]);
    let e = validate(&server, &plain).await.unwrap_err();
    assert_eq!(e.error().code.as_str(), "invalid_request");
    let object = key.sign("JWT", &object_claims()).unwrap();
    validate(&server, &by_value(&object, "")).await.unwrap();
    // Pushed unsigned: refused at the PAR endpoint; pushed signed: used.
    let par = |form: Vec<(&'static str, String)>| {
        OAuth2Request::post("https://as.example/par")
            .with_header("Authorization", basic(CLIENT, SECRET))
            .with_form(form)
    };
    let r = server
        .create_pushed_authorization_response(&par(vec![
            ("response_type", "code".into()),
            ("redirect_uri", REDIRECT.into()),
        ]))
        .await;
    assert_error(&r, 400, "invalid_request");
    let r = server
        .create_pushed_authorization_response(&par(vec![("request", object.clone())]))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let uri = r.json_body()["request_uri"].as_str().unwrap().to_owned();
    let validated = validate(
        &server,
        &OAuth2Request::get(format!(
            "https://as.example/authorize?client_id={CLIENT}&request_uri={}",
            form_urlencode(&uri)
        )),
    )
    .await
    .unwrap();
    assert_eq!(validated.state.as_deref(), Some("signed-state"));
}

#[tokio::test]
async fn rfc9126_3_a_pushed_request_object_is_verified_when_pushed() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let server = jar_server(&key, false, None);
    let stranger = SigningKey::generate(Algorithm::ES256).unwrap();
    let r = server
        .create_pushed_authorization_response(
            &OAuth2Request::post("https://as.example/par")
                .with_header("Authorization", basic(CLIENT, SECRET))
                .with_form([(
                    "request",
                    stranger.sign("JWT", &object_claims()).unwrap().as_str(),
                )]),
        )
        .await;
    assert_error(&r, 400, "invalid_request_object");
}

#[tokio::test]
async fn rfc9101_registration_and_metadata() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let server = jar_server(&key, false, None);
    let doc = server.metadata(ISSUER, &Endpoints::under(""));
    assert_eq!(
        doc["request_object_signing_alg_values_supported"],
        json!(["RS256", "ES256", "EdDSA"])
    );
    assert_eq!(doc["require_signed_request_object"], false);
    let register = |body: Value| {
        let server = &server;
        async move {
            let metadata = oauth_core::oauth2::rfc7591::parse_metadata(&body.to_string())?;
            server.register_client(metadata, None).await
        }
    };
    for (body, why) in [
        (
            json!({"redirect_uris": [REDIRECT], "request_object_signing_alg": "none"}),
            "alg none",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "request_object_signing_alg": "HS256"}),
            "alg HS256",
        ),
        (
            json!({"redirect_uris": [REDIRECT], "require_signed_request_object": true}),
            "no keys",
        ),
    ] {
        let e = register(body).await.unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_client_metadata", "{why}");
    }
    let jwk = serde_json::to_value(key.public_jwk()).unwrap();
    register(json!({
        "redirect_uris": [REDIRECT],
        "require_signed_request_object": true,
        "request_object_signing_alg": "ES256",
        "jwks": {"keys": [jwk]},
    }))
    .await
    .unwrap();
}
