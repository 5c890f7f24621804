//! RFC 8628 §3.3 (the verification page: look up, approve, deny) and §5.1
//! (brute-force limits on user codes, per user and per client address).

mod common;
mod device_fixture;
use common::*;
use device_fixture::*;

use std::sync::Arc;

use oauth_core::config::{Limits, UserCodeLimit};
use oauth_core::oauth2::rfc8628::{format_user_code, normalize_user_code};
use oauth_core::{Config, DeviceCodeStatus, DeviceCodeStorage, DeviceDecision, UserCodeError};

#[tokio::test]
async fn rfc8628_3_3_lookup_shows_client_and_scope_and_changes_nothing() {
    let (server, _) = device_server();
    let (_, user_code) = codes(&ask(&server, TV, Some("profile email")).await);
    let shown = server
        .lookup_user_code("alice", None, &user_code)
        .await
        .unwrap();
    assert_eq!(shown.user_code, user_code);
    assert_eq!(shown.client_id, TV);
    assert_eq!(shown.client_name.as_deref(), Some("Living Room TV"));
    assert_eq!(shown.scope.to_string(), "profile email");
    assert_eq!(shown.expires_at, NOW + 1800);
    let stored = &server.storage().device_codes()[0];
    assert_eq!(stored.status, DeviceCodeStatus::Pending);
    assert_eq!(stored.user_id, None);
}

#[tokio::test]
async fn rfc8628_3_3_approval_records_the_user() {
    let (server, _) = device_server();
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    server
        .approve_user_code("alice", None, &user_code)
        .await
        .unwrap();
    let stored = &server.storage().device_codes()[0];
    assert_eq!(stored.status, DeviceCodeStatus::Approved);
    assert_eq!(stored.user_id.as_deref(), Some("alice"));
}

