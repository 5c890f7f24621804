//! End-to-end tests of the example app's OAuth 2.0 endpoints over real
//! HTTP: every grant and client authentication method of RFC 6749, PKCE
//! (RFC 7636), bearer tokens (RFC 6750), revocation (RFC 7009),
//! introspection (RFC 7662), registration (RFC 7591) and metadata
//! (RFC 8414), the `iss` authorization response parameter (RFC 9207), on
//! SQLite and, when configured, PostgreSQL and MySQL.

use oauth_tests::app::{
    Browser, ClientAuth, REDIRECT_URI, TestApp, code_client_metadata, credentials, fragment_params,
    param, pkce_pair, query, query_params,
};
use serde_json::{Value, json};

oauth_tests::e2e_on_every_backend!(
    authorization_code_with_client_secret_basic,
    authorization_code_with_client_secret_post,
    client_must_use_its_registered_authentication_method,
    authorization_code_redirect_uri_must_match,
    public_client_with_pkce_s256_and_none,
    password_grant,
    client_credentials_grant,
    refresh_rotates_and_reuse_revokes_the_family,
    implicit_grant_returns_the_token_in_the_fragment,
    code_replay_is_invalid_grant_and_revokes_the_first_token,
    revoked_tokens_are_refused,
    introspection_shows_own_tokens_only,
    dynamic_registration_returns_201_and_the_client_works_at_once,
    dynamic_registration_requires_session_json_and_valid_metadata,
    rfc7591_5_and_rfc8252_7_3_registration_refuses_misleading_names_and_http_redirects,
    metadata_document_lists_the_endpoints_with_the_base_url,
    rfc7517_5_jwks_is_published_at_the_metadata_jwks_uri,
    rfc9207_every_authorization_response_names_the_issuer,
    api_me_without_token_is_401_with_bearer_challenge,
    api_me_with_invalid_token_is_401_invalid_token,
    api_me_without_profile_scope_is_403_insufficient_scope,
    endpoints_answer_get_with_405,
    oversized_form_body_is_413,
);

/// A user, logged in, with a registered client of `metadata`:
/// (browser, registration).
async fn user_with_client(app: &TestApp, user: &str, metadata: &Value) -> (Browser, Value) {
    let browser = app.logged_in(user).await;
    let registration = browser.register_client_json(metadata).await;
    (browser, registration)
}

