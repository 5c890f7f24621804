//! The authorization endpoint's extension points, used from outside the
//! crate as a site would: a response type of its own registered like a
//! grant (RFC 6749 §8.4: new response types), and a hook that sees every
//! validated request and every granted answer.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use common::*;
use oauth_core::memory::MemoryStorage;
use oauth_core::{
    AuthorizationHook, AuthorizationRequest, AuthorizationServer, ClientAuthMethod, ClientMetadata,
    ClientRecord, Config, Consent, Endpoints, OAuth2Client, OAuth2Error, Params, ResponseMode,
    ResponseType, ResponseTypeHandler, ScopeRequirement, TokenSpec,
};

/// A site's own response type: `ticket`, a short-lived access token in the
/// fragment for its kiosk clients (registered with the `implicit` grant).
struct TicketResponse;

#[async_trait]
impl ResponseTypeHandler<MemoryStorage> for TicketResponse {
    fn response_type(&self) -> ResponseType {
        ResponseType::parse("ticket").unwrap()
    }
    fn default_response_mode(&self) -> ResponseMode {
        ResponseMode::Fragment
    }
    fn grant_types(&self) -> Vec<&'static str> {
        vec!["implicit"]
    }
    fn validate(
        &self,
        _server: &AuthorizationServer<MemoryStorage>,
        params: &Params,
        request: &mut AuthorizationRequest<ClientRecord>,
    ) -> Result<(), OAuth2Error> {
        // A parameter of its own, checked at validation and kept for issue.
        let seat = params
            .single("seat")?
            .ok_or_else(|| OAuth2Error::invalid_request("a ticket needs a seat"))?;
        request.extensions.insert(Seat(seat.to_owned()));
        Ok(())
    }
    async fn issue(
        &self,
        server: &AuthorizationServer<MemoryStorage>,
        request: &AuthorizationRequest<ClientRecord>,
        login: &oauth_core::Login,
    ) -> Result<Vec<(String, String)>, OAuth2Error> {
        let issued = server
            .issue_token(TokenSpec {
                grant_type: "implicit",
                client_id: request.client.client_id(),
                user_id: Some(login.user_id.clone()),
                scope: request.scope.clone(),
                refresh_scope: None,
                grant_id: oauth_core::new_grant_id(),
                dpop_jkt: None,
                audience: Default::default(),
            })
            .await?;
        let seat = request.extensions.get::<Seat>().expect("set in validate");
        Ok(vec![
            ("ticket".into(), issued.access_token.into_secret()),
            ("seat".into(), seat.0.clone()),
        ])
    }
}

#[derive(Debug)]
struct Seat(String);

fn kiosk() -> ClientRecord {
    ClientRecord::public(
        "kiosk",
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            token_endpoint_auth_method: ClientAuthMethod::None,
            grant_types: vec!["implicit".into()],
            response_types: vec!["ticket".into()],
            scope: Some("profile".into()),
            ..ClientMetadata::default()
        },
    )
}

fn ticket_server() -> AuthorizationServer<MemoryStorage> {
    let storage = MemoryStorage::new();
    storage.insert_client(kiosk());
    for c in clients() {
        storage.insert_client(c);
    }
    AuthorizationServer::new(
        storage,
        Config {
            issuer: Some("https://as.example".into()),
            ..Config::default()
        },
    )
    .unwrap()
    .with_response_type(TicketResponse)
}

fn granted() -> Consent {
    Consent::Granted {
        user_id: "alice".into(),
    }
}

#[tokio::test]
async fn rfc6749_8_4_registered_response_type_is_served_end_to_end() {
    let server = ticket_server();
    let request = authorize_request(&[
        ("response_type", "ticket"),
        ("client_id", "kiosk"),
        ("scope", "profile"),
        ("state", "s1"),
        ("seat", "12A"),
    ]);
    let validated = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    assert_eq!(validated.response_type.as_str(), "ticket");
    assert_eq!(validated.response_mode, ResponseMode::Fragment);

    let response = server
        .create_authorization_response(&request, granted())
        .await;
    let location = response.header("Location").unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}#")), "{location}");
    let p = redirect_params(&response);
    assert_eq!(p["seat"], "12A");
    assert_eq!(p["state"], "s1");
    assert_eq!(p["iss"], "https://as.example");

    // The ticket is a real access token of the server.
    let api = oauth_core::OAuth2Request::get("https://api.example/")
        .with_header("Authorization", format!("Bearer {}", p["ticket"]));
    let token = server
        .validate_bearer(&api, &ScopeRequirement::all_of(["profile"]))
        .await
        .unwrap();
    assert_eq!(
        oauth_core::OAuth2Token::user_id(&token).as_deref(),
        Some("alice")
    );

    // RFC 8414: the metadata lists it, with its response mode.
    let doc = server.metadata("https://as.example", &Endpoints::under("/oauth"));
    let types = doc["response_types_supported"].as_array().unwrap();
    assert!(types.iter().any(|t| t == "ticket"), "{doc}");
    assert!(types.iter().any(|t| t == "code"), "{doc}");
}

