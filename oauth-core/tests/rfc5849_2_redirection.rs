//! RFC 5849 §2: the redirection-based authorization. Temporary credentials
//! (§2.1), resource owner authorization (§2.2), token credentials (§2.3),
//! and the complete flow on the in-memory storage.

mod oauth1_common;
use oauth1_common::*;

use std::sync::Arc;

use oauth_core::oauth1::{OAuth1Authorization, OAuth1Config, OAuth1TemporaryCredential};
use oauth_core::secrets::digest;
use oauth_core::{Consent, OAuth2Request};

fn jane() -> Consent {
    Consent::Granted {
        user_id: "jane".into(),
    }
}

#[tokio::test]
async fn rfc5849_2_complete_flow_with_memory_storage() {
    let (server, _) = server().await;
    let (temp, temp_secret) = temporary(&server, "n1").await;

    let pending = server
        .validate_authorization_request(&authorize_request(&temp))
        .await
        .unwrap();
    assert_eq!(pending.oauth_token(), temp);
    assert_eq!(
        pending.realms(),
        ["photos", "profile"],
        "the client's default realms"
    );
    assert!(!pending.is_out_of_band());

    let verifier = authorize(&server, &temp).await;
    // Storage keeps the verifier's digest, not the verifier.
    let stored = server.storage().temporary_credentials();
    assert_eq!(
        stored[0].verifier_digest(),
        Some(digest(&verifier).as_str())
    );
    assert_eq!(stored[0].user_id.as_deref(), Some("jane"));

    let response = server
        .create_token_response(&token_request(&temp, &temp_secret, &verifier, "n2"))
        .await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.header("Cache-Control"), Some("no-store"));
    let answer = form(&response);
    assert_eq!(answer.len(), 2);
    let mut signer = client();
    signer.token = Some((
        answer["oauth_token"].clone(),
        answer["oauth_token_secret"].clone().into(),
    ));
    assert!(
        server.storage().temporary_credentials().is_empty(),
        "exchanged once"
    );

    let request = signer
        .sign(
            OAuth2Request::post(API).with_form([("title", "Vacation"), ("tags", "sea sun")]),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n3")],
        )
        .unwrap();
    let access = server
        .validate_request(&request, &["photos"])
        .await
        .unwrap();
    assert_eq!(access.user_id(), "jane");
    assert_eq!(access.client.client_id, CLIENT);
    assert_eq!(access.realms(), ["photos", "profile"]);
}

// ---------------------------------------------------------------------------
// §2.1 Temporary credentials.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc5849_2_1_answer_is_form_encoded_and_confirms_the_callback() {
    let (server, clock) = server().await;
    let response = server
        .create_temporary_credentials_response(&initiate_request(CALLBACK, "n1"))
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    let answer = form(&response);
    assert_eq!(answer["oauth_callback_confirmed"], "true");
    assert!(answer["oauth_token"].len() >= 43);
    assert!(answer["oauth_token_secret"].len() >= 43);
    assert_ne!(answer["oauth_token"], answer["oauth_token_secret"]);
    let stored = &server.storage().temporary_credentials()[0];
    assert_eq!(stored.callback(), CALLBACK);
    assert_eq!(stored.expires_at, clock_now(&clock) + 3600);
    assert!(!stored.is_authorized());
}

fn clock_now(clock: &oauth_core::ManualClock) -> i64 {
    use oauth_core::Clock;
    clock.now()
}

#[tokio::test]
async fn rfc5849_2_1_get_is_method_not_allowed() {
    let (server, _) = server().await;
    let mut request = initiate_request(CALLBACK, "n1");
    request.method = oauth_core::Method::Get;
    let response = server.create_temporary_credentials_response(&request).await;
    assert_error(&response, 405, "method_not_allowed");
    assert_eq!(response.header("Allow"), Some("POST"));
}