fn code_request(client_id: &str, scope: &str, state: &str) -> String {
    query(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", scope),
        ("state", state),
    ])
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// The user id `/api/me` reports for a token, with its username checked.
async fn me(app: &TestApp, token: &str, username: &str) -> i64 {
    let me = app.api().me_ok(token).await;
    assert_eq!(me["username"], username, "{me}");
    me["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("numeric id: {me}"))
}

/// RFC 6749 §4.1 with `client_secret_basic` (§2.3.1): code at the redirect
/// URI, token at the token endpoint, `/api/me` with the token.
async fn authorization_code_with_client_secret_basic(app: &TestApp) {
    let (browser, reg) = user_with_client(
        app,
        "alice",
        &code_client_metadata("Basic app", "client_secret_basic"),
    )
    .await;
    let (id, secret) = credentials(&reg);
    let code = browser
        .authorize_and_get_code(&code_request(&id, "profile email", "st"))
        .await;
    assert_eq!(app.stored_codes().await, 1);
    let token = app
        .api()
        .token_ok(
            ClientAuth::Basic(&id, &secret),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await;
    assert_eq!(token["scope"], "profile email");
    assert!(token["refresh_token"].is_string(), "{token}");
    assert_eq!(app.stored_codes().await, 0, "the code is spent");
    let me_id = me(app, s(&token["access_token"]), "alice").await;
    assert!(me_id > 0);
}

/// RFC 6749 §4.1 with `client_secret_post` (§2.3.1, credentials in the body).
async fn authorization_code_with_client_secret_post(app: &TestApp) {
    let (browser, reg) = user_with_client(
        app,
        "bob",
        &code_client_metadata("Post app", "client_secret_post"),
    )
    .await;
    let (id, secret) = credentials(&reg);
    let code = browser
        .authorize_and_get_code(&code_request(&id, "profile", "st"))
        .await;
    let token = app
        .api()
        .token_ok(
            ClientAuth::Post(&id, &secret),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await;
    assert_eq!(token["scope"], "profile");
    me(app, s(&token["access_token"]), "bob").await;
}

/// RFC 6749 §2.3, §5.2: a client authenticates only with its registered
/// method and its own secret; `invalid_client` after an `Authorization`
/// header is 401 with a `Basic` challenge, otherwise 400 or 401.
async fn client_must_use_its_registered_authentication_method(app: &TestApp) {
    let browser = app.logged_in("carol").await;
    let basic = browser
        .register_client_json(&code_client_metadata("B", "client_secret_basic"))
        .await;
    let post = browser
        .register_client_json(&code_client_metadata("P", "client_secret_post"))
        .await;
    let (basic_id, basic_secret) = credentials(&basic);
    let (post_id, post_secret) = credentials(&post);
    let api = app.api();
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", "x")];

    // Wrong secret over Basic: 401 with a challenge.
    let r = api
        .token(ClientAuth::Basic(&basic_id, "wrong"), &refresh)
        .await;
    r.assert_status(401);
    assert_eq!(r.json()["error"], "invalid_client");
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.starts_with("Basic")),
        "{:?}",
        r.headers
    );
    // The basic client's secret in the body: not its method.
    let r = api
        .token(ClientAuth::Post(&basic_id, &basic_secret), &refresh)
        .await;
    assert!(r.status == 400 || r.status == 401, "{}", r.status);
    assert_eq!(r.json()["error"], "invalid_client");
    // The post client over Basic: not its method.
    let r = api
        .token(ClientAuth::Basic(&post_id, &post_secret), &refresh)
        .await;
    r.assert_status(401);
    assert_eq!(r.json()["error"], "invalid_client");
    // A confidential client that sends no secret.
    let r = api.token(ClientAuth::None(&post_id), &refresh).await;
    assert_eq!(r.json()["error"], "invalid_client", "{}", r.body);
    // Someone else's secret.
    let r = api
        .token(ClientAuth::Post(&post_id, &basic_secret), &refresh)
        .await;
    assert_eq!(r.json()["error"], "invalid_client");
    // No client at all.
    let r = api
        .http
        .post(app.url("/oauth/token"))
        .form(&refresh)
        .send()
        .await
        .unwrap();
    assert!(r.status() == 400 || r.status() == 401);
    // Right method, right secret, bad refresh token: past authentication.
    api.token_error(
        ClientAuth::Post(&post_id, &post_secret),
        &refresh,
        400,
        "invalid_grant",
    )
    .await;
    // Unsupported grant type.
    api.token_error(
        ClientAuth::Post(&post_id, &post_secret),
        &[("grant_type", "urn:example:nope")],
        400,
        "unsupported_grant_type",
    )
    .await;
    // A grant type the client did not register.
    api.token_error(
        ClientAuth::Post(&post_id, &post_secret),
        &[("grant_type", "client_credentials")],
        400,
        "unauthorized_client",
    )
    .await;
}

/// RFC 6749 §4.1.3: `redirect_uri` must be sent when the authorization
/// request had it, and be identical; the code is bound to its client.
async fn authorization_code_redirect_uri_must_match(app: &TestApp) {
    let browser = app.logged_in("dan").await;
    let mut metadata = code_client_metadata("Two URIs", "client_secret_basic");
    metadata["redirect_uris"] = json!([REDIRECT_URI, "https://client.example/other"]);
    let (id, secret) = credentials(&browser.register_client_json(&metadata).await);
    let (other_id, other_secret) = credentials(
        &browser
            .register_client_json(&code_client_metadata("Other", "client_secret_basic"))
            .await,
    );
    let api = app.api();
    let q = code_request(&id, "profile", "s");

    let code = browser.authorize_and_get_code(&q).await;
    api.token_error(
        ClientAuth::Basic(&id, &secret),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://client.example/other"),
        ],
        400,
        "invalid_grant",
    )
    .await;
    let code = browser.authorize_and_get_code(&q).await;
    api.token_error(
        ClientAuth::Basic(&id, &secret),
        &[("grant_type", "authorization_code"), ("code", &code)],
        400,
        "invalid_request",
    )
    .await;
    // Another client cannot redeem this client's code.
    let code = browser.authorize_and_get_code(&q).await;
    api.token_error(
        ClientAuth::Basic(&other_id, &other_secret),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ],
        400,
        "invalid_grant",
    )
    .await;
}

