//! The FAPI 2.0 Security Profile switch (`profile = "fapi2"`): what it
//! turns on (§5.3), what it refuses to start with, and the clients it
//! refuses, at registration and at every use.

mod common;
use common::*;

use oauth_core::config::Profile;
use oauth_core::jose::{Algorithm, JwkSet, SigningKey};
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth2::rfc7523::CLIENT_ASSERTION_TYPE_JWT;
use oauth_core::{
    AuthorizationServer, ClientAuthMethod, ClientMetadata, ClientRecord, Config, Consent,
    Endpoints, OAuth2Request, OAuth2Response,
};
use serde_json::json;

const ISSUER: &str = "https://as.example";
const PAR: &str = "https://as.example/par";
const TOKEN: &str = "https://as.example/token";

fn fapi() -> Config {
    Config {
        issuer: Some(ISSUER.into()),
        profile: Some(Profile::Fapi2),
        ..Config::default()
    }
}

/// A FAPI server (without the password grant of the common server) with
/// `private_key_jwt`, and `fapi-client` registered with `key`.
fn fapi_server(key: &SigningKey) -> Server {
    let storage = MemoryStorage::new();
    storage.insert_client(signed_client("fapi-client", key));
    AuthorizationServer::new(storage, fapi())
        .unwrap()
        .with_clock(oauth_core::ManualClock::new(NOW))
        .with_private_key_jwt()
}

fn signed_client(id: &str, key: &SigningKey) -> ClientRecord {
    ClientRecord {
        client_secret_digest: None,
        ..ClientRecord::confidential(id, "unused", signed_metadata(key))
    }
}

fn signed_metadata(key: &SigningKey) -> ClientMetadata {
    ClientMetadata {
        redirect_uris: vec![REDIRECT.into()],
        token_endpoint_auth_method: ClientAuthMethod::named("private_key_jwt"),
        jwks: Some(JwkSet {
            keys: vec![key.public_jwk()],
        }),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        response_types: vec!["code".into()],
        scope: Some("profile".into()),
        ..ClientMetadata::default()
    }
}

fn assertion(key: &SigningKey, aud: &str, jti: &str) -> String {
    key.sign(
        "JWT",
        &json!({
            "iss": "fapi-client", "sub": "fapi-client", "aud": aud,
            "jti": jti, "iat": NOW, "exp": NOW + 60,
        }),
    )
    .unwrap()
}

fn dpop(key: &SigningKey, htu: &str, jti: &str) -> String {
    key.sign_with_jwk(
        "dpop+jwt",
        &json!({"htm": "POST", "htu": htu, "iat": NOW, "jti": jti}),
    )
    .unwrap()
}