#[tokio::test]
async fn rfc8628_3_3_a_code_is_decided_once() {
    let (server, _) = device_server();
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    server
        .approve_user_code("alice", None, &user_code)
        .await
        .unwrap();
    for result in [
        server.approve_user_code("alice", None, &user_code).await,
        server.deny_user_code("alice", None, &user_code).await,
        server.approve_user_code("mallory", None, &user_code).await,
        server.lookup_user_code("alice", None, &user_code).await,
    ] {
        assert_eq!(result.unwrap_err(), UserCodeError::AlreadyDecided);
    }
    let stored = &server.storage().device_codes()[0];
    assert_eq!(stored.user_id.as_deref(), Some("alice"));
    // Storage holds the rule on its own, for a request that read the code
    // as pending just before another decided it.
    let digest = oauth_core::secrets::digest(&user_code.replace('-', ""));
    for decision in [DeviceDecision::Deny, DeviceDecision::Approve] {
        assert!(
            !server
                .storage()
                .decide_device_code(&digest, decision, "mallory", NOW)
                .await
                .unwrap()
        );
    }
    let stored = &server.storage().device_codes()[0];
    assert_eq!(stored.status, DeviceCodeStatus::Approved);
    assert_eq!(stored.user_id.as_deref(), Some("alice"));

    let (_, user_code) = codes(&ask(&server, TV, None).await);
    server
        .deny_user_code("alice", None, &user_code)
        .await
        .unwrap();
    assert_eq!(
        server.approve_user_code("alice", None, &user_code).await,
        Err(UserCodeError::AlreadyDecided)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc8628_3_3_concurrent_decisions_only_one_wins() {
    let (server, _) = device_server();
    let server = Arc::new(server);
    for _ in 0..50 {
        let (_, user_code) = codes(&ask(&server, TV, None).await);
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let tasks: Vec<_> = [
            ("alice", DeviceDecision::Approve),
            ("bob", DeviceDecision::Deny),
        ]
        .into_iter()
        .map(|(user, decision)| {
            let (server, user_code, barrier) = (server.clone(), user_code.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                server
                    .decide_user_code(user, None, &user_code, decision)
                    .await
            })
        })
        .collect();
        let mut wins = 0;
        for task in tasks {
            match task.await.expect("no panic") {
                Ok(_) => wins += 1,
                Err(e) => assert_eq!(e, UserCodeError::AlreadyDecided),
            }
        }
        assert_eq!(wins, 1);
    }
}

#[tokio::test]
async fn rfc8628_3_3_expired_code_cannot_be_decided() {
    let (server, clock) = device_server();
    let (device_code, user_code) = codes(&ask(&server, TV, None).await);
    clock.advance(1800);
    assert_eq!(
        server.lookup_user_code("alice", None, &user_code).await,
        Err(UserCodeError::Expired)
    );
    assert_eq!(
        server.approve_user_code("alice", None, &user_code).await,
        Err(UserCodeError::Expired)
    );
    // Storage refuses on its own too, whatever the engine read before.
    let digest = oauth_core::secrets::digest(&normalize_user_code(
        &user_code,
        oauth_core::oauth2::rfc8628::DEFAULT_USER_CODE_ALPHABET,
    ));
    assert!(
        !server
            .storage()
            .decide_device_code(&digest, DeviceDecision::Approve, "alice", NOW + 1800)
            .await
            .unwrap()
    );
    assert_error(&poll(&server, TV, &device_code).await, 400, "expired_token");
}

#[tokio::test]
async fn rfc8628_5_1_wrong_codes_are_counted_per_user_and_then_refused() {
    let (server, clock) = device_server();
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    let wrong = "BBBB-BBBB";
    assert_ne!(user_code, wrong);
    for _ in 0..5 {
        assert_eq!(
            server.lookup_user_code("mallory", None, wrong).await,
            Err(UserCodeError::NotFound)
        );
        clock.advance(10);
    }
    // The counter lives in storage, not in the server process.
    assert_eq!(
        server
            .storage()
            .count_user_code_failures("mallory", None, NOW - 1)
            .await
            .unwrap()
            .user,
        5
    );
    // Now even the right code is refused, by every entry point.
    assert_eq!(
        server.lookup_user_code("mallory", None, &user_code).await,
        Err(UserCodeError::TooManyAttempts)
    );
    assert_eq!(
        server.approve_user_code("mallory", None, &user_code).await,
        Err(UserCodeError::TooManyAttempts)
    );
    assert_eq!(
        server.deny_user_code("mallory", None, &user_code).await,
        Err(UserCodeError::TooManyAttempts)
    );
    assert!(
        UserCodeError::TooManyAttempts
            .to_string()
            .contains("Too many")
    );
    // Other users are not affected.
    server
        .lookup_user_code("alice", None, &user_code)
        .await
        .unwrap();

    // Once the first failure leaves the 900 s window, one more try is
    // allowed; a wrong one locks again.
    clock.advance(900 - 51);
    assert_eq!(
        server.lookup_user_code("mallory", None, &user_code).await,
        Err(UserCodeError::TooManyAttempts)
    );
    clock.advance(1);
    assert_eq!(
        server.lookup_user_code("mallory", None, wrong).await,
        Err(UserCodeError::NotFound)
    );
    assert_eq!(
        server.lookup_user_code("mallory", None, &user_code).await,
        Err(UserCodeError::TooManyAttempts)
    );
    clock.advance(10);
    server
        .lookup_user_code("mallory", None, &user_code)
        .await
        .unwrap();
}

#[tokio::test]
async fn rfc8628_5_1_wrong_codes_are_counted_per_address_across_users() {
    let (server, clock) = device_server();
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    let attacker = Some("192.0.2.66".parse().unwrap());
    let wrong = ["BBBB-BBBB", "BBBB-BBBC", "BBBB-BBBD", "BBBB-BBBF"];
    // Five accounts, four wrong codes each: under the per-user limit (5),
    // and 20 from the address, its limit.
    for user in ["m1", "m2", "m3", "m4", "m5"] {
        for code in wrong {
            assert_eq!(
                server.lookup_user_code(user, attacker, code).await,
                Err(UserCodeError::NotFound)
            );
        }
    }
    // A sixth account from the same address is refused, right code or not.
    for result in [
        server.lookup_user_code("m6", attacker, &user_code).await,
        server.approve_user_code("m6", attacker, &user_code).await,
    ] {
        assert_eq!(result, Err(UserCodeError::TooManyAttempts));
    }
    // The same accounts from elsewhere are not: the user count is 4.
    let elsewhere = Some("198.51.100.7".parse().unwrap());
    server
        .lookup_user_code("m1", elsewhere, &user_code)
        .await
        .unwrap();
    // An IPv6 guesser is counted by its /64.
    for i in 0..20 {
        let from = Some(format!("2001:db8::{i:x}").parse().unwrap());
        let user = format!("v{i}");
        assert_eq!(
            server.lookup_user_code(&user, from, wrong[0]).await,
            Err(UserCodeError::NotFound)
        );
    }
    let same_64 = Some("2001:db8::ffff:1".parse().unwrap());
    assert_eq!(
        server.lookup_user_code("v99", same_64, &user_code).await,
        Err(UserCodeError::TooManyAttempts)
    );
    // After the window the address may try again.
    clock.advance(901);
    server
        .lookup_user_code("m6", attacker, &user_code)
        .await
        .unwrap();
}

#[tokio::test]
async fn rfc8628_5_1_the_per_address_limit_can_be_turned_off() {
    let (server, _) = device_server_with(Config {
        limits: Limits {
            user_code: UserCodeLimit {
                max_failures_per_address: 0,
                ..device_config().limits.user_code
            },
            ..device_config().limits
        },
        ..device_config()
    });
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    let from = Some("192.0.2.66".parse().unwrap());
    for i in 0..30 {
        let user = format!("m{i}");
        server.lookup_user_code(&user, from, "BBBB-BBBB").await.ok();
    }
    server
        .lookup_user_code("m99", from, &user_code)
        .await
        .unwrap();
}

#[tokio::test]
async fn rfc8628_5_1_limit_and_window_are_configurable() {
    let (server, clock) = device_server_with(Config {
        limits: Limits {
            user_code: UserCodeLimit {
                max_failures: 2,
                window: 60,
                ..device_config().limits.user_code
            },
            ..device_config().limits
        },
        ..device_config()
    });
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    for _ in 0..2 {
        let _ = server.lookup_user_code("mallory", None, "CCCC-CCCC").await;
    }
    assert_eq!(
        server.lookup_user_code("mallory", None, &user_code).await,
        Err(UserCodeError::TooManyAttempts)
    );
    clock.advance(60);
    server
        .lookup_user_code("mallory", None, &user_code)
        .await
        .unwrap();
}

#[tokio::test]
async fn rfc8628_5_1_malformed_input_is_not_a_counted_guess() {
    let (server, _) = device_server();
    for input in ["", "abc", "AEIOU-AEIOU", "123456789", "BBBB-BBBB-B"] {
        assert_eq!(
            server.lookup_user_code("alice", None, input).await,
            Err(UserCodeError::Malformed),
            "{input}"
        );
    }
    assert_eq!(
        server
            .storage()
            .count_user_code_failures("alice", None, 0)
            .await
            .unwrap()
            .user,
        0
    );
}

#[tokio::test]
async fn rfc8628_6_1_entry_ignores_case_dashes_and_spaces() {
    let (server, _) = device_server();
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    let bare = user_code.replace('-', "");
    for typed in [
        user_code.clone(),
        user_code.to_lowercase(),
        bare.clone(),
        bare.to_lowercase(),
        format!(" {} {} ", &bare[..4], &bare[4..]),
        format!("{}\u{2013}{}", &bare[..4], &bare[4..]),
        format!("{}-{}-", &bare[..2], &bare[2..]),
    ] {
        let shown = server
            .lookup_user_code("alice", None, &typed)
            .await
            .unwrap_or_else(|e| panic!("{typed:?}: {e}"));
        assert_eq!(shown.user_code, user_code, "{typed:?}");
        assert_eq!(format_user_code(&bare), user_code);
    }
    server
        .approve_user_code("alice", None, &bare.to_lowercase())
        .await
        .unwrap();
}
