//! RFC 6749 §4.3: the resource owner password credentials grant.

mod common;
use common::*;

use oauth_core::config::Scopes;
use oauth_core::memory::MemoryStorage;
use oauth_core::{AuthorizationServer, Config, OAuth2Request, OAuth2Token, ScopeRequirement};

fn password_request(extra: &[(&str, &str)]) -> OAuth2Request {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", "valid"),
    ];
    form.extend_from_slice(extra);
    token_request(&form)
}

#[tokio::test]
async fn rfc6749_4_3_3_success_issues_access_and_refresh_token() {
    // §4.3.3: "If the access token request is valid and authorized, the
    // authorization server issues an access token and optional refresh
    // token".
    let (server, _) = server();
    let r = server
        .create_token_response(&password_request(&[("scope", "profile")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let body = r.json_body();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 864_000);
    assert_eq!(body["scope"], "profile");
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().expect("a refresh token");
    assert_ne!(access, refresh);

    let stored = server.storage().tokens();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token.user_id.as_deref(), Some("alice"));
    assert_eq!(stored[0].token.client_id, "basic-client");

    let token = server
        .validate_bearer(
            &OAuth2Request::get("https://api.example/me")
                .with_header("Authorization", format!("Bearer {access}")),
            &ScopeRequirement::all_of(["profile"]),
        )
        .await
        .unwrap();
    assert_eq!(token.user_id().as_deref(), Some("alice"));
}

#[tokio::test]
async fn rfc6749_4_3_2_wrong_password_is_invalid_grant() {
    // §5.2 invalid_grant: "The provided authorization grant (e.g., [...]
    // resource owner credentials) [...] is invalid".
    let (server, _) = server();
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wrong"),
        ]))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert!(r.json_body().get("access_token").is_none());
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_3_2_missing_username_or_password_is_invalid_request() {
    // §4.3.2: username and password are REQUIRED.
    let (server, _) = server();
    for form in [
        &[("grant_type", "password"), ("password", "valid")][..],
        &[("grant_type", "password"), ("username", "alice")][..],
        &[
            ("grant_type", "password"),
            ("username", ""),
            ("password", "valid"),
        ][..],
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ""),
        ][..],
    ] {
        let r = server.create_token_response(&token_request(form)).await;
        assert_error(&r, 400, "invalid_request");
    }
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_3_2_password_in_query_is_invalid_request() {
    // §3.2 / §2.3.1: credentials belong in the body, never in the URI
    // (which is logged and cached).
    let (server, _) = server();
    let r = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token?password=valid")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form([
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", "valid"),
                ]),
        )
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_3_3_scope_is_narrowed_to_the_client_and_returned() {
    // §3.3: "If the issued access token scope is different from the one
    // requested by the client, the authorization server MUST include the
    // "scope" response parameter to inform the client of the actual scope
    // granted."
    let (server, _) = server();
    let r = server
        .create_token_response(&password_request(&[("scope", "profile calendar email")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["scope"], "profile email");
    let stored = server.storage().tokens();
    assert_eq!(stored[0].token.scope, "profile email");
}

#[tokio::test]
async fn rfc6749_5_2_invalid_scope() {
    // §5.2 invalid_scope: "The requested scope is invalid, unknown,
    // malformed, or exceeds the scope granted by the resource owner."
    let (server, _) = server();
    for scope in ["calendar", "profile \"quoted\"", "pro\\file"] {
        let r = server
            .create_token_response(&password_request(&[("scope", scope)]))
            .await;
        assert_error(&r, 400, "invalid_scope");
    }
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_3_3_scopes_supported_config_is_enforced() {
    let (server, _) = server_with(Config {
        scopes: Scopes {
            supported: Some(vec!["profile".into(), "email".into()]),
            ..Scopes::default()
        },
        ..Config::default()
    });
    // The client may have "admin", but the server does not know it.
    let r = server
        .create_token_response(&password_request(&[("scope", "profile admin")]))
        .await;
    assert_error(&r, 400, "invalid_scope");
    assert_eq!(server.storage().token_count(), 0);

    let r = server
        .create_token_response(&password_request(&[("scope", "email profile")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["scope"], "email profile");
}

#[tokio::test]
async fn rfc6749_3_3_default_scope_is_used_when_scope_is_omitted() {
    // §3.3: "If the client omits the scope parameter when requesting
    // authorization, the authorization server MUST either process the
    // request using a pre-defined default value or fail the request
    // indicating an invalid scope."
    let (with_default, _) = server_with(Config {
        scopes: Scopes {
            default: vec!["email".into(), "calendar".into()],
            ..Scopes::default()
        },
        ..Config::default()
    });
    let r = with_default
        .create_token_response(&password_request(&[]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The default, narrowed to what the client may have.
    assert_eq!(r.json_body()["scope"], "email");
    assert_eq!(with_default.storage().tokens()[0].token.scope, "email");

    // Without a configured default, an omitted scope grants nothing.
    let (plain, _) = server();
    let r = plain.create_token_response(&password_request(&[])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json_body().get("scope").is_none(), "{}", r.body);
    assert_eq!(plain.storage().tokens()[0].token.scope, "");
}

#[tokio::test]
async fn rfc6749_4_3_password_grant_unsupported_without_authenticator() {
    let storage = MemoryStorage::new();
    for c in clients() {
        storage.insert_client(c);
    }
    let server = AuthorizationServer::new(storage, Config::default()).unwrap();
    assert!(!server.grant_types().contains(&"password"));
    let r = server.create_token_response(&password_request(&[])).await;
    assert_error(&r, 400, "unsupported_grant_type");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_3_public_client_may_use_password_grant() {
    // §4.3.2: "If the client type is confidential or the client was issued
    // client credentials [...], the client MUST authenticate"; a public
    // client identifies itself with client_id.
    let (server, _) = server();
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "password"),
                ("username", "bob"),
                ("password", "valid"),
                ("client_id", "public-client"),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let stored = server.storage().tokens();
    assert_eq!(stored[0].token.client_id, "public-client");
    assert_eq!(stored[0].token.user_id.as_deref(), Some("bob"));
}

/// RFC 6749 §4.3.2: "the authorization server MUST protect the endpoint
/// against brute force attacks (e.g., using rate-limitation or generating
/// alerts)". Wrong passwords are counted per username (from any address);
/// past `limits.password.max_failures` the username is refused, its right
/// password too, until the failures leave the window.
#[tokio::test]
async fn rfc6749_4_3_2_wrong_passwords_are_counted_per_username_and_then_refused() {
    let (server, clock) = server();
    let limit = server.config().limits.password.max_failures;
    assert_eq!(limit, 10);
    // Each guess from another address, so only the per-username count
    // can stop them.
    for n in 0..limit {
        let from: std::net::IpAddr = format!("192.0.2.{}", n + 1).parse().unwrap();
        let r = server
            .create_token_response(
                &token_request(&[
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", "wrong"),
                ])
                .with_remote_addr(from),
            )
            .await;
        assert_error(&r, 400, "invalid_grant");
        assert_eq!(
            r.json_body()["error_description"],
            "invalid username or password"
        );
    }
    // The right password now gets no token either, from a fresh address.
    let fresh: std::net::IpAddr = "198.51.100.9".parse().unwrap();
    let r = server
        .create_token_response(&password_request(&[]).with_remote_addr(fresh))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert!(
        r.json_body()["error_description"]
            .as_str()
            .unwrap()
            .contains("too many"),
        "{}",
        r.body
    );
    assert_eq!(server.storage().token_count(), 0);
    // Another username is not affected.
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "bob"),
            ("password", "valid"),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Once the failures leave the window, alice may sign in again.
    clock.advance(server.config().limits.password.window + 1);
    let r = server
        .create_token_response(&password_request(&[]).with_remote_addr(fresh))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// RFC 6749 §4.3.2, per address: one address guessing many usernames is
/// cut off after `limits.password.max_failures_per_address`, for every
/// username, and its further attempts are neither checked nor counted.
#[tokio::test]
async fn rfc6749_4_3_2_wrong_passwords_are_counted_per_address_across_usernames() {
    let (server, _) = server();
    let limit = server.config().limits.password.max_failures_per_address;
    assert_eq!(limit, 20);
    let attacker: std::net::IpAddr = "192.0.2.66".parse().unwrap();
    for n in 0..limit {
        let user = format!("user{n}");
        let r = server
            .create_token_response(
                &token_request(&[
                    ("grant_type", "password"),
                    ("username", &user),
                    ("password", "wrong"),
                ])
                .with_remote_addr(attacker),
            )
            .await;
        assert_error(&r, 400, "invalid_grant");
    }
    // The attacker's right guess for a fresh username is refused unchecked.
    let r = server
        .create_token_response(&password_request(&[]).with_remote_addr(attacker))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert!(r.body.contains("too many"), "{}", r.body);
    assert_eq!(server.storage().token_count(), 0);
    // ... and not counted against alice, who signs in from elsewhere.
    let digest = oauth_core::secrets::digest("alice");
    let counted =
        oauth_core::OAuth2Storage::count_password_failures(server.storage(), &digest, None, 0)
            .await
            .unwrap();
    assert_eq!(counted.username, 0);
    let r = server
        .create_token_response(
            &password_request(&[])
                .with_remote_addr("198.51.100.7".parse::<std::net::IpAddr>().unwrap()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The limits can be turned off (0), which nothing counts then.
#[tokio::test]
async fn rfc6749_4_3_2_password_limits_off_counts_nothing() {
    let mut config = Config::default();
    config.limits.password.max_failures = 0;
    config.limits.password.max_failures_per_address = 0;
    let (server, _) = server_with(config);
    for _ in 0..30 {
        let r = server
            .create_token_response(&token_request(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "wrong"),
            ]))
            .await;
        assert_error(&r, 400, "invalid_grant");
    }
    let r = server.create_token_response(&password_request(&[])).await;
    assert_eq!(r.status, 200, "{}", r.body);
}
