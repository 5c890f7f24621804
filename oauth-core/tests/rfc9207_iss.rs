//! RFC 9207: the `iss` authorization response parameter (mix-up defence,
//! RFC 9700 §4.4). Every authorization response sent to the client's
//! redirect URI, success or error, carries the issuer identifier of the
//! RFC 8414 metadata, and the metadata says so.

mod common;
use common::*;

use oauth_core::memory::MemoryStorage;
use oauth_core::{AuthorizationError, AuthorizationServer, Config, Consent, Endpoints};

const ORIGIN: &str = "https://as.example";

fn code_request() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "basic-client"),
        ("redirect_uri", REDIRECT),
        ("scope", "profile"),
        ("state", "xyz"),
    ]
}

fn granted() -> Consent {
    Consent::Granted {
        user_id: "alice".into(),
    }
}

/// The `Location` of a redirect.
fn location(response: &oauth_core::OAuth2Response) -> String {
    response.header("Location").expect("Location").to_owned()
}

#[tokio::test]
async fn rfc9207_2_iss_is_added_to_the_success_response() {
    let (server, _) = server();
    let r = server
        .create_authorization_response(&authorize_request(&code_request()), granted())
        .await;
    let p = redirect_params(&r);
    assert!(p.contains_key("code"), "{r:?}");
    assert_eq!(p["state"], "xyz");
    assert_eq!(p["iss"], ORIGIN);
    assert!(!location(&r).contains('#'), "code responses use the query");
}

#[tokio::test]
async fn rfc9207_2_iss_is_the_configured_issuer() {
    let issuer = "https://login.example/tenant-a";
    let (server, _) = server_with(Config {
        issuer: Some(issuer.into()),
        ..Config::default()
    });
    let r = server
        .create_authorization_response(&authorize_request(&code_request()), granted())
        .await;
    assert_eq!(redirect_params(&r)["iss"], issuer);
}

#[tokio::test]
async fn rfc9207_2_iss_is_added_to_the_implicit_fragment() {
    let (server, _) = server();
    let r = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "token"),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
                ("state", "xyz"),
            ]),
            granted(),
        )
        .await;
    let location = location(&r);
    let (before, fragment) = location.split_once('#').expect("a fragment");
    assert!(!before.contains("iss="), "{location}");
    assert!(fragment.contains("access_token="), "{location}");
    assert_eq!(redirect_params(&r)["iss"], ORIGIN);
}

#[tokio::test]
async fn rfc9207_2_iss_is_added_to_error_responses() {
    let (server, _) = server();
    // Denied by the resource owner.
    let r = server
        .create_authorization_response(&authorize_request(&code_request()), Consent::Denied)
        .await;
    let p = redirect_params(&r);
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["iss"], ORIGIN);
    // A request error redirected to the client, from validation alone.
    let mut bad_scope = code_request();
    bad_scope[3] = ("scope", "not-allowed");
    let request = authorize_request(&bad_scope);
    let err = server
        .validate_authorization_request(&request)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AuthorizationError::Redirect { issuer: Some(i), .. } if i == ORIGIN),
        "{err:?}"
    );
    let p = redirect_params(&err.to_response(server.config()));
    assert_eq!(p["error"], "invalid_scope");
    assert_eq!(p["iss"], ORIGIN);
    // An error of the implicit grant goes in the fragment, `iss` with it.
    let r = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "token"),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
            ]),
            Consent::Denied,
        )
        .await;
    let location = location(&r);
    assert!(location.split_once('#').unwrap().1.contains("iss="));
    assert_eq!(redirect_params(&r)["iss"], ORIGIN);
}

#[tokio::test]
async fn rfc9207_2_errors_shown_to_the_user_are_not_sent_and_carry_no_iss() {
    let (server, _) = server();
    let mut unknown = code_request();
    unknown[1] = ("client_id", "nobody");
    let r = server
        .create_authorization_response(&authorize_request(&unknown), granted())
        .await;
    assert_eq!(r.status, 400);
    assert!(r.header("Location").is_none());
    assert!(r.json_body().get("iss").is_none());
}

#[tokio::test]
async fn rfc9207_2_3_iss_is_identical_to_the_metadata_issuer() {
    for config in [
        Config::default(),
        Config {
            issuer: Some("https://login.example/".into()),
            ..Config::default()
        },
    ] {
        let (server, _) = server_with(config);
        let request = authorize_request(&code_request());
        let issuer = server.issuer_for(&request).expect("an issuer");
        let doc = server.metadata(&issuer, &Endpoints::under("/oauth"));
        let r = server
            .create_authorization_response(&request, granted())
            .await;
        assert_eq!(doc["issuer"], redirect_params(&r)["iss"].as_str());
    }
}

#[test]
fn rfc9207_3_metadata_announces_the_iss_parameter() {
    let (server, _) = server();
    let doc = server.metadata(ORIGIN, &Endpoints::under("/oauth"));
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    // No authorization endpoint response type, no authorization response.
    let server = AuthorizationServer::new(
        MemoryStorage::new(),
        Config {
            implicit_grant: false,
            ..Config::default()
        },
    )
    .unwrap()
    .without_grant("authorization_code");
    let doc = server.metadata(ORIGIN, &Endpoints::under("/oauth"));
    assert!(
        doc.get("authorization_response_iss_parameter_supported")
            .is_none(),
        "{doc}"
    );
}

#[tokio::test]
async fn rfc9207_2_without_a_known_issuer_there_is_no_iss() {
    // An origin-form target and no configured issuer: the engine cannot
    // tell its own identifier (an adapter makes the URI absolute).
    let (server, _) = server();
    let absolute = authorize_request(&code_request());
    let origin_form =
        oauth_core::OAuth2Request::get(absolute.uri.strip_prefix(ORIGIN).unwrap().to_owned())
            .with_secure(true);
    assert_eq!(server.issuer_for(&origin_form), None);
    let r = server
        .create_authorization_response(&origin_form, granted())
        .await;
    assert!(!redirect_params(&r).contains_key("iss"), "{r:?}");
}
