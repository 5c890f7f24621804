//! RFC 8693, Token Exchange, at the token endpoint: the request (§2.1),
//! the response (§2.2.1), the errors (§2.2.2), the `act` claim (§4.1),
//! scope only narrowed, the targets (RFC 8707) required and checked, and
//! the policy deciding which client may exchange which token.

mod common;
use common::*;

use oauth_core::jose::{JwkSet, SUPPORTED_ALGORITHMS, Verification};
use oauth_core::oauth2::rfc8693::{ACCESS_TOKEN_TYPE, Exchange, JWT_TYPE, TOKEN_EXCHANGE};
use oauth_core::{
    ClientAuthMethod, ClientMetadata, ClientRecord, Config, OAuth2Error, OAuth2Request,
};
use serde_json::{Value, json};

const API: &str = "https://api.example";
const BACKEND: &str = "https://backend.example";

fn client(id: &str, resource_server: Option<&str>, strategy: &str) -> ClientRecord {
    ClientRecord::confidential(
        id,
        SECRET,
        ClientMetadata {
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            grant_types: vec![
                "password".into(),
                "client_credentials".into(),
                TOKEN_EXCHANGE.into(),
            ],
            response_types: vec![],
            scope: Some("profile email".into()),
            resource_server: resource_server.map(str::to_owned),
            access_token_strategy: Some(strategy.into()),
            ..ClientMetadata::default()
        },
    )
}

/// `app` gets tokens for the API; `api` is the API's resource server,
/// which exchanges them for tokens for the backend; `stranger` is neither.
fn exchange_server(server: Server) -> Server {
    let storage = server.storage();
    storage.insert_client(client("app", None, "opaque"));
    storage.insert_client(client("api", Some(API), "opaque"));
    storage.insert_client(client("jwt-api", Some(API), "jwt"));
    storage.insert_client(client("stranger", None, "opaque"));
    server
}

fn config() -> Config {
    Config {
        issuer: Some("https://as.example".into()),
        resources: vec![API.into(), BACKEND.into()],
        ..Config::default()
    }
}

fn setup() -> Server {
    exchange_server(
        server_with(config())
            .0
            .with_signing_keys()
            .with_token_exchange(),
    )
}

async fn post(server: &Server, client: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic(client, SECRET))
                .with_form(form.iter().copied()),
        )
        .await;
    (r.status, r.json_body())
}

/// alice's token for the API, issued to `app`, with `scope`.
async fn user_token(server: &Server, scope: &str) -> String {
    let (status, body) = post(
        server,
        "app",
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "valid"),
            ("scope", scope),
            ("resource", API),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn introspect(server: &Server, client: &str, token: &str) -> Value {
    let r = server
        .create_introspection_response(
            &OAuth2Request::post("https://as.example/introspect")
                .with_header("Authorization", basic(client, SECRET))
                .with_form([("token", token)]),
        )
        .await;
    r.json_body()
}

fn exchange<'a>(subject: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("grant_type", TOKEN_EXCHANGE),
        ("subject_token", subject),
        ("subject_token_type", ACCESS_TOKEN_TYPE),
    ];
    form.extend_from_slice(extra);
    form
}

#[tokio::test]
async fn rfc8693_2_2_1_the_resource_server_exchanges_a_token_it_received_for_one_for_the_backend() {
    let server = setup();
    let subject = user_token(&server, "profile email").await;
    let (status, body) = post(
        &server,
        "api",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // §2.2.1: issued_token_type, and no refresh token.
    assert_eq!(body["issued_token_type"], ACCESS_TOKEN_TYPE);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("refresh_token").is_none(), "{body}");
    let new = body["access_token"].as_str().unwrap();
    assert_ne!(new, subject);
    let info = introspect(&server, "api", new).await;
    assert_eq!(info["active"], true);
    // The same user, the exchanging client, the backend only.
    assert_eq!(info["sub"], "alice");
    assert_eq!(info["client_id"], "api");
    assert_eq!(info["aud"], BACKEND);
    assert_eq!(info["scope"], "profile email");
    assert!(info.get("act").is_none(), "no actor, no act: {info}");
}

