//! The Authorization Code Flow of OpenID Connect Core 1.0 §3.1 on the
//! engine: the authentication request's parameters (§3.1.2.1: `prompt`,
//! `max_age`, `id_token_hint`, `claims`, `nonce`), the errors of
//! §3.1.2.6 that `prompt=none` turns pages into, the ID token from the
//! token endpoint (§3.1.3.3, §3.1.3.6) and after a refresh (§12.2).

mod common;

use std::collections::HashMap;

use common::*;
use oauth_core::jose::{self, JwkSet, SUPPORTED_ALGORITHMS, Verification};
use oauth_core::oidc::{IdTokenClaims, Interaction, token_hash};
use oauth_core::{
    AuthorizationRequest, ClientAuthMethod, ClientMetadata, ClientRecord, Config, Consent, Login,
    OAuth2Storage, secrets,
};
use serde_json::Value;

const ISSUER: &str = "https://as.example";
const RP: &str = "rp";

/// A server with OpenID Connect, its issuer set, and the relying party
/// `rp` (confidential, code + refresh, scope `openid profile email`).
fn oidc_server() -> (Server, std::sync::Arc<oauth_core::ManualClock>) {
    let (server, clock) = server_with(Config {
        issuer: Some(ISSUER.into()),
        ..Config::default()
    });
    server.storage().insert_client(ClientRecord::confidential(
        RP,
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            scope: Some("openid profile email".into()),
            ..ClientMetadata::default()
        },
    ));
    (server.with_openid_connect(), clock)
}

/// The request's parameters, `extra` replacing those of the same name.
fn auth_params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", RP),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "af0ifjsldkj"),
        ("nonce", "n-0S6_WzA2Mj"),
    ];
    p.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    p.extend_from_slice(extra);
    p
}

async fn validated(
    server: &Server,
    extra: &[(&str, &str)],
) -> Result<AuthorizationRequest<ClientRecord>, oauth_core::AuthorizationError> {
    server
        .validate_authorization_request(&authorize_request(&auth_params(extra)))
        .await
}

/// The error sent back to the client's redirect URI.
async fn redirected_error(server: &Server, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let err = validated(server, extra).await.expect_err("refused");
    assert!(err.is_redirect(), "{err:?}");
    let params = redirect_params(&err.to_response(server.config()));
    assert_eq!(params["state"], "af0ifjsldkj");
    params
}

fn rp_token_request(form: &[(&str, &str)]) -> oauth_core::OAuth2Request {
    oauth_core::OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic(RP, SECRET))
        .with_form(form.iter().copied())
}

async fn code_for(server: &Server, extra: &[(&str, &str)], consent: Consent) -> String {
    let response = server
        .create_authorization_response(&authorize_request(&auth_params(extra)), consent)
        .await;
    let p = redirect_params(&response);
    p.get("code")
        .unwrap_or_else(|| panic!("no code in {response:?}"))
        .clone()
}

async fn exchange(server: &Server, code: &str) -> Value {
    let r = server
        .create_token_response(&rp_token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

async fn verify_id_token(server: &Server, id_token: &str) -> Value {
    let jwks: JwkSet =
        serde_json::from_value(server.create_jwks_response().await.json_body()).expect("JWK Set");
    jose::verify(id_token, &jwks, &Verification::new(&SUPPORTED_ALGORITHMS))
        .expect("the ID token verifies with the published keys")
        .claims
}

const LOGGED_IN_AT: i64 = NOW - 120;

fn alice() -> Login {
    Login::new("alice", LOGGED_IN_AT)
}

#[tokio::test]
async fn oidc_core_3_1_3_3_token_response_has_an_id_token_with_every_required_claim() {
    let (server, _) = oidc_server();
    let code = code_for(&server, &[], Consent::LoggedIn(alice().with_amr(["pwd"]))).await;
    let body = exchange(&server, &code).await;
    let id_token = body["id_token"].as_str().expect("id_token");
    let claims = verify_id_token(&server, id_token).await;
    // §2: iss, sub, aud, exp, iat; auth_time (the login, not the code);
    // the nonce of the request (§3.1.2.1); at_hash for the access token
    // with the hash of the key's algorithm (§3.1.3.6).
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["aud"], RP);
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["exp"], NOW + server.config().lifetimes.id_token);
    assert_eq!(claims["auth_time"], LOGGED_IN_AT);
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["amr"], serde_json::json!(["pwd"]));
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    let at = body["access_token"].as_str().unwrap();
    assert_eq!(claims["at_hash"], token_hash(header.alg, at));
}

