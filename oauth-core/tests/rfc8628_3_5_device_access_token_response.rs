//! RFC 8628 §3.4–3.5: the device access token request and its answers.

mod common;
mod device_fixture;
use common::*;
use device_fixture::*;

use std::sync::Arc;

use async_trait::async_trait;
use oauth_core::memory::{MemoryStorage, StoredDeviceCode, StoredToken};
use oauth_core::{
    AuthorizationServer, ClientRecord, DEVICE_CODE_GRANT_TYPE, DeviceCodeStatus, DeviceCodeStorage,
    DeviceDecision, DevicePoll, ManualClock, NewAuthorizationCode, NewDeviceCode, NewToken,
    OAuth2Request, OAuth2Storage, OAuth2Token, ScopeRequirement, StorageResult, UserCodeFailures,
};

/// Asks as `client_id`, then has alice approve.
async fn approved(server: &Server, client_id: &str) -> (String, String) {
    let body = if client_id == CONSOLE {
        let request = OAuth2Request::post(DEVICE_URI)
            .with_header("Authorization", basic(CONSOLE, SECRET))
            .with_form([("scope", "profile email")]);
        let r = server.create_device_authorization_response(&request).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json_body()
    } else {
        ask(server, client_id, Some("profile email")).await
    };
    let (device_code, user_code) = codes(&body);
    server
        .approve_user_code("alice", None, &user_code)
        .await
        .expect("approved");
    (device_code, user_code)
}

#[tokio::test]
async fn rfc8628_3_4_success_path_end_to_end() {
    let (server, clock) = device_server();
    let body = ask(&server, TV, Some("profile email")).await;
    let (device_code, user_code) = codes(&body);

    // Polls while the user has not answered.
    let r = poll(&server, TV, &device_code).await;
    assert_error(&r, 400, "authorization_pending");
    clock.advance(5);
    let r = poll(&server, TV, &device_code).await;
    assert_error(&r, 400, "authorization_pending");

    // Alice approves on her phone.
    let shown = server
        .lookup_user_code("alice", None, &user_code)
        .await
        .unwrap();
    assert_eq!(shown.client_id, TV);
    assert_eq!(shown.client_name.as_deref(), Some("Living Room TV"));
    server
        .approve_user_code("alice", None, &user_code)
        .await
        .unwrap();

    clock.advance(5);
    let r = poll(&server, TV, &device_code).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let token = r.json_body();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["scope"], "profile email");
    assert!(token["refresh_token"].is_string(), "TV may refresh");

    let api = OAuth2Request::get("https://api.example/me").with_header(
        "Authorization",
        format!("Bearer {}", token["access_token"].as_str().unwrap()),
    );
    let validated = server
        .validate_bearer(&api, &ScopeRequirement::all_of(["profile"]))
        .await
        .expect("valid token");
    assert_eq!(validated.client_id(), TV);
    assert_eq!(validated.user_id().as_deref(), Some("alice"));

    // The refresh token works like any other.
    let refresh = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", token["refresh_token"].as_str().unwrap()),
                ("client_id", TV),
            ],
        ))
        .await;
    assert_eq!(refresh.status, 200, "{}", refresh.body);
}

#[tokio::test]
async fn rfc8628_3_4_confidential_client_authenticates_when_polling() {
    let (server, _) = device_server();
    let (device_code, _) = approved(&server, CONSOLE).await;

    // Without its credentials, the poll is refused and the code not spent.
    let r = poll(&server, CONSOLE, &device_code).await;
    assert_error(&r, 400, "invalid_client");
    let request = OAuth2Request::post(TOKEN_URI)
        .with_header("Authorization", basic(CONSOLE, "wrong"))
        .with_form([
            ("grant_type", DEVICE_CODE_GRANT_TYPE),
            ("device_code", device_code.as_str()),
        ]);
    assert_error(
        &server.create_token_response(&request).await,
        401,
        "invalid_client",
    );

    let request = OAuth2Request::post(TOKEN_URI)
        .with_header("Authorization", basic(CONSOLE, SECRET))
        .with_form([
            ("grant_type", DEVICE_CODE_GRANT_TYPE),
            ("device_code", device_code.as_str()),
        ]);
    let r = server.create_token_response(&request).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.json_body();
    assert!(
        token.get("refresh_token").is_none(),
        "no refresh_token grant, no refresh token"
    );
}

