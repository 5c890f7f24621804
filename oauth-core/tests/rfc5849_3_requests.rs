//! RFC 5849 §3: making and verifying signed requests. Required parameters
//! (§3.1), verification and its errors (§3.2), timestamps and nonces
//! (§3.3), where parameters may travel and duplicates (§3.5), and the
//! resource side (token credentials, realms).

mod oauth1_common;
use oauth1_common::*;

use std::sync::Arc;

use oauth_core::oauth1::rfc5849::params::RequestParams;
use oauth_core::oauth1::rfc5849::signature::{hmac_sha1_sign, request_base_string};
use oauth_core::oauth1::{OAuth1Config, OAuth1Error};
use oauth_core::{OAuth2Request, Params};

async fn refused(server: &Server, request: &OAuth2Request) -> OAuth1Error {
    server.validate_request(request, &[]).await.unwrap_err()
}

#[track_caller]
fn assert_code(err: &OAuth1Error, code: &str, status: u16) {
    assert_eq!((err.code.as_str(), err.status), (code, status), "{err}");
}

/// A resource request signed with `protocol` (besides key, token, method).
fn signed(protocol: &[(&str, &str)]) -> OAuth2Request {
    token_client()
        .sign(OAuth2Request::get(API), protocol)
        .unwrap()
}

/// Signs a request whose protocol parameters go in the query (§3.5.3) or,
/// with `in_body`, in a form body (§3.5.2).
fn signed_elsewhere(in_body: bool, nonce: &str, extra: &[(&str, &str)]) -> OAuth2Request {
    let mut pairs: Vec<(String, String)> = [
        ("oauth_consumer_key", CLIENT),
        ("oauth_token", TOKEN_CRED),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", TS),
        ("oauth_nonce", nonce),
        ("oauth_version", "1.0"),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let build = |pairs: &[(String, String)]| {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        if in_body {
            OAuth2Request::post(API).with_form_body(&encoded)
        } else {
            OAuth2Request::get(format!("{API}?{encoded}"))
        }
    };
    let unsigned = build(&pairs);
    let params = RequestParams::from_request(&unsigned).unwrap();
    let base = request_base_string(&unsigned, &params, None).unwrap();
    pairs.push((
        "oauth_signature".into(),
        hmac_sha1_sign(&base, SECRET, TOKEN_SECRET),
    ));
    build(&pairs)
}

// ---------------------------------------------------------------------------
// §3.1 Required parameters.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc5849_3_1_missing_parameters_are_missing_required_parameter() {
    let (server, _) = server().await;
    // Without timestamp or nonce (HMAC-SHA1 needs both).
    for (i, protocol) in [
        vec![("oauth_nonce", "n1")],
        vec![("oauth_timestamp", TS)],
        vec![("oauth_timestamp", ""), ("oauth_nonce", "n2")],
    ]
    .iter()
    .enumerate()
    {
        let err = refused(&server, &signed(protocol)).await;
        assert_code(&err, "missing_required_parameter", 400);
        assert!(err.description.contains("oauth_"), "{i}: {err}");
    }
    // Without key, method, signature or token: remove them from a header.
    let request = resource_request("n3");
    for name in [
        "oauth_consumer_key",
        "oauth_signature_method",
        "oauth_signature",
        "oauth_token",
    ] {
        let mut r = request.clone();
        let header = r.header("Authorization").unwrap().to_owned();
        let kept: Vec<&str> = header
            .trim_start_matches("OAuth ")
            .split(", ")
            .filter(|p| !p.starts_with(&format!("{name}=")))
            .collect();
        r.headers.retain(|(k, _)| k != "Authorization");
        r.headers
            .push(("Authorization".into(), format!("OAuth {}", kept.join(", "))));
        let err = refused(&server, &r).await;
        assert_code(&err, "missing_required_parameter", 400);
        assert!(err.description.contains(name), "{err}");
    }
    // No OAuth parameters at all.
    let err = refused(&server, &OAuth2Request::get(API)).await;
    assert_code(&err, "missing_required_parameter", 400);
}

#[tokio::test]
async fn rfc5849_3_1_unsupported_signature_method() {
    let (server, _) = server().await;
    let mut signer = token_client();
    signer.signature_method = "HMAC-SHA256".into();
    let request = signer
        .sign_with(
            OAuth2Request::get(API),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n1")],
            |_| "x".into(),
        )
        .unwrap();
    let err = refused(&server, &request).await;
    assert_code(&err, "unsupported_signature_method", 400);
    // Only HMAC-SHA1 by default, as Authlib.
    let (default_server, _) = server_with(OAuth1Config::default()).await;
    assert_eq!(default_server.signature_methods(), ["HMAC-SHA1"]);
    let mut signer = token_client();
    signer.signature_method = "PLAINTEXT".into();
    let request = signer.sign(OAuth2Request::get(API), &[]).unwrap();
    let err = refused(&default_server, &request).await;
    assert_code(&err, "unsupported_signature_method", 400);
}