#[tokio::test]
async fn rfc5849_2_1_requires_tls_unless_insecure_transport() {
    let (server, _) = server().await;
    let request = client()
        .sign(
            OAuth2Request::post("http://photos.example/initiate"),
            &[
                ("oauth_callback", CALLBACK),
                ("oauth_timestamp", TS),
                ("oauth_nonce", "n1"),
            ],
        )
        .unwrap();
    let response = server.create_temporary_credentials_response(&request).await;
    assert_error(&response, 400, "insecure_transport");
    let (insecure, _) = server_with(OAuth1Config {
        insecure_transport: true,
        ..all_methods()
    })
    .await;
    let response = insecure
        .create_temporary_credentials_response(&request)
        .await;
    assert_eq!(response.status, 200, "{response:?}");
}

#[tokio::test]
async fn rfc5849_2_1_oauth_callback_is_required() {
    let (server, _) = server().await;
    let request = client()
        .sign(
            OAuth2Request::post(INITIATE),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n1")],
        )
        .unwrap();
    let response = server.create_temporary_credentials_response(&request).await;
    assert_error(&response, 400, "missing_required_parameter");
    assert!(form(&response)["error_description"].contains("oauth_callback"));
}

#[tokio::test]
async fn rfc5849_2_1_callback_must_be_registered_or_oob() {
    let (server, _) = server().await;
    for (i, callback) in [
        "https://evil.example/ready",
        "https://printer.example/ready/",
        "https://printer.example/ready?x=1",
        "HTTPS://printer.example/ready",
    ]
    .into_iter()
    .enumerate()
    {
        let response = server
            .create_temporary_credentials_response(&initiate_request(callback, &format!("c{i}")))
            .await;
        assert_error(&response, 400, "invalid_request");
        assert!(form(&response)["error_description"].contains("not registered"));
    }
    for (i, callback) in ["/ready", "printer.example/ready", "OOB", "https://"]
        .into_iter()
        .enumerate()
    {
        let response = server
            .create_temporary_credentials_response(&initiate_request(callback, &format!("d{i}")))
            .await;
        assert_error(&response, 400, "invalid_request");
    }
    // The second registered URI, with its own query, and oob are fine.
    for (i, callback) in ["https://printer.example/other?x=1", "oob"]
        .into_iter()
        .enumerate()
    {
        let response = server
            .create_temporary_credentials_response(&initiate_request(callback, &format!("e{i}")))
            .await;
        assert_eq!(response.status, 200, "{callback}: {response:?}");
    }
    assert!(
        server.storage().temporary_credentials().len() == 2,
        "only the good ones were stored"
    );
}

#[tokio::test]
async fn rfc5849_2_1_unknown_client_is_invalid_client() {
    let (server, _) = server().await;
    let mut signer = client();
    signer.client_id = "nobody".into();
    let request = signer
        .sign(
            OAuth2Request::post(INITIATE),
            &[
                ("oauth_callback", CALLBACK),
                ("oauth_timestamp", TS),
                ("oauth_nonce", "n1"),
            ],
        )
        .unwrap();
    let response = server.create_temporary_credentials_response(&request).await;
    assert_error(&response, 401, "invalid_client");
}

#[tokio::test]
async fn rfc5849_2_1_requested_realms_must_be_allowed() {
    let (server, _) = server().await;
    let mut signer = client();
    signer.realm = Some("photos".into());
    let ok = signer
        .sign(
            OAuth2Request::post(INITIATE),
            &[
                ("oauth_callback", CALLBACK),
                ("oauth_timestamp", TS),
                ("oauth_nonce", "n1"),
            ],
        )
        .unwrap();
    let response = server.create_temporary_credentials_response(&ok).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        server.storage().temporary_credentials()[0].realms(),
        ["photos"]
    );
    signer.realm = Some("photos admin".into());
    let too_much = signer
        .sign(
            OAuth2Request::post(INITIATE),
            &[
                ("oauth_callback", CALLBACK),
                ("oauth_timestamp", TS),
                ("oauth_nonce", "n2"),
            ],
        )
        .unwrap();
    let response = server
        .create_temporary_credentials_response(&too_much)
        .await;
    assert_error(&response, 400, "invalid_request");
}

