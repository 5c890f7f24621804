//! Grants on the engine: what a user granted a client is recorded at the
//! authorization endpoint, remembered for the consent page (never for a
//! public client, RFC 6749 §10.2; never with `prompt=consent`, OpenID
//! Connect Core §3.1.2.1), listed, and withdrawn with every token issued
//! under it.

mod common;

use common::*;
use oauth_core::config::ConsentSettings;
use oauth_core::consent::{GrantStorage, OAuth2Grant, RememberedConsent};
use oauth_core::oidc::Interaction;
use oauth_core::{
    AuthorizationRequest, ClientAuthMethod, ClientMetadata, ClientRecord, Config, Consent, Login,
    ScopeRequirement,
};

/// A server that records grants, with the relying party `rp`
/// (confidential, scope `openid profile email`) beside the test clients.
fn grants_server(config: Config) -> (Server, std::sync::Arc<oauth_core::ManualClock>) {
    let (server, clock) = server_with(Config {
        issuer: Some("https://as.example".into()),
        ..config
    });
    server.storage().insert_client(ClientRecord::confidential(
        "rp",
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            scope: Some("openid profile email".into()),
            ..ClientMetadata::default()
        },
    ));
    (server.with_openid_connect().with_grants(), clock)
}

async fn request(server: &Server, client: &str, scope: &str) -> AuthorizationRequest<ClientRecord> {
    request_with(server, client, scope, &[]).await
}

async fn request_with(
    server: &Server,
    client: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> AuthorizationRequest<ClientRecord> {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "st"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    server
        .validate_authorization_request(&authorize_request(&params))
        .await
        .expect("valid request")
}

/// `user` grants `client` the `scope` at the authorization endpoint; the
/// code from the redirect.
async fn grant(server: &Server, user: &str, client: &str, scope: &str) -> String {
    let req = request(server, client, scope).await;
    let response = server
        .complete_authorization(&req, Consent::LoggedIn(Login::new(user, NOW)))
        .await;
    redirect_params(&response)["code"].clone()
}

/// Tokens for `user` and `client` through the code flow.
async fn tokens(server: &Server, user: &str, client: &str, scope: &str) -> serde_json::Value {
    let code = grant(server, user, client, scope).await;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let request = if client == "public-client" {
        form.push(("client_id", "public-client"));
        post("https://as.example/token", &form)
    } else {
        oauth_core::OAuth2Request::post("https://as.example/token")
            .with_header("Authorization", basic(client, SECRET))
            .with_form(form.iter().copied())
    };
    let response = server.create_token_response(&request).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json_body()
}

async fn remembered(server: &Server, user: &str, client: &str, scope: &str) -> RememberedConsent {
    let req = request(server, client, scope).await;
    server.remembered_consent(&req, user).await.unwrap()
}

async fn access_works(server: &Server, access: &serde_json::Value) -> bool {
    let token = access["access_token"].as_str().unwrap();
    server
        .validate_bearer(
            &oauth_core::OAuth2Request::get("https://api.example/r")
                .with_header("Authorization", format!("Bearer {token}")),
            &ScopeRequirement::None,
        )
        .await
        .is_ok()
}

async fn refresh_status(server: &Server, client: &str, tokens: &serde_json::Value) -> u16 {
    let request = oauth_core::OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic(client, SECRET))
        .with_form([
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ]);
    server.create_token_response(&request).await.status
}

#[tokio::test]
async fn nothing_is_remembered_before_a_grant_and_a_denial_records_none() {
    let (server, _) = grants_server(Config::default());
    assert_eq!(
        remembered(&server, "alice", "basic-client", "profile").await,
        RememberedConsent::No
    );
    let req = request(&server, "basic-client", "profile").await;
    server.complete_authorization(&req, Consent::Denied).await;
    assert!(server.grants_of("alice").await.unwrap().is_empty());
    assert_eq!(
        remembered(&server, "alice", "basic-client", "profile").await,
        RememberedConsent::No
    );
}

#[tokio::test]
async fn a_grant_is_remembered_for_the_same_scopes_and_for_fewer() {
    let (server, _) = grants_server(Config::default());
    grant(&server, "alice", "basic-client", "profile email").await;
    assert_eq!(
        remembered(&server, "alice", "basic-client", "profile email").await,
        RememberedConsent::Covered { since: NOW }
    );
    assert!(
        remembered(&server, "alice", "basic-client", "email")
            .await
            .covers()
    );
    // Another user, another client: nothing.
    assert_eq!(
        remembered(&server, "bob", "basic-client", "profile").await,
        RememberedConsent::No
    );
    assert_eq!(
        remembered(&server, "alice", "multi-client", "profile").await,
        RememberedConsent::No
    );
    // And the covered request needs no page.
    let req = request(&server, "basic-client", "profile").await;
    assert_eq!(
        req.interaction(Some(&Login::new("alice", NOW)), NOW, true)
            .unwrap(),
        Interaction::Grant
    );
}