#[tokio::test]
async fn rfc5849_3_1_oauth_version_must_be_1_0() {
    let (server, _) = server().await;
    server
        .validate_request(
            &signed(&[
                ("oauth_timestamp", TS),
                ("oauth_nonce", "n1"),
                ("oauth_version", "1.0"),
            ]),
            &[],
        )
        .await
        .unwrap();
    let err = refused(
        &server,
        &signed(&[
            ("oauth_timestamp", TS),
            ("oauth_nonce", "n2"),
            ("oauth_version", "2.0"),
        ]),
    )
    .await;
    assert_code(&err, "invalid_request", 400);
}

// ---------------------------------------------------------------------------
// §3.2 Verifying requests: clients and tokens.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc5849_3_2_unknown_client_is_invalid_client() {
    let (server, _) = server().await;
    let mut signer = token_client();
    signer.client_id = "nobody".into();
    let request = signer
        .sign(
            OAuth2Request::get(API),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n1")],
        )
        .unwrap();
    let err = refused(&server, &request).await;
    assert_code(&err, "invalid_client", 401);
    let response = server.error_response(&err);
    assert_eq!(response.header("WWW-Authenticate"), Some("OAuth"));
}

#[tokio::test]
async fn rfc5849_3_2_unknown_foreign_or_revoked_token_is_invalid_token() {
    let (server, _) = server().await;
    let mut unknown = token_client();
    unknown.token = Some(("unknown".into(), TOKEN_SECRET.into()));
    let request = unknown
        .sign(
            OAuth2Request::get(API),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n1")],
        )
        .unwrap();
    assert_code(&refused(&server, &request).await, "invalid_token", 401);

    // The RSA client's token, used by CLIENT (right secret, wrong owner).
    let mut foreign = token_client();
    foreign.token = Some((RSA_TOKEN_CRED.into(), TOKEN_SECRET.into()));
    let request = foreign
        .sign(
            OAuth2Request::get(API),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n2")],
        )
        .unwrap();
    assert_code(&refused(&server, &request).await, "invalid_token", 401);

    // A temporary credential is not a token credential.
    let (temp, temp_secret) = temporary(&server, "n3").await;
    let mut temporary_signer = client();
    temporary_signer.token = Some((temp, temp_secret.into()));
    let request = temporary_signer
        .sign(
            OAuth2Request::get(API),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n4")],
        )
        .unwrap();
    assert_code(&refused(&server, &request).await, "invalid_token", 401);

    // Revoked.
    let request = resource_request("n5");
    assert!(server.storage().revoke_token_credential(TOKEN_CRED));
    assert_code(&refused(&server, &request).await, "invalid_token", 401);
}

#[tokio::test]
async fn rfc5849_3_2_challenge_names_the_configured_realm() {
    let (server, _) = server_with(OAuth1Config {
        realm: Some("Photos".into()),
        ..all_methods()
    })
    .await;
    let err = refused(
        &server,
        &tamper(&resource_request("n1"), "oauth_signature", "AAAA"),
    )
    .await;
    let response = server.error_response(&err);
    assert_error(&response, 401, "invalid_signature");
    assert_eq!(
        response.header("WWW-Authenticate"),
        Some("OAuth realm=\"Photos\"")
    );
}

#[tokio::test]
async fn rfc5849_3_2_realms_are_checked_where_required() {
    let (server, _) = server().await;
    server
        .validate_request(&resource_request("n1"), &["photos"])
        .await
        .unwrap();
    let err = server
        .validate_request(&resource_request("n2"), &["photos", "admin"])
        .await
        .unwrap_err();
    assert_code(&err, "access_denied", 403);
    assert!(err.description.contains("admin"));
}

// ---------------------------------------------------------------------------
// §3.3 Nonce and timestamp.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc5849_3_3_timestamp_window() {
    let (server, _) = server().await;
    let at = |offset: i64, nonce: &str| {
        signed(&[
            ("oauth_timestamp", &(NOW + offset).to_string()),
            ("oauth_nonce", nonce),
        ])
    };
    // 300 s either way is accepted; 301 s is not.
    server.validate_request(&at(-300, "a"), &[]).await.unwrap();
    server.validate_request(&at(300, "b"), &[]).await.unwrap();
    for (offset, nonce) in [(-301, "c"), (301, "d"), (-86_400, "e")] {
        let err = refused(&server, &at(offset, nonce)).await;
        assert_code(&err, "invalid_request", 400);
        assert!(err.description.contains("oauth_timestamp"), "{err}");
    }
    for bad in [
        "0",
        "-5",
        "1.7e9",
        "abc",
        " 1700000000",
        "99999999999999999999",
        "１７",
    ] {
        let err = refused(
            &server,
            &signed(&[("oauth_timestamp", bad), ("oauth_nonce", "f")]),
        )
        .await;
        assert_code(&err, "invalid_request", 400);
    }
}

