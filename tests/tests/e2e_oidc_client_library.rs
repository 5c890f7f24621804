//! "Sign in with the example app" by a relying party library nobody here
//! wrote: the `openidconnect` crate (v4) discovers the provider
//! (`/.well-known/openid-configuration`), builds the authentication
//! request with a nonce and PKCE, exchanges the code, verifies the ID
//! token against the JWK Set (signature, `iss`, `aud`, `exp`, `nonce`,
//! `at_hash`), reads UserInfo, and refreshes; only the login and consent
//! pages are driven by hand, as a user's browser. On SQLite, PostgreSQL
//! and MySQL.

use oauth_tests::app::{
    Browser, ClientAuth, REDIRECT_URI, TestApp, credentials, param, query_params,
};
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdTokenClaims,
    CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use serde_json::json;

oauth_tests::e2e_on_every_backend!(
    openidconnect_crate_signs_in_with_the_code_flow,
    openidconnect_crate_refreshes_with_a_new_id_token,
    openidconnect_crate_prompt_none_logged_out_is_login_required,
    prompt_login_asks_a_logged_in_user_to_log_in_again,
    rp_initiated_logout_ends_the_session_and_returns_to_the_client,
    rfc9068_a_jwt_client_gets_at_jwt_access_tokens_the_api_accepts,
);

/// Two instances on one database, for the key rotation test.
mod two_instances {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(db) = oauth_tests::db::TestDb::postgres() else {
            return;
        };
        id_tokens_signed_before_a_rotation_still_verify(Arc::new(db)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql() {
        let Some(db) = oauth_tests::db::TestDb::mysql() else {
            return;
        };
        id_tokens_signed_before_a_rotation_still_verify(Arc::new(db)).await;
    }
}

/// The library's client as discovery makes it.
type RelyingParty = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// An HTTP client for the library, never following redirects (as its
/// docs require, against SSRF).
fn http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

/// A client registered for OpenID Connect: its id and secret.
async fn register(browser: &Browser) -> (String, String) {
    let registration = browser
        .register_client_json(&json!({
            "client_name": "Relying party",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "openid profile email",
            "token_endpoint_auth_method": "client_secret_basic",
        }))
        .await;
    credentials(&registration)
}

/// The library's client for `id`, from the discovery document of `app`.
async fn library_client(app: &TestApp, id: &str, secret: &str) -> RelyingParty {
    let issuer = IssuerUrl::new(app.url("")).expect("issuer URL");
    let metadata = CoreProviderMetadata::discover_async(issuer, &http())
        .await
        .unwrap_or_else(|e| panic!("discovery: {e:?}"));
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id.to_owned()),
        Some(ClientSecret::new(secret.to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.into()).unwrap())
}

/// A client registered for OpenID Connect, and the library's client for
/// it, from the provider's discovery document.
async fn relying_party(app: &TestApp, browser: &Browser) -> RelyingParty {
    let (id, secret) = register(browser).await;
    library_client(app, &id, &secret).await
}

/// The user approves the request (on the consent page, unless the
/// consent is remembered); returns the code,
/// after checking `state`.
async fn approve(browser: &Browser, url: &openidconnect::url::Url, state: &CsrfToken) -> String {
    // Through the consent page, or at once where the consent is remembered.
    let back = browser
        .authorize(url.query().expect("authentication request query"))
        .await;
    assert_eq!(param(&back, "state"), Some(state.secret().as_str()));
    param(&back, "code").expect("code").to_owned()
}