fn signed_post(uri: &str, key: &SigningKey, jti: &str, form: &[(&str, &str)]) -> OAuth2Request {
    let client_assertion = assertion(key, ISSUER, jti);
    let mut all = vec![
        ("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT),
        ("client_assertion", client_assertion.as_str()),
    ];
    all.extend_from_slice(form);
    OAuth2Request::post(uri).with_form(all)
}

const CODE_REQUEST: [(&str, &str); 5] = [
    ("response_type", "code"),
    ("redirect_uri", REDIRECT),
    ("scope", "profile"),
    ("code_challenge", CHALLENGE),
    ("code_challenge_method", "S256"),
];

async fn push(server: &Server, request: OAuth2Request) -> OAuth2Response {
    server.create_pushed_authorization_response(&request).await
}

#[test]
fn fapi2_the_profile_turns_its_requirements_on_together() {
    let c = fapi().with_profile().unwrap();
    assert!(c.par.require);
    assert!(c.pkce.require_for_confidential_clients);
    assert!(!c.pkce.allow_plain);
    assert!(c.dpop.require);
    assert!(!c.implicit_grant);
    assert_eq!(c.lifetimes.authorization_code, 60);
    assert_eq!(c.dpop.algorithms, ["ES256", "EdDSA"]);
    assert_eq!(c.signing_keys.algorithm, "ES256");
    // A shorter code lifetime, or EdDSA, is kept.
    let mut shorter = fapi();
    shorter.lifetimes.authorization_code = 30;
    shorter.signing_keys.algorithm = "EdDSA".into();
    let c = shorter.with_profile().unwrap();
    assert_eq!(c.lifetimes.authorization_code, 30);
    assert_eq!(c.signing_keys.algorithm, "EdDSA");
    // Without the profile, nothing changes.
    assert_eq!(Config::default().with_profile().unwrap(), Config::default());
    // In TOML it is `profile = "fapi2"`.
    let parsed: Config = serde_json::from_value(json!({"profile": "fapi2"})).unwrap();
    assert_eq!(parsed.profile, Some(Profile::Fapi2));
}

/// A change to a configuration.
type Setting = dyn Fn(&mut Config);

#[test]
fn fapi2_settings_that_contradict_the_profile_stop_the_start() {
    let cases: Vec<(&str, Box<Setting>)> = vec![
        ("pkce.allow_plain", Box::new(|c| c.pkce.allow_plain = true)),
        (
            "lifetimes.authorization_code",
            Box::new(|c| c.lifetimes.authorization_code = 120),
        ),
        ("bearer.in_query", Box::new(|c| c.bearer.in_query = true)),
        (
            "dpop.algorithms",
            Box::new(|c| c.dpop.algorithms = vec!["RS256".into()]),
        ),
        (
            "signing_keys",
            Box::new(|c| c.signing_keys.additional_algorithms = vec!["RS256".into()]),
        ),
    ];
    for (key, set) in cases {
        let mut config = fapi();
        set(&mut config);
        let error = match AuthorizationServer::new(MemoryStorage::new(), config) {
            Ok(_) => panic!("{key}: started"),
            Err(e) => e.to_string(),
        };
        assert!(error.contains(key), "{key}: {error}");
        assert!(error.contains("fapi2"), "{key}: {error}");
    }
}

#[test]
fn fapi2_a_server_with_the_password_grant_does_not_pass_its_profile() {
    let (common, _) = server_with(fapi());
    let e = common.check_profile().unwrap_err();
    assert!(e.contains("password"), "{e}");
    assert!(fapi_server(&es256()).check_profile().is_ok());
    // Without the profile the password grant is fine.
    assert!(server().0.check_profile().is_ok());
}

fn es256() -> SigningKey {
    SigningKey::generate(Algorithm::ES256).unwrap()
}

#[tokio::test]
async fn fapi2_5_3_the_whole_flow_pushed_signed_pkce_and_dpop_bound() {
    let key = es256();
    let dpop_key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let server = fapi_server(&key);
    let r = push(
        &server,
        signed_post(PAR, &key, "a1", &CODE_REQUEST).with_header("DPoP", dpop(&dpop_key, PAR, "d1")),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let uri = r.json_body()["request_uri"].as_str().unwrap().to_owned();
    let response = server
        .create_authorization_response(
            &authorize_request(&[("client_id", "fapi-client"), ("request_uri", &uri)]),
            Consent::Granted {
                user_id: "alice".into(),
            },
        )
        .await;
    let params = redirect_params(&response);
    // RFC 9207, which FAPI 2.0 requires.
    assert_eq!(params["iss"], ISSUER);
    let code = params["code"].clone();
    let r = server
        .create_token_response(
            &signed_post(
                TOKEN,
                &key,
                "a2",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", VERIFIER),
                ],
            )
            .with_header("DPoP", dpop(&dpop_key, TOKEN, "d2")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["token_type"], "DPoP");
}

#[tokio::test]
async fn fapi2_5_3_2_2_authorization_requests_must_be_pushed_and_use_s256() {
    let key = es256();
    let server = fapi_server(&key);
    // Not pushed: refused, even for a client that did not register PAR.
    let mut direct = vec![("client_id", "fapi-client")];
    direct.extend_from_slice(&CODE_REQUEST);
    let response = server
        .create_authorization_response(
            &authorize_request(&direct),
            Consent::Granted {
                user_id: "alice".into(),
            },
        )
        .await;
    let params = redirect_params(&response);
    assert_eq!(params["error"], "invalid_request", "{response:?}");
    assert!(
        params["error_description"].contains("pushed"),
        "{response:?}"
    );
    assert!(!params.contains_key("code"));
    // Pushed without PKCE, or with plain: refused, confidential client or not.
    let without: Vec<(&str, &str)> = CODE_REQUEST[..3].to_vec();
    let r = push(&server, signed_post(PAR, &key, "b1", &without)).await;
    assert_error(&r, 400, "invalid_request");
    let plain = [
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ];
    let r = push(&server, signed_post(PAR, &key, "b2", &plain)).await;
    assert_error(&r, 400, "invalid_request");
    // Only the code response type.
    let mut hybrid = CODE_REQUEST.to_vec();
    hybrid[0] = ("response_type", "code id_token");
    let r = push(&server, signed_post(PAR, &key, "b3", &hybrid)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json_body()["error"], "unsupported_response_type");
}

#[tokio::test]
async fn fapi2_5_3_2_1_tokens_are_sender_constrained() {
    let key = es256();
    let server = fapi_server(&key);
    let form = [("grant_type", "client_credentials")];
    server.storage().insert_client(ClientRecord {
        metadata: ClientMetadata {
            grant_types: vec!["client_credentials".into()],
            response_types: vec![],
            ..signed_metadata(&key)
        },
        ..signed_client("fapi-client", &key)
    });
    let r = server
        .create_token_response(&signed_post(TOKEN, &key, "c1", &form))
        .await;
    assert_error(&r, 400, "invalid_dpop_proof");
    let r = server
        .create_token_response(
            &signed_post(TOKEN, &key, "c2", &form).with_header("DPoP", dpop(&key, TOKEN, "d")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["token_type"], "DPoP");
}

#[tokio::test]
async fn fapi2_5_3_2_1_secret_methods_and_rs256_are_refused_even_for_stored_clients() {
    let key = es256();
    let server = fapi_server(&key);
    // A client stored with a secret method (not registered through the
    // profile's checks) cannot authenticate.
    server.storage().insert_client(ClientRecord::confidential(
        "secret-client",
        SECRET,
        ClientMetadata {
            grant_types: vec!["client_credentials".into()],
            response_types: vec![],
            ..ClientMetadata::default()
        },
    ));
    let r = server
        .create_token_response(
            &OAuth2Request::post(TOKEN)
                .with_header("Authorization", basic("secret-client", SECRET))
                .with_header("DPoP", dpop(&key, TOKEN, "s"))
                .with_form([("grant_type", "client_credentials")]),
        )
        .await;
    assert_error(&r, 401, "invalid_client");
    // An RS256 assertion by a registered RS256 key is refused.
    let rsa = SigningKey::generate(Algorithm::RS256).unwrap();
    let server = fapi_server(&rsa);
    let r = push(&server, signed_post(PAR, &rsa, "r1", &CODE_REQUEST)).await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn fapi2_the_password_grant_is_not_served() {
    let (server, _) = server_with(fapi());
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "valid"),
        ]))
        .await;
    assert_error(&r, 400, "unsupported_grant_type");
}