/// RFC 7636 with a public client (`token_endpoint_auth_method: none`,
/// RFC 6749 §2.1): PKCE is required, S256 is checked, and the client
/// authenticates with its `client_id` alone.
async fn public_client_with_pkce_s256_and_none(app: &TestApp) {
    let browser = app.logged_in("erin").await;
    let mut metadata = code_client_metadata("SPA", "none");
    metadata["redirect_uris"] = json!(["http://127.0.0.1:7777/callback"]);
    let reg = browser.register_client_json(&metadata).await;
    assert!(reg.get("client_secret").is_none(), "{reg}");
    assert!(reg.get("client_secret_expires_at").is_none(), "{reg}");
    let id = s(&reg["client_id"]).to_owned();
    let redirect = "http://127.0.0.1:7777/callback";
    let api = app.api();

    // No challenge: the request goes back with invalid_request.
    let q = query(&[
        ("response_type", "code"),
        ("client_id", &id),
        ("redirect_uri", redirect),
        ("scope", "profile"),
        ("state", "p0"),
    ]);
    let r = browser.get(&format!("/oauth/authorize?{q}")).await;
    r.assert_status(302);
    let back = query_params(r.expect_location());
    assert_eq!(param(&back, "error"), Some("invalid_request"));
    assert_eq!(param(&back, "state"), Some("p0"));
    // `plain` is not accepted.
    let (verifier, challenge) = pkce_pair();
    let r = browser
        .get(&format!(
            "/oauth/authorize?{q}&code_challenge={verifier}&code_challenge_method=plain"
        ))
        .await;
    r.assert_status(302);
    assert_eq!(
        param(&query_params(r.expect_location()), "error"),
        Some("invalid_request")
    );

    let with_pkce = format!("{q}&code_challenge={challenge}&code_challenge_method=S256");
    // A wrong verifier spends the code for nothing.
    let code = browser.authorize_and_get_code(&with_pkce).await;
    let (other_verifier, _) = pkce_pair();
    api.token_error(
        ClientAuth::None(&id),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", &other_verifier),
        ],
        400,
        "invalid_grant",
    )
    .await;
    // A missing verifier too.
    let code = browser.authorize_and_get_code(&with_pkce).await;
    api.token_error(
        ClientAuth::None(&id),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
        ],
        400,
        "invalid_request",
    )
    .await;
    // The right one works.
    let code = browser.authorize_and_get_code(&with_pkce).await;
    let token = api
        .token_ok(
            ClientAuth::None(&id),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect),
                ("code_verifier", &verifier),
            ],
        )
        .await;
    me(app, s(&token["access_token"]), "erin").await;
    // A public client may refresh with its id alone.
    let refreshed = api
        .token_ok(
            ClientAuth::None(&id),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", s(&token["refresh_token"])),
            ],
        )
        .await;
    me(app, s(&refreshed["access_token"]), "erin").await;
    // But cannot introspect (RFC 7662 §2.1: the caller must be authorized).
    let r = api
        .post(
            "/oauth/introspect",
            ClientAuth::None(&id),
            &[("token", s(&refreshed["access_token"]))],
        )
        .await;
    assert!(r.status == 400 || r.status == 401, "{}", r.status);
    assert_eq!(r.json()["error"], "invalid_client");
}

fn password_client(name: &str) -> Value {
    json!({
        "client_name": name,
        "grant_types": ["password", "refresh_token"],
        "scope": "profile email",
        "token_endpoint_auth_method": "client_secret_basic",
    })
}

/// RFC 6749 §4.3: every existing user's password is `valid`.
async fn password_grant(app: &TestApp) {
    let (_, reg) = user_with_client(app, "frank", &password_client("Password app")).await;
    app.logged_in("gina").await;
    let (id, secret) = credentials(&reg);
    let api = app.api();
    let auth = ClientAuth::Basic(&id, &secret);
    let token = api
        .token_ok(
            auth,
            &[
                ("grant_type", "password"),
                ("username", "gina"),
                ("password", "valid"),
                ("scope", "profile"),
            ],
        )
        .await;
    assert_eq!(token["scope"], "profile");
    assert!(token["refresh_token"].is_string());
    me(app, s(&token["access_token"]), "gina").await;

    for (username, password) in [("gina", "invalid"), ("gina", "VALID"), ("nobody", "valid")] {
        api.token_error(
            auth,
            &[
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
            ],
            400,
            "invalid_grant",
        )
        .await;
    }
    // RFC 6749 §3.1: an empty parameter is a missing one.
    api.token_error(
        auth,
        &[
            ("grant_type", "password"),
            ("username", "gina"),
            ("password", ""),
        ],
        400,
        "invalid_request",
    )
    .await;
    // A scope beyond the client's is invalid_scope.
    api.token_error(
        auth,
        &[
            ("grant_type", "password"),
            ("username", "gina"),
            ("password", "valid"),
            ("scope", "admin"),
        ],
        400,
        "invalid_scope",
    )
    .await;
}

/// RFC 6749 §4.4: a confidential client gets a token for itself, with no
/// refresh token (§4.4.3); it acts for no user.
async fn client_credentials_grant(app: &TestApp) {
    let (_, reg) = user_with_client(
        app,
        "hank",
        &json!({
            "client_name": "Daemon",
            "grant_types": ["client_credentials"],
            "scope": "profile reports",
            "token_endpoint_auth_method": "client_secret_post",
        }),
    )
    .await;
    let (id, secret) = credentials(&reg);
    let api = app.api();
    let token = api
        .token_ok(
            ClientAuth::Post(&id, &secret),
            &[("grant_type", "client_credentials"), ("scope", "reports")],
        )
        .await;
    assert_eq!(token["scope"], "reports");
    assert!(token.get("refresh_token").is_none(), "{token}");
    let info = api
        .introspect(ClientAuth::Post(&id, &secret), s(&token["access_token"]))
        .await;
    assert_eq!(info["active"], true);
    assert_eq!(info["client_id"], id.as_str());
    assert!(info.get("sub").is_none(), "{info}");
    // Without `profile` the resource refuses it for scope...
    let r = api.me(Some(s(&token["access_token"]))).await;
    r.assert_status(403);
    // ...and with it, the token is valid but stands for no user.
    let token = api
        .token_ok(
            ClientAuth::Post(&id, &secret),
            &[("grant_type", "client_credentials"), ("scope", "profile")],
        )
        .await;
    let r = api.me(Some(s(&token["access_token"]))).await;
    r.assert_status(403);
    // RFC 6750 §3: every refusal of a protected resource has its challenge.
    assert_eq!(r.json()["error"], "insufficient_scope");
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
}

/// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): a refresh issues a new
/// pair and retires the old one; presenting the retired refresh token is
/// `invalid_grant` and revokes the whole family, so the new access token
/// stops working at `/api/me`.
async fn refresh_rotates_and_reuse_revokes_the_family(app: &TestApp) {
    let (_, reg) = user_with_client(app, "ivy", &password_client("Rotating")).await;
    let (id, secret) = credentials(&reg);
    let api = app.api();
    let auth = ClientAuth::Basic(&id, &secret);
    let first = api
        .token_ok(
            auth,
            &[
                ("grant_type", "password"),
                ("username", "ivy"),
                ("password", "valid"),
                ("scope", "profile email"),
            ],
        )
        .await;
    let refresh1 = s(&first["refresh_token"]).to_owned();

    // A narrower scope on refresh (§6) is fine; a wider one is not.
    api.token_error(
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh1),
            ("scope", "profile admin"),
        ],
        400,
        "invalid_scope",
    )
    .await;
    let second = api
        .token_ok(
            auth,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh1),
                ("scope", "profile"),
            ],
        )
        .await;
    assert_eq!(second["scope"], "profile");
    let refresh2 = s(&second["refresh_token"]).to_owned();
    assert_ne!(refresh2, refresh1, "a new refresh token (rotation)");
    assert_ne!(second["access_token"], first["access_token"]);
    me(app, s(&second["access_token"]), "ivy").await;
    // The old access token went with its refresh token.
    app.api()
        .me(Some(s(&first["access_token"])))
        .await
        .assert_status(401);

    // The old refresh token again: refused, and the family is revoked.
    api.token_error(
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh1),
        ],
        400,
        "invalid_grant",
    )
    .await;
    let r = api.me(Some(s(&second["access_token"]))).await;
    r.assert_status(401);
    api.token_error(
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh2),
        ],
        400,
        "invalid_grant",
    )
    .await;
    // A refresh token is bound to its client.
    let (_, other) = user_with_client(app, "ivy2", &password_client("Other")).await;
    let (other_id, other_secret) = credentials(&other);
    let fresh = api
        .token_ok(
            auth,
            &[
                ("grant_type", "password"),
                ("username", "ivy"),
                ("password", "valid"),
            ],
        )
        .await;
    api.token_error(
        ClientAuth::Basic(&other_id, &other_secret),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", s(&fresh["refresh_token"])),
        ],
        400,
        "invalid_grant",
    )
    .await;
}

/// RFC 6749 §4.2: `response_type=token` puts the token in the fragment of
/// the redirect (§4.2.2), with `state`, and no refresh token.
async fn implicit_grant_returns_the_token_in_the_fragment(app: &TestApp) {
    let (browser, reg) = user_with_client(
        app,
        "jack",
        &json!({
            "client_name": "Implicit",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["implicit"],
            "response_types": ["token"],
            "scope": "profile",
            "token_endpoint_auth_method": "none",
        }),
    )
    .await;
    let id = s(&reg["client_id"]).to_owned();
    let q = query(&[
        ("response_type", "token"),
        ("client_id", &id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "profile"),
        ("state", "imp"),
    ]);
    let r = browser.answer_consent(&q, "yes").await;
    r.assert_status(302);
    let location = r.expect_location();
    assert!(
        location.starts_with(&format!("{REDIRECT_URI}#")),
        "{location}"
    );
    assert!(query_params(location).is_empty(), "nothing in the query");
    let params = fragment_params(location);
    let token = param(&params, "access_token")
        .expect("access_token")
        .to_owned();
    assert_eq!(param(&params, "token_type"), Some("Bearer"));
    assert!(param(&params, "expires_in").is_some_and(|e| e.parse::<i64>().unwrap() > 0));
    assert_eq!(param(&params, "state"), Some("imp"));
    assert_eq!(param(&params, "refresh_token"), None, "§4.2.2");
    assert_eq!(param(&params, "code"), None);
    me(app, &token, "jack").await;

    // A denial comes back in the fragment too.
    let r = browser.answer_consent(&q, "no").await;
    let params = fragment_params(r.expect_location());
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("imp"));
}

/// RFC 6749 §4.1.2: a code is single-use; a second use is `invalid_grant`
/// and revokes the tokens issued from it (§10.5).
async fn code_replay_is_invalid_grant_and_revokes_the_first_token(app: &TestApp) {
    let (browser, reg) = user_with_client(
        app,
        "kate",
        &code_client_metadata("Replay", "client_secret_basic"),
    )
    .await;
    let (id, secret) = credentials(&reg);
    let auth = ClientAuth::Basic(&id, &secret);
    let code = browser
        .authorize_and_get_code(&code_request(&id, "profile", "s"))
        .await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
    ];
    let api = app.api();
    let first = api.token_ok(auth, &form).await;
    me(app, s(&first["access_token"]), "kate").await;

    api.token_error(auth, &form, 400, "invalid_grant").await;
    api.me(Some(s(&first["access_token"])))
        .await
        .assert_status(401);
    api.token_error(
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", s(&first["refresh_token"])),
        ],
        400,
        "invalid_grant",
    )
    .await;
    // A made-up code is invalid_grant too.
    api.token_error(
        auth,
        &[
            ("grant_type", "authorization_code"),
            ("code", "made-up"),
            ("redirect_uri", REDIRECT_URI),
        ],
        400,
        "invalid_grant",
    )
    .await;
}

