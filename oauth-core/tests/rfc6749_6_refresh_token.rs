//! RFC 6749 §6: refreshing an access token, with rotation (RFC 9700
//! §4.14.2) on by default.

mod common;
use common::*;

use std::sync::Arc;

use async_trait::async_trait;
use oauth_core::config::RefreshTokens;
use oauth_core::memory::{MemoryStorage, StoredToken};
use oauth_core::{
    AuthorizationServer, ClientRecord, Config, ManualClock, NewAuthorizationCode, NewToken,
    OAuth2Request, OAuth2Response, OAuth2Storage, ScopeRequirement, StorageResult,
};
use tokio::sync::Barrier;

fn refresh(refresh_token: &str, scope: Option<&str>) -> OAuth2Request {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    token_request(&form)
}

/// Two refreshes with one refresh token, released together: both answers.
async fn refresh_twice_at_once(server: &Arc<Server>, refresh_token: &str) -> Vec<OAuth2Response> {
    let barrier = Arc::new(Barrier::new(2));
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (server, barrier) = (Arc::clone(server), Arc::clone(&barrier));
            let request = refresh(refresh_token, None);
            tokio::spawn(async move {
                barrier.wait().await;
                server.create_token_response(&request).await
            })
        })
        .collect();
    let mut responses = Vec::new();
    for t in tasks {
        responses.push(t.await.unwrap());
    }
    responses
}

fn bearer(token: &str) -> OAuth2Request {
    OAuth2Request::get("https://api.example/r")
        .with_header("Authorization", format!("Bearer {token}"))
}

async fn is_valid(server: &Server, access: &str) -> bool {
    server
        .validate_bearer(&bearer(access), &ScopeRequirement::None)
        .await
        .is_ok()
}

fn str_of<'a>(body: &'a serde_json::Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
}

fn ok_body(r: &OAuth2Response) -> serde_json::Value {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

#[tokio::test]
async fn rfc6749_6_refresh_issues_new_tokens_and_rotates_out_the_old_pair() {
    // §6: "The authorization server MAY issue a new refresh token, in which
    // case the client MUST discard the old refresh token. The authorization
    // server MAY revoke the old refresh token after issuing a new refresh
    // token to the client."
    let (server, _) = server();
    let first = password_tokens(&server, "profile").await;
    let old_access = str_of(&first, "access_token");
    let old_refresh = str_of(&first, "refresh_token");
    assert!(is_valid(&server, old_access).await);

    let second = ok_body(
        &server
            .create_token_response(&refresh(old_refresh, None))
            .await,
    );
    let new_access = str_of(&second, "access_token");
    let new_refresh = str_of(&second, "refresh_token");
    assert_ne!(new_access, old_access);
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(second["token_type"], "Bearer");
    assert_eq!(second["scope"], "profile");
    assert_eq!(server.storage().token_count(), 2);

    // The new access token works, the old one does not.
    assert!(is_valid(&server, new_access).await);
    assert!(!is_valid(&server, old_access).await);
    // The new one keeps the resource owner.
    let stored = server.storage().tokens();
    assert_eq!(stored[1].token.user_id.as_deref(), Some("alice"));

    // The new refresh token refreshes again.
    let third = ok_body(
        &server
            .create_token_response(&refresh(new_refresh, None))
            .await,
    );
    assert!(is_valid(&server, str_of(&third, "access_token")).await);
}

#[tokio::test]
async fn rfc6749_6_rotated_out_refresh_token_is_invalid_grant_and_revokes_family() {
    // RFC 9700 §4.14.2: when a rotated-out refresh token is presented, the
    // server cannot tell attacker from client, and revokes the active
    // refresh token of the grant.
    let (server, _) = server();
    let first = password_tokens(&server, "profile").await;
    let r1 = str_of(&first, "refresh_token");
    let second = ok_body(&server.create_token_response(&refresh(r1, None)).await);
    let r2 = str_of(&second, "refresh_token");
    let third = ok_body(&server.create_token_response(&refresh(r2, None)).await);
    let newest_access = str_of(&third, "access_token");
    let newest_refresh = str_of(&third, "refresh_token");
    assert!(is_valid(&server, newest_access).await);

    // An unrelated grant of the same client and user.
    let other = password_tokens(&server, "profile").await;
    let count = server.storage().token_count();

    let r = server.create_token_response(&refresh(r1, None)).await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), count);

    assert!(!is_valid(&server, newest_access).await);
    let r = server
        .create_token_response(&refresh(newest_refresh, None))
        .await;
    assert_error(&r, 400, "invalid_grant");

    // Only that grant's family is revoked.
    assert!(is_valid(&server, str_of(&other, "access_token")).await);
    ok_body(
        &server
            .create_token_response(&refresh(str_of(&other, "refresh_token"), None))
            .await,
    );
}