#[tokio::test]
async fn rfc5849_2_1_a_token_is_not_expected() {
    let (server, _) = server().await;
    let response = server
        .create_temporary_credentials_response(
            &token_client()
                .sign(
                    OAuth2Request::post(INITIATE),
                    &[
                        ("oauth_callback", CALLBACK),
                        ("oauth_timestamp", TS),
                        ("oauth_nonce", "n1"),
                    ],
                )
                .unwrap(),
        )
        .await;
    assert_error(&response, 400, "invalid_request");
}

// ---------------------------------------------------------------------------
// §2.2 Resource owner authorization.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc5849_2_2_callback_keeps_its_query() {
    let (server, _) = server().await;
    let response = server
        .create_temporary_credentials_response(&initiate_request(
            "https://printer.example/other?x=1",
            "n1",
        ))
        .await;
    let temp = form(&response)["oauth_token"].clone();
    let outcome = server
        .create_authorization_response(&authorize_request(&temp), jane())
        .await
        .unwrap();
    let OAuth1Authorization::Redirect(location) = outcome else {
        panic!()
    };
    assert!(
        location.starts_with(&format!(
            "https://printer.example/other?x=1&oauth_token={temp}&oauth_verifier="
        )),
        "{location}"
    );
}

#[tokio::test]
async fn rfc5849_2_2_oob_shows_the_verifier() {
    let (server, _) = server().await;
    let response = server
        .create_temporary_credentials_response(&initiate_request("oob", "n1"))
        .await;
    let answer = form(&response);
    let (temp, secret) = (
        answer["oauth_token"].clone(),
        answer["oauth_token_secret"].clone(),
    );
    assert!(
        server
            .validate_authorization_request(&authorize_request(&temp))
            .await
            .unwrap()
            .is_out_of_band()
    );
    let outcome = server
        .create_authorization_response(&authorize_request(&temp), jane())
        .await
        .unwrap();
    let OAuth1Authorization::ShowVerifier {
        oauth_token,
        oauth_verifier,
    } = outcome.clone()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(oauth_token, temp);
    let page = outcome.to_response();
    assert_eq!(page.status, 200);
    assert_eq!(form(&page)["oauth_verifier"], oauth_verifier);
    let response = server
        .create_token_response(&token_request(&temp, &secret, &oauth_verifier, "n2"))
        .await;
    assert_eq!(response.status, 200, "{response:?}");
}

#[tokio::test]
async fn rfc5849_2_2_denial_redirects_access_denied_and_burns_the_credential() {
    let (server, _) = server().await;
    let (temp, _) = temporary(&server, "n1").await;
    let outcome = server
        .create_authorization_response(&authorize_request(&temp), Consent::Denied)
        .await
        .unwrap();
    let OAuth1Authorization::Redirect(location) = outcome else {
        panic!()
    };
    assert!(location.starts_with(&format!(
        "{CALLBACK}?error=access_denied&error_description="
    )));
    assert!(location.ends_with(&format!("&oauth_token={temp}")));
    let err = server
        .validate_authorization_request(&authorize_request(&temp))
        .await
        .unwrap_err();
    assert_eq!((err.code.as_str(), err.status), ("invalid_token", 401));

    // Denied out of band: nothing to redirect to.
    let response = server
        .create_temporary_credentials_response(&initiate_request("oob", "n2"))
        .await;
    let temp = form(&response)["oauth_token"].clone();
    let outcome = server
        .create_authorization_response(&authorize_request(&temp), Consent::Denied)
        .await
        .unwrap();
    assert_eq!(outcome, OAuth1Authorization::DeniedOutOfBand);
    assert_error(&outcome.to_response(), 403, "access_denied");
}