/// RFC 7009: a revoked access token is refused at `/api/me`; revoking a
/// refresh token revokes its grant (§2.1); an unknown token is answered 200
/// (§2.2); a client cannot revoke another client's token.
async fn revoked_tokens_are_refused(app: &TestApp) {
    let (_, reg) = user_with_client(app, "liam", &password_client("Revoker")).await;
    let (_, other) = user_with_client(app, "liam2", &password_client("Other")).await;
    let (id, secret) = credentials(&reg);
    let (other_id, other_secret) = credentials(&other);
    let auth = ClientAuth::Basic(&id, &secret);
    let api = app.api();
    let password = [
        ("grant_type", "password"),
        ("username", "liam"),
        ("password", "valid"),
        ("scope", "profile"),
    ];

    let token = api.token_ok(auth, &password).await;
    let access = s(&token["access_token"]);
    me(app, access, "liam").await;
    // Another client may not revoke it, and it stays valid.
    let r = api
        .revoke(ClientAuth::Basic(&other_id, &other_secret), access, None)
        .await;
    assert_ne!(r.status, 200, "{}", r.body);
    me(app, access, "liam").await;

    let r = api.revoke(auth, access, Some("access_token")).await;
    r.assert_status(200);
    let r = api.me(Some(access)).await;
    r.assert_status(401);
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.contains("invalid_token")),
        "{:?}",
        r.headers
    );
    // Revoking again, or an unknown token, is still 200.
    api.revoke(auth, access, None).await.assert_status(200);
    api.revoke(auth, "never-issued", None)
        .await
        .assert_status(200);

    // Revoking the refresh token (with a wrong hint: the server searches
    // on) takes the access token with it.
    let token = api.token_ok(auth, &password).await;
    me(app, s(&token["access_token"]), "liam").await;
    api.revoke(auth, s(&token["refresh_token"]), Some("access_token"))
        .await
        .assert_status(200);
    api.me(Some(s(&token["access_token"])))
        .await
        .assert_status(401);
    api.token_error(
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", s(&token["refresh_token"])),
        ],
        400,
        "invalid_grant",
    )
    .await;
    // Revocation needs client authentication.
    let r = api
        .http
        .post(app.url("/oauth/revoke"))
        .form(&[("token", s(&token["access_token"]))])
        .send()
        .await
        .unwrap();
    assert!(r.status() == 400 || r.status() == 401, "{}", r.status());
}

/// RFC 7662: a confidential client introspecting its own token sees it
/// active, with its metadata; another client's token, an unknown one and a
/// revoked one are exactly `{"active": false}`.
async fn introspection_shows_own_tokens_only(app: &TestApp) {
    let (_, reg) = user_with_client(app, "mona", &password_client("Mine")).await;
    let (_, other) = user_with_client(app, "mona2", &password_client("Theirs")).await;
    let (id, secret) = credentials(&reg);
    let (other_id, other_secret) = credentials(&other);
    let auth = ClientAuth::Basic(&id, &secret);
    let api = app.api();
    let token = api
        .token_ok(
            auth,
            &[
                ("grant_type", "password"),
                ("username", "mona"),
                ("password", "valid"),
                ("scope", "profile email"),
            ],
        )
        .await;
    let access = s(&token["access_token"]);
    let user_id = me(app, access, "mona").await;

    let info = api.introspect(auth, access).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["client_id"], id.as_str());
    assert_eq!(info["scope"], "profile email");
    assert_eq!(info["token_type"], "Bearer");
    assert_eq!(info["sub"], user_id.to_string());
    let exp = info["exp"].as_i64().expect("exp");
    let iat = info["iat"].as_i64().expect("iat");
    assert_eq!(exp - iat, token["expires_in"].as_i64().unwrap());
    // The refresh token is introspectable too, without a token_type.
    let info = api.introspect(auth, s(&token["refresh_token"])).await;
    assert_eq!(info["active"], true, "{info}");
    assert!(info.get("token_type").is_none(), "{info}");

    let inactive = json!({ "active": false });
    let other_auth = ClientAuth::Basic(&other_id, &other_secret);
    assert_eq!(api.introspect(other_auth, access).await, inactive);
    assert_eq!(
        api.introspect(other_auth, s(&token["refresh_token"])).await,
        inactive
    );
    assert_eq!(api.introspect(auth, "unknown-token").await, inactive);
    api.revoke(auth, access, None).await.assert_status(200);
    assert_eq!(api.introspect(auth, access).await, inactive);
    // The caller must authenticate.
    let r = api
        .post(
            "/oauth/introspect",
            ClientAuth::Basic(&id, "wrong"),
            &[("token", access)],
        )
        .await;
    r.assert_status(401);
    assert_eq!(r.json()["error"], "invalid_client");
}