/// The code flow through the library: the authentication request (scope
/// `openid` and `scopes`, a nonce, PKCE S256) built on the advertised
/// endpoint, the user's consent, the exchange. The tokens and the nonce.
async fn code_flow(
    browser: &Browser,
    client: &RelyingParty,
    scopes: &[&str],
) -> (openidconnect::core::CoreTokenResponse, Nonce) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in scopes {
        request = request.add_scope(Scope::new((*scope).to_owned()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    assert!(
        url.as_str()
            .starts_with(&format!("{}/oauth/authorize", browser.base)),
        "{url}"
    );
    let code = approve(browser, &url, &state).await;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap_or_else(|e| panic!("exchange_code: {e:?}"));
    (tokens, nonce)
}

/// OpenID Connect Core §3.1 end to end: the ID token verifies (§3.1.3.7),
/// including the nonce and `at_hash` (§3.1.3.8), carries `auth_time`, and
/// names the user UserInfo describes (§5.3.2: the same `sub`).
async fn openidconnect_crate_signs_in_with_the_code_flow(app: &TestApp) {
    let browser = app.logged_in("alice").await;
    let client = relying_party(app, &browser).await;
    let (tokens, nonce) = code_flow(&browser, &client, &["profile", "email"]).await;
    let http = http();

    let id_token = tokens
        .id_token()
        .expect("an id_token beside the access token");
    let id_verifier = client.id_token_verifier();
    let claims: &CoreIdTokenClaims = id_token
        .claims(&id_verifier, &nonce)
        .unwrap_or_else(|e| panic!("the ID token does not verify: {e:?}"));
    assert!(claims.auth_time().is_some(), "the login time is reported");
    let expected_hash = claims.access_token_hash().expect("at_hash");
    let actual = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&id_verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(actual, *expected_hash);
    // A wrong nonce is refused by the library: the claim is really checked.
    assert!(
        id_token
            .claims(&id_verifier, &Nonce::new("another".into()))
            .is_err()
    );

    let userinfo: CoreUserInfoClaims = client
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .unwrap()
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("userinfo: {e:?}"));
    assert_eq!(userinfo.subject(), claims.subject());
    assert_eq!(
        userinfo.preferred_username().map(|u| u.as_str()),
        Some("alice")
    );
    assert_eq!(
        userinfo.email().map(|e| e.as_str()),
        Some("alice@example.test")
    );
    assert_eq!(userinfo.email_verified(), Some(false));
}

/// OpenID Connect Core §12.2 through `exchange_refresh_token`: a new ID
/// token for the same user and client, with the original `auth_time` and
/// no nonce.
async fn openidconnect_crate_refreshes_with_a_new_id_token(app: &TestApp) {
    let browser = app.logged_in("bob").await;
    let client = relying_party(app, &browser).await;
    let (first, nonce) = code_flow(&browser, &client, &[]).await;
    let http = http();
    let id_verifier = client.id_token_verifier();
    let original = first
        .id_token()
        .unwrap()
        .claims(&id_verifier, &nonce)
        .unwrap()
        .clone();
    let refreshed = client
        .exchange_refresh_token(first.refresh_token().expect("refresh token"))
        .unwrap()
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("refresh: {e:?}"));
    let id_token = refreshed.id_token().expect("an id_token after the refresh");
    let claims = id_token
        .claims(&id_verifier, |n: Option<&Nonce>| match n {
            None => Ok(()),
            Some(_) => Err("a refreshed ID token has no nonce".to_owned()),
        })
        .unwrap_or_else(|e| panic!("the refreshed ID token does not verify: {e:?}"));
    assert_eq!(claims.subject(), original.subject());
    assert_eq!(claims.issuer(), original.issuer());
    assert_eq!(claims.audiences(), original.audiences());
    assert_eq!(claims.auth_time(), original.auth_time());
    // Its at_hash binds it to the new access token.
    let expected = claims.access_token_hash().expect("at_hash");
    let actual = AccessTokenHash::from_token(
        refreshed.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&id_verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(actual, *expected);
    // The new access token reads UserInfo for the same user.
    let userinfo: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = client
        .user_info(
            refreshed.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(
        userinfo.preferred_username().map(|u| u.as_str()),
        None,
        "scope openid alone releases no profile claims"
    );
}

/// OpenID Connect Core §3.1.2.1: with `prompt=none` and nobody logged in,
/// no page is shown; the client gets `login_required` with its `state`.
async fn openidconnect_crate_prompt_none_logged_out_is_login_required(app: &TestApp) {
    let owner = app.logged_in("carol").await;
    let client = relying_party(app, &owner).await;
    let (url, state, _nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_prompt(CoreAuthPrompt::None)
        .set_pkce_challenge(PkceCodeChallenge::new_random_sha256().0)
        .url();
    let stranger = app.browser();
    let r = stranger.get(url.as_str()).await;
    r.assert_status(302);
    let location = r.expect_location();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    let back = query_params(location);
    assert_eq!(param(&back, "error"), Some("login_required"));
    assert_eq!(param(&back, "state"), Some(state.secret().as_str()));
    assert_eq!(param(&back, "iss"), Some(app.url("").as_str()));
    // Logged in but without consent on record: consent_required.
    let r = owner.get(url.as_str()).await;
    let back = query_params(r.expect_location());
    assert_eq!(param(&back, "error"), Some("consent_required"));
}

/// `prompt=login` ends the session and sends the user to the login form
/// (filled with `login_hint`), which comes back to the request without
/// `prompt=login`: after the new login the consent page is shown, not the
/// login form again.
async fn prompt_login_asks_a_logged_in_user_to_log_in_again(app: &TestApp) {
    let browser = app.logged_in("dave").await;
    let client = relying_party(app, &browser).await;
    let (url, _state, _nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_prompt(CoreAuthPrompt::Login)
        .set_login_hint(openidconnect::LoginHint::new("dave".into()))
        .set_pkce_challenge(PkceCodeChallenge::new_random_sha256().0)
        .url();
    let r = browser.get(url.as_str()).await;
    let to_login = r.expect_location().to_owned();
    assert!(to_login.starts_with("/?next="), "{to_login}");
    let next = query_params(&app.url(&to_login))
        .into_iter()
        .find(|(k, _)| k == "next")
        .expect("next")
        .1;
    assert!(next.starts_with("/oauth/authorize?"), "{next}");
    assert!(!next.contains("prompt"), "{next}");
    // The session has ended: the home page offers the login form.
    assert!(browser.get("/").await.body.contains("name=\"username\""));
    // The login form is filled with the request's login_hint.
    let form = browser.get(&to_login).await;
    assert!(form.body.contains("value=\"dave\""), "{}", form.body);
    let r = browser.post_form(&to_login, &[("username", "dave")]).await;
    assert_eq!(r.expect_location(), next);
    let page = browser.get(&next).await;
    page.assert_status(200);
    assert!(page.body.contains("csrf_token"), "the consent page");
}

/// RP-Initiated Logout 1.0 against the example app: the discovery
/// document names the end-session endpoint; with the ID token as hint and
/// a registered `post_logout_redirect_uri` the session ends and the user
/// goes back with `state` (§3); an unregistered URI is refused with a page
/// and the session stays.
async fn rp_initiated_logout_ends_the_session_and_returns_to_the_client(app: &TestApp) {
    let browser = app.logged_in("frank").await;
    let after = "https://client.example/signed-out";
    let registration = browser
        .register_client_json(&json!({
            "client_name": "Logging out",
            "redirect_uris": [REDIRECT_URI],
            "post_logout_redirect_uris": [after],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": "openid",
            "token_endpoint_auth_method": "client_secret_basic",
        }))
        .await;
    assert_eq!(registration["post_logout_redirect_uris"], json!([after]));
    let (id, secret) = credentials(&registration);
    let issuer = IssuerUrl::new(app.url("")).unwrap();
    let http = http();
    let doc: serde_json::Value = http
        .get(app.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["end_session_endpoint"], app.url("/oauth/end_session"));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256", "ES256", "EdDSA"])
    );
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.into()).unwrap());
    let (tokens, _nonce) = code_flow(&browser, &client, &[]).await;
    let hint = tokens.id_token().unwrap().to_string();

    let query = |uri: &str| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("id_token_hint", &hint)
            .append_pair("post_logout_redirect_uri", uri)
            .append_pair("state", "bye-1")
            .finish()
    };
    let r = browser
        .get(&format!(
            "/oauth/end_session?{}",
            query("https://attacker.example/")
        ))
        .await;
    r.assert_status(400);
    assert!(r.location().is_none());
    assert!(
        !browser.get("/").await.body.contains("name=\"username\""),
        "still logged in"
    );

    let r = browser
        .get(&format!("/oauth/end_session?{}", query(after)))
        .await;
    r.assert_status(302);
    assert_eq!(r.expect_location(), format!("{after}?state=bye-1"));
    assert!(
        browser.get("/").await.body.contains("name=\"username\""),
        "logged out"
    );
}