#[tokio::test]
async fn rfc5849_3_3_configured_window() {
    let (server, _) = server_with(OAuth1Config {
        timestamp_window: 10,
        ..all_methods()
    })
    .await;
    let request = signed(&[
        ("oauth_timestamp", &(NOW - 11).to_string()),
        ("oauth_nonce", "a"),
    ]);
    assert_code(&refused(&server, &request).await, "invalid_request", 400);
}

#[tokio::test]
async fn rfc5849_3_3_reused_nonce_is_invalid_nonce() {
    let (server, _) = server().await;
    let request = resource_request("once");
    server.validate_request(&request, &[]).await.unwrap();
    let err = refused(&server, &request).await;
    assert_code(&err, "invalid_nonce", 401);
    // The same nonce with another timestamp, or another token, is new.
    let later = signed(&[
        ("oauth_timestamp", &(NOW + 1).to_string()),
        ("oauth_nonce", "once"),
    ]);
    server.validate_request(&later, &[]).await.unwrap();
    let (temp, _) = temporary(&server, "once").await;
    assert!(!temp.is_empty());
}

#[tokio::test]
async fn rfc5849_3_3_reused_nonce_on_credential_endpoints() {
    let (server, _) = server().await;
    let request = initiate_request(CALLBACK, "n1");
    assert_eq!(
        server
            .create_temporary_credentials_response(&request)
            .await
            .status,
        200
    );
    let replay = server.create_temporary_credentials_response(&request).await;
    assert_error(&replay, 401, "invalid_nonce");
    assert_eq!(server.storage().temporary_credentials().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rfc5849_3_3_concurrent_requests_with_one_nonce_one_wins() {
    let (server, _) = server().await;
    let server = Arc::new(server);
    let request = resource_request("contended");
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let server = server.clone();
            let request = request.clone();
            tokio::spawn(async move { server.validate_request(&request, &[]).await })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert_code(&e, "invalid_nonce", 401),
        }
    }
    assert_eq!(wins, 1);
}