#[tokio::test]
async fn rfc6749_6_scope_may_be_narrowed_and_later_restored_to_the_original() {
    // §6: "The requested scope MUST NOT include any scope not originally
    // granted by the resource owner, and if omitted is treated as equal to
    // the scope originally granted by the resource owner." [...] "If a new
    // refresh token is issued, the refresh token scope MUST be identical to
    // that of the refresh token included by the client in the request."
    let (server, _) = server();
    let first = password_tokens(&server, "profile email").await;

    let narrowed = ok_body(
        &server
            .create_token_response(&refresh(str_of(&first, "refresh_token"), Some("email")))
            .await,
    );
    assert_eq!(narrowed["scope"], "email");
    let narrowed_access = str_of(&narrowed, "access_token");
    assert!(
        server
            .validate_bearer(
                &bearer(narrowed_access),
                &ScopeRequirement::all_of(["email"])
            )
            .await
            .is_ok()
    );
    let refused = server
        .validate_bearer(
            &bearer(narrowed_access),
            &ScopeRequirement::all_of(["profile"]),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.status(), 403);

    // The refresh token issued with the narrowed access token still carries
    // the original scope: asking for all of it again is allowed.
    let restored = ok_body(
        &server
            .create_token_response(&refresh(
                str_of(&narrowed, "refresh_token"),
                Some("profile email"),
            ))
            .await,
    );
    assert_eq!(restored["scope"], "profile email");
    assert!(
        server
            .validate_bearer(
                &bearer(str_of(&restored, "access_token")),
                &ScopeRequirement::all_of(["profile", "email"])
            )
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn rfc6749_6_omitted_scope_after_narrowing_is_the_original_scope() {
    // §6: scope "if omitted is treated as equal to the scope originally
    // granted by the resource owner."
    let (server, _) = server();
    let first = password_tokens(&server, "profile email").await;
    let narrowed = ok_body(
        &server
            .create_token_response(&refresh(str_of(&first, "refresh_token"), Some("profile")))
            .await,
    );
    assert_eq!(narrowed["scope"], "profile");
    let again = ok_body(
        &server
            .create_token_response(&refresh(str_of(&narrowed, "refresh_token"), None))
            .await,
    );
    assert_eq!(again["scope"], "profile email");
}

#[tokio::test]
async fn rfc6749_6_scope_wider_than_granted_is_invalid_scope() {
    let (server, _) = server();
    let first = password_tokens(&server, "profile").await;
    let refresh_token = str_of(&first, "refresh_token");
    // "email" is in the client's scope, but was not granted.
    for scope in ["profile email", "email", "unknown"] {
        let r = server
            .create_token_response(&refresh(refresh_token, Some(scope)))
            .await;
        assert_error(&r, 400, "invalid_scope");
    }
    assert_eq!(server.storage().token_count(), 1);
    // A refused request does not spend the refresh token.
    ok_body(
        &server
            .create_token_response(&refresh(refresh_token, None))
            .await,
    );
}

#[tokio::test]
async fn rfc6749_6_refresh_token_of_another_client_is_invalid_grant() {
    // §6: the server MUST "validate the refresh token" and "ensure that the
    // refresh token was issued to the authenticated client".
    let (server, _) = server();
    let first = password_tokens(&server, "profile").await;
    let refresh_token = str_of(&first, "refresh_token");
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_6_unknown_refresh_token_is_invalid_grant() {
    let (server, _) = server();
    password_tokens(&server, "profile").await;
    let r = server
        .create_token_response(&refresh("no-such-refresh-token", None))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_6_missing_refresh_token_is_invalid_request() {
    let (server, _) = server();
    let r = server
        .create_token_response(&token_request(&[("grant_type", "refresh_token")]))
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_6_expired_refresh_token_is_invalid_grant() {
    let (server, clock) = server();
    let lifetime = server.config().lifetimes.refresh_token.unwrap();
    let first = password_tokens(&server, "profile").await;
    let a = password_tokens(&server, "profile").await;

    // One second before the end it still works.
    clock.advance(lifetime - 1);
    ok_body(
        &server
            .create_token_response(&refresh(str_of(&a, "refresh_token"), None))
            .await,
    );

    clock.advance(1);
    let count = server.storage().token_count();
    let r = server
        .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), count);
}

#[tokio::test]
async fn rfc6749_6_without_rotation_refresh_token_stays_usable() {
    let (server, _) = server_with(Config {
        refresh_tokens: RefreshTokens {
            rotate: false,
            ..RefreshTokens::default()
        },
        ..Config::default()
    });
    let first = password_tokens(&server, "profile").await;
    let refresh_token = str_of(&first, "refresh_token");
    let a = ok_body(
        &server
            .create_token_response(&refresh(refresh_token, None))
            .await,
    );
    let b = ok_body(
        &server
            .create_token_response(&refresh(refresh_token, None))
            .await,
    );
    assert_ne!(str_of(&a, "access_token"), str_of(&b, "access_token"));
    assert!(is_valid(&server, str_of(&a, "access_token")).await);
    assert!(is_valid(&server, str_of(&b, "access_token")).await);
    assert_eq!(server.storage().token_count(), 3);
}

#[tokio::test]
async fn rfc6749_5_1_issue_refresh_tokens_false_sends_no_refresh_token() {
    let (server, _) = server_with(Config {
        refresh_tokens: RefreshTokens {
            issue: false,
            ..RefreshTokens::default()
        },
        ..Config::default()
    });
    let body = password_tokens(&server, "profile").await;
    assert!(body.get("refresh_token").is_none(), "{body}");

    let code = basic_client_code(&server).await;
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ]))
        .await;
    let body = ok_body(&r);
    assert!(body.get("refresh_token").is_none(), "{body}");
    for t in server.storage().tokens() {
        assert!(t.token.refresh_token_digest.is_none());
    }
}

