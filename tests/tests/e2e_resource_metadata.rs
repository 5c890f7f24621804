//! Protected resource metadata (RFC 9728) of the example app's API over
//! HTTP: the document at `/.well-known/oauth-protected-resource`, the
//! `resource_metadata` of `/api/me`'s challenges, and the authorization
//! server's `protected_resources`, which agree. On SQLite, PostgreSQL and
//! MySQL.

use oauth_tests::app::TestApp;
use serde_json::json;

oauth_tests::e2e_on_every_backend!(rfc9728_the_api_describes_itself_and_its_challenges_point_there,);

async fn rfc9728_the_api_describes_itself_and_its_challenges_point_there(app: &TestApp) {
    let browser = app.browser();
    let r = browser.get("/.well-known/oauth-protected-resource").await;
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.headers
    );
    let doc = r.json();
    // §3.3: the identifier the well-known URL was made from.
    let resource = app.url("");
    assert_eq!(doc["resource"], resource.as_str(), "{doc}");
    assert_eq!(doc["scopes_supported"], json!(["profile"]), "{doc}");
    assert_eq!(doc["bearer_methods_supported"], json!(["header"]), "{doc}");
    // The authorization server's metadata and the resource's agree.
    let issuer_doc = browser
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(doc["authorization_servers"], json!([issuer_doc["issuer"]]));
    // The site's API, then the resources it issues tokens for (RFC 8707).
    assert_eq!(
        issuer_doc["protected_resources"],
        json!([resource, "http://127.0.0.1:8001"])
    );

    // §5.1: every challenge of the API names the document.
    let url = format!("{resource}/.well-known/oauth-protected-resource");
    for token in [None, Some("not-a-real-token")] {
        let r = app.api().me(token).await;
        r.assert_status(401);
        let challenge = r.header("www-authenticate").unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(
            challenge.contains(&format!("resource_metadata=\"{url}\"")),
            "{challenge}"
        );
    }
    // A path the identifier does not make has no document.
    browser
        .get("/.well-known/oauth-protected-resource/elsewhere")
        .await
        .assert_status(404);
}