#[tokio::test]
async fn oidc_core_3_1_2_1_no_nonce_sent_no_nonce_in_the_id_token() {
    let (server, _) = oidc_server();
    let params: Vec<(&str, &str)> = auth_params(&[])
        .into_iter()
        .filter(|(k, _)| *k != "nonce")
        .collect();
    let response = server
        .create_authorization_response(&authorize_request(&params), Consent::LoggedIn(alice()))
        .await;
    let code = redirect_params(&response)["code"].clone();
    let body = exchange(&server, &code).await;
    let claims = verify_id_token(&server, body["id_token"].as_str().unwrap()).await;
    assert!(claims.get("nonce").is_none(), "{claims}");
}

#[tokio::test]
async fn oidc_core_3_1_2_1_without_the_openid_scope_there_is_no_id_token() {
    let (server, _) = oidc_server();
    let code = code_for(&server, &[("scope", "profile")], Consent::LoggedIn(alice())).await;
    let body = exchange(&server, &code).await;
    assert!(body.get("id_token").is_none(), "{body}");
    // Nor is the login kept for it.
    let token = server
        .storage()
        .find_access_token(&secrets::digest(body["access_token"].as_str().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.token.authentication, None);
}

#[tokio::test]
async fn oidc_core_12_2_refresh_id_token_keeps_iss_sub_aud_and_auth_time_without_nonce() {
    let (server, clock) = oidc_server();
    let code = code_for(&server, &[], Consent::LoggedIn(alice())).await;
    let first = exchange(&server, &code).await;
    let original = verify_id_token(&server, first["id_token"].as_str().unwrap()).await;
    clock.advance(600);
    let r = server
        .create_token_response(&rp_token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.json_body();
    let refreshed = verify_id_token(&server, body["id_token"].as_str().expect("id_token")).await;
    for same in ["iss", "sub", "aud", "auth_time"] {
        assert_eq!(refreshed[same], original[same], "{same}");
    }
    assert_eq!(refreshed["auth_time"], LOGGED_IN_AT);
    assert_eq!(refreshed["iat"], NOW + 600);
    assert!(refreshed.get("nonce").is_none(), "{refreshed}");
    let header = jsonwebtoken::decode_header(body["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(
        refreshed["at_hash"],
        token_hash(header.alg, body["access_token"].as_str().unwrap())
    );
    // And again from the rotated refresh token: the login is carried on.
    let r = server
        .create_token_response(&rp_token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ]))
        .await;
    let again = verify_id_token(&server, r.json_body()["id_token"].as_str().unwrap()).await;
    assert_eq!(again["auth_time"], LOGGED_IN_AT);
}

#[tokio::test]
async fn oidc_core_3_1_2_1_prompt_none_logged_out_is_login_required() {
    let (server, _) = oidc_server();
    let request = validated(&server, &[("prompt", "none")]).await.unwrap();
    let error = request.interaction(None, NOW, true).unwrap_err();
    assert_eq!(error.code.as_str(), "login_required");
    let params = redirect_params(&request.refusal(error).to_response(server.config()));
    assert_eq!(params["error"], "login_required");
    assert_eq!(params["state"], "af0ifjsldkj");
    assert_eq!(params["iss"], ISSUER);
}

#[tokio::test]
async fn oidc_core_3_1_2_1_prompt_none_without_consent_is_consent_required() {
    let (server, _) = oidc_server();
    let request = validated(&server, &[("prompt", "none")]).await.unwrap();
    let error = request.interaction(Some(&alice()), NOW, false).unwrap_err();
    assert_eq!(error.code.as_str(), "consent_required");
    // With the consent on record, nothing is shown and the answer is given.
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Grant
    );
}

#[tokio::test]
async fn oidc_core_3_1_2_1_prompt_none_with_another_value_is_invalid_request() {
    let (server, _) = oidc_server();
    let params = redirected_error(&server, &[("prompt", "none login")]).await;
    assert_eq!(params["error"], "invalid_request");
    let params = redirected_error(&server, &[("prompt", "consent none")]).await;
    assert_eq!(params["error"], "invalid_request");
}

