//! RFC 7662: token introspection
//! (`AuthorizationServer::create_introspection_response`).

mod common;
use common::*;

use oauth_core::{OAuth2Request, OAuth2Response};
use serde_json::json;

const INTROSPECT: &str = "https://as.example/introspect";

/// An introspection request authenticated as `basic-client` with HTTP Basic.
fn introspection(form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post(INTROSPECT)
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form(form.iter().copied())
}

async fn introspect(server: &Server, form: &[(&str, &str)]) -> OAuth2Response {
    server
        .create_introspection_response(&introspection(form))
        .await
}

/// Access and refresh token of a fresh password grant for `basic-client`.
async fn tokens(server: &Server, scope: &str) -> (String, String) {
    let body = password_tokens(server, scope).await;
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// Asserts a 200 whose body is exactly `{"active":false}` (§2.2: no other
/// information about an inactive token).
fn assert_inactive(response: &OAuth2Response) {
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.json_body(),
        json!({ "active": false }),
        "{response:?}"
    );
}

/// Asserts a 200 with `active: true` and returns the body.
fn assert_active(response: &OAuth2Response) -> serde_json::Value {
    assert_eq!(response.status, 200, "{response:?}");
    let body = response.json_body();
    assert_eq!(body["active"], true, "{response:?}");
    body
}

async fn revoke(server: &Server, token: &str) {
    let r = server
        .create_revocation_response(
            &OAuth2Request::post("https://as.example/revoke")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form([("token", token)]),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
}

#[tokio::test]
async fn rfc7662_2_2_active_access_token_has_its_metadata() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile email").await;
    let body = assert_active(&introspect(&server, &[("token", &access)]).await);
    assert_eq!(body["scope"], "profile email");
    assert_eq!(body["client_id"], "basic-client");
    assert!(
        body["token_type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
        "{body}"
    );
    assert_eq!(body["iat"], NOW);
    assert_eq!(body["exp"], NOW + 864_000);
    assert_eq!(body["sub"], "alice");
}

#[tokio::test]
async fn rfc7662_2_2_active_refresh_token_has_its_scope() {
    let (server, _) = server();
    let (_, refresh_token) = tokens(&server, "profile email").await;
    let body = assert_active(&introspect(&server, &[("token", &refresh_token)]).await);
    assert_eq!(body["scope"], "profile email");
    assert_eq!(body["client_id"], "basic-client");
    assert_eq!(body["sub"], "alice");
    assert_eq!(body["iat"], NOW);
    if let Some(exp) = body.get("exp") {
        assert!(exp.as_i64().is_some_and(|e| e > NOW), "{body}");
    }
}

#[tokio::test]
async fn rfc7662_2_2_token_type_of_refresh_token_is_a_rfc6749_5_1_type_or_absent() {
    let (server, _) = server();
    let (_, refresh_token) = tokens(&server, "profile").await;
    let body = assert_active(&introspect(&server, &[("token", &refresh_token)]).await);
    // §2.2: "token_type: Type of the token as defined in Section 5.1 of
    // OAuth 2.0" — an access token type of the RFC 6749 §7.1 registry
    // ("Bearer" here), not a token_type_hint value such as "refresh_token".
    if let Some(token_type) = body.get("token_type") {
        assert!(
            token_type
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn rfc7662_2_2_refresh_token_after_narrowed_refresh_keeps_refresh_scope() {
    let (server, _) = server();
    let (_, first) = tokens(&server, "profile email").await;
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &first),
            ("scope", "profile"),
        ]))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let body = r.json_body();
    let access = body["access_token"].as_str().unwrap();
    let refresh_token = body["refresh_token"].as_str().unwrap();
    let a = assert_active(&introspect(&server, &[("token", access)]).await);
    assert_eq!(a["scope"], "profile");
    let rt = assert_active(&introspect(&server, &[("token", refresh_token)]).await);
    assert_eq!(rt["scope"], "profile email");
}