#[tokio::test]
async fn rfc6749_6_refreshed_access_token_has_the_refresh_lifetime() {
    // The refresh_token grant is not listed in Config::expires_in, so its
    // access tokens live default_expires_in (3600) seconds.
    let (server, clock) = server();
    let first = password_tokens(&server, "profile").await;
    assert_eq!(first["expires_in"], 864_000);
    let second = ok_body(
        &server
            .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
            .await,
    );
    assert_eq!(second["expires_in"], 3_600);
    let access = str_of(&second, "access_token");
    clock.advance(3_599);
    assert!(is_valid(&server, access).await);
    clock.advance(1);
    assert!(!is_valid(&server, access).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc6749_6_concurrent_use_of_one_refresh_token_succeeds_once() {
    for round in 0..50 {
        let (server, _) = server();
        let server = Arc::new(server);
        let first = password_tokens(&server, "profile").await;
        let responses = refresh_twice_at_once(&server, str_of(&first, "refresh_token")).await;
        let ok = responses.iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, 1, "round {round}: {responses:?}");
        let failed = responses.iter().find(|r| r.status != 200).unwrap();
        assert_error(failed, 400, "invalid_grant");
        // Exactly one new token was stored.
        assert_eq!(server.storage().token_count(), 2, "round {round}");
    }
}

/// MemoryStorage whose `find_refresh_token` waits until two lookups are in
/// flight: both refreshes of a race have read the (unrevoked) refresh token
/// before either rotates it, so only the atomic rotation can stop the
/// second one.
struct LockstepLookups {
    inner: MemoryStorage,
    barrier: Barrier,
}

#[async_trait]
impl OAuth2Storage for LockstepLookups {
    type Client = ClientRecord;
    type Token = StoredToken;
    type AuthorizationCode = NewAuthorizationCode;

    async fn find_client(&self, client_id: &str) -> StorageResult<Option<ClientRecord>> {
        self.inner.find_client(client_id).await
    }
    async fn save_authorization_code(&self, code: NewAuthorizationCode) -> StorageResult<()> {
        self.inner.save_authorization_code(code).await
    }
    async fn take_authorization_code(
        &self,
        code_digest: &str,
    ) -> StorageResult<Option<NewAuthorizationCode>> {
        self.inner.take_authorization_code(code_digest).await
    }
    async fn save_token(&self, token: NewToken) -> StorageResult<()> {
        self.inner.save_token(token).await
    }
    async fn find_access_token(&self, access_digest: &str) -> StorageResult<Option<StoredToken>> {
        self.inner.find_access_token(access_digest).await
    }
    async fn find_refresh_token(&self, refresh_digest: &str) -> StorageResult<Option<StoredToken>> {
        let found = self.inner.find_refresh_token(refresh_digest).await;
        self.barrier.wait().await;
        found
    }
    async fn rotate_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        now: i64,
    ) -> StorageResult<bool> {
        self.inner
            .rotate_refresh_token(old_refresh_digest, new, now)
            .await
    }
    async fn revoke_access_token(&self, access_digest: &str, now: i64) -> StorageResult<()> {
        self.inner.revoke_access_token(access_digest, now).await
    }
    async fn revoke_grant(&self, grant_id: &str, now: i64) -> StorageResult<u64> {
        self.inner.revoke_grant(grant_id, now).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc6749_6_refresh_token_read_by_two_requests_at_once_is_rotated_once() {
    for round in 0..20 {
        let inner = MemoryStorage::new();
        for c in clients() {
            inner.insert_client(c);
        }
        let storage = LockstepLookups {
            inner,
            barrier: Barrier::new(2),
        };
        let server = Arc::new(
            AuthorizationServer::new(storage, Config::default())
                .unwrap()
                .with_password_grant(Users)
                .with_clock(ManualClock::new(NOW)),
        );
        let first = ok_body(
            &server
                .create_token_response(&token_request(&[
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", "valid"),
                    ("scope", "profile"),
                ]))
                .await,
        );
        let refresh_token = str_of(&first, "refresh_token").to_owned();
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let server = Arc::clone(&server);
                let refresh_token = refresh_token.clone();
                tokio::spawn(async move {
                    server
                        .create_token_response(&refresh(&refresh_token, None))
                        .await
                })
            })
            .collect();
        let mut responses = Vec::new();
        for t in tasks {
            responses.push(t.await.unwrap());
        }
        let ok = responses.iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, 1, "round {round}: {responses:?}");
        let failed = responses.iter().find(|r| r.status != 200).unwrap();
        assert_error(failed, 400, "invalid_grant");
        assert_eq!(server.storage().inner.token_count(), 2, "round {round}");
    }
}

