//! Subject identifier types (OpenID Connect Core 1.0 §8): `public` (the
//! user id) and `pairwise` (§8.1: one value per sector, the same for the
//! clients of one sector, unrelated across sectors), in the ID token, at
//! UserInfo, in JWT access tokens and in `id_token_hint`.

mod common;

use common::*;
use oauth_core::jose::{self, JwkSet, SUPPORTED_ALGORITHMS, Verification};
use oauth_core::oidc::{Interaction, UserClaims};
use oauth_core::{ClientMetadata, ClientRecord, Config, Consent, Endpoints, Login, OAuth2Request};
use serde_json::{Map, Value, json};

#[derive(Clone)]
struct User;

impl UserClaims for User {
    fn claims(&self) -> Map<String, Value> {
        Map::new()
    }
}

fn client(id: &str, redirect: &str, subject_type: Option<&str>) -> ClientRecord {
    ClientRecord::confidential(
        id,
        SECRET,
        ClientMetadata {
            redirect_uris: vec![redirect.into()],
            grant_types: vec!["authorization_code".into()],
            scope: Some("openid".into()),
            subject_type: subject_type.map(String::from),
            access_token_strategy: Some("jwt".into()),
            ..ClientMetadata::default()
        },
    )
}

fn pairwise_server() -> Server {
    let (server, _) = server_with(Config {
        issuer: Some("https://as.example".into()),
        pairwise_salt: Some("a salt nobody knows".into()),
        ..Config::default()
    });
    for c in [
        client("a1", "https://a.example/cb", Some("pairwise")),
        client("a2", "https://a.example/other", Some("pairwise")),
        client("b", "https://b.example/cb", Some("pairwise")),
        client("pub", "https://c.example/cb", None),
    ] {
        server.storage().insert_client(c);
    }
    server.storage().insert_user("alice", User);
    server.with_openid_connect()
}

fn redirect_of(client: &str) -> &'static str {
    match client {
        "a1" => "https://a.example/cb",
        "a2" => "https://a.example/other",
        "b" => "https://b.example/cb",
        _ => "https://c.example/cb",
    }
}

/// The token response of a code flow for `user` at `client`.
async fn sign_in(server: &Server, client: &str, user: &str, extra: &[(&str, &str)]) -> Value {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", redirect_of(client)),
        ("scope", "openid"),
    ];
    params.extend_from_slice(extra);
    let response = server
        .create_authorization_response(
            &authorize_request(&params),
            Consent::LoggedIn(Login::new(user, NOW)),
        )
        .await;
    let code = redirect_params(&response)["code"].clone();
    let r = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic(client, SECRET))
                .with_form([
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect_of(client)),
                ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

async fn claims(server: &Server, jwt: &str) -> Value {
    let jwks: JwkSet =
        serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap();
    jose::verify(jwt, &jwks, &Verification::new(&SUPPORTED_ALGORITHMS))
        .unwrap()
        .claims
}

async fn sub_at(server: &Server, client: &str) -> String {
    let body = sign_in(server, client, "alice", &[]).await;
    claims(server, body["id_token"].as_str().unwrap()).await["sub"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn oidc_core_8_1_pairwise_sub_is_per_sector_and_public_sub_is_the_user_id() {
    let server = pairwise_server();
    let (a1, a2, b, public) = (
        sub_at(&server, "a1").await,
        sub_at(&server, "a2").await,
        sub_at(&server, "b").await,
        sub_at(&server, "pub").await,
    );
    assert_eq!(a1, a2, "one sector, one identifier");
    assert_ne!(a1, b, "another sector, another identifier");
    assert_ne!(a1, "alice");
    assert_eq!(public, "alice");
    // Stable: the same again.
    assert_eq!(sub_at(&server, "a1").await, a1);
}

#[tokio::test]
async fn oidc_core_8_1_userinfo_and_jwt_access_tokens_use_the_same_pairwise_sub() {
    let server = pairwise_server();
    let body = sign_in(&server, "a1", "alice", &[]).await;
    let id_sub = claims(&server, body["id_token"].as_str().unwrap()).await["sub"].clone();
    let access = body["access_token"].as_str().unwrap();
    let userinfo = server
        .create_userinfo_response::<User>(
            &OAuth2Request::get("https://as.example/userinfo")
                .with_header("Authorization", format!("Bearer {access}")),
        )
        .await;
    assert_eq!(userinfo.status, 200, "{}", userinfo.body);
    assert_eq!(userinfo.json_body()["sub"], id_sub);
    assert_eq!(claims(&server, access).await["sub"], id_sub);
}

#[tokio::test]
async fn oidc_core_3_1_2_1_a_pairwise_id_token_hint_names_its_user() {
    let server = pairwise_server();
    let body = sign_in(&server, "a1", "alice", &[]).await;
    let hint = body["id_token"].as_str().unwrap().to_owned();
    let request = server
        .validate_authorization_request(&authorize_request(&[
            ("response_type", "code"),
            ("client_id", "a1"),
            ("redirect_uri", "https://a.example/cb"),
            ("scope", "openid"),
            ("id_token_hint", &hint),
        ]))
        .await
        .unwrap();
    assert_eq!(
        request
            .interaction(Some(&Login::new("alice", NOW)), NOW, true)
            .unwrap(),
        Interaction::Grant
    );
    assert_eq!(
        request
            .interaction(Some(&Login::new("bob", NOW)), NOW, true)
            .unwrap(),
        Interaction::Login
    );
}

#[test]
fn oidc_registration_2_pairwise_needs_a_salt_and_one_sector() {
    let server = pairwise_server();
    let metadata = |uris: &[&str]| ClientMetadata {
        redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
        subject_type: Some("pairwise".into()),
        ..ClientMetadata::default()
    };
    assert!(
        server
            .validate_client_metadata(metadata(&["https://a.example/cb", "https://a.example/x"]))
            .is_ok()
    );
    let err = server
        .validate_client_metadata(metadata(&["https://a.example/cb", "https://b.example/cb"]))
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_client_metadata");
    let doc = server.metadata("https://as.example", &Endpoints::under("/oauth"));
    assert_eq!(
        doc["subject_types_supported"],
        json!(["public", "pairwise"])
    );
    // The salt never shows.
    assert!(!format!("{:?}", server.config()).contains("a salt nobody knows"));
}