#[tokio::test]
async fn rfc5849_2_2_authorization_errors() {
    let (server, clock) = server().await;
    // Missing, duplicated, unknown token.
    let err = server
        .validate_authorization_request(&OAuth2Request::get(AUTHORIZE))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "missing_required_parameter");
    let err = server
        .validate_authorization_request(&OAuth2Request::get(format!(
            "{AUTHORIZE}?oauth_token=a&oauth_token=b"
        )))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_request");
    let err = server
        .validate_authorization_request(&authorize_request("unknown"))
        .await
        .unwrap_err();
    assert_eq!((err.code.as_str(), err.status), ("invalid_token", 401));
    // Plain http.
    let (temp, _) = temporary(&server, "n1").await;
    let err = server
        .validate_authorization_request(&OAuth2Request::get(format!(
            "http://photos.example/authorize?oauth_token={temp}"
        )))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "insecure_transport");
    // The consent form may post the token in the body.
    let post = OAuth2Request::post(AUTHORIZE)
        .with_form([("oauth_token", temp.as_str()), ("confirm", "yes")]);
    server.validate_authorization_request(&post).await.unwrap();
    // Expired.
    clock.advance(3600);
    let err = server
        .validate_authorization_request(&authorize_request(&temp))
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_token");
}

#[tokio::test]
async fn rfc5849_2_2_a_credential_is_authorized_once() {
    let (server, _) = server().await;
    let (temp, _) = temporary(&server, "n1").await;
    let first = authorize(&server, &temp).await;
    let err = server
        .create_authorization_response(
            &authorize_request(&temp),
            Consent::Granted {
                user_id: "mallory".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_token");
    let stored = &server.storage().temporary_credentials()[0];
    assert_eq!(stored.user_id.as_deref(), Some("jane"));
    assert_eq!(stored.verifier_digest(), Some(digest(&first).as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rfc5849_2_2_concurrent_approvals_one_wins() {
    let (server, _) = server().await;
    let server = Arc::new(server);
    let (temp, _) = temporary(&server, "n1").await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let server = server.clone();
            let temp = temp.clone();
            tokio::spawn(async move {
                server
                    .create_authorization_response(
                        &authorize_request(&temp),
                        Consent::Granted {
                            user_id: format!("user{i}"),
                        },
                    )
                    .await
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert_eq!(e.code.as_str(), "invalid_token"),
        }
    }
    assert_eq!(wins, 1);
}

// ---------------------------------------------------------------------------
// §2.3 Token credentials.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc5849_2_3_wrong_verifier_is_refused() {
    let (server, _) = server().await;
    let (temp, secret) = temporary(&server, "n1").await;
    let verifier = authorize(&server, &temp).await;
    let response = server
        .create_token_response(&token_request(&temp, &secret, "not-the-verifier", "n2"))
        .await;
    assert_error(&response, 400, "invalid_request");
    assert!(form(&response)["error_description"].contains("oauth_verifier"));
    // The right one still works: a wrong guess does not consume it.
    let response = server
        .create_token_response(&token_request(&temp, &secret, &verifier, "n3"))
        .await;
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn rfc5849_2_3_unauthorized_credential_has_no_verifier() {
    let (server, _) = server().await;
    let (temp, secret) = temporary(&server, "n1").await;
    let response = server
        .create_token_response(&token_request(&temp, &secret, "guess", "n2"))
        .await;
    assert_error(&response, 400, "invalid_request");
}

#[tokio::test]
async fn rfc5849_2_3_verifier_and_token_are_required() {
    let (server, _) = server().await;
    let (temp, secret) = temporary(&server, "n1").await;
    let mut signer = client();
    signer.token = Some((temp, secret.into()));
    let request = signer
        .sign(
            OAuth2Request::post(TOKEN),
            &[("oauth_timestamp", TS), ("oauth_nonce", "n2")],
        )
        .unwrap();
    assert_error(
        &server.create_token_response(&request).await,
        400,
        "missing_required_parameter",
    );
    let request = client()
        .sign(
            OAuth2Request::post(TOKEN),
            &[
                ("oauth_verifier", "v"),
                ("oauth_timestamp", TS),
                ("oauth_nonce", "n3"),
            ],
        )
        .unwrap();
    assert_error(
        &server.create_token_response(&request).await,
        400,
        "missing_required_parameter",
    );
}

#[tokio::test]
async fn rfc5849_2_3_get_is_method_not_allowed() {
    let (server, _) = server().await;
    let (temp, secret) = temporary(&server, "n1").await;
    let mut request = token_request(&temp, &secret, "v", "n2");
    request.method = oauth_core::Method::Get;
    assert_error(
        &server.create_token_response(&request).await,
        405,
        "method_not_allowed",
    );
}

#[tokio::test]
async fn rfc5849_2_3_reused_temporary_credential_is_invalid_token() {
    let (server, _) = server().await;
    let (temp, secret) = temporary(&server, "n1").await;
    let verifier = authorize(&server, &temp).await;
    let first = server
        .create_token_response(&token_request(&temp, &secret, &verifier, "n2"))
        .await;
    assert_eq!(first.status, 200);
    // Same verifier, new nonce: the credential is gone.
    let again = server
        .create_token_response(&token_request(&temp, &secret, &verifier, "n3"))
        .await;
    assert_error(&again, 401, "invalid_token");
    assert_eq!(
        server.storage().token_credentials().len(),
        4,
        "three fixtures and one issued"
    );
}

#[tokio::test]
async fn rfc5849_2_3_another_clients_credential_is_invalid_token() {
    let (server, _) = server().await;
    let (temp, secret) = temporary(&server, "n1").await;
    let verifier = authorize(&server, &temp).await;
    let mut signer = oauth_core::oauth1::rfc5849::client::Signer::new(RSA_CLIENT, SECRET);
    signer.token = Some((temp.clone(), secret.into()));
    let request = signer
        .sign(
            OAuth2Request::post(TOKEN),
            &[
                ("oauth_verifier", &verifier),
                ("oauth_timestamp", TS),
                ("oauth_nonce", "n2"),
            ],
        )
        .unwrap();
    assert_error(
        &server.create_token_response(&request).await,
        401,
        "invalid_token",
    );
}

#[tokio::test]
async fn rfc5849_2_3_expired_temporary_credential_is_invalid_token() {
    let (server, clock) = server().await;
    let (temp, secret) = temporary(&server, "n1").await;
    let verifier = authorize(&server, &temp).await;
    clock.advance(3600);
    let ts = (NOW + 3600).to_string();
    let mut signer = client();
    signer.token = Some((temp, secret.into()));
    let request = signer
        .sign(
            OAuth2Request::post(TOKEN),
            &[
                ("oauth_verifier", &verifier),
                ("oauth_timestamp", &ts),
                ("oauth_nonce", "n2"),
            ],
        )
        .unwrap();
    assert_error(
        &server.create_token_response(&request).await,
        401,
        "invalid_token",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rfc5849_2_3_concurrent_token_requests_one_wins() {
    let (server, _) = server().await;
    let server = Arc::new(server);
    let (temp, secret) = temporary(&server, "n1").await;
    let verifier = authorize(&server, &temp).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let server = server.clone();
            // Distinct nonces: each request is valid on its own.
            let request = token_request(&temp, &secret, &verifier, &format!("race{i}"));
            tokio::spawn(async move { server.create_token_response(&request).await })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        let response = t.await.unwrap();
        if response.status == 200 {
            wins += 1;
        } else {
            assert_error(&response, 401, "invalid_token");
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(server.storage().token_credentials().len(), 4);
}
