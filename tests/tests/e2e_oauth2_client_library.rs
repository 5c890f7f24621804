//! The example app driven by a client library nobody here wrote: the
//! `oauth2` crate (v5) builds the authorization URLs and makes the token,
//! refresh, client credentials, password and introspection requests over
//! its reqwest integration; only the consent page is driven by hand, as a
//! user's browser (and revocation, which the library allows only over
//! https). On SQLite and, when configured,
//! PostgreSQL and MySQL.

use oauth_tests::app::{
    Browser, ClientAuth, REDIRECT_URI, TestApp, code_client_metadata, credentials, param,
};
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenType};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, ConfigurationError,
    CsrfToken, IntrospectionUrl, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, ResourceOwnerPassword, ResourceOwnerUsername, RevocationUrl, Scope,
    StandardRevocableToken, TokenIntrospectionResponse, TokenResponse, TokenUrl,
};
use serde_json::json;

oauth_tests::e2e_on_every_backend!(
    oauth2_crate_authorization_code_with_pkce,
    oauth2_crate_public_client_with_pkce,
    oauth2_crate_refresh_token_rotation,
    oauth2_crate_client_credentials_introspection_and_revocation,
    oauth2_crate_password_grant,
);

/// An HTTP client for the library: the same reqwest the `oauth2` crate
/// integrates with, never following redirects (as its docs require).
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

/// What the library's client is parameterized by once every endpoint of
/// this server is set.
type FullClient = oauth2::basic::BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
    oauth2::EndpointSet,
    oauth2::EndpointSet,
>;

/// The library's client for this app's endpoints, as its metadata
/// document (RFC 8414) advertises them.
async fn library_client(
    app: &TestApp,
    client_id: &str,
    secret: Option<&str>,
    redirect_uri: &str,
) -> FullClient {
    let doc: serde_json::Value = http()
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = |field: &str| doc[field].as_str().unwrap().to_owned();
    let mut client = BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri(AuthUrl::new(url("authorization_endpoint")).unwrap())
        .set_token_uri(TokenUrl::new(url("token_endpoint")).unwrap())
        .set_introspection_url(IntrospectionUrl::new(url("introspection_endpoint")).unwrap())
        .set_revocation_url(RevocationUrl::new(url("revocation_endpoint")).unwrap())
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).unwrap());
    if let Some(secret) = secret {
        client = client.set_client_secret(ClientSecret::new(secret.to_owned()));
    }
    client
}

/// A user approves the library's authorization URL on the consent page;
/// returns the code, after checking `state` (RFC 6749 §10.12).
async fn approve(browser: &Browser, url: &oauth2::url::Url, state: &CsrfToken) -> String {
    assert!(
        url.as_str().starts_with(&browser.base),
        "the library builds URLs on the advertised endpoint: {url}"
    );
    // Through the consent page, or at once where the consent is remembered.
    let back = browser
        .authorize(url.query().expect("authorization request query"))
        .await;
    assert_eq!(param(&back, "state"), Some(state.secret().as_str()));
    param(&back, "code").expect("code").to_owned()
}

async fn me_username(app: &TestApp, token: &AccessToken) -> String {
    let me = app.api().me_ok(token.secret()).await;
    me["username"].as_str().unwrap().to_owned()
}

/// RFC 6749 §4.1 + RFC 7636 S256 through the library: `authorize_url` with
/// a PKCE challenge, `exchange_code` with the verifier, then `/api/me`.
async fn oauth2_crate_authorization_code_with_pkce(app: &TestApp) {
    let browser = app.logged_in("alice").await;
    let (id, secret) = credentials(
        &browser
            .register_client_json(&code_client_metadata("Library app", "client_secret_basic"))
            .await,
    );
    let client = library_client(app, &id, Some(&secret), REDIRECT_URI).await;
    let http = http();

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let code = approve(&browser, &url, &state).await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("exchange_code: {e:?}"));
    assert_eq!(*token.token_type(), BasicTokenType::Bearer);
    assert!(token.expires_in().is_some_and(|d| d.as_secs() > 0));
    assert!(token.refresh_token().is_some());
    let scopes: Vec<String> = token
        .scopes()
        .expect("scope")
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(scopes, ["profile", "email"]);
    assert_eq!(me_username(app, token.access_token()).await, "alice");

    // The library reports the server's error for a wrong verifier.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let code = approve(&browser, &url, &state).await;
    let wrong = PkceCodeVerifier::new("x".repeat(64));
    match client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(wrong)
        .request_async(&http)
        .await
    {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant, "{e:?}");
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}

/// RFC 7636 with a public client: the library sends `client_id` in the
/// body and no secret (`none`).
async fn oauth2_crate_public_client_with_pkce(app: &TestApp) {
    let browser = app.logged_in("bob").await;
    let redirect = "http://127.0.0.1:8123/callback";
    let mut metadata = code_client_metadata("Library SPA", "none");
    metadata["redirect_uris"] = json!([redirect]);
    let registration = browser.register_client_json(&metadata).await;
    let id = registration["client_id"].as_str().unwrap();
    let client = library_client(app, id, None, redirect).await;

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let code = approve(&browser, &url, &state).await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap_or_else(|e| panic!("exchange_code: {e:?}"));
    assert_eq!(me_username(app, token.access_token()).await, "bob");
}