#[tokio::test]
async fn fapi2_registration_refuses_clients_that_do_not_comply() {
    let key = es256();
    let server = fapi_server(&key);
    let refused: Vec<(&str, ClientMetadata)> = vec![
        (
            "client_secret_basic",
            ClientMetadata {
                token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
                jwks: None,
                ..signed_metadata(&key)
            },
        ),
        (
            "code id_token",
            ClientMetadata {
                response_types: vec!["code id_token".into()],
                ..signed_metadata(&key)
            },
        ),
        (
            "password",
            ClientMetadata {
                grant_types: vec!["authorization_code".into(), "password".into()],
                ..signed_metadata(&key)
            },
        ),
        (
            "RS256",
            ClientMetadata {
                token_endpoint_auth_signing_alg: Some("RS256".into()),
                ..signed_metadata(&key)
            },
        ),
    ];
    for (what, metadata) in refused {
        let e = server.register_client(metadata, None).await.unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_client_metadata", "{what}");
        assert!(
            e.description.contains("FAPI 2.0"),
            "{what}: {}",
            e.description
        );
    }
    assert!(
        server
            .register_client(signed_metadata(&key), None)
            .await
            .is_ok()
    );
    let public = ClientMetadata {
        token_endpoint_auth_method: ClientAuthMethod::None,
        jwks: None,
        grant_types: vec!["authorization_code".into()],
        ..signed_metadata(&key)
    };
    assert!(server.register_client(public, None).await.is_ok());
}

#[test]
fn fapi2_metadata_announces_only_what_the_profile_allows() {
    let (server, _) = server_with(fapi());
    let server = server.with_private_key_jwt().with_openid_connect();
    let doc = server.metadata(ISSUER, &Endpoints::under("/oauth"));
    let strings = |field: &str| -> Vec<String> {
        doc[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field} in {doc}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(strings("response_types_supported"), ["code"]);
    assert!(!strings("grant_types_supported").contains(&"password".to_owned()));
    let mut methods = strings("token_endpoint_auth_methods_supported");
    methods.sort();
    assert_eq!(methods, ["none", "private_key_jwt"]);
    assert_eq!(
        strings("token_endpoint_auth_signing_alg_values_supported"),
        ["ES256", "EdDSA"]
    );
    assert_eq!(strings("code_challenge_methods_supported"), ["S256"]);
    assert_eq!(
        strings("dpop_signing_alg_values_supported"),
        ["ES256", "EdDSA"]
    );
    assert_eq!(doc["require_pushed_authorization_requests"], true);
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
}
