//! RFC 6819 §5.1.4.2.3 (and RFC 9700 §4.6's concern with online guessing):
//! wrong client secrets are counted in storage per client address and per
//! client. One address past `Config::client_auth_max_failures_per_address`
//! is refused for every client, without its further attempts being checked
//! or counted; a client past `Config::client_auth_max_failures` (the
//! backstop against guessing from many addresses) is refused whatever it
//! presents, at every endpoint that authenticates clients, until the
//! failures age out.

mod common;
use common::*;

use std::net::IpAddr;

use oauth_core::config::{ClientSecretLimit, Limits};
use oauth_core::oauth2::rfc6819::address_key;
use oauth_core::{ClientAuthFailures, Config, OAuth2Request, OAuth2Response, OAuth2Storage};

const ATTACKER: &str = "192.0.2.66";
const HONEST: &str = "198.51.100.7";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A client credentials request of `basic-client` from `from`.
fn cc_from(secret: &str, from: &str) -> OAuth2Request {
    cc(secret).with_remote_addr(ip(from))
}

/// A client credentials request of `basic-client` from an unknown address.
fn cc(secret: &str) -> OAuth2Request {
    OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic("basic-client", secret))
        .with_form([("grant_type", "client_credentials")])
}

fn cc_post_client(from: &str) -> OAuth2Request {
    post(
        "https://as.example/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "post-client"),
            ("client_secret", SECRET),
        ],
    )
    .with_remote_addr(ip(from))
}

fn description(r: &OAuth2Response) -> String {
    r.json_body()["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn failures(server: &Server, client: &str, address: &str) -> ClientAuthFailures {
    server
        .storage()
        .count_client_auth_failures(client, Some(&address_key(ip(address))), NOW - 300)
        .await
        .unwrap()
}

#[tokio::test]
async fn rfc6819_5_1_4_2_3_one_address_is_cut_off_from_every_client() {
    let (server, _) = server();
    for _ in 0..10 {
        let r = server
            .create_token_response(&cc_from("wrong", ATTACKER))
            .await;
        assert_error(&r, 401, "invalid_client");
        assert_eq!(description(&r), "client authentication failed");
    }
    assert_eq!(
        failures(&server, "basic-client", ATTACKER).await,
        ClientAuthFailures {
            client: 10,
            address: 10
        }
    );
    // The address is refused now, even with the right secret, and for
    // another client too, with a message that says why.
    let r = server
        .create_token_response(&cc_from(SECRET, ATTACKER))
        .await;
    assert_error(&r, 401, "invalid_client");
    assert!(r.header("WWW-Authenticate").is_some());
    assert!(description(&r).contains("from this address"), "{r:?}");
    let r = server
        .create_token_response(&cc_post_client(ATTACKER))
        .await;
    assert_error(&r, 400, "invalid_client");
    // So at the revocation endpoint.
    let revoke = OAuth2Request::post("https://as.example/revoke")
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form([("token", "x")])
        .with_remote_addr(ip(ATTACKER));
    assert_error(
        &server.create_revocation_response(&revoke).await,
        401,
        "invalid_client",
    );
}

#[tokio::test]
async fn rfc6819_5_1_4_2_3_one_address_cannot_lock_the_client_out_for_others() {
    let (server, _) = server();
    // Far more attempts than any limit: past the tenth, they are refused
    // without being checked or counted.
    for _ in 0..150 {
        server
            .create_token_response(&cc_from("wrong", ATTACKER))
            .await;
    }
    assert_eq!(failures(&server, "basic-client", ATTACKER).await.client, 10);
    let r = server.create_token_response(&cc_from(SECRET, HONEST)).await;
    assert_eq!(r.status, 200, "{r:?}");
}

#[tokio::test]
async fn rfc6819_5_1_4_2_3_guessing_from_many_addresses_locks_the_client_until_it_ages_out() {
    let (server, clock) = server();
    // 100 failures (the per-client backstop) from 20 addresses, 5 each:
    // no address reaches its own limit.
    for i in 0..100 {
        let from = format!("192.0.2.{}", i % 20);
        let r = server.create_token_response(&cc_from("wrong", &from)).await;
        assert_eq!(description(&r), "client authentication failed", "{i}");
    }
    // The client is refused now, from any address, whatever it presents.
    let r = server.create_token_response(&cc_from(SECRET, HONEST)).await;
    assert_error(&r, 401, "invalid_client");
    assert!(description(&r).contains("for this client"), "{r:?}");
    // Another client is not affected.
    assert_eq!(
        server
            .create_token_response(&cc_post_client(HONEST))
            .await
            .status,
        200
    );
    // Once the window has passed, the right secret works again.
    clock.advance(301);
    assert_eq!(
        server
            .create_token_response(&cc_from(SECRET, HONEST))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn rfc6819_5_1_4_2_3_without_an_address_only_the_client_count_applies() {
    let (server, _) = server_with(Config {
        limits: Limits {
            client_secret: ClientSecretLimit {
                max_failures: 10,
                ..ClientSecretLimit::default()
            },
            ..Limits::default()
        },
        ..Config::default()
    });
    for _ in 0..10 {
        server.create_token_response(&cc("wrong")).await;
    }
    let r = server.create_token_response(&cc(SECRET)).await;
    assert_error(&r, 401, "invalid_client");
    assert!(description(&r).contains("for this client"), "{r:?}");
}

#[tokio::test]
async fn rfc6819_5_1_4_2_3_ipv6_addresses_count_by_their_64() {
    let (server, _) = server();
    for i in 0..10 {
        let from = format!("2001:db8:1:2::{i:x}");
        server.create_token_response(&cc_from("wrong", &from)).await;
    }
    let r = server
        .create_token_response(&cc_from(SECRET, "2001:db8:1:2:ffff::1"))
        .await;
    assert!(description(&r).contains("from this address"), "{r:?}");
    // The next /64 is another address.
    let r = server
        .create_token_response(&cc_from(SECRET, "2001:db8:1:3::1"))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    // An IPv4 address mapped into IPv6 is the IPv4 address.
    assert_eq!(address_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
}

#[tokio::test]
async fn failures_are_not_counted_for_unknown_clients() {
    let (server, _) = server();
    let unknown = OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic("nobody", "x"))
        .with_form([("grant_type", "client_credentials")])
        .with_remote_addr(ip(ATTACKER));
    assert_error(
        &server.create_token_response(&unknown).await,
        401,
        "invalid_client",
    );
    assert_eq!(
        failures(&server, "nobody", ATTACKER).await,
        ClientAuthFailures::default()
    );
}

#[tokio::test]
async fn the_limits_can_be_turned_off() {
    let (server, _) = server_with(Config {
        limits: Limits {
            client_secret: ClientSecretLimit {
                max_failures: 0,
                max_failures_per_address: 0,
                ..ClientSecretLimit::default()
            },
            ..Limits::default()
        },
        ..Config::default()
    });
    for _ in 0..120 {
        server
            .create_token_response(&cc_from("wrong", ATTACKER))
            .await;
    }
    assert_eq!(
        server
            .create_token_response(&cc_from(SECRET, ATTACKER))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn fewer_failures_than_the_limits_do_not_lock() {
    let (server, _) = server();
    for _ in 0..9 {
        server
            .create_token_response(&cc_from("wrong", ATTACKER))
            .await;
    }
    assert_eq!(
        server
            .create_token_response(&cc_from(SECRET, ATTACKER))
            .await
            .status,
        200
    );
}