#[tokio::test]
async fn new_scopes_are_asked_for_alone_and_then_added_to_the_grant() {
    let (server, clock) = grants_server(Config::default());
    grant(&server, "alice", "basic-client", "profile").await;
    match remembered(&server, "alice", "basic-client", "profile admin").await {
        RememberedConsent::Partly {
            granted,
            new_scopes,
            new_claims,
        } => {
            assert_eq!(granted.to_string(), "profile");
            assert_eq!(new_scopes.to_string(), "admin");
            assert!(new_claims.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // Granting the larger request adds to the grant, keeping its start.
    clock.advance(60);
    grant(&server, "alice", "basic-client", "profile admin").await;
    let grants = server.grants_of("alice").await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].scope().to_string(), "profile admin");
    assert_eq!(grants[0].granted_at(), NOW);
    assert_eq!(grants[0].updated_at(), NOW + 60);
    // A later, narrower grant does not take scopes away.
    grant(&server, "alice", "basic-client", "email").await;
    let grant = server
        .storage()
        .find_grant("alice", "basic-client")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grant.scope().to_string(), "profile admin email");
    assert!(
        remembered(&server, "alice", "basic-client", "admin email profile")
            .await
            .covers()
    );
}

#[tokio::test]
async fn oidc_core_3_1_2_1_prompt_consent_is_never_remembered() {
    // §3.1.2.1: "consent: The Authorization Server SHOULD prompt the
    // End-User for consent before returning information to the Client."
    let (server, _) = grants_server(Config::default());
    grant(&server, "alice", "rp", "openid profile").await;
    assert!(
        remembered(&server, "alice", "rp", "openid profile")
            .await
            .covers()
    );
    let req = request_with(&server, "rp", "openid profile", &[("prompt", "consent")]).await;
    let remembered = server.remembered_consent(&req, "alice").await.unwrap();
    assert_eq!(remembered, RememberedConsent::No);
    assert_eq!(
        req.interaction(Some(&Login::new("alice", NOW)), NOW, remembered.covers())
            .unwrap(),
        Interaction::Consent
    );
}

#[tokio::test]
async fn oidc_core_5_5_claims_asked_for_by_name_are_part_of_the_grant() {
    let (server, _) = grants_server(Config::default());
    let email = r#"{"userinfo":{"email":null}}"#;
    let phone = r#"{"userinfo":{"phone_number":null},"id_token":{"email":null}}"#;
    let req = request_with(&server, "rp", "openid", &[("claims", email)]).await;
    server
        .complete_authorization(&req, Consent::LoggedIn(Login::new("alice", NOW)))
        .await;
    let again = request_with(&server, "rp", "openid", &[("claims", email)]).await;
    assert!(
        server
            .remembered_consent(&again, "alice")
            .await
            .unwrap()
            .covers()
    );
    let more = request_with(&server, "rp", "openid", &[("claims", phone)]).await;
    match server.remembered_consent(&more, "alice").await.unwrap() {
        RememberedConsent::Partly {
            new_scopes,
            new_claims,
            ..
        } => {
            assert!(new_scopes.is_empty());
            assert_eq!(new_claims.to_string(), "phone_number");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rfc6749_10_2_public_clients_are_not_remembered_unless_the_site_opts_in() {
    // §10.2: "The authorization server SHOULD NOT process repeated
    // authorization requests automatically (without active resource owner
    // interaction) without authenticating the client or relying on other
    // measures to ensure that the repeated request comes from the original
    // client and not an impersonator."
    let (server, _) = grants_server(Config::default());
    grant(&server, "alice", "public-client", "profile").await;
    assert_eq!(
        server.grants_of("alice").await.unwrap().len(),
        1,
        "recorded"
    );
    assert_eq!(
        remembered(&server, "alice", "public-client", "profile").await,
        RememberedConsent::No
    );

    let (opted_in, _) = grants_server(Config {
        consent: ConsentSettings {
            remember_public_clients: true,
            ..ConsentSettings::default()
        },
        ..Config::default()
    });
    grant(&opted_in, "alice", "public-client", "profile").await;
    assert!(
        remembered(&opted_in, "alice", "public-client", "profile")
            .await
            .covers()
    );
}

#[tokio::test]
async fn consent_is_remembered_for_remember_for_seconds() {
    let (server, clock) = grants_server(Config {
        consent: ConsentSettings {
            remember_for: Some(3600),
            ..ConsentSettings::default()
        },
        ..Config::default()
    });
    grant(&server, "alice", "basic-client", "profile").await;
    clock.advance(3599);
    assert!(
        remembered(&server, "alice", "basic-client", "profile")
            .await
            .covers()
    );
    clock.advance(1);
    assert_eq!(
        remembered(&server, "alice", "basic-client", "profile").await,
        RememberedConsent::No
    );
    assert!(
        Config {
            consent: ConsentSettings {
                remember_for: Some(0),
                ..ConsentSettings::default()
            },
            ..Config::default()
        }
        .validate()
        .is_err()
    );
}

#[tokio::test]
async fn revoking_a_grant_revokes_its_tokens_and_nothing_else() {
    let (server, _) = grants_server(Config::default());
    let alice_basic = tokens(&server, "alice", "basic-client", "profile").await;
    let alice_basic_2 = tokens(&server, "alice", "basic-client", "email").await;
    let alice_multi = tokens(&server, "alice", "multi-client", "profile").await;
    let bob_basic = tokens(&server, "bob", "basic-client", "profile").await;
    // A code granted but not redeemed yet.
    let pending = grant(&server, "alice", "basic-client", "profile").await;

    let withdrawn = server
        .revoke_grant_of("alice", "basic-client")
        .await
        .unwrap();
    assert_eq!(withdrawn.grants, 1);
    assert_eq!(withdrawn.tokens, 4, "two access and two refresh tokens");
    assert_eq!(withdrawn.codes, 1);

    for t in [&alice_basic, &alice_basic_2] {
        assert!(!access_works(&server, t).await);
        assert_eq!(refresh_status(&server, "basic-client", t).await, 400);
    }
    for (client, t) in [("multi-client", &alice_multi), ("basic-client", &bob_basic)] {
        assert!(access_works(&server, t).await, "{client}");
    }
    assert_eq!(
        refresh_status(&server, "multi-client", &alice_multi).await,
        200
    );
    // The code granted before cannot be redeemed after.
    let redeem = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &pending),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ]))
        .await;
    assert_eq!(redeem.json_body()["error"], "invalid_grant");
    // The grant is forgotten: the next request asks again.
    assert_eq!(
        remembered(&server, "alice", "basic-client", "profile").await,
        RememberedConsent::No
    );
    let left: Vec<String> = server
        .grants_of("alice")
        .await
        .unwrap()
        .iter()
        .map(|g| g.client_id().to_owned())
        .collect();
    assert_eq!(left, ["multi-client"]);
    assert!(server.grants_of("bob").await.unwrap().len() == 1);
}

