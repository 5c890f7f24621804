//! The UserInfo endpoint (OpenID Connect Core 1.0 §5.3) on the engine:
//! GET and POST with a bearer token (§5.3.1), the claims of the token's
//! scope and of the `claims` parameter (§5.3.2, §5.4, §5.5), `sub` always
//! and the site's own `sub` never, and the errors of §5.3.3 with their
//! RFC 6750 challenges.

mod common;

use common::*;
use oauth_core::oidc::UserClaims;
use oauth_core::{ClientMetadata, ClientRecord, Config, Consent, Login, OAuth2Request};
use serde_json::{Map, Value, json};

const RP: &str = "rp";

#[derive(Clone)]
struct User {
    name: &'static str,
    email: Option<&'static str>,
}

impl UserClaims for User {
    fn claims(&self) -> Map<String, Value> {
        let mut c = Map::new();
        c.insert("sub".into(), "not-the-user-id".into());
        c.insert("name".into(), self.name.into());
        c.insert("preferred_username".into(), self.name.to_lowercase().into());
        c.insert(
            "email".into(),
            self.email.map(Value::from).unwrap_or(Value::Null),
        );
        c.insert("email_verified".into(), true.into());
        c.insert("phone_number".into(), "+1 555 0100".into());
        c
    }
}

fn oidc_server() -> Server {
    let (server, _) = server_with(Config {
        issuer: Some("https://as.example".into()),
        ..Config::default()
    });
    server.storage().insert_client(ClientRecord::confidential(
        RP,
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            grant_types: vec!["authorization_code".into(), "client_credentials".into()],
            scope: Some("openid profile email".into()),
            ..ClientMetadata::default()
        },
    ));
    server.storage().insert_user(
        "alice",
        User {
            name: "Alice",
            email: Some("alice@example.test"),
        },
    );
    server.storage().insert_user(
        "nomail",
        User {
            name: "No Mail",
            email: None,
        },
    );
    server.with_openid_connect()
}

/// An access token for `user` with `scope` (and a `claims` parameter).
async fn access_token(server: &Server, user: &str, scope: &str, claims: Option<&str>) -> String {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", RP),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
    ];
    if let Some(c) = claims {
        params.push(("claims", c));
    }
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
                .with_header("Authorization", basic(RP, SECRET))
                .with_form([
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", REDIRECT),
                ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()["access_token"].as_str().unwrap().to_owned()
}

fn get(token: &str) -> OAuth2Request {
    OAuth2Request::get("https://as.example/userinfo")
        .with_header("Authorization", format!("Bearer {token}"))
}

async fn userinfo(server: &Server, request: &OAuth2Request) -> oauth_core::OAuth2Response {
    server.create_userinfo_response::<User>(request).await
}

#[tokio::test]
async fn oidc_core_5_3_2_claims_of_the_granted_scope_with_sub_always() {
    let server = oidc_server();
    let token = access_token(&server, "alice", "openid profile", None).await;
    let r = userinfo(&server, &get(&token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.header("Content-Type")
            .unwrap()
            .starts_with("application/json")
    );
    // §5.3.2: sub is the user id, never the site's; profile claims only.
    assert_eq!(
        r.json_body(),
        json!({"sub": "alice", "name": "Alice", "preferred_username": "alice"})
    );
    let token = access_token(&server, "alice", "openid email", None).await;
    assert_eq!(
        userinfo(&server, &get(&token)).await.json_body(),
        json!({"sub": "alice", "email": "alice@example.test", "email_verified": true})
    );
}

#[tokio::test]
async fn oidc_core_5_3_2_a_claim_without_a_value_is_left_out() {
    let server = oidc_server();
    let token = access_token(&server, "nomail", "openid email", None).await;
    let body = userinfo(&server, &get(&token)).await.json_body();
    assert_eq!(body, json!({"sub": "nomail", "email_verified": true}));
}

#[tokio::test]
async fn oidc_core_5_3_1_post_with_the_token_in_the_header() {
    let server = oidc_server();
    let token = access_token(&server, "alice", "openid profile", None).await;
    let request = OAuth2Request::post("https://as.example/userinfo")
        .with_header("Authorization", format!("Bearer {token}"))
        .with_form_body("");
    let r = userinfo(&server, &request).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["sub"], "alice");
}

#[tokio::test]
async fn oidc_core_5_5_claims_parameter_asks_for_userinfo_claims_by_name() {
    let server = oidc_server();
    let token = access_token(
        &server,
        "alice",
        "openid",
        Some(r#"{"userinfo":{"phone_number":{"essential":true}},"id_token":{"email":null}}"#),
    )
    .await;
    // Only the userinfo member counts here.
    assert_eq!(
        userinfo(&server, &get(&token)).await.json_body(),
        json!({"sub": "alice", "phone_number": "+1 555 0100"})
    );
}

#[tokio::test]
async fn oidc_core_5_3_3_no_token_or_a_bad_one_is_401_with_a_bearer_challenge() {
    let server = oidc_server();
    let r = userinfo(&server, &OAuth2Request::get("https://as.example/userinfo")).await;
    assert_eq!(r.status, 401);
    assert!(r.header("WWW-Authenticate").unwrap().starts_with("Bearer"));
    let r = userinfo(&server, &get("not-a-token")).await;
    assert_eq!(r.status, 401);
    assert!(
        r.header("WWW-Authenticate")
            .unwrap()
            .contains("invalid_token")
    );
}

#[tokio::test]
async fn oidc_core_5_3_3_a_token_without_openid_is_insufficient_scope() {
    let server = oidc_server();
    let token = access_token(&server, "alice", "profile", None).await;
    let r = userinfo(&server, &get(&token)).await;
    assert_eq!(r.status, 403);
    let challenge = r.header("WWW-Authenticate").unwrap();
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    assert!(challenge.contains("scope=\"openid\""), "{challenge}");
}

#[tokio::test]
async fn oidc_core_5_3_a_token_of_no_user_or_of_a_deleted_user_is_refused() {
    let server = oidc_server();
    // Client credentials: a token that acts for no user.
    let r = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic(RP, SECRET))
                .with_form([("grant_type", "client_credentials"), ("scope", "openid")]),
        )
        .await;
    let token = r.json_body()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(userinfo(&server, &get(&token)).await.status, 403);
    // A user the site no longer has.
    let token = access_token(&server, "ghost", "openid profile", None).await;
    let r = userinfo(&server, &get(&token)).await;
    assert_eq!(r.status, 401);
    assert!(
        r.header("WWW-Authenticate")
            .unwrap()
            .contains("invalid_token")
    );
}

