//! Behind a TLS-terminating reverse proxy (RFC 9700 §4.13), over HTTP: the
//! example app with insecure transport off, so that only a request the
//! adapter takes for TLS is served. `X-Forwarded-Proto: https` makes a
//! plain-HTTP request count as TLS only when `oauth2.trust_forwarded_proto`
//! is on; otherwise anyone could claim it. SQLite.

use std::sync::Arc;

use oauth_core::{ClientMetadata, ClientRecord};
use oauth_tests::app::{ClientAuth, TestApp, new_secret_key};
use oauth_tests::db::TestDb;
use serde_json::json;

const TLS_REQUIRED: &str = "OAuth 2.0 requires TLS (https); this request arrived over plain http";

/// The app over plain HTTP with insecure transport off (and `extra`), and a
/// confidential client allowed `client_credentials`.
async fn app_behind_proxy(extra: &[(&str, serde_json::Value)]) -> TestApp {
    let mut config = vec![("oauth2.insecure_transport", json!(false))];
    config.extend(extra.iter().cloned());
    let app = TestApp::start_with(Arc::new(TestDb::sqlite()), &new_secret_key(), &config).await;
    app.db()
        .storage()
        .insert_client(
            ClientRecord::confidential(
                "backend",
                "s3cret",
                ClientMetadata {
                    grant_types: vec!["client_credentials".into()],
                    scope: Some("profile".into()),
                    ..ClientMetadata::default()
                },
            ),
            None,
        )
        .await
        .expect("insert the client");
    app
}

const CC: [(&str, &str); 1] = [("grant_type", "client_credentials")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc9700_4_13_x_forwarded_proto_is_ignored_by_default() {
    let app = app_behind_proxy(&[]).await;
    let forged = app.api_from("127.0.0.1", &[("X-Forwarded-Proto", "https")]);
    let body = forged
        .token_error(
            ClientAuth::Basic("backend", "s3cret"),
            &CC,
            400,
            "invalid_request",
        )
        .await;
    assert_eq!(body["error_description"], TLS_REQUIRED);
    let doc = forged
        .http
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .expect("GET metadata")
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    assert_eq!(doc["issuer"], app.base.as_str(), "still plain http: {doc}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc9700_4_13_x_forwarded_proto_is_honoured_when_trusted() {
    let app = app_behind_proxy(&[("oauth2.proxy.trust_forwarded_proto", json!(true))]).await;
    let proxied = app.api_from("127.0.0.1", &[("X-Forwarded-Proto", "https")]);
    proxied
        .token_ok(ClientAuth::Basic("backend", "s3cret"), &CC)
        .await;
    let doc = proxied
        .http
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .expect("GET metadata")
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    let https = format!("https://127.0.0.1:{}", app.port);
    assert_eq!(doc["issuer"], https.as_str(), "{doc}");
    assert_eq!(doc["token_endpoint"], format!("{https}/oauth/token"));
    // Without the header the request is plain HTTP, and refused.
    let body = app
        .api()
        .token_error(
            ClientAuth::Basic("backend", "s3cret"),
            &CC,
            400,
            "invalid_request",
        )
        .await;
    assert_eq!(body["error_description"], TLS_REQUIRED);
    // Any other value is not https.
    app.api_from("127.0.0.1", &[("X-Forwarded-Proto", "http")])
        .token_error(
            ClientAuth::Basic("backend", "s3cret"),
            &CC,
            400,
            "invalid_request",
        )
        .await;
}

/// Cookies over TLS are `__Host-` cookies with `Secure` and `Path=/` and
/// no `Domain` (RFC 6265bis §4.1.3.2): a sibling host or a plain-HTTP
/// attacker cannot set them, so a planted session (login CSRF by cookie)
/// is not possible either. Over plain HTTP (local development) the plain
/// name, which browsers would refuse with the prefix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc6265bis_4_1_3_2_session_cookies_are_host_prefixed_and_secure_over_tls() {
    let app = app_behind_proxy(&[("oauth2.proxy.trust_forwarded_proto", json!(true))]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = |tls: bool| {
        let http = &http;
        let app = &app;
        async move {
            let mut request = http.post(app.url("/")).form(&[("username", "tls-user")]);
            if tls {
                request = request.header("X-Forwarded-Proto", "https");
            }
            let r = request.send().await.unwrap();
            assert_eq!(r.status(), 303);
            r.headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let over_tls = login(true).await;
    let session = over_tls
        .iter()
        .find(|c| c.starts_with("__Host-session="))
        .unwrap_or_else(|| panic!("{over_tls:?}"));
    let attributes: Vec<&str> = session.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{session}");
    assert!(attributes.contains(&"Path=/"), "{session}");
    assert!(attributes.contains(&"HttpOnly"), "{session}");
    assert!(
        !attributes
            .iter()
            .any(|a| a.to_ascii_lowercase().starts_with("domain")),
        "{session}"
    );
    // The session works over TLS, and the plain name is not read there.
    let pair = session.split(';').next().unwrap();
    let home = http
        .get(app.url("/"))
        .header("X-Forwarded-Proto", "https")
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert!(home.text().await.unwrap().contains("Signed in as"));
    let plain = login(false).await;
    let plain_session = plain
        .iter()
        .find(|c| c.starts_with("session="))
        .unwrap_or_else(|| panic!("{plain:?}"));
    assert!(!plain_session.contains("Secure"), "{plain_session}");
    let home = http
        .get(app.url("/"))
        .header("X-Forwarded-Proto", "https")
        .header("cookie", plain_session.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        !home.text().await.unwrap().contains("Signed in as"),
        "a cookie without the prefix is not a session over TLS"
    );
}
