//! RFC 8628 §3.1–3.2: the device authorization endpoint; §4 metadata.

mod common;
mod device_fixture;
use common::*;
use device_fixture::*;

use oauth_core::config::{Device, Lifetimes, Scopes};
use oauth_core::memory::MemoryStorage;
use oauth_core::{
    AuthorizationServer, Config, DEVICE_CODE_GRANT_TYPE, Endpoints, Method, OAuth2Request, Params,
};
use proptest::prelude::*;

#[tokio::test]
async fn rfc8628_3_2_response_has_every_member_and_is_not_cached() {
    let (server, _) = device_server();
    let r = server
        .create_device_authorization_response(&device_request(TV, Some("profile")))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert!(
        r.header("Content-Type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    let body = r.json_body();
    let (device_code, user_code) = codes(&body);
    assert!(device_code.len() >= 43, "256-bit device code");
    assert_eq!(user_code.len(), 9);
    assert_eq!(body["verification_uri"], "https://as.example/activate");
    assert_eq!(
        body["verification_uri_complete"],
        format!("https://as.example/activate?user_code={user_code}")
    );
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["interval"], 5);
    assert_eq!(body.as_object().unwrap().len(), 6);
}

#[tokio::test]
async fn rfc8628_3_2_each_request_gets_new_codes() {
    let (server, _) = device_server();
    let a = codes(&ask(&server, TV, None).await);
    let b = codes(&ask(&server, TV, None).await);
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    assert_eq!(server.storage().device_codes().len(), 2);
}

#[tokio::test]
async fn rfc8628_3_1_only_post_is_accepted() {
    let (server, _) = device_server();
    for method in [Method::Get, Method::Other("PUT".into())] {
        let mut request = device_request(TV, None);
        request.method = method;
        let r = server.create_device_authorization_response(&request).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("Allow"), Some("POST"));
    }
    assert!(server.storage().device_codes().is_empty());
}

#[tokio::test]
async fn rfc8628_3_1_plain_http_is_refused() {
    let (server, _) = device_server();
    let request = device_request(TV, None).with_secure(false);
    let r = server.create_device_authorization_response(&request).await;
    assert_error(&r, 400, "invalid_request");
}

#[tokio::test]
async fn rfc8628_3_1_public_client_names_itself_with_client_id() {
    let (server, _) = device_server();
    let r = server
        .create_device_authorization_response(&post(DEVICE_URI, &[("scope", "profile")]))
        .await;
    assert_error(&r, 400, "invalid_client");
    let r = server
        .create_device_authorization_response(&device_request("no-such-client", None))
        .await;
    assert_error(&r, 400, "invalid_client");
    ask(&server, TV, None).await;
}