#[tokio::test]
async fn rfc6749_6_public_client_refreshes_with_client_id_only() {
    // §6: "If the client type is confidential or the client was issued
    // client credentials (or assigned other authentication requirements),
    // the client MUST authenticate"; a public client sends its client_id.
    let (server, _) = server();
    let public = |form: &[(&str, &str)]| {
        let mut f = form.to_vec();
        f.push(("client_id", "public-client"));
        post("https://as.example/token", &f)
    };
    let first = ok_body(
        &server
            .create_token_response(&public(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "valid"),
                ("scope", "profile"),
            ]))
            .await,
    );
    let second = ok_body(
        &server
            .create_token_response(&public(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", str_of(&first, "refresh_token")),
            ]))
            .await,
    );
    assert!(is_valid(&server, str_of(&second, "access_token")).await);
    assert_eq!(
        server.storage().tokens()[1].token.client_id,
        "public-client"
    );
}

fn lifetimes(idle: i64, absolute: i64) -> Config {
    let mut config = Config::default();
    config.lifetimes.refresh_token = Some(idle);
    config.lifetimes.refresh_token_absolute = Some(absolute);
    config
}

/// RFC 9700 §4.14.2: refresh tokens "SHOULD expire if the client has been
/// inactive for some time". Each rotation starts the idle lifetime anew
/// for the new token; a token left unused for it expires, however young
/// the grant.
#[tokio::test]
async fn rfc9700_4_14_2_refresh_token_unused_for_the_idle_lifetime_expires() {
    let (server, clock) = server_with(lifetimes(100, 1_000));
    let first = password_tokens(&server, "profile").await;
    clock.advance(90);
    let second = ok_body(
        &server
            .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
            .await,
    );
    // 99 s after its issue the new token still works ...
    clock.advance(99);
    let third = ok_body(
        &server
            .create_token_response(&refresh(str_of(&second, "refresh_token"), None))
            .await,
    );
    // ... and the next, unused for the whole idle lifetime, is expired.
    clock.advance(100);
    let count = server.storage().token_count();
    let r = server
        .create_token_response(&refresh(str_of(&third, "refresh_token"), None))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), count);
}

