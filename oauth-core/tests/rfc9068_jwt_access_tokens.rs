//! RFC 9068 JWT access tokens on the engine, for a client registered with
//! `access_token_strategy: "jwt"`: the header (§2.1), the claims (§2.2),
//! the signature against the published JWK Set, and that the server still
//! validates, revokes and introspects them as it does opaque tokens.

mod common;

use common::*;
use oauth_core::jose::{self, JwkSet, SUPPORTED_ALGORITHMS, Verification};
use oauth_core::{
    ClientAuthMethod, ClientMetadata, ClientRecord, Config, Consent, Login, OAuth2Request,
    ScopeRequirement,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://as.example";
const RS_A: &str = "https://a.example/api";
const RS_B: &str = "https://b.example/api";

fn jwt_client(id: &str, strategy: Option<&str>) -> ClientRecord {
    ClientRecord::confidential(
        id,
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            grant_types: vec![
                "authorization_code".into(),
                "refresh_token".into(),
                "client_credentials".into(),
            ],
            scope: Some("openid profile".into()),
            access_token_strategy: strategy.map(String::from),
            ..ClientMetadata::default()
        },
    )
}

fn jwt_server() -> Server {
    let (server, _) = server_with(Config {
        issuer: Some(ISSUER.into()),
        resources: vec![RS_A.into(), RS_B.into()],
        ..Config::default()
    });
    server
        .storage()
        .insert_client(jwt_client("jwt-rp", Some("jwt")));
    server
        .storage()
        .insert_client(jwt_client("opaque-rp", Some("opaque")));
    server.with_openid_connect()
}

fn token_request(client: &str, form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post(format!("{ISSUER}/token"))
        .with_header("Authorization", basic(client, SECRET))
        .with_form(form.iter().copied())
}

async fn tokens(server: &Server, client: &str, form: &[(&str, &str)]) -> Value {
    let r = server
        .create_token_response(&token_request(client, form))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

/// The header and claims of an access token that verifies as RFC 9068
/// requires: `typ` `at+jwt`, against the published keys.
async fn verify(server: &Server, token: &str) -> (jsonwebtoken::Header, Value) {
    let jwks: JwkSet =
        serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap();
    let verified = jose::verify(
        token,
        &jwks,
        &Verification::new(&SUPPORTED_ALGORITHMS).with_typ("at+jwt"),
    )
    .expect("an at+jwt that verifies with the published keys");
    (verified.header, verified.claims)
}

#[tokio::test]
async fn rfc9068_2_client_credentials_token_is_a_signed_at_jwt_with_every_claim() {
    let server = jwt_server();
    let body = tokens(
        &server,
        "jwt-rp",
        &[("grant_type", "client_credentials"), ("scope", "profile")],
    )
    .await;
    let token = body["access_token"].as_str().unwrap();
    let (header, claims) = verify(&server, token).await;
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert!(header.kid.is_some());
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], ISSUER);
    // §2.2: no resource owner, so sub is the client.
    assert_eq!(claims["sub"], "jwt-rp");
    assert_eq!(claims["client_id"], "jwt-rp");
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["exp"], NOW + body["expires_in"].as_i64().unwrap());
    assert_eq!(claims["scope"], "profile");
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    let again = tokens(&server, "jwt-rp", &[("grant_type", "client_credentials")]).await;
    let (_, second) = verify(&server, again["access_token"].as_str().unwrap()).await;
    assert_ne!(second["jti"], claims["jti"], "jti is unique");
}