#[tokio::test]
async fn oidc_core_3_1_2_1_unknown_prompt_value_is_invalid_request() {
    let (server, _) = oidc_server();
    let params = redirected_error(&server, &[("prompt", "create")]).await;
    assert_eq!(params["error"], "invalid_request");
}

#[tokio::test]
async fn oidc_core_3_1_2_1_prompt_login_asks_for_a_login_even_with_a_session() {
    let (server, _) = oidc_server();
    let request = validated(&server, &[("prompt", "login consent")])
        .await
        .unwrap();
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Login
    );
    // The login page comes back without prompt=login, keeping the rest.
    let back = request.query_after_login().unwrap();
    let params: HashMap<String, String> = form_urlencoded::parse(back.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(params["prompt"], "consent");
    assert_eq!(params["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(params["state"], "af0ifjsldkj");
    let request = server
        .validate_authorization_request(&authorize_request(
            &params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        ))
        .await
        .unwrap();
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Consent
    );
}

#[tokio::test]
async fn oidc_core_3_1_2_1_prompt_consent_shows_the_page_even_if_consent_is_remembered() {
    let (server, _) = oidc_server();
    let request = validated(&server, &[("prompt", "consent")]).await.unwrap();
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Consent
    );
    let plain = validated(&server, &[]).await.unwrap();
    assert_eq!(
        plain.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Grant
    );
    assert_eq!(
        plain.interaction(None, NOW, true).unwrap(),
        Interaction::Login
    );
}

#[tokio::test]
async fn oidc_core_3_1_2_1_max_age_exceeded_must_log_in_again() {
    let (server, _) = oidc_server();
    // Logged in 120 s ago.
    let request = validated(&server, &[("max_age", "60")]).await.unwrap();
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Login
    );
    let request = validated(&server, &[("max_age", "120")]).await.unwrap();
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Grant
    );
    // A login of unknown time is never recent enough.
    let request = validated(&server, &[("max_age", "3600")]).await.unwrap();
    assert_eq!(
        request
            .interaction(Some(&Login::user("alice")), NOW, true)
            .unwrap(),
        Interaction::Login
    );
    // With prompt=none that is login_required.
    let request = validated(&server, &[("max_age", "60"), ("prompt", "none")])
        .await
        .unwrap();
    let error = request.interaction(Some(&alice()), NOW, true).unwrap_err();
    assert_eq!(error.code.as_str(), "login_required");
    // The login page comes back without the max_age it satisfies.
    assert!(!request.query_after_login().unwrap().contains("max_age"));
}