#[tokio::test]
async fn rfc7662_2_2_unknown_token_is_inactive() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile").await;
    for token in ["no-such-token", "caf\u{e9} %zz \"\\", &access[1..]] {
        assert_inactive(&introspect(&server, &[("token", token)]).await);
    }
}

#[tokio::test]
async fn rfc7662_2_2_expired_access_token_is_inactive() {
    let (server, clock) = server();
    let (access, _) = tokens(&server, "profile").await;
    clock.advance(863_999);
    assert_active(&introspect(&server, &[("token", &access)]).await);
    clock.advance(2);
    assert_inactive(&introspect(&server, &[("token", &access)]).await);
}

#[tokio::test]
async fn rfc7662_2_2_expired_refresh_token_is_inactive() {
    let (server, clock) = server();
    let (_, refresh_token) = tokens(&server, "profile").await;
    // The access token has expired, the refresh token has not.
    clock.advance(864_001);
    assert_active(&introspect(&server, &[("token", &refresh_token)]).await);
    // refresh_token_expires_in defaults to 30 days.
    clock.advance(2_592_000);
    assert_inactive(&introspect(&server, &[("token", &refresh_token)]).await);
}

#[tokio::test]
async fn rfc7662_2_2_revoked_tokens_are_inactive() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile").await;
    let (access2, refresh2) = tokens(&server, "profile").await;
    revoke(&server, &access).await;
    assert_inactive(&introspect(&server, &[("token", &access)]).await);
    revoke(&server, &refresh2).await;
    assert_inactive(&introspect(&server, &[("token", &refresh2)]).await);
    assert_inactive(&introspect(&server, &[("token", &access2)]).await);
}

#[tokio::test]
async fn rfc7662_2_2_rotated_out_refresh_token_is_inactive() {
    let (server, _) = server();
    let (access, first) = tokens(&server, "profile").await;
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &first),
        ]))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_inactive(&introspect(&server, &[("token", &first)]).await);
    assert_inactive(&introspect(&server, &[("token", &access)]).await);
}

#[tokio::test]
async fn rfc7662_2_2_another_clients_token_is_inactive() {
    let (server, _) = server();
    let (access, refresh_token) = tokens(&server, "profile").await;
    for token in [&access, &refresh_token] {
        // The owner sees it active...
        assert_active(&introspect(&server, &[("token", token)]).await);
        // ...another confidential client sees nothing.
        let r = server
            .create_introspection_response(&post(
                INTROSPECT,
                &[
                    ("token", token),
                    ("client_id", "post-client"),
                    ("client_secret", SECRET),
                ],
            ))
            .await;
        assert_inactive(&r);
        let r = server
            .create_introspection_response(
                &OAuth2Request::post(INTROSPECT)
                    .with_header("Authorization", basic("multi-client", SECRET))
                    .with_form([("token", token.as_str())]),
            )
            .await;
        assert_inactive(&r);
    }
}

#[tokio::test]
async fn rfc7662_2_1_public_client_is_refused() {
    let (server, _) = server();
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "password"),
                ("client_id", "public-client"),
                ("username", "bob"),
                ("password", "valid"),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let own = r.json_body()["access_token"].as_str().unwrap().to_owned();
    let r = server
        .create_introspection_response(&post(
            INTROSPECT,
            &[("token", own.as_str()), ("client_id", "public-client")],
        ))
        .await;
    assert!(r.status == 400 || r.status == 401, "{r:?}");
    assert_eq!(r.json_body()["error"], "invalid_client", "{r:?}");
    assert!(r.json_body().get("active").is_none(), "{r:?}");
}

#[tokio::test]
async fn rfc7662_2_1_unauthenticated_request_is_invalid_client() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile").await;
    // No credentials at all.
    let r = server
        .create_introspection_response(&post(INTROSPECT, &[("token", &access)]))
        .await;
    assert!(r.status == 400 || r.status == 401, "{r:?}");
    assert_eq!(r.json_body()["error"], "invalid_client", "{r:?}");
    assert!(r.json_body().get("active").is_none(), "{r:?}");
}