#[tokio::test]
async fn oidc_core_5_3_other_methods_are_405() {
    let server = oidc_server();
    let token = access_token(&server, "alice", "openid", None).await;
    let request = OAuth2Request::new(
        oauth_core::Method::parse("DELETE"),
        "https://as.example/userinfo",
    )
    .with_header("Authorization", format!("Bearer {token}"));
    let r = userinfo(&server, &request).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("GET, POST"));
}

/// RFC 9449 §7 at UserInfo: a DPoP-bound token with a proof by its key
/// reads the claims; presented as Bearer it is refused with the DPoP
/// challenge.
#[tokio::test]
async fn rfc9449_7_userinfo_takes_a_dpop_bound_token_with_its_proof() {
    use oauth_core::jose::{Algorithm, SigningKey};
    use oauth_core::oauth2::rfc9449::access_token_hash;
    let server = oidc_server();
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let proof = |htm: &str, htu: &str, jti: &str, token: Option<&str>| {
        let mut claims = json!({"htm": htm, "htu": htu, "iat": NOW, "jti": jti});
        if let Some(t) = token {
            claims["ath"] = access_token_hash(t).into();
        }
        key.sign_with_jwk("dpop+jwt", &claims).unwrap()
    };
    let code = {
        let response = server
            .create_authorization_response(
                &authorize_request(&[
                    ("response_type", "code"),
                    ("client_id", RP),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid profile"),
                ]),
                Consent::LoggedIn(Login::new("alice", NOW)),
            )
            .await;
        redirect_params(&response)["code"].clone()
    };
    let r = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic(RP, SECRET))
                .with_header("DPoP", proof("POST", "https://as.example/token", "t", None))
                .with_form([
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", REDIRECT),
                ]),
        )
        .await;
    assert_eq!(r.json_body()["token_type"], "DPoP", "{}", r.body);
    let token = r.json_body()["access_token"].as_str().unwrap().to_owned();
    let with_proof = OAuth2Request::get("https://as.example/userinfo")
        .with_header("Authorization", format!("DPoP {token}"))
        .with_header(
            "DPoP",
            proof("GET", "https://as.example/userinfo", "u", Some(&token)),
        );
    let r = userinfo(&server, &with_proof).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["sub"], "alice");
    let r = userinfo(&server, &get(&token)).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(r.header("WWW-Authenticate").unwrap().starts_with("DPoP "));
}