/// RFC 9700 §4.14.2 (and the absolute expiry SECURITY.md promises): a
/// grant's refresh tokens end `lifetimes.refresh_token_absolute` after the
/// original authorization, however often it is refreshed; rotation keeps
/// the grant's start, and introspection reports the earlier of the two
/// ends as the refresh token's `exp`.
#[tokio::test]
async fn rfc9700_4_14_2_refreshing_does_not_extend_the_absolute_grant_lifetime() {
    let (server, clock) = server_with(lifetimes(100, 250));
    let start = NOW;
    let mut tokens = password_tokens(&server, "profile").await;
    // Refreshed well within the idle lifetime, at 90, 180 and 240 s.
    for _ in 0..2 {
        clock.advance(90);
        tokens = ok_body(
            &server
                .create_token_response(&refresh(str_of(&tokens, "refresh_token"), None))
                .await,
        );
    }
    clock.advance(60);
    tokens = ok_body(
        &server
            .create_token_response(&refresh(str_of(&tokens, "refresh_token"), None))
            .await,
    );
    let stored = server.storage().tokens();
    assert!(stored.len() >= 4);
    assert!(
        stored
            .iter()
            .all(|t| t.token.grant_issued_at == Some(start)),
        "every rotation keeps the grant's start"
    );
    // The last token was issued at 240 s: its idle end (340 s) is past the
    // grant's end (250 s), which introspection reports.
    let introspected = ok_body(
        &server
            .create_introspection_response(&token_request(&[
                ("token", str_of(&tokens, "refresh_token")),
                ("token_type_hint", "refresh_token"),
            ]))
            .await,
    );
    assert_eq!(introspected["active"], true);
    assert_eq!(introspected["exp"], start + 250);
    // At 250 s the grant is over, though the token is 10 s old.
    clock.advance(10);
    let count = server.storage().token_count();
    let r = server
        .create_token_response(&refresh(str_of(&tokens, "refresh_token"), None))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), count);
}

#[test]
fn rfc9700_4_14_2_refresh_lifetimes_default_to_30_days_idle_and_90_days_absolute() {
    let config = Config::default();
    assert_eq!(config.lifetimes.refresh_token, Some(30 * 86_400));
    assert_eq!(config.lifetimes.refresh_token_absolute, Some(90 * 86_400));
    let mut bad = Config::default();
    bad.lifetimes.refresh_token_absolute = Some(0);
    assert!(
        bad.validate()
            .unwrap_err()
            .contains("refresh_token_absolute")
    );
}

/// A server with a refresh grace period of `seconds`.
fn grace_server(seconds: i64) -> (Server, Arc<ManualClock>) {
    let mut config = Config::default();
    config.lifetimes.refresh_token_grace_period = seconds;
    server_with(config)
}

/// Refreshes once: the first pair and the second.
async fn rotated_once(server: &Server) -> (serde_json::Value, serde_json::Value) {
    let first = password_tokens(server, "profile").await;
    let second = ok_body(
        &server
            .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
            .await,
    );
    (first, second)
}