#[tokio::test]
async fn rfc8693_2_1_scope_is_only_narrowed() {
    let server = setup();
    let subject = user_token(&server, "profile").await;
    let (status, body) = post(
        &server,
        "api",
        &exchange(
            &subject,
            &[("resource", BACKEND), ("scope", "profile email")],
        ),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let subject = user_token(&server, "profile email").await;
    let (status, body) = post(
        &server,
        "api",
        &exchange(&subject, &[("resource", BACKEND), ("scope", "email")]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "email");
}

#[tokio::test]
async fn rfc8693_2_2_2_tokens_that_are_not_this_servers_active_access_tokens_are_invalid_request() {
    let server = setup();
    let subject = user_token(&server, "profile").await;
    let cases: Vec<Vec<(&str, &str)>> = vec![
        // An unknown subject token type.
        vec![
            ("grant_type", TOKEN_EXCHANGE),
            ("subject_token", &subject),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:saml2",
            ),
            ("resource", BACKEND),
        ],
        // A refresh token type.
        vec![
            ("grant_type", TOKEN_EXCHANGE),
            ("subject_token", &subject),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:refresh_token",
            ),
            ("resource", BACKEND),
        ],
        // No subject token type.
        vec![
            ("grant_type", TOKEN_EXCHANGE),
            ("subject_token", &subject),
            ("resource", BACKEND),
        ],
        // An opaque token called a JWT.
        vec![
            ("grant_type", TOKEN_EXCHANGE),
            ("subject_token", &subject),
            ("subject_token_type", JWT_TYPE),
            ("resource", BACKEND),
        ],
        // A token this server never issued.
        exchange("not-a-token", &[("resource", BACKEND)]),
        // An actor token without its type, and a type without the token.
        exchange(
            &subject,
            &[("resource", BACKEND), ("actor_token", &subject)],
        ),
        exchange(
            &subject,
            &[
                ("resource", BACKEND),
                ("actor_token_type", ACCESS_TOKEN_TYPE),
            ],
        ),
        // A requested token type this server does not issue.
        exchange(
            &subject,
            &[
                ("resource", BACKEND),
                (
                    "requested_token_type",
                    "urn:ietf:params:oauth:token-type:refresh_token",
                ),
            ],
        ),
    ];
    for form in cases {
        let (status, body) = post(&server, "api", &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{form:?}: {body}"
        );
    }
    // A revoked subject token.
    let r = server
        .create_revocation_response(
            &OAuth2Request::post("https://as.example/revoke")
                .with_header("Authorization", basic("app", SECRET))
                .with_form([("token", subject.as_str())]),
        )
        .await;
    assert_eq!(r.status, 200);
    let (status, body) = post(
        &server,
        "api",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn rfc8693_2_1_the_target_is_required_and_known() {
    let server = setup();
    let subject = user_token(&server, "profile").await;
    for extra in [
        vec![],
        vec![("resource", "https://unknown.example")],
        vec![("audience", "https://unknown.example")],
        vec![("resource", "https://backend.example/#x")],
    ] {
        let (status, body) = post(&server, "api", &exchange(&subject, &extra)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_target")),
            "{extra:?}: {body}"
        );
    }
    // `audience` names a target as `resource` does.
    let (status, body) = post(
        &server,
        "api",
        &exchange(&subject, &[("audience", BACKEND)]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn rfc8693_4_1_an_actor_token_makes_the_act_claim_in_introspection_and_jwts() {
    let server = setup();
    let subject = user_token(&server, "profile").await;
    // The API acts with a token of its own, for its own resource.
    let (_, actor) = post(
        &server,
        "jwt-api",
        &[("grant_type", "client_credentials"), ("resource", API)],
    )
    .await;
    let actor = actor["access_token"].as_str().unwrap().to_owned();
    let form = exchange(
        &subject,
        &[
            ("resource", BACKEND),
            ("actor_token", &actor),
            ("actor_token_type", JWT_TYPE),
        ],
    );
    let (status, body) = post(&server, "jwt-api", &form).await;
    assert_eq!(status, 200, "{body}");
    // The new token is a JWT for this client: act in its claims.
    let jwt = body["access_token"].as_str().unwrap();
    let jwks: JwkSet =
        serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap();
    let claims = oauth_core::jose::verify(
        jwt,
        &jwks,
        &Verification::new(&SUPPORTED_ALGORITHMS).with_typ("at+jwt"),
    )
    .expect("verifies")
    .claims;
    assert_eq!(claims["aud"], BACKEND);
    assert_eq!(claims["act"]["sub"], "jwt-api");
    let info = introspect(&server, "jwt-api", jwt).await;
    assert_eq!(
        info["act"],
        json!({"sub": "jwt-api", "client_id": "jwt-api"})
    );

    // Exchanged again with another actor token, the chain nests (§4.1):
    // the new actor first, the one before it inside.
    let (_, next_actor) = post(
        &server,
        "jwt-api",
        &[("grant_type", "client_credentials"), ("resource", API)],
    )
    .await;
    let next_actor = next_actor["access_token"].as_str().unwrap().to_owned();
    let (status, body) = post(
        &server,
        "jwt-api",
        &[
            ("grant_type", TOKEN_EXCHANGE),
            ("subject_token", jwt),
            ("subject_token_type", JWT_TYPE),
            ("resource", BACKEND),
            ("actor_token", &next_actor),
            ("actor_token_type", JWT_TYPE),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let nested = introspect(&server, "jwt-api", body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        nested["act"],
        json!({"sub": "jwt-api", "client_id": "jwt-api",
               "act": {"sub": "jwt-api", "client_id": "jwt-api"}})
    );
}

#[tokio::test]
async fn rfc8693_5_the_policy_decides_who_may_exchange_what() {
    let server = setup();
    let subject = user_token(&server, "profile").await;
    // A client that neither got the token nor serves its resource.
    let (status, body) = post(
        &server,
        "stranger",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    // The token's own client may.
    let (status, body) = post(
        &server,
        "app",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // A policy of the application's: only exchanges for the backend, and
    // never for `stranger`.
    let strict = exchange_server(server_with(config()).0.with_token_exchange_policy(
        |client_id: &str, _: &ClientMetadata, e: &Exchange| {
            if client_id == "stranger" || e.audience != [BACKEND.to_owned()] {
                return Err(OAuth2Error::invalid_request("not by this policy"));
            }
            Ok(())
        },
    ));
    let subject = user_token(&strict, "profile").await;
    let (status, _) = post(
        &strict,
        "stranger",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = post(&strict, "app", &exchange(&subject, &[("resource", API)])).await;
    assert_eq!(status, 400);
    let (status, body) = post(
        &strict,
        "app",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn rfc8693_the_exchanged_token_goes_with_its_subjects_grant() {
    let server = setup();
    let subject = user_token(&server, "profile").await;
    let (_, body) = post(
        &server,
        "api",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    let new = body["access_token"].as_str().unwrap().to_owned();
    // Revoking the subject's whole grant (as withdrawing consent does)
    // revokes what was exchanged for it.
    let grant = {
        use oauth_core::{OAuth2Storage, OAuth2Token};
        let t = server
            .storage()
            .find_access_token(&oauth_core::secrets::digest(&subject))
            .await
            .unwrap()
            .unwrap();
        let grant = t.grant_id().to_owned();
        server.storage().revoke_grant(&grant, NOW).await.unwrap();
        grant
    };
    assert!(!grant.is_empty());
    assert_eq!(introspect(&server, "api", &new).await["active"], false);
}

#[tokio::test]
async fn rfc8693_public_clients_and_unregistered_clients_cannot_exchange() {
    let server = setup();
    let subject = user_token(&server, "profile").await;
    // basic-client has not registered the grant type.
    let (status, body) = post(
        &server,
        "basic-client",
        &exchange(&subject, &[("resource", BACKEND)]),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{body}"
    );
}

#[test]
fn rfc8693_the_grant_is_in_the_metadata() {
    let server = setup();
    let doc = server.metadata("https://as.example", &oauth_core::Endpoints::under(""));
    assert!(
        doc["grant_types_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == TOKEN_EXCHANGE),
        "{doc}"
    );
}