#[tokio::test]
async fn rfc9068_3_aud_is_the_resource_the_client_indicated() {
    // §3 with RFC 8707: the resource indicators are the audience; one is
    // a string, several an array.
    let server = jwt_server();
    let one = tokens(
        &server,
        "jwt-rp",
        &[("grant_type", "client_credentials"), ("resource", RS_A)],
    )
    .await;
    let (_, claims) = verify(&server, one["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["aud"], RS_A);
    let both = tokens(
        &server,
        "jwt-rp",
        &[
            ("grant_type", "client_credentials"),
            ("resource", RS_A),
            ("resource", RS_B),
        ],
    )
    .await;
    let (_, claims) = verify(&server, both["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["aud"], json!([RS_A, RS_B]));
}

#[tokio::test]
async fn rfc9068_2_2_a_users_token_names_the_user_and_the_login() {
    let server = jwt_server();
    let response = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "jwt-rp"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid profile"),
            ]),
            Consent::LoggedIn(Login::new("alice", NOW - 60).with_amr(["pwd"])),
        )
        .await;
    let code = redirect_params(&response)["code"].clone();
    let body = tokens(
        &server,
        "jwt-rp",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    let (_, claims) = verify(&server, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["auth_time"], NOW - 60);
    assert_eq!(claims["amr"], json!(["pwd"]));
    assert_eq!(claims["scope"], "openid profile");
    // The ID token's at_hash is of the JWT.
    let id_token = body["id_token"].as_str().unwrap();
    let alg = jsonwebtoken::decode_header(id_token).unwrap().alg;
    let jwks: JwkSet =
        serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap();
    let id = jose::verify(id_token, &jwks, &Verification::new(&SUPPORTED_ALGORITHMS)).unwrap();
    // §4: the typ keeps an ID token from passing for an access token.
    assert!(
        jose::verify(
            id_token,
            &jwks,
            &Verification::new(&SUPPORTED_ALGORITHMS).with_typ("at+jwt")
        )
        .is_err()
    );
    assert_eq!(
        id.claims["at_hash"],
        oauth_core::oidc::token_hash(alg, body["access_token"].as_str().unwrap())
    );
    // A refresh gives a JWT again, for the same user.
    let refreshed = tokens(
        &server,
        "jwt-rp",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    let (_, claims) = verify(&server, refreshed["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["auth_time"], NOW - 60);
}

#[tokio::test]
async fn rfc9068_4_the_server_validates_revokes_and_introspects_jwt_access_tokens() {
    let server = jwt_server();
    let body = tokens(
        &server,
        "jwt-rp",
        &[("grant_type", "client_credentials"), ("scope", "profile")],
    )
    .await;
    let token = body["access_token"].as_str().unwrap();
    let api = OAuth2Request::get("https://as.example/api")
        .with_header("Authorization", format!("Bearer {token}"));
    let required = ScopeRequirement::all_of(["profile"]);
    assert!(server.validate_bearer(&api, &required).await.is_ok());
    let introspection = server
        .create_introspection_response(&token_request("jwt-rp", &[("token", token)]))
        .await
        .json_body();
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["client_id"], "jwt-rp");
    let r = server
        .create_revocation_response(&token_request("jwt-rp", &[("token", token)]))
        .await;
    assert_eq!(r.status, 200);
    // Revocation is honoured although the signature still verifies.
    let _ = verify(&server, token).await;
    assert!(server.validate_bearer(&api, &required).await.is_err());
    let introspection = server
        .create_introspection_response(&token_request("jwt-rp", &[("token", token)]))
        .await
        .json_body();
    assert_eq!(introspection["active"], false);
}

#[tokio::test]
async fn rfc9068_opaque_is_the_default_and_stays_opaque() {
    let server = jwt_server();
    server.storage().insert_client(jwt_client("plain-rp", None));
    for client in ["opaque-rp", "plain-rp"] {
        let body = tokens(&server, client, &[("grant_type", "client_credentials")]).await;
        let token = body["access_token"].as_str().unwrap();
        assert!(!token.contains('.'), "{client}: {token}");
    }
}

#[test]
fn rfc9068_registration_takes_opaque_or_jwt_and_jwt_only_with_signing_keys() {
    let server = jwt_server();
    let metadata = |strategy: &str| ClientMetadata {
        redirect_uris: vec![REDIRECT.into()],
        access_token_strategy: Some(strategy.into()),
        ..ClientMetadata::default()
    };
    assert!(server.validate_client_metadata(metadata("jwt")).is_ok());
    assert!(server.validate_client_metadata(metadata("opaque")).is_ok());
    let err = server
        .validate_client_metadata(metadata("macaroon"))
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_client_metadata");
    let (without_keys, _) = server_with(Config::default());
    let err = without_keys
        .validate_client_metadata(metadata("jwt"))
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_client_metadata");
}
