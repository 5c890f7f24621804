//! OpenID Connect RP-Initiated Logout 1.0 on the engine: the end-session
//! request (§2) and the redirection after it (§3), which goes only to a
//! `post_logout_redirect_uri` the client registered, compared exactly.

mod common;

use common::*;
use oauth_core::oidc::IdTokenClaims;
use oauth_core::{ClientMetadata, ClientRecord, Config, OAuth2Request};

const ISSUER: &str = "https://as.example";
const RP: &str = "rp";
const AFTER: &str = "https://client.example/signed-out";

fn oidc_server() -> Server {
    let (server, _) = server_with(Config {
        issuer: Some(ISSUER.into()),
        ..Config::default()
    });
    server.storage().insert_client(ClientRecord::confidential(
        RP,
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            post_logout_redirect_uris: vec![AFTER.into()],
            scope: Some("openid".into()),
            ..ClientMetadata::default()
        },
    ));
    server.with_openid_connect()
}

async fn id_token(server: &Server, sub: &str, aud: &str) -> String {
    // Long expired: a hint still names its user (§2).
    let claims = IdTokenClaims::new(ISSUER, sub, aud, NOW - 86_400, 300);
    server.sign_id_token(claims, None, None).await.unwrap()
}

fn end_session(params: &[(&str, &str)]) -> OAuth2Request {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    OAuth2Request::get(format!("{ISSUER}/oauth/end_session?{}", q.finish()))
}

#[tokio::test]
async fn rp_initiated_logout_2_id_token_hint_names_the_user_and_client() {
    let server = oidc_server();
    let hint = id_token(&server, "alice", RP).await;
    let end = server
        .validate_end_session_request(&end_session(&[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", AFTER),
            ("state", "s-1"),
        ]))
        .await
        .unwrap();
    assert_eq!(end.subject.as_deref(), Some("alice"));
    assert_eq!(end.client_id.as_deref(), Some(RP));
    // §3: back to the registered URI, with state.
    assert_eq!(
        end.redirect_to.as_deref(),
        Some("https://client.example/signed-out?state=s-1")
    );
}

#[tokio::test]
async fn rp_initiated_logout_3_unregistered_post_logout_redirect_uri_is_not_redirected() {
    let server = oidc_server();
    let hint = id_token(&server, "alice", RP).await;
    for uri in [
        "https://attacker.example/",
        "https://client.example/signed-out/",
        "https://client.example/signed-out?x=1",
        REDIRECT,
    ] {
        let err = server
            .validate_end_session_request(&end_session(&[
                ("id_token_hint", &hint),
                ("post_logout_redirect_uri", uri),
            ]))
            .await
            .unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_request", "{uri}");
    }
}

#[tokio::test]
async fn rp_initiated_logout_2_post_logout_redirect_uri_needs_a_known_client() {
    let server = oidc_server();
    let err = server
        .validate_end_session_request(&end_session(&[("post_logout_redirect_uri", AFTER)]))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_request");
    // With client_id instead of a hint, it is checked against that client.
    let end = server
        .validate_end_session_request(&end_session(&[
            ("client_id", RP),
            ("post_logout_redirect_uri", AFTER),
        ]))
        .await
        .unwrap();
    assert_eq!(end.redirect_to.as_deref(), Some(AFTER));
    assert_eq!(end.subject, None);
}

#[tokio::test]
async fn rp_initiated_logout_2_a_hint_not_signed_here_or_for_another_client_is_refused() {
    let server = oidc_server();
    let elsewhere = oidc_server();
    let foreign = id_token(&elsewhere, "alice", RP).await;
    let err = server
        .validate_end_session_request(&end_session(&[("id_token_hint", &foreign)]))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_request");
    // §2: client_id must be an audience of the hint.
    let hint = id_token(&server, "alice", RP).await;
    let err = server
        .validate_end_session_request(&end_session(&[
            ("id_token_hint", &hint),
            ("client_id", "basic-client"),
        ]))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_request");
}

#[tokio::test]
async fn rp_initiated_logout_2_a_bare_request_logs_out_to_the_sites_page() {
    let server = oidc_server();
    let end = server
        .validate_end_session_request(&end_session(&[]))
        .await
        .unwrap();
    assert_eq!(end.redirect_to, None);
    // POST with the same parameters in the form.
    let hint = id_token(&server, "bob", RP).await;
    let post = OAuth2Request::post(format!("{ISSUER}/oauth/end_session")).with_form([
        ("id_token_hint", hint.as_str()),
        ("post_logout_redirect_uri", AFTER),
    ]);
    let end = server.validate_end_session_request(&post).await.unwrap();
    assert_eq!(end.subject.as_deref(), Some("bob"));
    assert_eq!(end.redirect_to.as_deref(), Some(AFTER));
}