#[tokio::test]
async fn rfc7662_2_3_wrong_basic_credentials_are_401_with_challenge() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile").await;
    for header in [
        basic("basic-client", "wrong"),
        basic("no-such-client", SECRET),
        "Basic !!!".to_owned(),
    ] {
        let r = server
            .create_introspection_response(
                &OAuth2Request::post(INTROSPECT)
                    .with_header("Authorization", header.as_str())
                    .with_form([("token", access.as_str())]),
            )
            .await;
        assert_error(&r, 401, "invalid_client");
        let challenge = r.header("WWW-Authenticate").expect("WWW-Authenticate");
        assert!(
            challenge.to_ascii_lowercase().starts_with("basic"),
            "{challenge:?}"
        );
        assert!(r.json_body().get("active").is_none(), "{r:?}");
    }
}

#[tokio::test]
async fn rfc7662_2_1_missing_token_is_invalid_request() {
    let (server, _) = server();
    assert_error(&introspect(&server, &[]).await, 400, "invalid_request");
    assert_error(
        &introspect(&server, &[("token_type_hint", "access_token")]).await,
        400,
        "invalid_request",
    );
}

#[tokio::test]
async fn rfc7662_2_1_token_type_hint_is_only_a_hint() {
    let (server, _) = server();
    let (access, refresh_token) = tokens(&server, "profile").await;
    for hint in ["access_token", "refresh_token", "id_token", "unknown"] {
        let a = assert_active(
            &introspect(&server, &[("token", &access), ("token_type_hint", hint)]).await,
        );
        assert!(
            a["token_type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
            "{hint}: {a}"
        );
        assert_eq!(a["exp"], NOW + 864_000, "{hint}: {a}");
        assert_active(
            &introspect(
                &server,
                &[("token", &refresh_token), ("token_type_hint", hint)],
            )
            .await,
        );
    }
}

#[tokio::test]
async fn rfc7662_4_response_is_not_cached() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile").await;
    for token in [access.as_str(), "no-such-token"] {
        let r = introspect(&server, &[("token", token)]).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.header("Cache-Control"), Some("no-store"), "{r:?}");
        assert!(
            r.header("Content-Type")
                .is_some_and(|ct| ct.starts_with("application/json")),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn rfc7662_2_1_get_is_405() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile").await;
    let r = server
        .create_introspection_response(
            &OAuth2Request::get(format!("{INTROSPECT}?token={access}"))
                .with_header("Authorization", basic("basic-client", SECRET)),
        )
        .await;
    assert_eq!(r.status, 405, "{r:?}");
    assert_eq!(r.header("Allow"), Some("POST"));
    assert!(r.json_body().get("active").is_none(), "{r:?}");
}

#[tokio::test]
async fn rfc7662_4_request_without_tls_is_refused() {
    let (server, _) = server();
    let (access, _) = tokens(&server, "profile").await;
    let r = server
        .create_introspection_response(
            &OAuth2Request::post("http://as.example/introspect")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form([("token", access.as_str())]),
        )
        .await;
    assert_error(&r, 400, "invalid_request");
    assert!(r.json_body().get("active").is_none(), "{r:?}");
}

#[tokio::test]
async fn rfc7662_2_2_introspection_changes_nothing_stored() {
    let (server, _) = server();
    let (access, refresh_token) = tokens(&server, "profile").await;
    let before = server.storage().tokens();
    for token in [access.as_str(), refresh_token.as_str(), "no-such-token"] {
        introspect(&server, &[("token", token)]).await;
    }
    assert_eq!(server.storage().tokens(), before);
    assert_active(&introspect(&server, &[("token", &access)]).await);
}