#[tokio::test]
async fn rfc9700_4_14_2_a_retry_within_the_grace_period_gets_one_new_pair() {
    // A client that lost the answer to its refresh (or refreshed from two
    // tabs) presents the rotated-out token again within the period.
    let (server, clock) = grace_server(30);
    let (first, second) = rotated_once(&server).await;
    clock.advance(10);
    let retried = ok_body(
        &server
            .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
            .await,
    );
    assert_ne!(
        str_of(&retried, "refresh_token"),
        str_of(&second, "refresh_token")
    );
    assert_eq!(retried["scope"], "profile");
    // Nothing was revoked: both pairs work.
    assert!(is_valid(&server, str_of(&second, "access_token")).await);
    assert!(is_valid(&server, str_of(&retried, "access_token")).await);

    // The retry is used: a second one, still within the period, is
    // refused, and revokes nothing.
    let again = server
        .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
        .await;
    assert_error(&again, 400, "invalid_grant");
    assert!(is_valid(&server, str_of(&retried, "access_token")).await);
    assert!(is_valid(&server, str_of(&second, "access_token")).await);
    // And both refresh on.
    for pair in [&retried, &second] {
        ok_body(
            &server
                .create_token_response(&refresh(str_of(pair, "refresh_token"), None))
                .await,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc9700_4_14_2_two_tabs_refreshing_at_once_both_get_a_pair_within_the_grace_period() {
    for round in 0..50 {
        let (server, _) = grace_server(30);
        let server = Arc::new(server);
        let first = password_tokens(&server, "profile").await;
        for r in refresh_twice_at_once(&server, str_of(&first, "refresh_token")).await {
            let body = ok_body(&r);
            assert!(
                is_valid(&server, str_of(&body, "access_token")).await,
                "round {round}"
            );
        }
        assert_eq!(server.storage().token_count(), 3, "round {round}");
    }
}

#[tokio::test]
async fn rfc9700_4_14_2_reuse_after_the_grace_period_revokes_the_family() {
    let (server, clock) = grace_server(30);
    let (first, second) = rotated_once(&server).await;
    clock.advance(31);
    let late = server
        .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
        .await;
    assert_error(&late, 400, "invalid_grant");
    assert!(!is_valid(&server, str_of(&second, "access_token")).await);
    let successor = server
        .create_token_response(&refresh(str_of(&second, "refresh_token"), None))
        .await;
    assert_error(&successor, 400, "invalid_grant");
}

#[tokio::test]
async fn rfc9700_4_14_2_without_a_grace_period_a_retry_revokes_the_family() {
    let (server, _) = server();
    let (first, second) = rotated_once(&server).await;
    let retry = server
        .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
        .await;
    assert_error(&retry, 400, "invalid_grant");
    assert!(!is_valid(&server, str_of(&second, "access_token")).await);
}

#[tokio::test]
async fn rfc6749_6_the_grace_retry_is_only_for_the_client_it_was_issued_to() {
    let (server, _) = grace_server(30);
    let (first, second) = rotated_once(&server).await;
    let other = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic("multi-client", SECRET))
                .with_form([
                    ("grant_type", "refresh_token"),
                    ("refresh_token", str_of(&first, "refresh_token")),
                ]),
        )
        .await;
    assert_error(&other, 400, "invalid_grant");
    assert!(is_valid(&server, str_of(&second, "access_token")).await);
    // Its own client still has the retry.
    ok_body(
        &server
            .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
            .await,
    );
}

#[tokio::test]
async fn rfc7009_a_revoked_family_has_no_grace_retry() {
    let (server, _) = grace_server(30);
    let (first, second) = rotated_once(&server).await;
    let revoked = server
        .create_revocation_response(&token_request(&[
            ("token", str_of(&second, "refresh_token")),
            ("token_type_hint", "refresh_token"),
        ]))
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let retry = server
        .create_token_response(&refresh(str_of(&first, "refresh_token"), None))
        .await;
    assert_error(&retry, 400, "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc9700_4_14_2_two_concurrent_retries_get_one_new_pair() {
    for round in 0..50 {
        let (server, _) = grace_server(30);
        let server = Arc::new(server);
        let (first, _) = rotated_once(&server).await;
        let responses = refresh_twice_at_once(&server, str_of(&first, "refresh_token")).await;
        let ok = responses.iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, 1, "round {round}: {responses:?}");
        assert_eq!(server.storage().token_count(), 3, "round {round}");
        let winner = responses.iter().find(|r| r.status == 200).unwrap();
        assert!(is_valid(&server, str_of(&winner.json_body(), "access_token")).await);
    }
}

#[test]
fn the_grace_period_is_at_most_five_minutes_and_needs_a_storage_that_keeps_rotations() {
    let mut config = Config::default();
    config.lifetimes.refresh_token_grace_period = 301;
    assert!(config.validate().is_err());
    config.lifetimes.refresh_token_grace_period = -1;
    assert!(config.validate().is_err());
    config.lifetimes.refresh_token_grace_period = 30;
    let storage = LockstepLookups {
        inner: MemoryStorage::new(),
        barrier: Barrier::new(2),
    };
    let error = AuthorizationServer::new(storage, config.clone())
        .err()
        .expect("refused");
    assert!(error.0.contains("refresh_token_rotated_at"), "{error}");
    assert!(AuthorizationServer::new(MemoryStorage::new(), config).is_ok());
}