#[tokio::test]
async fn rfc8628_3_5_first_poll_is_pending_not_slow_down() {
    let (server, _) = device_server();
    let (device_code, _) = codes(&ask(&server, TV, None).await);
    let r = poll(&server, TV, &device_code).await;
    assert_error(&r, 400, "authorization_pending");
}

#[tokio::test]
async fn rfc8628_3_5_polling_too_fast_is_slow_down_and_interval_grows() {
    let (server, clock) = device_server();
    let (device_code, _) = codes(&ask(&server, TV, None).await);
    let interval = || server.storage().device_codes()[0].interval;

    assert_error(
        &poll(&server, TV, &device_code).await,
        400,
        "authorization_pending",
    );
    clock.advance(4);
    assert_error(&poll(&server, TV, &device_code).await, 400, "slow_down");
    assert_eq!(interval(), 10, "5 seconds more, persisted");

    // The old interval is no longer enough: 5 s after the last poll is
    // too fast again, and the interval grows again.
    clock.advance(5);
    assert_error(&poll(&server, TV, &device_code).await, 400, "slow_down");
    assert_eq!(interval(), 15);

    // Waiting the whole new interval is fine, and the interval stays.
    clock.advance(15);
    assert_error(
        &poll(&server, TV, &device_code).await,
        400,
        "authorization_pending",
    );
    assert_eq!(interval(), 15);
    clock.advance(15);
    assert_error(
        &poll(&server, TV, &device_code).await,
        400,
        "authorization_pending",
    );
    assert_eq!(interval(), 15);
}

#[tokio::test]
async fn rfc8628_3_5_slow_down_of_one_device_code_does_not_touch_another() {
    let (server, clock) = device_server();
    let (a, _) = codes(&ask(&server, TV, None).await);
    let (b, _) = codes(&ask(&server, TV, None).await);
    poll(&server, TV, &a).await;
    clock.advance(1);
    assert_error(&poll(&server, TV, &a).await, 400, "slow_down");
    assert_error(&poll(&server, TV, &b).await, 400, "authorization_pending");
}