#[tokio::test]
async fn rfc8628_3_1_confidential_client_authenticates_as_at_the_token_endpoint() {
    let (server, _) = device_server();
    let ok = OAuth2Request::post(DEVICE_URI)
        .with_header("Authorization", basic(CONSOLE, SECRET))
        .with_form([("scope", "profile")]);
    let r = server.create_device_authorization_response(&ok).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Wrong secret with Basic: 401 with a challenge (RFC 6749 §5.2).
    let wrong = OAuth2Request::post(DEVICE_URI)
        .with_header("Authorization", basic(CONSOLE, "wrong"))
        .with_form([("scope", "profile")]);
    let r = server.create_device_authorization_response(&wrong).await;
    assert_error(&r, 401, "invalid_client");
    assert!(r.header("WWW-Authenticate").is_some());

    // A confidential client cannot pass as public by sending only its id.
    let r = server
        .create_device_authorization_response(&device_request(CONSOLE, None))
        .await;
    assert_error(&r, 400, "invalid_client");

    // Nor use a method it did not register.
    let r = server
        .create_device_authorization_response(&post(
            DEVICE_URI,
            &[("client_id", CONSOLE), ("client_secret", SECRET)],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn rfc8628_3_1_client_must_be_registered_for_the_device_grant() {
    let (server, _) = device_server();
    let r = server
        .create_device_authorization_response(&device_request("public-client", None))
        .await;
    assert_error(&r, 400, "unauthorized_client");
    let request = OAuth2Request::post(DEVICE_URI)
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form([("scope", "profile")]);
    let r = server.create_device_authorization_response(&request).await;
    assert_error(&r, 400, "unauthorized_client");
    assert!(server.storage().device_codes().is_empty());
}

#[tokio::test]
async fn rfc8628_3_1_scope_is_resolved_as_at_the_token_endpoint() {
    let config = Config {
        scopes: Scopes {
            supported: Some(vec!["profile".into(), "email".into(), "videos".into()]),
            default: vec!["profile".into()],
        },
        ..device_config()
    };
    let (server, _) = device_server_with(config);
    // Unknown scope.
    let r = server
        .create_device_authorization_response(&device_request(TV, Some("unknown")))
        .await;
    assert_error(&r, 400, "invalid_scope");
    // Nothing the client may have.
    let r = server
        .create_device_authorization_response(&device_request(TV, Some("videos")))
        .await;
    assert_error(&r, 400, "invalid_scope");
    // Duplicated parameter.
    let r = server
        .create_device_authorization_response(&post(
            DEVICE_URI,
            &[("client_id", TV), ("scope", "profile"), ("scope", "email")],
        ))
        .await;
    assert_error(&r, 400, "invalid_request");
    // Narrowed, and the default when omitted.
    let (_, user_code) = codes(&ask(&server, TV, Some("profile videos")).await);
    let shown = server
        .lookup_user_code("alice", None, &user_code)
        .await
        .unwrap();
    assert_eq!(shown.scope.to_string(), "profile");
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    let shown = server
        .lookup_user_code("alice", None, &user_code)
        .await
        .unwrap();
    assert_eq!(shown.scope.to_string(), "profile");
}

#[tokio::test]
async fn rfc8628_3_2_relative_verification_uri_is_made_absolute() {
    // Against the issuer (as the metadata joins endpoint paths).
    let (server, _) = device_server_with(Config {
        issuer: Some("https://as.example/tenant/".into()),
        ..device_config()
    });
    let body = ask(&server, TV, None).await;
    assert_eq!(
        body["verification_uri"],
        "https://as.example/tenant/activate"
    );

    // Against the request URL when there is no issuer.
    let (server, _) = device_server_with(Config {
        issuer: None,
        ..device_config()
    });
    let request =
        OAuth2Request::post("https://login.example:8443/device?x=1").with_form([("client_id", TV)]);
    let body = server
        .create_device_authorization_response(&request)
        .await
        .json_body();
    assert_eq!(
        body["verification_uri"],
        "https://login.example:8443/activate"
    );

    // Left for the adapter when neither is known.
    let request = OAuth2Request::post("/device")
        .with_secure(true)
        .with_form([("client_id", TV)]);
    let body = server
        .create_device_authorization_response(&request)
        .await
        .json_body();
    assert_eq!(body["verification_uri"], "/activate");

    // An absolute URI is kept, and its query survives in the complete one.
    let (server, _) = device_server_with(Config {
        device: Device {
            verification_uri: Some("https://tv.example/link?lang=en".into()),
            ..device_config().device
        },
        ..device_config()
    });
    let body = ask(&server, TV, None).await;
    assert_eq!(body["verification_uri"], "https://tv.example/link?lang=en");
    let complete = body["verification_uri_complete"].as_str().unwrap();
    let user_code = body["user_code"].as_str().unwrap();
    assert_eq!(
        complete,
        format!("https://tv.example/link?lang=en&user_code={user_code}")
    );
}

#[tokio::test]
async fn rfc8628_3_2_verification_uri_is_required_to_enable_the_grant() {
    let server = AuthorizationServer::new(MemoryStorage::new(), Config::default()).unwrap();
    let error = server.with_device_grant().err().expect("refused");
    assert!(error.to_string().contains("verification_uri"));
}

#[tokio::test]
async fn rfc8628_3_1_endpoint_refuses_when_the_grant_is_not_enabled() {
    let (server, _) = server_with(device_config());
    for c in device_clients() {
        server.storage().insert_client(c);
    }
    let r = server
        .create_device_authorization_response(&device_request(TV, None))
        .await;
    assert_error(&r, 400, "unsupported_grant_type");
    assert!(server.storage().device_codes().is_empty());
}

#[tokio::test]
async fn rfc8628_3_2_configured_lifetime_and_interval_are_announced() {
    let (server, _) = device_server_with(Config {
        lifetimes: Lifetimes {
            device_code: 600,
            ..device_config().lifetimes
        },
        device: Device {
            polling_interval: 10,
            ..device_config().device
        },
        ..device_config()
    });
    let body = ask(&server, TV, None).await;
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["interval"], 10);
    let stored = &server.storage().device_codes()[0];
    assert_eq!(stored.code.expires_at - stored.code.issued_at, 600);
    assert_eq!(stored.interval, 10);
}

#[test]
fn rfc8628_4_metadata_lists_the_endpoint_and_the_grant_type() {
    let (server, _) = device_server();
    let endpoints = Endpoints {
        device_authorization: Some("/oauth/device_authorization".into()),
        ..Endpoints::under("/oauth")
    };
    let doc = server.metadata(ISSUER, &endpoints);
    assert_eq!(
        doc["device_authorization_endpoint"],
        "https://as.example/oauth/device_authorization"
    );
    let grants = doc["grant_types_supported"].as_array().unwrap();
    assert!(grants.iter().any(|g| g == DEVICE_CODE_GRANT_TYPE));

    let (plain, _) = server_with(device_config());
    let doc = plain.metadata(ISSUER, &Endpoints::under("/oauth"));
    assert!(doc.get("device_authorization_endpoint").is_none());
    let grants = doc["grant_types_supported"].as_array().unwrap();
    assert!(!grants.iter().any(|g| g == DEVICE_CODE_GRANT_TYPE));
}

// No panic on arbitrary input.

const NAMES: &[&str] = &[
    "client_id",
    "client_secret",
    "scope",
    "grant_type",
    "device_code",
    "user_code",
];
const VALUES: &[&str] = &[
    TV,
    CONSOLE,
    OTHER_TV,
    "basic-client",
    SECRET,
    "profile",
    "profile email admin",
    "unknown",
    DEVICE_CODE_GRANT_TYPE,
    "",
    " ",
    "\"\\",
    "é",
];

fn param() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![
            proptest::sample::select(NAMES).prop_map(str::to_owned),
            ".{0,12}"
        ],
        prop_oneof![
            proptest::sample::select(VALUES).prop_map(str::to_owned),
            ".{0,40}"
        ],
    )
}

