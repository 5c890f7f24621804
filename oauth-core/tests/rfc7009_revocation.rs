//! RFC 7009: token revocation (`AuthorizationServer::create_revocation_response`).

mod common;
use common::*;

use oauth_core::{OAuth2Request, OAuth2Response, ScopeRequirement};

const REVOKE: &str = "https://as.example/revoke";

/// A revocation request authenticated as `basic-client` with HTTP Basic.
fn revocation(form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post(REVOKE)
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form(form.iter().copied())
}

async fn revoke(server: &Server, form: &[(&str, &str)]) -> OAuth2Response {
    server.create_revocation_response(&revocation(form)).await
}

/// Whether `token` is accepted at a protected resource.
async fn validates(server: &Server, token: &str) -> bool {
    server
        .validate_bearer(
            &OAuth2Request::get("https://api.example/r")
                .with_header("Authorization", format!("Bearer {token}")),
            &ScopeRequirement::None,
        )
        .await
        .is_ok()
}

/// Uses a refresh token of `basic-client` at the token endpoint.
async fn refresh(server: &Server, refresh_token: &str) -> OAuth2Response {
    server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ]))
        .await
}

/// Access and refresh token of a fresh password grant for `basic-client`.
async fn tokens(server: &Server) -> (String, String) {
    let body = password_tokens(server, "profile email").await;
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// Asserts the §2.1 success answer: 200.
fn assert_revoked_ok(response: &OAuth2Response) {
    assert_eq!(response.status, 200, "{response:?}");
}

#[tokio::test]
async fn rfc7009_2_1_revoking_an_access_token_invalidates_it() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    assert!(validates(&server, &access).await);
    assert_revoked_ok(&revoke(&server, &[("token", &access)]).await);
    assert!(!validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_1_revoking_a_refresh_token_revokes_its_grant() {
    let (server, _) = server();
    let (access, refresh_token) = tokens(&server).await;
    let (other_access, other_refresh) = tokens(&server).await;
    assert_revoked_ok(&revoke(&server, &[("token", &refresh_token)]).await);
    // "SHOULD also invalidate all access tokens based on the same
    // authorization grant".
    assert!(!validates(&server, &access).await);
    assert_error(
        &refresh(&server, &refresh_token).await,
        400,
        "invalid_grant",
    );
    // Another grant of the same client and user is untouched.
    assert!(validates(&server, &other_access).await);
    assert_eq!(refresh(&server, &other_refresh).await.status, 200);
}

#[tokio::test]
async fn rfc7009_2_1_revoking_a_rotated_refresh_token_revokes_access_tokens_issued_by_refresh() {
    let (server, _) = server();
    let (_, first_refresh) = tokens(&server).await;
    let r = refresh(&server, &first_refresh).await;
    assert_eq!(r.status, 200, "{r:?}");
    let body = r.json_body();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh_token = body["refresh_token"].as_str().unwrap().to_owned();
    assert!(validates(&server, &access).await);
    assert_revoked_ok(&revoke(&server, &[("token", &refresh_token)]).await);
    assert!(!validates(&server, &access).await);
    assert_error(
        &refresh(&server, &refresh_token).await,
        400,
        "invalid_grant",
    );
}

#[tokio::test]
async fn rfc7009_2_1_token_type_hint_is_honoured() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let (access2, refresh2) = tokens(&server).await;
    assert_revoked_ok(
        &revoke(
            &server,
            &[("token", &access), ("token_type_hint", "access_token")],
        )
        .await,
    );
    assert!(!validates(&server, &access).await);
    assert_revoked_ok(
        &revoke(
            &server,
            &[("token", &refresh2), ("token_type_hint", "refresh_token")],
        )
        .await,
    );
    assert!(!validates(&server, &access2).await);
    assert_error(&refresh(&server, &refresh2).await, 400, "invalid_grant");
}

#[tokio::test]
async fn rfc7009_2_1_wrong_hint_extends_the_search() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let (access2, refresh2) = tokens(&server).await;
    // "If the server is unable to locate the token using the given hint, it
    // MUST extend its search across all of its supported token types."
    assert_revoked_ok(
        &revoke(
            &server,
            &[("token", &access), ("token_type_hint", "refresh_token")],
        )
        .await,
    );
    assert!(!validates(&server, &access).await);
    assert_revoked_ok(
        &revoke(
            &server,
            &[("token", &refresh2), ("token_type_hint", "access_token")],
        )
        .await,
    );
    assert_error(&refresh(&server, &refresh2).await, 400, "invalid_grant");
    assert!(!validates(&server, &access2).await);
}

