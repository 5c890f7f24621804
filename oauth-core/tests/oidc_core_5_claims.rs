//! Claims about the user (OpenID Connect Core 1.0 §5): the claims each
//! scope requests (§5.4), the `claims` request parameter (§5.5), and what
//! is released by both.

use oauth_core::oidc::{ClaimsRequest, claims_of_scope, release_claims};
use oauth_core::{ErrorCode, Scope};
use serde_json::{Map, Value, json};

fn alice() -> Map<String, Value> {
    let Value::Object(m) = json!({
        "name": "Alice Liddell",
        "preferred_username": "alice",
        "email": "alice@example.test",
        "email_verified": false,
        "phone_number": "+1 555 0100",
        "address": {"country": "GB"},
        "picture": null,
        "sub": "someone-else",
    }) else {
        unreachable!()
    };
    m
}

fn scope(s: &str) -> Scope {
    Scope::parse(s).unwrap()
}

#[test]
fn oidc_core_5_4_each_scope_requests_its_standard_claims() {
    assert!(claims_of_scope("profile").contains(&"preferred_username"));
    assert!(claims_of_scope("profile").contains(&"updated_at"));
    assert_eq!(claims_of_scope("email"), ["email", "email_verified"]);
    assert_eq!(claims_of_scope("address"), ["address"]);
    assert_eq!(
        claims_of_scope("phone"),
        ["phone_number", "phone_number_verified"]
    );
    assert!(claims_of_scope("openid").is_empty());
    assert!(claims_of_scope("api:read").is_empty());
}

#[test]
fn oidc_core_5_3_2_sub_is_always_released_and_never_the_sites_own_value() {
    let out = release_claims("42", &alice(), &scope("openid"), None);
    assert_eq!(Value::Object(out), json!({"sub": "42"}));
}

#[test]
fn oidc_core_5_4_claims_are_released_by_the_granted_scope_only() {
    let out = release_claims("42", &alice(), &scope("openid email"), None);
    assert_eq!(
        Value::Object(out),
        json!({"sub": "42", "email": "alice@example.test", "email_verified": false})
    );
    let out = release_claims("42", &alice(), &scope("openid profile"), None);
    assert_eq!(out["name"], "Alice Liddell");
    assert_eq!(out["preferred_username"], "alice");
    assert!(!out.contains_key("email"), "email needs the email scope");
    // §5.3.2: a claim with no value is left out, not sent as null.
    assert!(!out.contains_key("picture"));
    assert!(!out.contains_key("nickname"), "a claim the site lacks");
}

#[test]
fn oidc_core_5_5_individual_claims_are_released_when_asked_for_by_name() {
    let request =
        ClaimsRequest::parse(r#"{"userinfo":{"phone_number":{"essential":true},"nickname":null}}"#)
            .unwrap();
    let out = release_claims("42", &alice(), &scope("openid"), Some(&request.userinfo));
    assert_eq!(
        Value::Object(out),
        json!({"sub": "42", "phone_number": "+1 555 0100"})
    );
    assert!(request.id_token.is_empty());
}

#[test]
fn oidc_core_5_5_1_a_claim_is_null_or_an_object_of_essential_value_values() {
    let r = ClaimsRequest::parse(
        r#"{"id_token":{"acr":{"values":["urn:mace:incommon:iap:silver"]},
                        "sub":{"value":"248289761001"},"auth_time":{"essential":true}},
            "x-extension":{"ignored":true}}"#,
    )
    .unwrap();
    let acr = r.id_token["acr"].as_ref().unwrap();
    assert_eq!(
        acr.values.as_deref(),
        Some(&[json!("urn:mace:incommon:iap:silver")][..])
    );
    assert!(!acr.essential);
    assert_eq!(
        r.id_token["sub"].as_ref().unwrap().value,
        Some(json!("248289761001"))
    );
    assert!(r.id_token["auth_time"].as_ref().unwrap().essential);
}