/// RFC 6749 §6 through `exchange_refresh_token`: a new pair; the old
/// refresh token is then `invalid_grant`, and that reuse revokes the new
/// access token too.
async fn oauth2_crate_refresh_token_rotation(app: &TestApp) {
    let browser = app.logged_in("carol").await;
    let (id, secret) = credentials(
        &browser
            .register_client_json(&code_client_metadata("Refresher", "client_secret_post"))
            .await,
    );
    let client = library_client(app, &id, Some(&secret), REDIRECT_URI)
        .await
        .set_auth_type(AuthType::RequestBody);
    let http = http();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let code = approve(&browser, &url, &state).await;
    let first = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("exchange_code: {e:?}"));
    let refresh1: RefreshToken = first.refresh_token().expect("refresh token").clone();

    let second = client
        .exchange_refresh_token(&refresh1)
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("exchange_refresh_token: {e:?}"));
    let refresh2 = second.refresh_token().expect("rotated refresh token");
    assert_ne!(refresh2.secret(), refresh1.secret());
    assert_eq!(me_username(app, second.access_token()).await, "carol");

    match client
        .exchange_refresh_token(&refresh1)
        .request_async(&http)
        .await
    {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant, "{e:?}");
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
    app.api()
        .me(Some(second.access_token().secret()))
        .await
        .assert_status(401);
}

/// RFC 6749 §4.4 through `exchange_client_credentials`, then the token at
/// `/api/me`, and RFC 7662 introspection through the library before and
/// after the token's revocation.
async fn oauth2_crate_client_credentials_introspection_and_revocation(app: &TestApp) {
    let browser = app.logged_in("dave").await;
    let (id, secret) = credentials(
        &browser
            .register_client_json(&json!({
                "client_name": "Library daemon",
                "grant_types": ["client_credentials"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }))
            .await,
    );
    let client = library_client(app, &id, Some(&secret), REDIRECT_URI).await;
    let http = http();
    let token = client
        .exchange_client_credentials()
        .add_scope(Scope::new("profile".into()))
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("exchange_client_credentials: {e:?}"));
    assert!(token.refresh_token().is_none(), "RFC 6749 §4.4.3");
    // The token is valid for the resource, but stands for no user.
    let r = app.api().me(Some(token.access_token().secret())).await;
    r.assert_status(403);
    assert_eq!(r.json()["error"], "insufficient_scope");

    let info = client
        .introspect(token.access_token())
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("introspect: {e:?}"));
    assert!(info.active());
    assert_eq!(info.client_id().map(|c| c.as_str()), Some(id.as_str()));
    assert_eq!(info.token_type(), Some(&BasicTokenType::Bearer));
    assert!(info.exp().is_some());

    // The library refuses a revocation endpoint that is not https (RFC 7009
    // §2: "Clients MUST verify that the URL is an HTTPS URL"), and this app
    // runs on plain http: revoke by hand, then look again with the library.
    match client.revoke_token(StandardRevocableToken::AccessToken(
        token.access_token().clone(),
    )) {
        Err(ConfigurationError::InsecureUrl(_)) => {}
        other => panic!("expected the library to insist on https: {other:?}"),
    }
    app.api()
        .revoke(
            ClientAuth::Basic(&id, &secret),
            token.access_token().secret(),
            Some("access_token"),
        )
        .await
        .assert_status(200);
    let info = client
        .introspect(token.access_token())
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("introspect: {e:?}"));
    assert!(!info.active());
    app.api()
        .me(Some(token.access_token().secret()))
        .await
        .assert_status(401);

    // A wrong secret is the server's invalid_client, as the library sees it.
    let wrong = library_client(app, &id, Some("wrong"), REDIRECT_URI).await;
    match wrong
        .exchange_client_credentials()
        .request_async(&http)
        .await
    {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidClient, "{e:?}");
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
}

/// RFC 6749 §4.3 through `exchange_password`.
async fn oauth2_crate_password_grant(app: &TestApp) {
    let browser = app.logged_in("erin").await;
    let (id, secret) = credentials(
        &browser
            .register_client_json(&json!({
                "client_name": "Library password",
                "grant_types": ["password"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }))
            .await,
    );
    let client = library_client(app, &id, Some(&secret), REDIRECT_URI).await;
    let http = http();
    let token = client
        .exchange_password(
            &ResourceOwnerUsername::new("erin".into()),
            &ResourceOwnerPassword::new("valid".into()),
        )
        .add_scope(Scope::new("profile".into()))
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("exchange_password: {e:?}"));
    assert!(token.refresh_token().is_none(), "no refresh_token grant");
    assert_eq!(me_username(app, token.access_token()).await, "erin");
    match client
        .exchange_password(
            &ResourceOwnerUsername::new("erin".into()),
            &ResourceOwnerPassword::new("invalid".into()),
        )
        .request_async(&http)
        .await
    {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant, "{e:?}");
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}