#[tokio::test]
async fn revoking_every_grant_of_a_client_revokes_all_its_tokens() {
    let (server, _) = grants_server(Config::default());
    let alice = tokens(&server, "alice", "basic-client", "profile").await;
    let bob = tokens(&server, "bob", "basic-client", "profile").await;
    let other = tokens(&server, "alice", "multi-client", "profile").await;
    let own = server
        .create_token_response(&token_request(&[("grant_type", "client_credentials")]))
        .await
        .json_body();

    let withdrawn = server.revoke_client_grants("basic-client").await.unwrap();
    assert_eq!(withdrawn.grants, 2);
    for t in [&alice, &bob, &own] {
        assert!(!access_works(&server, t).await, "{t}");
    }
    assert!(access_works(&server, &other).await);
    assert_eq!(server.grants_of("alice").await.unwrap().len(), 1);
}

#[tokio::test]
async fn forgetting_a_user_deletes_its_grants_tokens_and_codes() {
    let (server, _) = grants_server(Config::default());
    let alice = tokens(&server, "alice", "basic-client", "profile").await;
    let bob = tokens(&server, "bob", "basic-client", "profile").await;
    grant(&server, "alice", "multi-client", "profile").await;
    let before = server.storage().token_count();

    let forgotten = server.forget_user("alice").await.unwrap();
    assert_eq!(forgotten.grants, 2);
    assert_eq!(forgotten.tokens, 1);
    assert_eq!(forgotten.codes, 1);
    assert_eq!(server.storage().token_count(), before - 1);
    assert!(!access_works(&server, &alice).await);
    assert!(access_works(&server, &bob).await);
    assert_eq!(refresh_status(&server, "basic-client", &bob).await, 200);
    assert!(server.grants_of("alice").await.unwrap().is_empty());
}

#[tokio::test]
async fn grants_expire_for_housekeeping_only_after_their_tokens_can() {
    let (server, _) = grants_server(Config::default());
    // 90 days of remembering, 90 days of absolute refresh lifetime, access
    // tokens of up to 10 days: the larger wins.
    assert_eq!(server.grant_expiry(), Some(NOW - 7_776_000));
    grant(&server, "alice", "basic-client", "profile").await;
    let storage = server.storage();
    assert_eq!(storage.delete_grants_before(NOW).await.unwrap(), 0);
    assert_eq!(storage.delete_grants_before(NOW + 1).await.unwrap(), 1);

    let (forever, _) = grants_server(Config {
        consent: ConsentSettings {
            remember_for: None,
            ..ConsentSettings::default()
        },
        ..Config::default()
    });
    assert_eq!(forever.grant_expiry(), None);
}

#[tokio::test]
async fn a_grant_given_elsewhere_is_recorded_and_merged_like_the_others() {
    // The device flow's verification page, or a site's own consent screen.
    let (server, _) = grants_server(Config::default());
    server
        .record_grant(
            "alice",
            "basic-client",
            &oauth_core::Scope::from_stored("email"),
        )
        .await
        .unwrap();
    grant(&server, "alice", "basic-client", "profile").await;
    let grants = server.grants_of("alice").await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].scope().to_string(), "email profile");
    assert!(
        remembered(&server, "alice", "basic-client", "profile email")
            .await
            .covers()
    );
}