#[tokio::test]
async fn rfc6749_8_4_registered_response_type_refusals_are_redirected() {
    let server = ticket_server();
    // Its own check: the error goes to the client, in its response mode.
    let response = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "ticket"),
                ("client_id", "kiosk"),
                ("state", "s2"),
            ]),
            granted(),
        )
        .await;
    let location = response.header("Location").unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}#")), "{location}");
    let p = redirect_params(&response);
    assert_eq!(p["error"], "invalid_request");
    assert_eq!(p["state"], "s2");

    // A client that did not register it may not use it (§4.1.2.1).
    let response = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "ticket"),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
                ("seat", "1"),
            ]),
            granted(),
        )
        .await;
    assert_eq!(redirect_params(&response)["error"], "unauthorized_client");

    // Without the registration the server does not know it.
    let (plain, _) = server_with(Config::default());
    let response = plain
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "ticket"),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
            ]),
            granted(),
        )
        .await;
    assert_eq!(
        redirect_params(&response)["error"],
        "unsupported_response_type"
    );
}

#[tokio::test]
async fn rfc7591_2_1_registration_checks_registered_response_types() {
    let server = ticket_server();
    let ok = server.validate_client_metadata(kiosk().metadata).unwrap();
    assert_eq!(ok.response_types, vec!["ticket".to_string()]);
    let mut without_grant = kiosk().metadata;
    without_grant.grant_types.clear();
    let e = server.validate_client_metadata(without_grant).unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_client_metadata");
}

#[test]
fn multiple_response_types_3_order_does_not_matter() {
    assert_eq!(
        ResponseType::parse("token code"),
        ResponseType::parse("code token")
    );
    assert_eq!(
        ResponseType::parse("code  token").unwrap().as_str(),
        "code token"
    );
    assert_eq!(ResponseType::parse("code code"), None);
    assert_eq!(ResponseType::parse(""), None);
}

/// A site's hook: reads `acr_values` at validation, refuses `gold` for
/// public clients, and tells the client which level it got.
#[derive(Default)]
struct AssuranceHook {
    granted: Arc<AtomicUsize>,
}

#[derive(Debug)]
struct Assurance(String);

#[async_trait]
impl AuthorizationHook<MemoryStorage> for AssuranceHook {
    async fn validated(
        &self,
        _server: &AuthorizationServer<MemoryStorage>,
        params: &Params,
        request: &mut AuthorizationRequest<ClientRecord>,
    ) -> Result<(), OAuth2Error> {
        let level = params.single("acr_values")?.unwrap_or("silver").to_owned();
        if level == "gold" && request.client.is_public() {
            return Err(OAuth2Error::access_denied(
                "gold needs a confidential client",
            ));
        }
        request.extensions.insert(Assurance(level));
        Ok(())
    }

    async fn granted(
        &self,
        _server: &AuthorizationServer<MemoryStorage>,
        request: &AuthorizationRequest<ClientRecord>,
        _login: &oauth_core::Login,
        params: &mut Vec<(String, String)>,
    ) -> Result<(), OAuth2Error> {
        let level = request
            .extensions
            .get::<Assurance>()
            .expect("set in validated");
        params.push(("acr".into(), level.0.clone()));
        self.granted.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

fn hooked_server() -> (AuthorizationServer<MemoryStorage>, Arc<AtomicUsize>) {
    let (server, _) = server_with(Config {
        issuer: Some("https://as.example".into()),
        ..Config::default()
    });
    let hook = AssuranceHook::default();
    let count = hook.granted.clone();
    (server.with_authorization_hook(hook), count)
}

#[tokio::test]
async fn authorization_hook_extends_the_code_flow_end_to_end() {
    let (server, granted_count) = hooked_server();
    let request = authorize_request(&[
        ("response_type", "code"),
        ("client_id", "basic-client"),
        ("redirect_uri", REDIRECT),
        ("state", "s3"),
        ("acr_values", "gold"),
    ]);
    let validated = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    assert_eq!(validated.extensions.get::<Assurance>().unwrap().0, "gold");

    let response = server
        .create_authorization_response(&request, granted())
        .await;
    let p = redirect_params(&response);
    assert_eq!(p["acr"], "gold");
    assert_eq!(p["state"], "s3");
    assert_eq!(granted_count.load(Ordering::SeqCst), 1);

    // The code it added to still redeems.
    let token = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &p["code"]),
            ("redirect_uri", REDIRECT),
        ]))
        .await;
    assert_eq!(token.status, 200, "{}", token.body);
}

#[tokio::test]
async fn authorization_hook_refusal_is_redirected_with_state_and_iss_and_issues_nothing() {
    let (server, granted_count) = hooked_server();
    let response = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "public-client"),
                ("redirect_uri", REDIRECT),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("state", "s4"),
                ("acr_values", "gold"),
            ]),
            granted(),
        )
        .await;
    let p = redirect_params(&response);
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["state"], "s4");
    assert_eq!(p["iss"], "https://as.example");
    assert!(!p.contains_key("code"));
    assert_eq!(granted_count.load(Ordering::SeqCst), 0);

    // Denied consent never reaches `granted`.
    let response = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
            ]),
            Consent::Denied,
        )
        .await;
    assert_eq!(redirect_params(&response)["error"], "access_denied");
    assert_eq!(granted_count.load(Ordering::SeqCst), 0);
}
