//! Token exchange (RFC 8693) and resource indicators (RFC 8707) over HTTP,
//! by a client library written by others: an app gets erin's token for the
//! resource server (`resource`, as `--bin resource-server` would take
//! it); the resource server's client, in requests-oauth2client
//! (`oauth2_client.py`), trades it for a token for the site's own API and
//! calls `/api/me` with it on erin's behalf. With its own token as the
//! actor token, introspection shows `act`. The token for the resource
//! server is refused by the site's API. On SQLite, PostgreSQL and MySQL.
//!
//! Without Python and the library the test notes it and passes, unless
//! `OAUTH_TEST_REQUIRE` contains `python`: then it fails.

use oauth_core::oauth2::rfc8693::TOKEN_EXCHANGE;
use oauth_tests::app::{ClientAuth, TestApp, credentials};
use oauth_tests::python::oauth2_client;
use serde_json::{Value, json};

oauth_tests::e2e_on_every_backend!(
    a_resource_server_exchanges_the_users_token_for_one_for_the_site
);

/// The resource server of `--bin resource-server` in the site's default
/// configuration.
const RESOURCE_SERVER: &str = "http://127.0.0.1:8001";

async fn token(app: &TestApp, client: &(String, String), form: &[(&str, &str)]) -> Value {
    app.api()
        .token_ok(ClientAuth::Basic(&client.0, &client.1), form)
        .await
}

async fn a_resource_server_exchanges_the_users_token_for_one_for_the_site(app: &TestApp) {
    let browser = app.logged_in("erin").await;
    let client_app = credentials(
        &browser
            .register_client_json(&json!({
                "grant_types": ["password"],
                "scope": "profile",
            }))
            .await,
    );
    let rs = credentials(
        &browser
            .register_client_json(&json!({
                "grant_types": ["client_credentials", TOKEN_EXCHANGE],
                "scope": "profile",
                "resource_server": RESOURCE_SERVER,
            }))
            .await,
    );
    // The metadata lists the grant.
    let metadata = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert!(
        metadata["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!(TOKEN_EXCHANGE)),
        "{metadata}"
    );

    let user_token = token(
        app,
        &client_app,
        &[
            ("grant_type", "password"),
            ("username", "erin"),
            ("password", "valid"),
            ("scope", "profile"),
            ("resource", RESOURCE_SERVER),
        ],
    )
    .await;
    let user_token = user_token["access_token"].as_str().unwrap().to_owned();
    // RFC 8707: a token for the resource server is not for the site's API.
    app.api().me(Some(&user_token)).await.assert_status(401);

    let site = app.url("");
    let Some(out) = oauth2_client(json!({
        "step": "exchange",
        "issuer": site,
        "client_id": rs.0,
        "client_secret": rs.1,
        "subject_token": user_token,
        "resource": site,
        "call": app.url("/api/me"),
    }))
    .await
    else {
        return;
    };
    assert_eq!(
        out["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token",
        "{out}"
    );
    assert_eq!(out["call"]["status"], 200, "{out}");
    assert_eq!(out["call"]["body"]["username"], "erin", "{out}");
    let info = &out["introspection"];
    assert_eq!(info["aud"], site, "{out}");
    assert_eq!(info["client_id"], rs.0.as_str(), "{out}");
    assert!(info.get("act").is_none(), "{out}");

    // The resource server acts with its own token: `act` names it.
    let own = token(
        app,
        &rs,
        &[
            ("grant_type", "client_credentials"),
            ("resource", RESOURCE_SERVER),
        ],
    )
    .await;
    let out = oauth2_client(json!({
        "step": "exchange",
        "issuer": site,
        "client_id": rs.0,
        "client_secret": rs.1,
        "subject_token": user_token,
        "actor_token": own["access_token"],
        "resource": site,
        "call": app.url("/api/me"),
    }))
    .await
    .expect("the library ran before");
    assert_eq!(out["call"]["status"], 200, "{out}");
    assert_eq!(
        out["introspection"]["act"]["client_id"],
        rs.0.as_str(),
        "{out}"
    );

    // A client that neither got the token nor serves its resource may
    // not exchange it (the default policy).
    let stranger = credentials(
        &browser
            .register_client_json(&json!({
                "grant_types": [TOKEN_EXCHANGE],
                "scope": "profile",
            }))
            .await,
    );
    let out = oauth2_client(json!({
        "step": "exchange",
        "issuer": site,
        "client_id": stranger.0,
        "client_secret": stranger.1,
        "subject_token": user_token,
        "resource": site,
        "call": app.url("/api/me"),
    }))
    .await
    .expect("the library ran before");
    assert_eq!(out["error"], "invalid_request", "{out}");
}
