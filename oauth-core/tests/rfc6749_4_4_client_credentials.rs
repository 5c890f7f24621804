//! RFC 6749 §4.4: the client credentials grant.

mod common;
use common::*;

#[tokio::test]
async fn rfc6749_4_4_2_success_issues_bearer_token_without_refresh() {
    let (server, _) = server();
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "profile"),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert_eq!(r.header("Pragma"), Some("no-cache"));
    let body = r.json_body();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 864_000);
    assert_eq!(body["scope"], "profile");
    // §4.4.3: a refresh token SHOULD NOT be included.
    assert!(body.get("refresh_token").is_none());
    assert!(body["access_token"].as_str().unwrap().len() >= 43);
}

#[tokio::test]
async fn rfc6749_4_4_public_client_is_unauthorized() {
    let (server, _) = server();
    // public-client is not registered for client_credentials either; give it
    // a grant list that has it, to check the confidential-only rule itself.
    let mut c = clients()
        .into_iter()
        .find(|c| c.client_id == "public-client")
        .unwrap();
    c.metadata.grant_types.push("client_credentials".into());
    server.storage().insert_client(c);
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "public-client"),
            ],
        ))
        .await;
    assert_error(&r, 400, "unauthorized_client");
    assert_eq!(server.storage().token_count(), 0);
}