/// RFC 7591 §3.2.1: 201 with `client_id`, `client_secret`,
/// `client_id_issued_at`, `client_secret_expires_at` and the metadata; the
/// client works at once.
async fn dynamic_registration_returns_201_and_the_client_works_at_once(app: &TestApp) {
    let browser = app.logged_in("nick").await;
    let r = browser
        .post_json(
            "/oauth/register",
            &json!({
                "client_name": "Registered",
                "client_uri": "https://registered.example/",
                "grant_types": ["client_credentials"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }),
        )
        .await;
    r.assert_status(201);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let reg = r.json();
    let (id, secret) = credentials(&reg);
    assert!(!id.is_empty() && secret.len() >= 32, "{reg}");
    let issued_at = reg["client_id_issued_at"].as_i64().expect("issued_at");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - issued_at).abs() < 600, "{issued_at} vs {now}");
    assert_eq!(reg["client_secret_expires_at"], 0, "0: never expires");
    assert_eq!(reg["client_name"], "Registered");
    assert_eq!(reg["client_uri"], "https://registered.example/");
    assert_eq!(reg["grant_types"], json!(["client_credentials"]));
    assert_eq!(reg["token_endpoint_auth_method"], "client_secret_basic");

    let token = app
        .api()
        .token_ok(
            ClientAuth::Basic(&id, &secret),
            &[("grant_type", "client_credentials"), ("scope", "profile")],
        )
        .await;
    assert_eq!(token["scope"], "profile");
    // It is the user's: the home page lists it.
    let cards = browser.client_cards().await;
    assert!(cards.iter().any(|c| c.client_id == id), "{cards:?}");
}