fn header() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![
            Just("Authorization".to_owned()),
            Just("Content-Type".to_owned()),
            ".{0,12}"
        ],
        prop_oneof![
            Just(basic(CONSOLE, SECRET)),
            Just(basic(CONSOLE, "wrong")),
            Just("Basic !!".to_owned()),
            Just("Bearer x".to_owned()),
            ".{0,40}"
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn rfc8628_3_1_device_endpoint_never_panics_and_answers_json(
        method in prop_oneof![Just(Method::Post), Just(Method::Get), ".{0,8}".prop_map(Method::Other)],
        target in prop_oneof![Just(DEVICE_URI.to_owned()), ".{0,40}"],
        secure in any::<bool>(),
        form in proptest::collection::vec(param(), 0..6),
        headers in proptest::collection::vec(header(), 0..3),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let (server, _) = device_server();
            let mut request = OAuth2Request::new(method, target).with_secure(secure);
            request.form = Params::from_pairs(form);
            request.headers = headers;
            let r = server.create_device_authorization_response(&request).await;
            prop_assert!([200, 400, 401, 405, 500, 503].contains(&r.status), "{r:?}");
            prop_assert_eq!(r.header("Cache-Control"), Some("no-store"));
            let body = r.json_body();
            if r.status == 200 {
                prop_assert!(body["device_code"].is_string());
                prop_assert_eq!(server.storage().device_codes().len(), 1);
            } else {
                prop_assert!(body["error"].is_string());
                prop_assert!(server.storage().device_codes().is_empty());
            }
            Ok(())
        })?;
    }

    #[test]
    fn rfc8628_3_3_user_code_entry_never_panics(input in ".{0,64}", user in ".{0,16}") {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let (server, _) = device_server();
            let _ = ask(&server, TV, None).await;
            // Anything typed is refused or found, never a panic.
            let _ = server.lookup_user_code(&user, None, &input).await;
            let _ = server.approve_user_code(&user, None, &input).await;
            let _ = server.deny_user_code(&user, None, &input).await;
        });
    }

    #[test]
    fn rfc8628_3_4_device_token_request_never_panics(
        device_code in ".{0,64}",
        client in proptest::sample::select(&[TV, OTHER_TV, "basic-client", "x"][..]),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let (server, _) = device_server();
            let r = poll(&server, client, &device_code).await;
            prop_assert!(r.status == 400 || r.status == 401, "{r:?}");
            prop_assert!(r.json_body()["error"].is_string());
            Ok(())
        })?;
    }
}