#[test]
fn oidc_core_5_5_a_malformed_claims_parameter_is_invalid_request() {
    for bad in [
        "not json",
        "[]",
        r#""userinfo""#,
        r#"{"userinfo":[]}"#,
        r#"{"userinfo":{"email":true}}"#,
        r#"{"id_token":{"acr":{"essential":"yes"}}}"#,
        r#"{"id_token":{"acr":{"unknown_member":1}}}"#,
    ] {
        let e = ClaimsRequest::parse(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{bad}");
        assert!(e.description.contains("claims"), "{bad}");
    }
}

mod in_the_id_token {
    //! §5.4 and §5.5 in the ID token: the claims of the scope when no
    //! access token is issued (`response_type=id_token`), and those the
    //! `claims` parameter asks of the ID token, from the site's users.

    use oauth_core::jose::{self, JwkSet, SUPPORTED_ALGORITHMS, Verification};
    use oauth_core::memory::MemoryStorage;
    use oauth_core::oidc::UserClaims;
    use oauth_core::{
        AuthorizationServer, ClientMetadata, ClientRecord, Config, Consent, Login, OAuth2Request,
    };
    use serde_json::{Map, Value};

    const REDIRECT: &str = "https://rp.example/cb";

    #[derive(Clone)]
    struct User;

    impl UserClaims for User {
        fn claims(&self) -> Map<String, Value> {
            let mut c = Map::new();
            c.insert("name".into(), "Alice".into());
            c.insert("email".into(), "alice@example.test".into());
            c.insert("iss".into(), "https://forged.example".into());
            c
        }
    }

    fn server() -> AuthorizationServer<MemoryStorage> {
        let storage = MemoryStorage::new();
        storage.insert_client(ClientRecord::confidential(
            "rp",
            "s3cret",
            ClientMetadata {
                redirect_uris: vec![REDIRECT.into()],
                grant_types: vec!["authorization_code".into(), "implicit".into()],
                response_types: vec!["code".into(), "id_token".into()],
                scope: Some("openid profile email".into()),
                ..ClientMetadata::default()
            },
        ));
        storage.insert_user("alice", User);
        AuthorizationServer::new(
            storage,
            Config {
                issuer: Some("https://as.example".into()),
                ..Config::default()
            },
        )
        .unwrap()
        .with_openid_connect()
        .with_user_claims::<User>()
    }

    async fn claims_of(server: &AuthorizationServer<MemoryStorage>, id_token: &str) -> Value {
        let jwks: JwkSet =
            serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap();
        jose::verify(id_token, &jwks, &Verification::new(&SUPPORTED_ALGORITHMS))
            .unwrap()
            .claims
    }

    async fn authorize(
        server: &AuthorizationServer<MemoryStorage>,
        params: &[(&str, &str)],
    ) -> std::collections::HashMap<String, String> {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            q.append_pair(k, v);
        }
        let r = server
            .create_authorization_response(
                &OAuth2Request::get(format!("https://as.example/authorize?{}", q.finish())),
                Consent::LoggedIn(Login::new("alice", 1_700_000_000)),
            )
            .await;
        let location = r.header("Location").unwrap().to_owned();
        let part = location.split_once(['#', '?']).unwrap().1;
        form_urlencoded::parse(part.as_bytes())
            .into_owned()
            .collect()
    }

    #[tokio::test]
    async fn oidc_core_5_4_without_an_access_token_the_scope_claims_are_in_the_id_token() {
        let server = server();
        let p = authorize(
            &server,
            &[
                ("response_type", "id_token"),
                ("client_id", "rp"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid profile"),
                ("nonce", "n"),
            ],
        )
        .await;
        let claims = claims_of(&server, &p["id_token"]).await;
        assert_eq!(claims["name"], "Alice");
        // Only the scope's: no email; and the token's own iss stays.
        assert!(claims.get("email").is_none(), "{claims}");
        assert_eq!(claims["iss"], "https://as.example");
    }

    #[tokio::test]
    async fn oidc_core_5_5_the_claims_parameter_asks_for_id_token_claims_in_the_code_flow() {
        let server = server();
        let server = &server;
        let exchange = |code: String| async move {
            server
                .create_token_response(
                    &OAuth2Request::post("https://as.example/token")
                        .with_header("Authorization", "Basic cnA6czNjcmV0")
                        .with_form([
                            ("grant_type", "authorization_code"),
                            ("code", code.as_str()),
                            ("redirect_uri", REDIRECT),
                        ]),
                )
                .await
                .json_body()
        };
        let base = [
            ("response_type", "code"),
            ("client_id", "rp"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile email"),
        ];
        // Without it, the scope's claims are UserInfo's, not the ID token's.
        let p = authorize(server, &base).await;
        let body = exchange(p["code"].clone()).await;
        let claims = claims_of(server, body["id_token"].as_str().unwrap()).await;
        assert!(
            claims.get("name").is_none() && claims.get("email").is_none(),
            "{claims}"
        );
        // Asked for by name, email is in the ID token.
        let mut with = base.to_vec();
        with.push(("claims", r#"{"id_token":{"email":{"essential":true}}}"#));
        let p = authorize(server, &with).await;
        let body = exchange(p["code"].clone()).await;
        let claims = claims_of(server, body["id_token"].as_str().unwrap()).await;
        assert_eq!(claims["email"], "alice@example.test");
        assert!(claims.get("name").is_none(), "{claims}");
    }
}
