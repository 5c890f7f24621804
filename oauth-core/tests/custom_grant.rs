//! Custom grant types (RFC 6749 §4.5 "Extension Grants"), registered with
//! `AuthorizationServer::with_grant`.

mod common;
use common::*;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use oauth_core::grants::{IssuedToken, TokenGrant};
use oauth_core::{
    ClientMetadata, ClientRecord, ErrorCode, OAuth2Client, OAuth2Error, OAuth2Request,
    OAuth2Storage, OAuth2Token, ScopeRequirement, TokenSpec, new_grant_id,
};

const MAGIC: &str = "urn:example:magic";

/// `urn:example:magic`: trades a magic word for a token; counts its calls.
struct MagicGrant {
    calls: Arc<AtomicUsize>,
    public_ok: bool,
}

#[async_trait]
impl<S: OAuth2Storage> TokenGrant<S> for MagicGrant {
    fn grant_type(&self) -> &str {
        MAGIC
    }

    fn allows_public_clients(&self) -> bool {
        self.public_ok
    }

    async fn create_token(
        &self,
        server: &oauth_core::AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        match request.form.required("word")? {
            "please" => {}
            "later" => {
                return Err(OAuth2Error::new(
                    ErrorCode::Other("magic_unavailable".into()),
                    "the magic is resting",
                ));
            }
            _ => return Err(OAuth2Error::invalid_grant("that is not the magic word")),
        }
        let scope = server.resolve_scope(client, request.form.single("scope")?)?;
        server
            .issue_token(TokenSpec {
                grant_type: MAGIC,
                client_id: client.client_id(),
                user_id: Some("wizard".into()),
                scope,
                refresh_scope: None,
                grant_id: new_grant_id(),
                dpop_jkt: request.dpop_jkt().map(str::to_owned),
                audience: Default::default(),
            })
            .await
    }
}

/// The fixture server with the magic grant, a confidential `magic-client`
/// and a public `magic-public` client registered for it.
fn magic_server(public_ok: bool) -> (Server, Arc<AtomicUsize>) {
    let (server, _) = server();
    let calls = Arc::new(AtomicUsize::new(0));
    let server = server.with_grant(MagicGrant {
        calls: Arc::clone(&calls),
        public_ok,
    });
    let meta = ClientMetadata {
        grant_types: vec![MAGIC.into()],
        scope: Some("spells".into()),
        ..ClientMetadata::default()
    };
    server.storage().insert_client(ClientRecord::confidential(
        "magic-client",
        SECRET,
        meta.clone(),
    ));
    server
        .storage()
        .insert_client(ClientRecord::public("magic-public", meta));
    (server, calls)
}

fn magic_request(form: &[(&str, &str)]) -> OAuth2Request {
    let mut f = vec![("grant_type", MAGIC)];
    f.extend_from_slice(form);
    OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic("magic-client", SECRET))
        .with_form(f)
}

#[tokio::test]
async fn rfc6749_4_5_custom_grant_issues_a_token_that_validates() {
    // §4.5: "The client uses an extension grant type by specifying the grant
    // type using an absolute URI (defined by the authorization server) as
    // the value of the "grant_type" parameter of the token endpoint".
    let (server, calls) = magic_server(false);
    assert!(server.grant_types().contains(&MAGIC));
    let r = server
        .create_token_response(&magic_request(&[("word", "please"), ("scope", "spells")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let body = r.json_body();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "spells");
    // Not listed in Config::expires_in: default_expires_in.
    assert_eq!(body["expires_in"], 3_600);
    let access = body["access_token"].as_str().unwrap();

    let token = server
        .validate_bearer(
            &OAuth2Request::get("https://api.example/spellbook")
                .with_header("Authorization", format!("Bearer {access}")),
            &ScopeRequirement::all_of(["spells"]),
        )
        .await
        .expect("the custom grant's token validates");
    assert_eq!(OAuth2Token::client_id(&token), "magic-client");
    assert_eq!(token.user_id().as_deref(), Some("wizard"));
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_5_2_custom_grant_error_reaches_the_client_as_json() {
    let (server, calls) = magic_server(false);
    let r = server
        .create_token_response(&magic_request(&[("word", "abracadabra")]))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(
        r.json_body()["error_description"],
        "that is not the magic word"
    );

    // Parameter errors raised with the engine's helpers too.
    let r = server.create_token_response(&magic_request(&[])).await;
    assert_error(&r, 400, "invalid_request");

    // §8.5: extension error codes are sent as they are.
    let r = server
        .create_token_response(&magic_request(&[("word", "later")]))
        .await;
    assert_error(&r, 400, "magic_unavailable");
    assert_eq!(r.json_body()["error_description"], "the magic is resting");

    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_2_public_client_refused_when_grant_disallows_public_clients() {
    let (server, calls) = magic_server(false);
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", MAGIC),
                ("client_id", "magic-public"),
                ("word", "please"),
            ],
        ))
        .await;
    assert_error(&r, 400, "unauthorized_client");
    // Refused before the grant ran.
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(server.storage().token_count(), 0);

    // The same request succeeds when the grant allows public clients.
    let (server, calls) = magic_server(true);
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", MAGIC),
                ("client_id", "magic-public"),
                ("word", "please"),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn rfc6749_5_2_client_not_registered_for_custom_grant_is_unauthorized_client() {
    // §5.2 unauthorized_client: "The authenticated client is not authorized
    // to use this authorization grant type."
    let (server, calls) = magic_server(false);
    let r = server
        .create_token_response(&token_request(&[("grant_type", MAGIC), ("word", "please")]))
        .await;
    assert_error(&r, 400, "unauthorized_client");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn custom_grant_requires_client_authentication_first() {
    let (server, calls) = magic_server(false);
    let r = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic("magic-client", "wrong"))
                .with_form([("grant_type", MAGIC), ("word", "please")]),
        )
        .await;
    assert_error(&r, 401, "invalid_client");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(server.storage().token_count(), 0);
}