/// RFC 7591 §3: registration needs a logged-in session (contract) and a
/// JSON body (`Content-Type: application/json`, §3.1); bad metadata is 400
/// with the §3.2.2 error codes; nothing is created by a refused request.
async fn dynamic_registration_requires_session_json_and_valid_metadata(app: &TestApp) {
    let metadata = code_client_metadata("Anonymous", "client_secret_basic");
    let r = app.browser().post_json("/oauth/register", &metadata).await;
    r.assert_status(401);
    assert!(r.json()["error"].is_string());

    let browser = app.logged_in("olive").await;
    // A JSON body sent as a form or as text/plain (what a cross-site form
    // can send without a preflight) is not a registration request.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = browser
            .http
            .post(app.url("/oauth/register"))
            .header("content-type", content_type)
            .body(metadata.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(
            status == 400 || status == 415,
            "{content_type}: {status} {}",
            r.text().await.unwrap()
        );
    }
    let r = browser
        .http
        .post(app.url("/oauth/register"))
        .body(metadata.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "no Content-Type");
    assert!(
        browser.client_cards().await.is_empty(),
        "nothing registered"
    );
    // A charset parameter is still JSON.
    let r = browser
        .http
        .post(app.url("/oauth/register"))
        .header("content-type", "application/json; charset=utf-8")
        .body(metadata.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let registered: Value = r.json().await.unwrap();
    assert!(registered["client_id"].is_string(), "{registered}");
    // Bad metadata, from a user with no client yet.
    let browser = app.logged_in("olive-2").await;
    for (body, error) in [
        ("not json".to_owned(), "invalid_client_metadata"),
        ("[1, 2]".to_owned(), "invalid_client_metadata"),
        (
            json!({
                "redirect_uris": ["https://client.example/cb#frag"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            })
            .to_string(),
            "invalid_redirect_uri",
        ),
        (
            json!({
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            })
            .to_string(),
            "invalid_redirect_uri",
        ),
        (
            json!({
                "grant_types": ["urn:example:unknown"],
            })
            .to_string(),
            "invalid_client_metadata",
        ),
        (
            json!({
                "grant_types": ["client_credentials"],
                "token_endpoint_auth_method": "none",
            })
            .to_string(),
            "invalid_client_metadata",
        ),
    ] {
        let r = browser
            .http
            .post(app.url("/oauth/register"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let json: Value = r.json().await.unwrap();
        assert_eq!(json["error"], error, "{body}: {json}");
    }
    assert!(
        browser.client_cards().await.is_empty(),
        "nothing registered"
    );
}

/// RFC 9207 §2, §2.3, §3: the metadata announces the `iss` parameter, and
/// every authorization response that goes back to the client carries the
/// metadata's `issuer` as `iss`: a code, a denial, a request error, and a
/// token or denial in the fragment.
async fn rfc9207_every_authorization_response_names_the_issuer(app: &TestApp) {
    let doc = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    let issuer = s(&doc["issuer"]).to_owned();
    let (browser, reg) = user_with_client(
        app,
        "iris",
        &json!({
            "client_name": "Mix-up aware",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "implicit"],
            "response_types": ["code", "token"],
            "scope": "profile",
            "token_endpoint_auth_method": "client_secret_basic",
        }),
    )
    .await;
    let id = s(&reg["client_id"]).to_owned();
    let code_q = code_request(&id, "profile", "st");

    // Denied first: once granted, the consent is remembered and the page
    // no longer shown.
    let r = browser.answer_consent(&code_q, "no").await;
    let back = query_params(r.expect_location());
    assert_eq!(param(&back, "error"), Some("access_denied"));
    assert_eq!(param(&back, "iss"), Some(issuer.as_str()));

    let back = browser.authorize(&code_q).await;
    assert!(param(&back, "code").is_some(), "{back:?}");
    assert_eq!(param(&back, "iss"), Some(issuer.as_str()));

    let bad = query(&[
        ("response_type", "code"),
        ("client_id", &id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "admin"),
    ]);
    let r = browser.get(&format!("/oauth/authorize?{bad}")).await;
    r.assert_status(302);
    let back = query_params(r.expect_location());
    assert_eq!(param(&back, "error"), Some("invalid_scope"));
    assert_eq!(param(&back, "iss"), Some(issuer.as_str()));

    let token_q = query(&[
        ("response_type", "token"),
        ("client_id", &id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "profile"),
    ]);
    // The consent given above is remembered: the implicit request is
    // answered at once, and that answer names the issuer too.
    let r = browser.get(&format!("/oauth/authorize?{token_q}")).await;
    r.assert_status(302);
    let back = fragment_params(r.expect_location());
    assert!(param(&back, "access_token").is_some(), "{back:?}");
    assert_eq!(param(&back, "iss"), Some(issuer.as_str()));
    // And a denial of it, by another user who has granted nothing.
    let other = app.logged_in("iris-2").await;
    let r = other.answer_consent(&token_q, "no").await;
    let back = fragment_params(r.expect_location());
    assert_eq!(param(&back, "error"), Some("access_denied"), "{back:?}");
    assert_eq!(param(&back, "iss"), Some(issuer.as_str()));
}

/// RFC 8414 §3: the metadata document names this server (the base URL as
/// issuer) and its endpoints, which answer where it says.
async fn metadata_document_lists_the_endpoints_with_the_base_url(app: &TestApp) {
    let r = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await;
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    let doc = r.json();
    let base = &app.base;
    assert_eq!(doc["issuer"], base.as_str(), "{doc}");
    for (field, path) in [
        ("authorization_endpoint", "/oauth/authorize"),
        ("token_endpoint", "/oauth/token"),
        ("revocation_endpoint", "/oauth/revoke"),
        ("introspection_endpoint", "/oauth/introspect"),
        ("registration_endpoint", "/oauth/register"),
    ] {
        assert_eq!(doc[field], format!("{base}{path}"), "{field}: {doc}");
    }
    let list = |field: &str| -> Vec<String> {
        doc[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {doc}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    for grant in [
        "authorization_code",
        "client_credentials",
        "implicit",
        "password",
        "refresh_token",
    ] {
        assert!(
            list("grant_types_supported").iter().any(|g| g == grant),
            "{grant}"
        );
    }
    // OAuth 2.0's two, and OpenID Connect's (the implicit grant is on).
    assert_eq!(
        list("response_types_supported"),
        [
            "code",
            "code id_token",
            "code id_token token",
            "code token",
            "id_token",
            "id_token token",
            "token"
        ]
    );
    assert_eq!(
        list("response_modes_supported"),
        ["query", "fragment", "form_post"]
    );
    assert_eq!(list("code_challenge_methods_supported"), ["S256"]);
    for method in ["client_secret_basic", "client_secret_post", "none"] {
        assert!(
            list("token_endpoint_auth_methods_supported")
                .iter()
                .any(|m| m == method)
        );
    }

    // The endpoints answer at the advertised URLs.
    let token_endpoint = s(&doc["token_endpoint"]);
    let r = app
        .api()
        .http
        .post(token_endpoint)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert!(
        r.status() == 400 || r.status() == 401,
        "an OAuth error, not a 404: {}",
        r.status()
    );
    let error: Value = r.json().await.unwrap();
    assert_eq!(error["error"], "invalid_client");
    let r = app.browser().get(s(&doc["authorization_endpoint"])).await;
    r.assert_status(303);
}

/// RFC 7591 §5: a client name with a right-to-left override, or one of
/// 500 KB, is refused; RFC 8252 §7.3: an `http://` redirect URI to a host
/// other than loopback is refused, though the example app accepts plain
/// HTTP itself (insecure transport, for local development).
async fn rfc7591_5_and_rfc8252_7_3_registration_refuses_misleading_names_and_http_redirects(
    app: &TestApp,
) {
    let browser = app.logged_in("nina").await;
    let mut metadata = code_client_metadata("Photos \u{202e}gnp.exe", "client_secret_basic");
    let r = browser.post_json("/oauth/register", &metadata).await;
    r.assert_status(400);
    assert_eq!(r.json()["error"], "invalid_client_metadata", "{}", r.body);
    metadata["client_name"] = json!("x".repeat(500_000));
    let r = browser.post_json("/oauth/register", &metadata).await;
    r.assert_status(400);
    assert_eq!(r.json()["error"], "invalid_client_metadata", "{}", r.body);
    metadata["client_name"] = json!("Photos");
    metadata["redirect_uris"] = json!(["http://client.example/cb"]);
    let r = browser.post_json("/oauth/register", &metadata).await;
    r.assert_status(400);
    assert_eq!(r.json()["error"], "invalid_redirect_uri", "{}", r.body);
    metadata["redirect_uris"] = json!(["http://127.0.0.1:7000/cb"]);
    browser
        .post_json("/oauth/register", &metadata)
        .await
        .assert_status(201);
}

/// RFC 6750 §3.1: a request without a token is 401 with a bare `Bearer`
/// challenge and no error code.
async fn api_me_without_token_is_401_with_bearer_challenge(app: &TestApp) {
    let r = app.api().me(None).await;
    r.assert_status(401);
    let challenge = r.header("www-authenticate").expect("WWW-Authenticate");
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(!challenge.contains("error="), "§3.1: {challenge}");
    assert_eq!(r.body, "", "§3.1: no error information, so no body");
    // A session cookie is not a bearer token.
    let browser = app.logged_in("pam").await;
    let r = browser.get("/api/me").await;
    r.assert_status(401);
}

/// RFC 6750 §3.1: an unknown, malformed or non-Bearer token is 401
/// `invalid_token` with the error in the challenge.
async fn api_me_with_invalid_token_is_401_invalid_token(app: &TestApp) {
    let api = app.api();
    let r = api.me(Some("not-a-real-token")).await;
    r.assert_status(401);
    let challenge = r.header("www-authenticate").expect("WWW-Authenticate");
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(r.json()["error"], "invalid_token");
    // A token from another scheme is no bearer token.
    let r = api
        .http
        .get(app.url("/api/me"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert!(r.status() == 401 || r.status() == 400, "{}", r.status());
    assert!(
        r.headers()
            .get("www-authenticate")
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| h.starts_with("Bearer"))
    );
}

/// RFC 6750 §3.1: a valid token without the `profile` scope is 403
/// `insufficient_scope`, naming the scope needed.
async fn api_me_without_profile_scope_is_403_insufficient_scope(app: &TestApp) {
    let (_, reg) = user_with_client(app, "quincy", &password_client("Email only")).await;
    let (id, secret) = credentials(&reg);
    let token = app
        .api()
        .token_ok(
            ClientAuth::Basic(&id, &secret),
            &[
                ("grant_type", "password"),
                ("username", "quincy"),
                ("password", "valid"),
                ("scope", "email"),
            ],
        )
        .await;
    assert_eq!(token["scope"], "email");
    let r = app.api().me(Some(s(&token["access_token"]))).await;
    r.assert_status(403);
    let challenge = r.header("www-authenticate").expect("WWW-Authenticate");
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"profile\""), "{challenge}");
    assert_eq!(r.json()["error"], "insufficient_scope");
}

/// RFC 6749 §3.2 (POST only), RFC 7009 §2.1 and RFC 7662 §2.1: GET is 405
/// with `Allow: POST`.
async fn endpoints_answer_get_with_405(app: &TestApp) {
    for path in ["/oauth/token", "/oauth/revoke", "/oauth/introspect"] {
        let r = app
            .api()
            .http
            .get(app.url(&format!("{path}?grant_type=client_credentials")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{path}");
        assert_eq!(
            r.headers().get("allow").and_then(|h| h.to_str().ok()),
            Some("POST"),
            "{path}"
        );
    }
}

/// A form body over the limit (32 KiB) is refused with 413 before any
/// parsing.
async fn oversized_form_body_is_413(app: &TestApp) {
    let padding = "a".repeat(64 * 1024);
    let body = format!("grant_type=client_credentials&padding={padding}");
    for path in ["/oauth/token", "/oauth/revoke", "/oauth/introspect"] {
        let r = app
            .api()
            .http
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(r.status(), 413, "{path}");
    }
    // Just under the limit is read (and refused for what it says).
    let small = format!(
        "grant_type=client_credentials&padding={}",
        "a".repeat(16 * 1024)
    );
    let r = app
        .api()
        .http
        .post(app.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(small)
        .send()
        .await
        .unwrap();
    assert!(r.status() == 400 || r.status() == 401);
}

/// RFC 8414 §2 / RFC 7517 §5: the metadata's `jwks_uri` serves the JWK Set
/// of the signing keys, each with `kid`, `alg` and `use`, and no private
/// part; asked again, the same key (kept in the database).
async fn rfc7517_5_jwks_is_published_at_the_metadata_jwks_uri(app: &TestApp) {
    let doc = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    let jwks_uri = s(&doc["jwks_uri"]).to_owned();
    assert_eq!(jwks_uri, app.url("/oauth/jwks"));
    let reply = app.browser().get("/oauth/jwks").await;
    assert_eq!(reply.status, 200);
    // Public keys, cacheable: well under the hour a new key is published
    // before it signs.
    assert_eq!(reply.headers["cache-control"], "public, max-age=300");
    let set = reply.json();
    let keys = set["keys"].as_array().unwrap();
    // One key per algorithm the app signs with.
    let mut algs: Vec<&str> = keys.iter().map(|k| k["alg"].as_str().unwrap()).collect();
    algs.sort_unstable();
    assert_eq!(algs, ["ES256", "EdDSA", "RS256"], "{set}");
    for key in keys {
        for field in ["kid", "alg", "use", "kty"] {
            assert!(key[field].is_string(), "{field} in {set}");
        }
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.get(private).is_none(), "{private} in {set}");
        }
    }
    assert_eq!(app.browser().get("/oauth/jwks").await.json(), set);
}