#[tokio::test]
async fn rfc7009_2_2_1_unknown_hint_value_is_unsupported_token_type() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let before = server.storage().tokens();
    let r = revoke(
        &server,
        &[("token", &access), ("token_type_hint", "id_token")],
    )
    .await;
    assert_error(&r, 400, "unsupported_token_type");
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_2_unknown_or_invalid_token_is_200() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let before = server.storage().tokens();
    for token in ["no-such-token", "caf\u{e9} %zz \"\\", &access[1..]] {
        assert_revoked_ok(&revoke(&server, &[("token", token)]).await);
        assert_revoked_ok(
            &revoke(
                &server,
                &[("token", token), ("token_type_hint", "refresh_token")],
            )
            .await,
        );
    }
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_1_client_authentication_is_required() {
    let (server, _) = server();
    let (access, refresh_token) = tokens(&server).await;
    let before = server.storage().tokens();
    for token in [&access, &refresh_token] {
        let r = server
            .create_revocation_response(&post(REVOKE, &[("token", token)]))
            .await;
        assert!(r.status == 400 || r.status == 401, "{r:?}");
        assert_eq!(r.json_body()["error"], "invalid_client", "{r:?}");
    }
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_1_wrong_basic_secret_is_401_with_challenge() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let before = server.storage().tokens();
    let r = server
        .create_revocation_response(
            &OAuth2Request::post(REVOKE)
                .with_header("Authorization", basic("basic-client", "wrong"))
                .with_form([("token", access.as_str())]),
        )
        .await;
    assert_error(&r, 401, "invalid_client");
    let challenge = r.header("WWW-Authenticate").expect("WWW-Authenticate");
    assert!(
        challenge.to_ascii_lowercase().starts_with("basic"),
        "{challenge:?}"
    );
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_1_public_client_revokes_its_own_token_with_client_id() {
    let (server, _) = server();
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "password"),
                ("client_id", "public-client"),
                ("username", "bob"),
                ("password", "valid"),
                ("scope", "profile"),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let access = r.json_body()["access_token"].as_str().unwrap().to_owned();
    assert!(validates(&server, &access).await);
    let r = server
        .create_revocation_response(&post(
            REVOKE,
            &[("token", access.as_str()), ("client_id", "public-client")],
        ))
        .await;
    assert_revoked_ok(&r);
    assert!(!validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_1_client_cannot_revoke_another_clients_token() {
    let (server, _) = server();
    let (access, refresh_token) = tokens(&server).await;
    let before = server.storage().tokens();
    let as_post_client = |token: &str| {
        post(
            REVOKE,
            &[
                ("token", token),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ],
        )
    };
    let as_public_client =
        |token: &str| post(REVOKE, &[("token", token), ("client_id", "public-client")]);
    for token in [&access, &refresh_token] {
        for request in [as_post_client(token), as_public_client(token)] {
            let r = server.create_revocation_response(&request).await;
            assert!((400..500).contains(&r.status), "{r:?}");
            assert!(r.json_body()["error"].is_string(), "{r:?}");
        }
    }
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
    assert_eq!(refresh(&server, &refresh_token).await.status, 200);

    // The same post-client request does revoke post-client's own token.
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let own = r.json_body()["access_token"].as_str().unwrap().to_owned();
    assert_revoked_ok(
        &server
            .create_revocation_response(&as_post_client(&own))
            .await,
    );
    assert!(!validates(&server, &own).await);
}

#[tokio::test]
async fn rfc7009_2_1_missing_token_is_invalid_request() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let before = server.storage().tokens();
    assert_error(&revoke(&server, &[]).await, 400, "invalid_request");
    assert_error(
        &revoke(&server, &[("token_type_hint", "access_token")]).await,
        400,
        "invalid_request",
    );
    assert_error(
        &revoke(&server, &[("token", "")]).await,
        400,
        "invalid_request",
    );
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_1_duplicate_token_parameter_is_invalid_request() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let (access2, _) = tokens(&server).await;
    let before = server.storage().tokens();
    let r = revoke(&server, &[("token", &access), ("token", &access2)]).await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
    assert!(validates(&server, &access2).await);
}

#[tokio::test]
async fn rfc7009_2_1_get_is_405() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let before = server.storage().tokens();
    let r = server
        .create_revocation_response(
            &OAuth2Request::get(format!("{REVOKE}?token={access}"))
                .with_header("Authorization", basic("basic-client", SECRET)),
        )
        .await;
    assert_eq!(r.status, 405, "{r:?}");
    assert_eq!(r.header("Allow"), Some("POST"));
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_5_request_without_tls_is_refused() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let before = server.storage().tokens();
    let r = server
        .create_revocation_response(
            &OAuth2Request::post("http://as.example/revoke")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form([("token", access.as_str())]),
        )
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().tokens(), before);
    assert!(validates(&server, &access).await);
}

#[tokio::test]
async fn rfc7009_2_2_revoking_twice_is_200_both_times() {
    let (server, _) = server();
    let (access, _) = tokens(&server).await;
    let (_, refresh_token) = tokens(&server).await;
    for token in [&access, &refresh_token] {
        assert_revoked_ok(&revoke(&server, &[("token", token)]).await);
        assert_revoked_ok(&revoke(&server, &[("token", token)]).await);
    }
    assert!(!validates(&server, &access).await);
    assert_error(
        &refresh(&server, &refresh_token).await,
        400,
        "invalid_grant",
    );
}