#[tokio::test]
async fn rfc8628_3_5_denied_is_access_denied() {
    let (server, clock) = device_server();
    let (device_code, user_code) = codes(&ask(&server, TV, None).await);
    let shown = server
        .deny_user_code("alice", None, &user_code)
        .await
        .unwrap();
    assert_eq!(shown.client_id, TV);
    assert_error(&poll(&server, TV, &device_code).await, 400, "access_denied");
    clock.advance(5);
    assert_error(&poll(&server, TV, &device_code).await, 400, "access_denied");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc8628_3_5_expired_device_code_is_expired_token() {
    let (server, clock) = device_server();
    let (device_code, _) = codes(&ask(&server, TV, None).await);
    clock.advance(1799);
    assert_error(
        &poll(&server, TV, &device_code).await,
        400,
        "authorization_pending",
    );
    clock.advance(1);
    assert_error(&poll(&server, TV, &device_code).await, 400, "expired_token");
}

#[tokio::test]
async fn rfc8628_3_5_approved_but_expired_is_expired_token() {
    let (server, clock) = device_server();
    let (device_code, _) = approved(&server, TV).await;
    clock.advance(1800);
    assert_error(&poll(&server, TV, &device_code).await, 400, "expired_token");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc8628_3_5_denied_then_expired_is_expired_token() {
    let (server, clock) = device_server();
    let (device_code, user_code) = codes(&ask(&server, TV, None).await);
    server
        .deny_user_code("alice", None, &user_code)
        .await
        .unwrap();
    clock.advance(1800);
    assert_error(&poll(&server, TV, &device_code).await, 400, "expired_token");
}

#[tokio::test]
async fn rfc8628_3_4_poller_must_be_the_client_that_asked() {
    let (server, clock) = device_server();
    let (device_code, _) = approved(&server, TV).await;
    let r = poll(&server, OTHER_TV, &device_code).await;
    assert_error(&r, 400, "invalid_grant");
    // Another client's attempt neither spends the code nor slows it down.
    let stored = &server.storage().device_codes()[0];
    assert_eq!(stored.status, DeviceCodeStatus::Approved);
    assert_eq!(stored.last_polled_at, None);
    clock.advance(5);
    let r = poll(&server, TV, &device_code).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn rfc8628_3_4_unknown_or_missing_device_code() {
    let (server, _) = device_server();
    let r = poll(&server, TV, "no-such-code").await;
    assert_error(&r, 400, "invalid_grant");
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[("grant_type", DEVICE_CODE_GRANT_TYPE), ("client_id", TV)],
        ))
        .await;
    assert_error(&r, 400, "invalid_request");
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", DEVICE_CODE_GRANT_TYPE),
                ("client_id", TV),
                ("device_code", "a"),
                ("device_code", "b"),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_request");
}

#[tokio::test]
async fn rfc8628_3_4_client_must_be_registered_for_the_grant_type() {
    let (server, _) = device_server();
    let (device_code, _) = codes(&ask(&server, TV, None).await);
    let r = poll(&server, "public-client", &device_code).await;
    assert_error(&r, 400, "unauthorized_client");
}

#[tokio::test]
async fn rfc8628_3_4_grant_type_unsupported_unless_enabled() {
    let (server, _) = server_with(device_config());
    for c in device_clients() {
        server.storage().insert_client(c);
    }
    let r = poll(&server, TV, "anything").await;
    assert_error(&r, 400, "unsupported_grant_type");
}

#[tokio::test]
async fn rfc8628_3_5_token_is_issued_exactly_once() {
    let (server, clock) = device_server();
    let (device_code, _) = approved(&server, TV).await;
    let r = poll(&server, TV, &device_code).await;
    assert_eq!(r.status, 200, "{}", r.body);
    clock.advance(5);
    let again = poll(&server, TV, &device_code).await;
    assert_error(&again, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 1);
    assert_eq!(
        server.storage().device_codes()[0].status,
        DeviceCodeStatus::Consumed
    );
    // The replay did not revoke the token (see DeviceCodeGrant).
    assert_eq!(server.storage().tokens()[0].access_token_revoked_at, None);
}

/// MemoryStorage whose polls take a while after being recorded, so that two
/// concurrent polls both see the code approved before either consumes it:
/// the race that `consume_device_code` must settle.
struct SlowPolls(MemoryStorage);

#[async_trait]
impl OAuth2Storage for SlowPolls {
    type Client = ClientRecord;
    type Token = StoredToken;
    type AuthorizationCode = NewAuthorizationCode;

    async fn find_client(&self, id: &str) -> StorageResult<Option<ClientRecord>> {
        self.0.find_client(id).await
    }
    async fn save_authorization_code(&self, code: NewAuthorizationCode) -> StorageResult<()> {
        self.0.save_authorization_code(code).await
    }
    async fn take_authorization_code(
        &self,
        digest: &str,
    ) -> StorageResult<Option<NewAuthorizationCode>> {
        self.0.take_authorization_code(digest).await
    }
    async fn save_token(&self, token: NewToken) -> StorageResult<()> {
        self.0.save_token(token).await
    }
    async fn find_access_token(&self, digest: &str) -> StorageResult<Option<StoredToken>> {
        self.0.find_access_token(digest).await
    }
    async fn find_refresh_token(&self, digest: &str) -> StorageResult<Option<StoredToken>> {
        self.0.find_refresh_token(digest).await
    }
    async fn rotate_refresh_token(
        &self,
        old: &str,
        new: NewToken,
        now: i64,
    ) -> StorageResult<bool> {
        self.0.rotate_refresh_token(old, new, now).await
    }
    async fn revoke_access_token(&self, digest: &str, now: i64) -> StorageResult<()> {
        self.0.revoke_access_token(digest, now).await
    }
    async fn revoke_grant(&self, grant_id: &str, now: i64) -> StorageResult<u64> {
        self.0.revoke_grant(grant_id, now).await
    }
}

#[async_trait]
impl DeviceCodeStorage for SlowPolls {
    type DeviceCode = StoredDeviceCode;

    async fn save_device_code(&self, code: NewDeviceCode) -> StorageResult<bool> {
        self.0.save_device_code(code).await
    }
    async fn find_device_code_by_user_code(
        &self,
        digest: &str,
    ) -> StorageResult<Option<StoredDeviceCode>> {
        self.0.find_device_code_by_user_code(digest).await
    }
    async fn decide_device_code(
        &self,
        digest: &str,
        decision: DeviceDecision,
        user_id: &str,
        now: i64,
    ) -> StorageResult<bool> {
        self.0
            .decide_device_code(digest, decision, user_id, now)
            .await
    }
    async fn poll_device_code(
        &self,
        digest: &str,
        client_id: &str,
        now: i64,
        slow_down_by: i64,
    ) -> StorageResult<Option<DevicePoll<StoredDeviceCode>>> {
        let polled = self
            .0
            .poll_device_code(digest, client_id, now, slow_down_by)
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        polled
    }
    async fn consume_device_code(&self, digest: &str) -> StorageResult<bool> {
        self.0.consume_device_code(digest).await
    }
    async fn count_user_code_failures(
        &self,
        user_id: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<UserCodeFailures> {
        self.0
            .count_user_code_failures(user_id, address, since)
            .await
    }
    async fn record_user_code_failure(
        &self,
        user_id: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        self.0.record_user_code_failure(user_id, address, at).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc8628_3_5_concurrent_polls_after_approval_yield_one_token() {
    let storage = MemoryStorage::new();
    for c in device_clients() {
        storage.insert_client(c);
    }
    let server = AuthorizationServer::new(SlowPolls(storage), device_config())
        .unwrap()
        .with_clock(ManualClock::new(NOW))
        .with_device_grant()
        .unwrap();
    let server = Arc::new(server);
    for round in 0..10 {
        let r = server
            .create_device_authorization_response(&device_request(TV, None))
            .await;
        let (device_code, user_code) = codes(&r.json_body());
        server
            .approve_user_code("alice", None, &user_code)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let (server, device_code) = (server.clone(), device_code.clone());
                tokio::spawn(async move {
                    server
                        .create_token_response(&poll_request(TV, &device_code))
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            let r = task.await.expect("no panic");
            match r.status {
                200 => ok += 1,
                _ => assert_error(&r, 400, "invalid_grant"),
            }
        }
        assert_eq!(ok, 1, "round {round}");
        assert_eq!(server.storage().0.token_count(), round + 1);
    }
}

#[tokio::test]
async fn rfc8628_3_5_token_lifetime_follows_the_grant_type() {
    let mut config = device_config();
    config
        .lifetimes
        .access_token_by_grant
        .insert(DEVICE_CODE_GRANT_TYPE.into(), 1234);
    let (server, _) = device_server_with(config);
    let (device_code, _) = approved(&server, TV).await;
    let token = poll(&server, TV, &device_code).await.json_body();
    assert_eq!(token["expires_in"], 1234);

    let (server, _) = device_server();
    let (device_code, _) = approved(&server, TV).await;
    let token = poll(&server, TV, &device_code).await.json_body();
    assert_eq!(token["expires_in"], 3600, "default_expires_in");
}