#[tokio::test]
async fn oidc_core_3_1_2_1_max_age_puts_auth_time_in_the_id_token_or_refuses_the_grant() {
    let (server, _) = oidc_server();
    let code = code_for(&server, &[("max_age", "600")], Consent::LoggedIn(alice())).await;
    let body = exchange(&server, &code).await;
    let claims = verify_id_token(&server, body["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["auth_time"], LOGGED_IN_AT);
    // A grant that does not say when the user logged in cannot give the
    // auth_time max_age requires: refused, and no code is issued.
    let response = server
        .create_authorization_response(
            &authorize_request(&auth_params(&[("max_age", "600")])),
            Consent::Granted {
                user_id: "alice".into(),
            },
        )
        .await;
    let params = redirect_params(&response);
    assert_eq!(params["error"], "login_required");
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn oidc_core_3_1_2_1_max_age_must_be_a_non_negative_integer() {
    let (server, _) = oidc_server();
    // (An empty value is an omitted parameter, RFC 6749 §3.1.)
    for bad in ["-1", "ten", "1.5", "+5", " 5", "99999999999999999999"] {
        let params = redirected_error(&server, &[("max_age", bad)]).await;
        assert_eq!(params["error"], "invalid_request", "max_age={bad:?}");
    }
    let params = redirected_error(&server, &[("max_age", "1"), ("max_age", "2")]).await;
    assert_eq!(params["error"], "invalid_request");
}

/// An ID token this server signs for `sub` and `aud`.
async fn hint(server: &Server, sub: &str, aud: &str) -> String {
    let claims = IdTokenClaims::new(ISSUER, sub, aud, NOW - 7200, 300);
    server.sign_id_token(claims, None, None).await.unwrap()
}

#[tokio::test]
async fn oidc_core_3_1_2_1_id_token_hint_of_another_user_asks_for_a_login() {
    let (server, _) = oidc_server();
    // An expired hint is still a hint (§3.1.2.1).
    let bob = hint(&server, "bob", RP).await;
    let request = validated(&server, &[("id_token_hint", &bob)])
        .await
        .unwrap();
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Login
    );
    let none = validated(&server, &[("id_token_hint", &bob), ("prompt", "none")])
        .await
        .unwrap();
    let error = none.interaction(Some(&alice()), NOW, true).unwrap_err();
    assert_eq!(error.code.as_str(), "login_required");
    // The user it names goes through; nobody else may grant.
    let own = hint(&server, "alice", RP).await;
    let request = validated(&server, &[("id_token_hint", &own)])
        .await
        .unwrap();
    assert_eq!(
        request.interaction(Some(&alice()), NOW, true).unwrap(),
        Interaction::Grant
    );
    let response = server
        .complete_authorization(
            &validated(&server, &[("id_token_hint", &bob)])
                .await
                .unwrap(),
            Consent::LoggedIn(alice()),
        )
        .await;
    assert_eq!(redirect_params(&response)["error"], "login_required");
}

#[tokio::test]
async fn oidc_core_3_1_2_1_id_token_hint_not_issued_here_for_this_client_is_invalid_request() {
    let (server, _) = oidc_server();
    let other_client = hint(&server, "alice", "someone-else").await;
    let (elsewhere, _) = oidc_server();
    let foreign = hint(&elsewhere, "alice", RP).await;
    let own = hint(&server, "alice", RP).await;
    let mut parts: Vec<&str> = own.split('.').collect();
    let forged_payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"iss":"https://as.example","sub":"bob","aud":"rp","exp":1,"iat":1}"#,
    );
    parts[1] = &forged_payload;
    let tampered = parts.join(".");
    for bad in [other_client.as_str(), &foreign, &tampered, "not-a-jwt"] {
        let params = redirected_error(&server, &[("id_token_hint", bad)]).await;
        assert_eq!(params["error"], "invalid_request");
    }
}

#[tokio::test]
async fn oidc_core_5_5_malformed_claims_parameter_is_invalid_request() {
    let (server, _) = oidc_server();
    let params = redirected_error(&server, &[("claims", "{not json")]).await;
    assert_eq!(params["error"], "invalid_request");
}

#[tokio::test]
async fn oidc_core_6_request_uris_to_fetch_are_refused_with_their_error_code() {
    // Request objects by value are RFC 9101's (rfc9101_request_objects.rs);
    // a request_uri that is not a pushed request's is never fetched.
    let (server, _) = oidc_server();
    let params = redirected_error(&server, &[("request_uri", "https://rp.example/r")]).await;
    assert_eq!(params["error"], "request_uri_not_supported");
}

#[tokio::test]
async fn oidc_core_3_1_2_1_a_request_without_openid_is_plain_oauth() {
    let (server, _) = oidc_server();
    // prompt and max_age mean nothing to OAuth 2.0: no OpenID checks.
    let request = validated(&server, &[("scope", "profile"), ("prompt", "bogus")])
        .await
        .unwrap();
    assert!(request.oidc().is_none());
    assert_eq!(
        request.interaction(Some(&alice()), NOW, false).unwrap(),
        Interaction::Consent
    );
}

#[tokio::test]
async fn the_code_keeps_the_login_the_nonce_and_the_claims_asked_for() {
    let (server, _) = oidc_server();
    let claims = r#"{"userinfo":{"email":{"essential":true}}}"#;
    let code = code_for(
        &server,
        &[("claims", claims)],
        Consent::LoggedIn(alice().with_acr("urn:example:loa:2")),
    )
    .await;
    let stored = server
        .storage()
        .take_authorization_code(&secrets::digest(&code))
        .await
        .unwrap()
        .unwrap();
    let context = stored.authentication.expect("kept for an openid request");
    assert_eq!(context.auth_time, Some(LOGGED_IN_AT));
    assert_eq!(context.acr.as_deref(), Some("urn:example:loa:2"));
    assert_eq!(context.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
    assert!(context.claims.unwrap().userinfo.contains_key("email"));
}