#[tokio::test]
async fn rfc5849_3_3_overlong_nonce_is_invalid_request() {
    let (server, _) = server().await;
    let long = "n".repeat(256);
    let err = refused(
        &server,
        &signed(&[("oauth_timestamp", TS), ("oauth_nonce", &long)]),
    )
    .await;
    assert_code(&err, "invalid_request", 400);
    let ok = "n".repeat(255);
    server
        .validate_request(
            &signed(&[("oauth_timestamp", TS), ("oauth_nonce", &ok)]),
            &[],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn rfc5849_3_3_nonces_are_forgotten_after_the_window() {
    let (server, clock) = server().await;
    for i in 0..1100 {
        server
            .validate_request(&resource_request(&format!("n{i}")), &[])
            .await
            .unwrap();
    }
    assert_eq!(server.storage().nonce_count(), 1100);
    // Past the window those nonces cannot be replayed (their timestamp is
    // refused), so the table drops them as it grows: it stays within twice
    // the nonces still live.
    clock.advance(301);
    let ts = (NOW + 301).to_string();
    for i in 0..1000 {
        let request = signed(&[("oauth_timestamp", &ts), ("oauth_nonce", &format!("m{i}"))]);
        server.validate_request(&request, &[]).await.unwrap();
    }
    let count = server.storage().nonce_count();
    assert!(count <= 1000, "{count}");
    // And a replay of a forgotten nonce is still refused, for its timestamp.
    let err = refused(&server, &resource_request("n0")).await;
    assert_code(&err, "invalid_request", 400);
}

// ---------------------------------------------------------------------------
// §3.5 Parameter transmission.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc5849_3_5_2_and_3_5_3_parameters_in_body_or_query() {
    let (server, _) = server().await;
    let in_query = signed_elsewhere(false, "q1", &[("file", "a b+c/ü")]);
    server.validate_request(&in_query, &[]).await.unwrap();
    let in_body = signed_elsewhere(true, "b1", &[("title", "x=y&z")]);
    server.validate_request(&in_body, &[]).await.unwrap();
    // A body that is not form-encoded does not carry protocol parameters.
    let mut not_form = in_body.clone();
    for (k, v) in &mut not_form.headers {
        if k == "Content-Type" {
            *v = "text/plain".into();
        }
    }
    assert_code(
        &refused(&server, &not_form).await,
        "missing_required_parameter",
        400,
    );
}

#[tokio::test]
async fn rfc5849_3_5_other_authorization_schemes_are_ignored() {
    let (server, _) = server().await;
    let mut request = signed_elsewhere(false, "q1", &[]);
    request = request.with_header("Authorization", "Basic Zm9vOmJhcg==");
    server.validate_request(&request, &[]).await.unwrap();
}

#[tokio::test]
async fn rfc5849_3_5_duplicated_protocol_parameters() {
    let (server, _) = server().await;
    let request = resource_request("n1");
    let header = request.header("Authorization").unwrap().to_owned();

    // Header and query.
    let mut both = request.clone();
    both.uri = format!("{API}?file=vacation.jpg&oauth_nonce=other");
    both.query = Params::parse("file=vacation.jpg&oauth_nonce=other");
    // Twice in the header.
    let mut twice = request.clone();
    twice.headers.retain(|(k, _)| k != "Authorization");
    twice.headers.push((
        "Authorization".into(),
        format!("{header}, oauth_nonce=\"other\""),
    ));
    // Header and form body.
    let mut in_form = request.clone();
    in_form = in_form.with_form([("oauth_token", TOKEN_CRED)]);
    // Twice in the query.
    let query_twice = OAuth2Request::get(format!("{API}?oauth_callback=a&oauth_callback=b"));
    for case in [both, twice, in_form, query_twice] {
        let err = refused(&server, &case).await;
        assert_code(&err, "duplicated_oauth_protocol_parameter", 400);
    }
    // Distinct protocol parameters split over two places (§3.5: "one and
    // only one" place).
    let mut split = request.clone();
    split.headers.retain(|(k, _)| k != "Authorization");
    split.headers.push((
        "Authorization".into(),
        header.replace(", oauth_nonce=\"n1\"", ""),
    ));
    split.uri = format!("{API}?file=vacation.jpg&oauth_nonce=n1");
    split.query = Params::parse("file=vacation.jpg&oauth_nonce=n1");
    assert!(
        !split
            .header("Authorization")
            .unwrap()
            .contains("oauth_nonce")
    );
    assert_code(&refused(&server, &split).await, "invalid_request", 400);
    // Other parameters may repeat (and are all signed).
    let repeated = token_client()
        .sign(
            OAuth2Request::get(format!("{API}?tag=a&tag=b&tag=a")),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n9")],
        )
        .unwrap();
    server.validate_request(&repeated, &[]).await.unwrap();
}

#[tokio::test]
async fn rfc5849_3_5_1_malformed_or_repeated_headers_are_invalid_request() {
    let (server, _) = server().await;
    let request = resource_request("n1");
    let mut two_headers = request.clone();
    two_headers
        .headers
        .push(("authorization".into(), "OAuth a=\"b\"".into()));
    let mut malformed = request.clone();
    malformed.headers.retain(|(k, _)| k != "Authorization");
    malformed
        .headers
        .push(("Authorization".into(), "OAuth oauth_token=\"x".into()));
    let mut realm_twice = request.clone();
    let header = request
        .header("Authorization")
        .unwrap()
        .replace("OAuth ", "OAuth realm=\"a\", realm=\"b\", ");
    realm_twice.headers.retain(|(k, _)| k != "Authorization");
    realm_twice.headers.push(("Authorization".into(), header));
    for case in [two_headers, malformed, realm_twice] {
        assert_code(&refused(&server, &case).await, "invalid_request", 400);
    }
    // A realm in the header is not signed: adding one keeps the signature.
    let mut with_realm = request.clone();
    let header = request
        .header("Authorization")
        .unwrap()
        .replace("OAuth ", "OAuth realm=\"Photos\", ");
    with_realm.headers.retain(|(k, _)| k != "Authorization");
    with_realm.headers.push(("Authorization".into(), header));
    server.validate_request(&with_realm, &[]).await.unwrap();
}

#[tokio::test]
async fn rfc5849_3_4_1_2_origin_form_needs_a_host() {
    let (server, _) = server().await;
    let request = token_client()
        .sign(
            OAuth2Request::get("/photos")
                .with_header("Host", "photos.example")
                .with_secure(true),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n1")],
        )
        .unwrap();
    server.validate_request(&request, &[]).await.unwrap();
    let mut no_host = request.clone();
    no_host.headers.retain(|(k, _)| k != "Host");
    assert_code(&refused(&server, &no_host).await, "invalid_request", 400);
    // Signed for https, received over http: another base string.
    let mut downgraded = request.clone();
    downgraded.secure = false;
    assert_code(
        &refused(&server, &downgraded).await,
        "invalid_signature",
        401,
    );
}
