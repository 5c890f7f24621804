//! RFC 6819 §5.1.4.2.3 (and RFC 9700 §4.6's concern with online guessing):
//! wrong client secrets are counted per client in storage, and past
//! `Config::client_auth_max_failures` within the window the client is
//! refused whatever it presents, at every endpoint that authenticates
//! clients, until the failures age out.

mod common;
use common::*;

use oauth_core::{Config, OAuth2Request, OAuth2Storage};

fn cc(secret: &str) -> OAuth2Request {
    OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic("basic-client", secret))
        .with_form([("grant_type", "client_credentials")])
}

#[tokio::test]
async fn wrong_secrets_lock_the_client_until_they_age_out() {
    let (server, clock) = server();
    for _ in 0..10 {
        let r = server.create_token_response(&cc("wrong")).await;
        assert_error(&r, 401, "invalid_client");
        assert_eq!(
            r.json_body()["error_description"],
            "client authentication failed"
        );
    }
    assert_eq!(
        server
            .storage()
            .count_client_auth_failures("basic-client", NOW - 300)
            .await
            .unwrap(),
        10
    );
    // The right secret is refused now, with a message that says why.
    let r = server.create_token_response(&cc(SECRET)).await;
    assert_error(&r, 401, "invalid_client");
    assert!(r.header("WWW-Authenticate").is_some());
    assert!(
        r.json_body()["error_description"]
            .as_str()
            .unwrap()
            .contains("too many failed")
    );
    // So at the revocation and introspection endpoints.
    let revoke = OAuth2Request::post("https://as.example/revoke")
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form([("token", "x")]);
    assert_error(
        &server.create_revocation_response(&revoke).await,
        401,
        "invalid_client",
    );
    // Once the window has passed, the right secret works again.
    clock.advance(301);
    assert_eq!(server.create_token_response(&cc(SECRET)).await.status, 200);
}

#[tokio::test]
async fn failures_count_per_client_and_not_for_unknown_ones() {
    let (server, _) = server();
    for _ in 0..10 {
        server.create_token_response(&cc("wrong")).await;
    }
    // post-client is not affected.
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
    // An unknown client id is refused without being counted.
    let unknown = OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic("nobody", "x"))
        .with_form([("grant_type", "client_credentials")]);
    assert_error(
        &server.create_token_response(&unknown).await,
        401,
        "invalid_client",
    );
    assert_eq!(
        server
            .storage()
            .count_client_auth_failures("nobody", 0)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_limit_can_be_turned_off() {
    let (server, _) = server_with(Config {
        client_auth_max_failures: 0,
        ..Config::default()
    });
    for _ in 0..20 {
        server.create_token_response(&cc("wrong")).await;
    }
    assert_eq!(server.create_token_response(&cc(SECRET)).await.status, 200);
}

#[tokio::test]
async fn fewer_failures_than_the_limit_do_not_lock() {
    let (server, _) = server();
    for _ in 0..9 {
        server.create_token_response(&cc("wrong")).await;
    }
    assert_eq!(server.create_token_response(&cc(SECRET)).await.status, 200);
}