/// A code-flow sign-in by the library; the ID token (verified)
/// and the `kid` that signed it.
async fn sign_in(browser: &Browser, client: &RelyingParty) -> (String, String) {
    let (tokens, nonce) = code_flow(browser, client, &[]).await;
    let id_token = tokens.id_token().unwrap();
    id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    let token = id_token.to_string();
    let header = token.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap(),
    )
    .unwrap();
    let kid = header["kid"].as_str().expect("kid").to_owned();
    (token, kid)
}

/// The ID token `token` of `issuer` verifies with the JWK Set `app`
/// publishes, for `client_id`.
async fn verifies_with_the_jwks_of(app: &TestApp, token: &str, issuer: &str, client_id: &str) {
    let jwks: openidconnect::core::CoreJsonWebKeySet = http()
        .get(app.url("/oauth/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let verifier = openidconnect::core::CoreIdTokenVerifier::new_public_client(
        ClientId::new(client_id.to_owned()),
        IssuerUrl::new(issuer.to_owned()).unwrap(),
        jwks,
    );
    let id_token: openidconnect::core::CoreIdToken = token.parse().unwrap();
    id_token
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .unwrap_or_else(|e| panic!("does not verify with {}'s JWK Set: {e:?}", app.base));
}

/// Signing keys rotated while two instances serve one database: the new
/// key is published by both before it signs, and an ID token the old key
/// signed still verifies against either instance's JWK Set after the
/// rotation (the old key stays published while its tokens live).
async fn id_tokens_signed_before_a_rotation_still_verify(
    db: std::sync::Arc<oauth_tests::db::TestDb>,
) {
    use oauth_core::jose::{Algorithm, KeyRing, KeySealer};
    let extra = [("oauth2.signing_keys.publish_ahead", json!(1))];
    let secret_key = oauth_tests::app::new_secret_key();
    let a = TestApp::start_with(db.clone(), &secret_key, &extra).await;
    let b = TestApp::start_with(db.clone(), &secret_key, &extra).await;
    let at_a = a.logged_in("grace").await;
    let (client_id, secret) = register(&at_a).await;
    let client_a = library_client(&a, &client_id, &secret).await;
    let (before, old_kid) = sign_in(&at_a, &client_a).await;

    // The rotation, as the cleanup schedule or an operator runs it.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // The instances' policy: published a second ahead (the configuration
    // above), kept as long as their longest-lived tokens.
    let mut ring = KeyRing::new(Algorithm::RS256, 864_000, KeySealer::clear());
    ring.publish_ahead = 1;
    let new_kid = ring.rotate(&db.storage(), now).await.unwrap();
    assert_ne!(new_kid, old_kid);
    // Published by both at once, before it signs.
    for app in [&a, &b] {
        let set = app.browser().get("/oauth/jwks").await.json();
        let kids: Vec<&str> = set["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert!(
            kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()),
            "{kids:?}"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;

    let at_b = b.logged_in("grace").await;
    let client_b = library_client(&b, &client_id, &secret).await;
    let (after, kid) = sign_in(&at_b, &client_b).await;
    assert_eq!(kid, new_kid, "B signs with the new key");
    // Each token verifies with the other instance's set.
    verifies_with_the_jwks_of(&b, &before, &a.url(""), &client_id).await;
    verifies_with_the_jwks_of(&a, &after, &b.url(""), &client_id).await;
}

/// RFC 9068 through the example app: a client registered with
/// `access_token_strategy: "jwt"` gets an `at+jwt` access token that
/// verifies with the published JWK Set, names the user, and opens
/// `/api/me` and UserInfo; revoked, it opens nothing.
async fn rfc9068_a_jwt_client_gets_at_jwt_access_tokens_the_api_accepts(app: &TestApp) {
    use oauth_core::jose::{self, JwkSet, SUPPORTED_ALGORITHMS, Verification};
    let browser = app.logged_in("heidi").await;
    let registration = browser
        .register_client_json(&json!({
            "client_name": "JWT client",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "openid profile",
            "token_endpoint_auth_method": "client_secret_basic",
            "access_token_strategy": "jwt",
        }))
        .await;
    assert_eq!(registration["access_token_strategy"], "jwt");
    let (id, secret) = credentials(&registration);
    let client = library_client(app, &id, &secret).await;
    let (tokens, _nonce) = code_flow(&browser, &client, &["profile"]).await;
    let access = tokens.access_token().secret().clone();
    let jwks: JwkSet = serde_json::from_value(browser.get("/oauth/jwks").await.json()).unwrap();
    let verified = jose::verify(
        &access,
        &jwks,
        &Verification::new(&SUPPORTED_ALGORITHMS).with_typ("at+jwt"),
    )
    .expect("an at+jwt access token that verifies with the JWK Set");
    assert_eq!(verified.claims["iss"], app.url(""));
    assert_eq!(verified.claims["client_id"], id);
    assert_eq!(verified.claims["scope"], "openid profile");
    let me = app.api().me_ok(&access).await;
    assert_eq!(me["username"], "heidi");
    assert_eq!(verified.claims["sub"], me["id"].to_string());
    // Revoked, the still well-signed token opens nothing.
    let r = app
        .api()
        .post(
            "/oauth/revoke",
            ClientAuth::Basic(&id, &secret),
            &[("token", &access)],
        )
        .await;
    r.assert_status(200);
    app.api().me(Some(&access)).await.assert_status(401);
}
