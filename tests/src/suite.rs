//! Storage conformance: every behaviour the engine relies on, written once
//! and run on the in-memory storage and on each database.
//!
//! [`all_storage_tests!`](crate::all_storage_tests) instantiates every
//! generic test for one storage; [`all_diesel_tests!`](crate::all_diesel_tests)
//! adds the tests that need a real database (two instances on one database,
//! reading the tables directly, faults).

use std::sync::Arc;

use async_trait::async_trait;
use diesel::prelude::*;
use oauth_core::consent::{GrantStorage, NewGrant, OAuth2Grant};
use oauth_core::grants::ResourceOwnerAuthenticator;
use oauth_core::jose::SigningKeyStorage;
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth2::rfc8628::{
    DeviceCodeStatus, DeviceCodeStorage, DeviceDecision, NewDeviceCode, OAuth2DeviceCode,
    UserCodeFailures,
};
use oauth_core::{
    Authentication, AuthorizationServer, ClientAuthFailures, ClientAuthMethod, ClientMetadata,
    ClientRecord, ClientRegistry, Config, Consent, NewAuthorizationCode, NewToken,
    OAuth2AuthorizationCode, OAuth2Client, OAuth2Request, OAuth2Storage, OAuth2Token,
    PasswordFailures, ScopeRequirement, StorageError, TokenContext, UserStorage, secrets,
};
use oauth_diesel::{OAuth2User, StandardStorage, schema};

use crate::db::TestDb;

diesel::table! {
    /// The application's users, as a site would have them.
    test_user (id) {
        id -> Integer,
        name -> Text,
    }
}

/// A user of the application, read with its tokens ([`UserStorage`]).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, OAuth2User)]
#[diesel(table_name = test_user)]
pub struct TestUser {
    /// The key tokens keep as their `user_id`.
    pub id: i32,
    /// A name.
    pub name: String,
}

/// Adding clients and users, which the storage traits leave to each
/// storage.
#[async_trait]
pub trait TestStorage:
    OAuth2Storage + UserStorage<TestUser> + GrantStorage + ClientRegistry + Sized
{
    /// Registers a client.
    async fn add_client(&self, client: ClientRecord);
    /// Adds a user of the application.
    async fn add_user(&self, user: TestUser);
}

#[async_trait]
impl TestStorage for MemoryStorage {
    async fn add_client(&self, client: ClientRecord) {
        self.insert_client(client);
    }
    async fn add_user(&self, user: TestUser) {
        self.insert_user(&user.id.to_string(), user);
    }
}

#[async_trait]
impl TestStorage for StandardStorage {
    async fn add_client(&self, client: ClientRecord) {
        self.insert_client(client, Some("1".into()))
            .await
            .expect("insert client");
    }
    async fn add_user(&self, user: TestUser) {
        insert_test_user(self.pool(), user).await;
    }
}

/// Adds a user to the `test_user` table, creating it on first use.
pub async fn insert_test_user(pool: &oauth_diesel::DbPool, user: TestUser) {
    use diesel::connection::SimpleConnection;
    pool.write(move |conn| {
        // The same DDL on the three databases.
        conn.batch_execute(
            "CREATE TABLE IF NOT EXISTS test_user \
             (id INTEGER PRIMARY KEY, name VARCHAR(64) NOT NULL)",
        )?;
        diesel::insert_into(test_user::table)
            .values((test_user::id.eq(user.id), test_user::name.eq(&user.name)))
            .execute(conn)
    })
    .await
    .expect("insert user");
}

/// The redirect URI of the test clients.
pub const REDIRECT: &str = "https://client.example/cb";
/// RFC 7636 Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// RFC 7636 Appendix B.
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// `app` (confidential, Basic, every grant) and `spa` (public).
pub fn clients() -> Vec<ClientRecord> {
    let meta = |method| ClientMetadata {
        redirect_uris: vec![REDIRECT.into()],
        token_endpoint_auth_method: method,
        grant_types: vec![
            "authorization_code".into(),
            "refresh_token".into(),
            "password".into(),
            "client_credentials".into(),
        ],
        response_types: vec!["code".into(), "token".into()],
        scope: Some("profile email".into()),
        client_name: Some("Test App".into()),
        ..ClientMetadata::default()
    };
    vec![
        ClientRecord::confidential("app", "s3cret", meta(ClientAuthMethod::ClientSecretBasic)),
        ClientRecord::public("spa", meta(ClientAuthMethod::None)),
    ]
}

/// Any username that is a number, password `valid`.
pub struct NumericUsers;

#[async_trait]
impl ResourceOwnerAuthenticator for NumericUsers {
    async fn authenticate(
        &self,
        username: &str,
        password: &str,
        _client: &str,
    ) -> Result<Option<String>, StorageError> {
        Ok((password == "valid" && username.parse::<i32>().is_ok()).then(|| username.to_owned()))
    }
}

/// A server over `storage` with the test clients registered.
pub async fn server<S: TestStorage>(storage: S) -> AuthorizationServer<S> {
    for c in clients() {
        storage.add_client(c).await;
    }
    AuthorizationServer::new(storage, Config::default())
        .expect("config")
        .with_password_grant(NumericUsers)
}

const BASIC_APP: &str = "Basic YXBwOnMzY3JldA=="; // app:s3cret

fn token_request(form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", BASIC_APP)
        .with_form(form.iter().copied())
}

fn new_code(digest: &str) -> NewAuthorizationCode {
    NewAuthorizationCode {
        code_digest: digest.into(),
        client_id: "app".into(),
        user_id: "7".into(),
        redirect_uri: Some(REDIRECT.into()),
        response_type: "code".into(),
        scope: "profile".into(),
        auth_time: 1_700_000_000,
        code_challenge: Some(CHALLENGE.into()),
        code_challenge_method: Some("S256".into()),
        nonce: Some("n-0S6_WzA2Mj".into()),
        authentication: None,
        dpop_jkt: None,
        audience: None,
    }
}

fn new_token(n: u32, grant: &str, with_refresh: bool) -> NewToken {
    NewToken {
        client_id: "app".into(),
        user_id: Some("7".into()),
        token_type: "Bearer".into(),
        access_token_digest: secrets::digest(&format!("access-{n}")),
        refresh_token_digest: with_refresh.then(|| secrets::digest(&format!("refresh-{n}"))),
        scope: "profile".into(),
        refresh_token_scope: "profile email".into(),
        issued_at: 1_700_000_000,
        expires_in: 3600,
        grant_id: grant.into(),
        authentication: None,
        grant_issued_at: Some(1_699_990_000),
        dpop_jkt: None,
        audience: None,
        refresh_token_audience: None,
        actor: None,
    }
}

/// A client is found by id with its metadata, and its secret checks.
pub async fn client_roundtrip<S: TestStorage>(s: S) {
    for c in clients() {
        s.add_client(c).await;
    }
    let app = s.find_client("app").await.unwrap().expect("app");
    assert_eq!(app.client_id(), "app");
    assert!(app.check_client_secret("s3cret"));
    assert!(!app.check_client_secret("s3cret!"));
    assert_eq!(app.redirect_uris(), vec![REDIRECT.to_owned()]);
    assert!(app.check_grant_type("password"));
    assert!(app.check_response_type("token"));
    assert_eq!(app.scope().to_string(), "profile email");
    assert_eq!(app.client_name().as_deref(), Some("Test App"));
    assert_eq!(
        app.token_endpoint_auth_method(),
        ClientAuthMethod::ClientSecretBasic
    );
    let spa = s.find_client("spa").await.unwrap().expect("spa");
    assert!(spa.is_public());
    assert!(!spa.check_client_secret(""));
    assert!(s.find_client("nobody").await.unwrap().is_none());
    // Lookups are exact, case included.
    assert!(s.find_client("APP").await.unwrap().is_none());
}

/// A saved code comes back whole, once.
pub async fn code_is_taken_once<S: TestStorage>(s: S) {
    let digest = secrets::digest("code-1");
    s.save_authorization_code(new_code(&digest)).await.unwrap();
    let code = s
        .take_authorization_code(&digest)
        .await
        .unwrap()
        .expect("first take");
    assert_eq!(code.client_id(), "app");
    assert_eq!(code.user_id(), "7");
    assert_eq!(code.redirect_uri(), Some(REDIRECT));
    assert_eq!(code.scope().to_string(), "profile");
    assert_eq!(code.auth_time(), 1_700_000_000);
    assert_eq!(code.code_challenge(), Some(CHALLENGE));
    assert_eq!(code.code_challenge_method(), Some("S256"));
    assert_eq!(code.nonce(), Some("n-0S6_WzA2Mj"));
    assert!(s.take_authorization_code(&digest).await.unwrap().is_none());

    let mut bare = new_code(&secrets::digest("code-2"));
    bare.redirect_uri = None;
    bare.code_challenge = None;
    bare.code_challenge_method = None;
    bare.nonce = None;
    s.save_authorization_code(bare.clone()).await.unwrap();
    let code = s
        .take_authorization_code(&bare.code_digest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code.redirect_uri(), None);
    assert_eq!(code.code_challenge(), None);
    assert!(
        s.take_authorization_code(&secrets::digest("never"))
            .await
            .unwrap()
            .is_none()
    );
}

/// The OpenID Connect context (the login, the nonce, the claims asked
/// for) comes back whole from codes and tokens, through a rotation too.
pub async fn openid_context_roundtrip<S: TestStorage>(s: S) {
    let claims = oauth_core::oidc::ClaimsRequest::parse(
        r#"{"userinfo":{"email":{"essential":true},"name":null},"id_token":{"acr":{"values":["urn:a","urn:b"]}}}"#,
    )
    .unwrap();
    let context = Authentication {
        auth_time: Some(1_699_999_000),
        acr: Some("urn:a".into()),
        amr: vec!["pwd".into(), "otp".into()],
        nonce: Some("n-0S6_WzA2Mj".into()),
        claims: Some(claims),
    };
    let mut code = new_code(&secrets::digest("oidc-code"));
    code.authentication = Some(context.clone());
    s.save_authorization_code(code).await.unwrap();
    let taken = s
        .take_authorization_code(&secrets::digest("oidc-code"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.authentication(), Some(context.clone()));

    let mut token = new_token(41, "g-oidc", true);
    token.authentication = Some(context.clone());
    s.save_token(token).await.unwrap();
    let found = s
        .find_access_token(&secrets::digest("access-41"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.authentication(), Some(context.clone()));
    let mut next = new_token(42, "g-oidc", true);
    next.authentication = Some(context.clone().refreshed());
    assert!(
        s.rotate_refresh_token(&secrets::digest("refresh-41"), next, 1_700_000_100)
            .await
            .unwrap()
    );
    let rotated = s
        .find_refresh_token(&secrets::digest("refresh-42"))
        .await
        .unwrap()
        .unwrap();
    let carried = rotated.authentication().unwrap();
    assert_eq!(carried.auth_time, Some(1_699_999_000));
    assert_eq!(carried.nonce, None);

    // Without the openid scope nothing is kept: NULL reads back as None.
    s.save_token(new_token(43, "g-plain", false)).await.unwrap();
    let plain = s
        .find_access_token(&secrets::digest("access-43"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plain.authentication(), None);
}

/// RFC 8707: the resources of a code, of an access token and of its
/// refresh token are kept, and a rotation carries the refresh token's.
pub async fn audiences_roundtrip<S: TestStorage>(s: S) {
    let (cal, api) = ("https://cal.example/", "https://api.example/v1");
    if !s.restricts_audiences() {
        // Models without the columns: a request naming a resource is
        // refused, never given a token usable anywhere.
        for c in clients() {
            s.add_client(c).await;
        }
        let config = Config {
            resources: vec![cal.into()],
            ..Config::default()
        };
        let server = AuthorizationServer::new(s, config).expect("config");
        let r = server
            .create_token_response(&token_request(&[
                ("grant_type", "client_credentials"),
                ("resource", cal),
            ]))
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.json_body()["error"], "invalid_target");
        return;
    }
    let mut code = new_code(&secrets::digest("aud-code"));
    code.audience = oauth_core::oauth2::rfc8707::to_stored(&[cal.into(), api.into()]);
    s.save_authorization_code(code).await.unwrap();
    let taken = s
        .take_authorization_code(&secrets::digest("aud-code"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.audience(), vec![cal.to_owned(), api.to_owned()]);

    let mut token = new_token(61, "g-aud", true);
    token.audience = Some(cal.into());
    token.refresh_token_audience = Some(format!("{cal} {api}"));
    s.save_token(token).await.unwrap();
    let found = s
        .find_access_token(&secrets::digest("access-61"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.audience(), vec![cal.to_owned()]);
    assert_eq!(
        found.refresh_token_audience(),
        vec![cal.to_owned(), api.to_owned()]
    );
    // NULL reads back as no restriction.
    s.save_token(new_token(62, "g-open", false)).await.unwrap();
    let open = s
        .find_access_token(&secrets::digest("access-62"))
        .await
        .unwrap()
        .unwrap();
    assert!(open.audience().is_empty() && open.refresh_token_audience().is_empty());
}

/// Many tasks take one code at once: exactly one gets it, every round.
pub async fn concurrent_code_take_has_one_winner<S: TestStorage + 'static>(s: S) {
    let s = Arc::new(s);
    for round in 0..20 {
        let digest = secrets::digest(&format!("race-{round}"));
        s.save_authorization_code(new_code(&digest)).await.unwrap();
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (s, d) = (s.clone(), digest.clone());
                tokio::spawn(async move { s.take_authorization_code(&d).await })
            })
            .collect();
        let mut winners = 0;
        for t in tasks {
            if t.await.unwrap().unwrap().is_some() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "round {round}");
    }
}

/// Tokens are found by access digest and by refresh digest, whole.
pub async fn token_roundtrip<S: TestStorage>(s: S) {
    s.save_token(new_token(1, "g1", true)).await.unwrap();
    let mut cc = new_token(2, "g2", false);
    cc.user_id = None;
    s.save_token(cc).await.unwrap();

    let t = s
        .find_access_token(&secrets::digest("access-1"))
        .await
        .unwrap()
        .expect("by access");
    assert_eq!(t.client_id(), "app");
    assert_eq!(t.user_id().as_deref(), Some("7"));
    assert_eq!(t.token_type(), "Bearer");
    assert_eq!(t.scope().to_string(), "profile");
    assert_eq!(t.refresh_token_scope().to_string(), "profile email");
    assert_eq!(t.issued_at(), 1_700_000_000);
    assert_eq!(t.expires_in(), 3600);
    assert!(t.has_refresh_token());
    assert!(!t.is_access_token_revoked() && !t.is_refresh_token_revoked());
    assert_eq!(t.grant_id(), "g1");
    let by_refresh = s
        .find_refresh_token(&secrets::digest("refresh-1"))
        .await
        .unwrap()
        .expect("by refresh");
    assert_eq!(by_refresh.grant_id(), "g1");

    let cc = s
        .find_access_token(&secrets::digest("access-2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cc.user_id(), None);
    assert!(!cc.has_refresh_token());
    assert!(
        s.find_refresh_token(&secrets::digest("refresh-2"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.find_access_token(&secrets::digest("refresh-1"))
            .await
            .unwrap()
            .is_none()
    );
}

/// Rotation revokes the old pair and saves the new one, once.
pub async fn rotation_happens_once<S: TestStorage>(s: S) {
    s.save_token(new_token(1, "g", true)).await.unwrap();
    let old = secrets::digest("refresh-1");
    assert!(
        s.rotate_refresh_token(&old, new_token(2, "g", true), 1_700_000_100)
            .await
            .unwrap()
    );
    let t = s.find_refresh_token(&old).await.unwrap().unwrap();
    assert!(t.is_refresh_token_revoked());
    assert!(t.is_access_token_revoked());
    let new = s
        .find_refresh_token(&secrets::digest("refresh-2"))
        .await
        .unwrap()
        .expect("successor saved");
    assert!(!new.is_refresh_token_revoked());
    assert!(
        !s.rotate_refresh_token(&old, new_token(3, "g", true), 1_700_000_200)
            .await
            .unwrap()
    );
    assert!(
        s.find_access_token(&secrets::digest("access-3"))
            .await
            .unwrap()
            .is_none(),
        "a failed rotation saves nothing"
    );
}

/// Many tasks rotate one refresh token at once: exactly one succeeds.
pub async fn concurrent_rotation_has_one_winner<S: TestStorage + 'static>(s: S) {
    let s = Arc::new(s);
    for round in 0..15u32 {
        let first = round + 1;
        s.save_token(new_token(first, "g", true)).await.unwrap();
        let tasks: Vec<_> = (0..5u32)
            .map(|i| {
                let s = s.clone();
                let successor = new_token(1000 * (round + 1) + i, "g", true);
                tokio::spawn(async move {
                    s.rotate_refresh_token(
                        &secrets::digest(&format!("refresh-{first}")),
                        successor,
                        1_700_000_100,
                    )
                    .await
                })
            })
            .collect();
        assert_eq!(winners(tasks).await, 1, "round {round}");
    }
}

/// Revoking an access token touches only it; revoking a grant revokes every
/// token of the grant and nothing else, and counts what it newly revoked.
pub async fn revocation_by_token_and_by_grant<S: TestStorage>(s: S) {
    s.save_token(new_token(1, "family", true)).await.unwrap();
    s.save_token(new_token(2, "family", false)).await.unwrap();
    s.save_token(new_token(3, "other", true)).await.unwrap();
    let access = |n: u32| secrets::digest(&format!("access-{n}"));

    s.revoke_access_token(&access(1), 5).await.unwrap();
    let t1 = s.find_access_token(&access(1)).await.unwrap().unwrap();
    assert!(t1.is_access_token_revoked());
    assert!(!t1.is_refresh_token_revoked());
    s.revoke_access_token(&access(1), 6).await.unwrap(); // idempotent
    s.revoke_access_token(&secrets::digest("unknown"), 6)
        .await
        .unwrap();

    // t1's refresh token and t2's access token were not yet revoked.
    assert_eq!(s.revoke_grant("family", 7).await.unwrap(), 2);
    let t1 = s.find_access_token(&access(1)).await.unwrap().unwrap();
    let t2 = s.find_access_token(&access(2)).await.unwrap().unwrap();
    let t3 = s.find_access_token(&access(3)).await.unwrap().unwrap();
    assert!(t1.is_refresh_token_revoked());
    assert!(t2.is_access_token_revoked());
    assert!(!t3.is_access_token_revoked() && !t3.is_refresh_token_revoked());
    assert_eq!(
        s.revoke_grant("family", 8).await.unwrap(),
        0,
        "already revoked"
    );
    assert_eq!(s.revoke_grant("no-such-grant", 8).await.unwrap(), 0);
}

/// A token is read with the user it acts for: the user when there is one,
/// none for a token without a user or whose user is gone, nothing for an
/// unknown digest; a revoked token is still found (the engine refuses it).
pub async fn token_and_user_are_read_together<S: TestStorage>(s: S) {
    let alice = TestUser {
        id: 7,
        name: "alice".into(),
    };
    s.add_user(alice.clone()).await;
    s.add_user(TestUser {
        id: 8,
        name: "bob".into(),
    })
    .await;
    s.save_token(new_token(1, "g1", true)).await.unwrap();
    let mut client_only = new_token(2, "g2", false);
    client_only.user_id = None;
    s.save_token(client_only).await.unwrap();
    let mut gone = new_token(3, "g3", false);
    gone.user_id = Some("9".into());
    s.save_token(gone).await.unwrap();

    let (token, user) = find_with_user(&s, "access-1").await.expect("token 1");
    assert_eq!(token.user_id().as_deref(), Some("7"));
    assert_eq!(token.grant_id(), "g1");
    assert_eq!(user, Some(alice.clone()));
    let (token, user) = find_with_user(&s, "access-2").await.expect("token 2");
    assert_eq!((token.user_id(), user), (None, None));
    let (token, user) = find_with_user(&s, "access-3").await.expect("token 3");
    assert_eq!((token.user_id().as_deref(), user), (Some("9"), None));
    assert!(find_with_user(&s, "access-404").await.is_none());
    assert!(find_with_user(&s, "refresh-1").await.is_none());
    // And by id alone (the claims of ID tokens).
    assert_eq!(s.find_user("7").await.unwrap(), Some(alice.clone()));
    assert_eq!(s.find_user("9").await.unwrap(), None);

    s.revoke_access_token(&secrets::digest("access-1"), 5)
        .await
        .unwrap();
    let (token, user) = find_with_user(&s, "access-1").await.expect("revoked token");
    assert!(token.is_access_token_revoked());
    assert_eq!(user, Some(alice));
}

async fn find_with_user<S: TestStorage>(s: &S, raw: &str) -> Option<(S::Token, Option<TestUser>)> {
    s.find_access_token_and_user(&secrets::digest(raw))
        .await
        .unwrap()
}

/// RFC 6750 through the engine with the user read alongside: a valid token
/// brings its user; scope, revocation and unknown tokens are refused as
/// `validate_bearer` refuses them (403 `insufficient_scope`, 401
/// `invalid_token`).
pub async fn bearer_with_user_is_checked_like_bearer<S: TestStorage>(s: S) {
    let carol = TestUser {
        id: 42,
        name: "carol".into(),
    };
    s.add_user(carol.clone()).await;
    let server = server(s).await;
    let access = password_token(&server, "profile").await;
    let api = |token: &str| {
        OAuth2Request::get("https://as.example/api/me")
            .with_header("Authorization", format!("Bearer {token}"))
    };
    let profile = ScopeRequirement::all_of(["profile"]);

    let (token, user) = server
        .validate_bearer_with_user::<TestUser>(&api(&access), &profile)
        .await
        .expect("valid token");
    assert_eq!(token.user_id().as_deref(), Some("42"));
    assert_eq!(user, Some(carol));

    let refused = server
        .validate_bearer_with_user::<TestUser>(&api(&access), &ScopeRequirement::all_of(["email"]))
        .await
        .err()
        .expect("refused");
    assert_eq!(refused.status(), 403);
    let unknown = server
        .validate_bearer_with_user::<TestUser>(&api("not-a-token"), &profile)
        .await
        .err()
        .expect("refused");
    assert_eq!(unknown.status(), 401);

    let revoke = OAuth2Request::post("https://as.example/revoke")
        .with_header("Authorization", BASIC_APP)
        .with_form([("token", access.as_str())]);
    assert_eq!(server.create_revocation_response(&revoke).await.status, 200);
    let revoked = server
        .validate_bearer_with_user::<TestUser>(&api(&access), &profile)
        .await
        .err()
        .expect("refused");
    assert_eq!(revoked.status(), 401);
    assert_eq!(
        revoked.error.map(|e| e.code.as_str().to_owned()).as_deref(),
        Some("invalid_token")
    );
}

fn location_param(response: &oauth_core::OAuth2Response, name: &str) -> String {
    let location = response.header("Location").expect("redirect");
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_else(|| panic!("no {name} in {location}"))
}

/// The authorization code flow with PKCE, refresh, bearer use,
/// introspection, revocation and code replay, through the engine.
pub async fn authorization_code_flow_end_to_end<S: TestStorage>(s: S) {
    let server = server(s).await;
    let authorize = OAuth2Request::get(format!(
        "https://as.example/authorize?response_type=code&client_id=spa&redirect_uri={}&scope=profile&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256",
        "https%3A%2F%2Fclient.example%2Fcb"
    ));
    let consent = server
        .validate_authorization_request(&authorize)
        .await
        .expect("valid request");
    assert_eq!(consent.client.client_name().as_deref(), Some("Test App"));
    let redirect = server
        .create_authorization_response(
            &authorize,
            Consent::Granted {
                user_id: "7".into(),
            },
        )
        .await;
    assert_eq!(location_param(&redirect, "state"), "s1");
    let code = location_param(&redirect, "code");

    let exchange = OAuth2Request::post("https://as.example/token").with_form([
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", "spa"),
        ("code_verifier", VERIFIER),
    ]);
    let r = server.create_token_response(&exchange).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tokens = r.json_body();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    let api = OAuth2Request::get("https://api.example/me")
        .with_header("Authorization", format!("Bearer {access}"));
    let token = server
        .validate_bearer(&api, &ScopeRequirement::all_of(["profile"]))
        .await
        .expect("bearer valid");
    assert_eq!(token.user_id().as_deref(), Some("7"));

    // Refresh (public client: client_id only), rotation.
    let r = server
        .create_token_response(&OAuth2Request::post("https://as.example/token").with_form([
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", "spa"),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let refreshed = r.json_body();
    let access2 = refreshed["access_token"].as_str().unwrap().to_owned();
    assert_ne!(refreshed["refresh_token"].as_str().unwrap(), refresh);
    assert!(
        server
            .validate_bearer(&api, &ScopeRequirement::None)
            .await
            .is_err(),
        "rotation revokes the old access token"
    );

    // Code replay: refused, and the whole family (the refreshed token too) revoked.
    let r = server.create_token_response(&exchange).await;
    assert_eq!(r.json_body()["error"], "invalid_grant");
    let api2 = OAuth2Request::get("https://api.example/me")
        .with_header("Authorization", format!("Bearer {access2}"));
    match server.validate_bearer(&api2, &ScopeRequirement::None).await {
        Err(err) => assert_eq!(err.status(), 401),
        Ok(_) => panic!("the refreshed token survived a code replay"),
    }
}

/// An access token for user 42 with `scope`, by the password grant.
async fn password_token<S: TestStorage>(server: &AuthorizationServer<S>, scope: &str) -> String {
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "42"),
            ("password", "valid"),
            ("scope", scope),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()["access_token"].as_str().unwrap().to_owned()
}

/// Password grant, introspection and revocation by a confidential client.
pub async fn password_introspection_revocation<S: TestStorage>(s: S) {
    let server = server(s).await;
    let access = password_token(&server, "profile email").await;

    let introspect = |token: &str| {
        OAuth2Request::post("https://as.example/introspect")
            .with_header("Authorization", BASIC_APP)
            .with_form([("token", token.to_owned())])
    };
    let body = server
        .create_introspection_response(&introspect(&access))
        .await
        .json_body();
    assert_eq!(body["active"], true);
    assert_eq!(body["sub"], "42");
    assert_eq!(body["scope"], "profile email");

    let revoke = OAuth2Request::post("https://as.example/revoke")
        .with_header("Authorization", BASIC_APP)
        .with_form([("token", access.as_str())]);
    assert_eq!(server.create_revocation_response(&revoke).await.status, 200);
    let body = server
        .create_introspection_response(&introspect(&access))
        .await
        .json_body();
    assert_eq!(body, serde_json::json!({"active": false}));
}

fn new_device_code(n: u32, user_code: &str) -> NewDeviceCode {
    NewDeviceCode {
        device_code_digest: secrets::digest(&format!("device-{n}")),
        user_code_digest: secrets::digest(user_code),
        client_id: "app".into(),
        scope: "profile".into(),
        issued_at: 1_700_000_000,
        expires_at: 1_700_001_800,
        interval: 5,
    }
}

/// RFC 8628 storage: a device code is found by its user code, decided
/// once, polled with the interval enforced (and raised), consumed once.
pub async fn device_code_lifecycle<S: TestStorage + DeviceCodeStorage>(s: S) {
    let t0 = 1_700_000_000;
    assert!(
        s.save_device_code(new_device_code(1, "BCDFGHJK"))
            .await
            .unwrap()
    );
    let user = secrets::digest("BCDFGHJK");
    let device = secrets::digest("device-1");
    let found = s
        .find_device_code_by_user_code(&user)
        .await
        .unwrap()
        .expect("by user code");
    assert_eq!(found.client_id(), "app");
    assert_eq!(found.status(), DeviceCodeStatus::Pending);
    assert_eq!(found.user_id(), None);
    assert_eq!(found.interval(), 5);
    assert_eq!(found.last_polled_at(), None);

    // Polls: the first is on time; one 2 s later is too fast and raises the
    // interval by 5; another client's poll changes nothing.
    let poll = s
        .poll_device_code(&device, "app", t0 + 1, 5)
        .await
        .unwrap()
        .unwrap();
    assert!(!poll.too_fast);
    assert_eq!(poll.device_code.last_polled_at(), Some(t0 + 1));
    let poll = s
        .poll_device_code(&device, "app", t0 + 3, 5)
        .await
        .unwrap()
        .unwrap();
    assert!(poll.too_fast);
    assert_eq!(poll.device_code.interval(), 10);
    assert!(
        s.poll_device_code(&device, "spa", t0 + 30, 5)
            .await
            .unwrap()
            .is_none()
    );
    let poll = s
        .poll_device_code(&device, "app", t0 + 13, 5)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !poll.too_fast,
        "10 s after the previous poll respects the raised interval"
    );

    // Consuming a pending code does nothing.
    assert!(!s.consume_device_code(&device).await.unwrap());
    assert!(
        s.decide_device_code(&user, DeviceDecision::Approve, "7", t0 + 20)
            .await
            .unwrap()
    );
    assert!(
        !s.decide_device_code(&user, DeviceDecision::Deny, "8", t0 + 21)
            .await
            .unwrap()
    );
    let decided = s
        .find_device_code_by_user_code(&user)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decided.status(), DeviceCodeStatus::Approved);
    assert_eq!(decided.user_id().as_deref(), Some("7"));
    assert!(s.consume_device_code(&device).await.unwrap());
    assert!(!s.consume_device_code(&device).await.unwrap());

    // An expired code cannot be decided.
    assert!(
        s.save_device_code(new_device_code(2, "LMNPQRST"))
            .await
            .unwrap()
    );
    let late = secrets::digest("LMNPQRST");
    assert!(
        !s.decide_device_code(&late, DeviceDecision::Approve, "7", t0 + 1800)
            .await
            .unwrap()
    );
}

/// A user code held by a live device code cannot be issued again; once
/// that code has expired, it can.
pub async fn device_user_codes_are_unique_while_live<S: TestStorage + DeviceCodeStorage>(s: S) {
    assert!(
        s.save_device_code(new_device_code(1, "BCDFGHJK"))
            .await
            .unwrap()
    );
    assert!(
        !s.save_device_code(new_device_code(2, "BCDFGHJK"))
            .await
            .unwrap()
    );
    let mut later = new_device_code(3, "BCDFGHJK");
    later.issued_at = 1_700_001_800;
    later.expires_at = 1_700_003_600;
    assert!(s.save_device_code(later).await.unwrap());
    let holder = s
        .find_device_code_by_user_code(&secrets::digest("BCDFGHJK"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(holder.issued_at(), 1_700_001_800);
}

/// Of many concurrent consumptions of one approved device code, one wins.
pub async fn concurrent_device_consumption_has_one_winner<
    S: TestStorage + DeviceCodeStorage + 'static,
>(
    s: S,
) {
    let s = Arc::new(s);
    for round in 0..10u32 {
        let user_code = format!("RND{round:05}");
        s.save_device_code(new_device_code(100 + round, &user_code))
            .await
            .unwrap();
        s.decide_device_code(
            &secrets::digest(&user_code),
            DeviceDecision::Approve,
            "7",
            1_700_000_010,
        )
        .await
        .unwrap();
        let digest = secrets::digest(&format!("device-{}", 100 + round));
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let (s, d) = (s.clone(), digest.clone());
                tokio::spawn(async move { s.consume_device_code(&d).await })
            })
            .collect();
        assert_eq!(winners(tasks).await, 1, "round {round}");
    }
}

/// Wrong user-code entries are counted per user (from any address) and per
/// address (by any user), inside the window.
pub async fn user_code_failures_are_counted_per_user_and_per_address<
    S: TestStorage + DeviceCodeStorage,
>(
    s: S,
) {
    let counts = |user: u32, address: u32| UserCodeFailures { user, address };
    for at in [100, 200, 300] {
        s.record_user_code_failure("7", Some("192.0.2.1"), at)
            .await
            .unwrap();
    }
    s.record_user_code_failure("8", Some("192.0.2.1"), 250)
        .await
        .unwrap();
    s.record_user_code_failure("8", None, 250).await.unwrap();
    let s = &s;
    let count = move |user: &'static str, address: Option<&'static str>, since: i64| async move {
        s.count_user_code_failures(user, address, since)
            .await
            .unwrap()
    };
    assert_eq!(count("7", Some("192.0.2.1"), 0).await, counts(3, 4));
    assert_eq!(count("7", Some("192.0.2.1"), 150).await, counts(2, 3));
    assert_eq!(count("8", None, 0).await, counts(2, 0));
    assert_eq!(count("9", Some("192.0.2.2"), 0).await, counts(0, 0));
    assert_eq!(count("9", Some("192.0.2.1"), 250).await, counts(0, 1));
}

/// Wrong client secrets are counted per client (from any address) and per
/// address (for any client), after `since`.
pub async fn client_auth_failures_are_counted_per_client_and_per_address<S: TestStorage>(s: S) {
    let counts = |client: u32, address: u32| ClientAuthFailures { client, address };
    for at in [100, 200, 300] {
        s.record_client_auth_failure("app", Some("192.0.2.1"), at)
            .await
            .unwrap();
    }
    s.record_client_auth_failure("other", Some("192.0.2.1"), 250)
        .await
        .unwrap();
    s.record_client_auth_failure("app", Some("2001:db8::/64"), 250)
        .await
        .unwrap();
    s.record_client_auth_failure("app", None, 250)
        .await
        .unwrap();
    let s = &s;
    let count = move |client: &'static str, address: Option<&'static str>, since: i64| async move {
        s.count_client_auth_failures(client, address, since)
            .await
            .unwrap()
    };
    assert_eq!(count("app", Some("192.0.2.1"), 0).await, counts(5, 4));
    assert_eq!(count("app", Some("192.0.2.1"), 150).await, counts(4, 3));
    assert_eq!(count("app", Some("192.0.2.1"), 300).await, counts(0, 0));
    assert_eq!(count("other", Some("192.0.2.1"), 0).await, counts(1, 4));
    assert_eq!(count("other", Some("2001:db8::/64"), 0).await, counts(1, 1));
    assert_eq!(count("other", None, 0).await, counts(1, 0));
    assert_eq!(count("APP", Some("192.0.2.2"), 0).await, counts(0, 0));
}

/// Wrong passwords are counted per username digest (from any address)
/// and per address (for any username), after `since`.
pub async fn password_failures_are_counted_per_username_and_per_address<S: TestStorage>(s: S) {
    let counts = |username: u32, address: u32| PasswordFailures { username, address };
    let alice = secrets::digest("alice");
    let bob = secrets::digest("bob");
    for at in [100, 200, 300] {
        s.record_password_failure(&alice, Some("192.0.2.1"), at)
            .await
            .unwrap();
    }
    s.record_password_failure(&bob, Some("192.0.2.1"), 250)
        .await
        .unwrap();
    s.record_password_failure(&alice, None, 250).await.unwrap();
    let s = &s;
    let count = move |user: &str, address: Option<&'static str>, since: i64| {
        let user = user.to_owned();
        async move {
            s.count_password_failures(&user, address, since)
                .await
                .unwrap()
        }
    };
    assert_eq!(count(&alice, Some("192.0.2.1"), 0).await, counts(4, 4));
    assert_eq!(count(&alice, Some("192.0.2.1"), 150).await, counts(3, 3));
    assert_eq!(count(&alice, Some("192.0.2.1"), 300).await, counts(0, 0));
    assert_eq!(count(&bob, None, 0).await, counts(1, 0));
    assert_eq!(count(&bob, Some("192.0.2.2"), 0).await, counts(1, 0));
}

/// The grant's start comes back as saved, and a rotation's new token
/// keeps it (the engine sets it; the storage must not lose it).
pub async fn grant_start_is_kept_by_rotation<S: TestStorage>(s: S) {
    s.save_token(new_token(51, "gs", true)).await.unwrap();
    let first = s
        .find_refresh_token(&secrets::digest("refresh-51"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.grant_issued_at(), Some(1_699_990_000));
    let next = NewToken {
        issued_at: 1_700_000_100,
        ..new_token(52, "gs", true)
    };
    assert!(
        s.rotate_refresh_token(&secrets::digest("refresh-51"), next, 1_700_000_100)
            .await
            .unwrap()
    );
    let second = s
        .find_refresh_token(&secrets::digest("refresh-52"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.issued_at(), 1_700_000_100);
    assert_eq!(second.grant_issued_at(), Some(1_699_990_000));
}

fn consent(user: &str, client: &str, scope: &str, at: i64) -> NewGrant {
    NewGrant {
        client_id: client.into(),
        user_id: user.into(),
        scope: scope.into(),
        claims: String::new(),
        at,
    }
}

/// A token of `user` for `client`, numbered `n`, with a refresh token.
fn token_of(n: u32, user: &str, client: &str) -> NewToken {
    NewToken {
        client_id: client.into(),
        user_id: Some(user.into()),
        ..new_token(n, &format!("family-{n}"), true)
    }
}

/// Grants merge (scopes and claims added, the first time kept), list most
/// recent first, and are found by user and client.
pub async fn grants_are_merged_and_listed<S: TestStorage>(s: S) {
    assert!(s.find_grant("7", "app").await.unwrap().is_none());
    s.save_grant(consent("7", "app", "profile", 100))
        .await
        .unwrap();
    s.save_grant(NewGrant {
        claims: "email".into(),
        ..consent("7", "app", "email profile", 200)
    })
    .await
    .unwrap();
    s.save_grant(consent("7", "other", "read", 150))
        .await
        .unwrap();
    s.save_grant(consent("8", "app", "admin", 300))
        .await
        .unwrap();

    let g = s.find_grant("7", "app").await.unwrap().expect("grant");
    assert_eq!(g.client_id(), "app");
    assert_eq!(g.user_id(), "7");
    assert_eq!(g.scope().to_string(), "profile email");
    assert_eq!(g.claims().to_string(), "email");
    assert_eq!((g.granted_at(), g.updated_at()), (100, 200));
    let listed: Vec<String> = s
        .grants_of("7")
        .await
        .unwrap()
        .iter()
        .map(|g| g.client_id().to_owned())
        .collect();
    assert_eq!(listed, ["app", "other"], "most recent first");
    assert_eq!(s.grants_of("8").await.unwrap().len(), 1);
    assert!(s.grants_of("9").await.unwrap().is_empty());
    // A user id the model's column cannot hold has nothing.
    assert!(s.find_grant("not-a-number", "app").await.unwrap().is_none());
}

/// First grants of one user and client saved at once leave one grant with
/// every scope.
pub async fn concurrent_first_grants_leave_one<S: TestStorage + 'static>(s: S) {
    let s = Arc::new(s);
    for round in 0..10u32 {
        let user = (100 + round).to_string();
        let tasks: Vec<_> = ["read", "write", "admin"]
            .into_iter()
            .map(|scope| {
                let (s, user) = (s.clone(), user.clone());
                tokio::spawn(async move { s.save_grant(consent(&user, "app", scope, 5)).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let grants = s.grants_of(&user).await.unwrap();
        assert_eq!(grants.len(), 1, "round {round}");
        let scope = grants[0].scope();
        for token in ["read", "write", "admin"] {
            assert!(scope.contains(token), "round {round}: {scope}");
        }
    }
}

/// Withdrawing one user's grant to one client revokes exactly that user's
/// tokens for that client, deletes their codes, and forgets the grant;
/// withdrawing a client's grants revokes all its tokens; forgetting a user
/// deletes its rows.
pub async fn withdrawing_grants_revokes_exactly_their_tokens<S: TestStorage>(s: S) {
    s.save_token(token_of(1, "7", "app")).await.unwrap();
    s.save_token(token_of(2, "7", "app")).await.unwrap();
    s.save_token(token_of(3, "7", "other")).await.unwrap();
    s.save_token(token_of(4, "8", "app")).await.unwrap();
    s.save_token(NewToken {
        user_id: None,
        ..token_of(5, "7", "app")
    })
    .await
    .unwrap();
    let code = |n: &str, user: &str, client: &str| NewAuthorizationCode {
        client_id: client.into(),
        user_id: user.into(),
        ..new_code(&secrets::digest(n))
    };
    s.save_authorization_code(code("c1", "7", "app"))
        .await
        .unwrap();
    s.save_authorization_code(code("c2", "8", "app"))
        .await
        .unwrap();
    for (user, client) in [("7", "app"), ("7", "other"), ("8", "app")] {
        s.save_grant(consent(user, client, "profile", 10))
            .await
            .unwrap();
    }
    let revoked = |n: u32| {
        let s = &s;
        async move {
            let t = s
                .find_access_token(&secrets::digest(&format!("access-{n}")))
                .await
                .unwrap()
                .expect("token");
            (t.is_access_token_revoked(), t.is_refresh_token_revoked())
        }
    };

    let w = s.revoke_user_grant("7", "app", 50).await.unwrap();
    assert_eq!((w.grants, w.tokens, w.codes), (1, 4, 1));
    assert_eq!(revoked(1).await, (true, true));
    assert_eq!(revoked(2).await, (true, true));
    for n in [3, 4, 5] {
        assert_eq!(revoked(n).await, (false, false), "token {n}");
    }
    assert!(s.find_grant("7", "app").await.unwrap().is_none());
    assert!(s.find_grant("7", "other").await.unwrap().is_some());
    assert!(
        s.take_authorization_code(&secrets::digest("c1"))
            .await
            .unwrap()
            .is_none()
    );
    // Again: nothing left to withdraw.
    let w = s.revoke_user_grant("7", "app", 60).await.unwrap();
    assert_eq!((w.grants, w.tokens, w.codes), (0, 0, 0));

    // Every grant of a client, and its own tokens (no user).
    let w = s.revoke_client_grants("app", 70).await.unwrap();
    assert_eq!((w.grants, w.tokens, w.codes), (1, 4, 1));
    assert_eq!(revoked(4).await, (true, true));
    assert_eq!(revoked(5).await, (true, true));
    assert_eq!(revoked(3).await, (false, false));

    // Forgetting user 7 deletes its rows of every client.
    let w = s.forget_user("7").await.unwrap();
    assert_eq!((w.grants, w.tokens), (1, 3));
    for n in [1, 2, 3] {
        let gone = s
            .find_access_token(&secrets::digest(&format!("access-{n}")))
            .await
            .unwrap();
        assert!(gone.is_none(), "token {n}");
    }
    assert!(s.grants_of("7").await.unwrap().is_empty());
    assert!(revoked(4).await.0, "user 8's token is still there");
}

/// Withdrawing a grant denies the device codes its user approved for the
/// client and the device has not redeemed yet; others are untouched.
pub async fn withdrawing_a_grant_denies_its_approved_device_codes<
    S: TestStorage + DeviceCodeStorage,
>(
    s: S,
) {
    let device = |n: &str, client: &str| NewDeviceCode {
        device_code_digest: secrets::digest(&format!("device-{n}")),
        user_code_digest: secrets::digest(&format!("user-{n}")),
        client_id: client.into(),
        scope: "profile".into(),
        issued_at: 1_700_000_000,
        expires_at: 1_700_001_800,
        interval: 5,
    };
    for (n, client, user) in [("a", "app", "7"), ("b", "app", "8"), ("c", "other", "7")] {
        assert!(s.save_device_code(device(n, client)).await.unwrap());
        assert!(
            s.decide_device_code(
                &secrets::digest(&format!("user-{n}")),
                DeviceDecision::Approve,
                user,
                1_700_000_010,
            )
            .await
            .unwrap()
        );
    }
    let w = s
        .revoke_user_grant("7", "app", 1_700_000_020)
        .await
        .unwrap();
    assert_eq!(w.device_codes, 1);
    let status = |n: &str| {
        let s = &s;
        let digest = secrets::digest(&format!("user-{n}"));
        async move {
            s.find_device_code_by_user_code(&digest)
                .await
                .unwrap()
                .expect("device code")
                .status()
        }
    };
    assert_eq!(status("a").await, DeviceCodeStatus::Denied);
    assert_eq!(status("b").await, DeviceCodeStatus::Approved);
    assert_eq!(status("c").await, DeviceCodeStatus::Approved);
    assert!(
        !s.consume_device_code(&secrets::digest("device-a"))
            .await
            .unwrap()
    );
    let w = s.forget_user("8").await.unwrap();
    assert_eq!(w.device_codes, 1);
    assert_eq!(status("b").await, DeviceCodeStatus::Denied);
}

/// A rotated-out refresh token has one retry, taken at most once however
/// many ask at once, and none after its family was revoked or outside the
/// window.
pub async fn grace_retry_happens_once<S: TestStorage + 'static>(s: S) {
    assert!(s.supports_refresh_grace());
    let s = Arc::new(s);
    let now = 1_700_000_100;
    for round in 0..10u32 {
        let first = 100 * (round + 1);
        let family = format!("gr-{round}");
        s.save_token(new_token(first, &family, true)).await.unwrap();
        let old = secrets::digest(&format!("refresh-{first}"));
        assert!(
            s.rotate_refresh_token(&old, new_token(first + 1, &family, true), now)
                .await
                .unwrap()
        );
        let rotated = s.find_refresh_token(&old).await.unwrap().unwrap();
        assert_eq!(rotated.refresh_token_rotated_at(), Some(now));
        assert_eq!(rotated.refresh_token_revoked_at(), Some(now));
        // Rotated before `since`: no retry.
        assert!(
            !s.retry_rotated_refresh_token(&old, new_token(first + 9, &family, true), now + 1)
                .await
                .unwrap()
        );
        let tasks: Vec<_> = (2..6u32)
            .map(|i| {
                let (s, old) = (s.clone(), old.clone());
                let successor = new_token(first + i, &family, true);
                tokio::spawn(async move {
                    s.retry_rotated_refresh_token(&old, successor, now - 30)
                        .await
                })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.unwrap().unwrap());
        }
        assert_eq!(wins, 1, "round {round}");
        let used = s.find_refresh_token(&old).await.unwrap().unwrap();
        assert_eq!(used.refresh_token_rotated_at(), None, "round {round}");
    }
    // A revoked family ends the retry.
    s.save_token(new_token(1, "ended", true)).await.unwrap();
    let old = secrets::digest("refresh-1");
    assert!(
        s.rotate_refresh_token(&old, new_token(2, "ended", true), now)
            .await
            .unwrap()
    );
    s.revoke_grant("ended", now + 1).await.unwrap();
    assert_eq!(
        s.find_refresh_token(&old)
            .await
            .unwrap()
            .unwrap()
            .refresh_token_rotated_at(),
        None
    );
    assert!(
        !s.retry_rotated_refresh_token(&old, new_token(3, "ended", true), now - 30)
            .await
            .unwrap()
    );
    assert!(
        s.find_access_token(&secrets::digest("access-3"))
            .await
            .unwrap()
            .is_none()
    );
}

/// How many of `tasks` (concurrent exactly-once calls) answered `true`.
async fn winners(tasks: Vec<tokio::task::JoinHandle<oauth_core::StorageResult<bool>>>) -> usize {
    let mut won = 0;
    for t in tasks {
        if t.await.expect("task").expect("storage") {
            won += 1;
        }
    }
    won
}

/// A JWT ID is recorded once (RFC 7523 §3 item 7): again it is refused
/// until it has expired, then it may be recorded anew; keys of other
/// issuers or purposes are apart.
pub async fn used_jtis_are_recorded_once<S: TestStorage>(s: S) {
    use oauth_core::UsedJti;
    let now = 1_700_000_000;
    let a = UsedJti::new("client_assertion", "app", "j1", now + 60);
    assert!(s.record_used_jti(&a, now).await.unwrap());
    assert!(!s.record_used_jti(&a, now + 1).await.unwrap());
    assert!(!s.record_used_jti(&a, now + 60).await.unwrap());
    let other_client = UsedJti::new("client_assertion", "other", "j1", now + 60);
    assert!(s.record_used_jti(&other_client, now).await.unwrap());
    let other_purpose = UsedJti::new("dpop", "app", "j1", now + 60);
    assert!(s.record_used_jti(&other_purpose, now).await.unwrap());
    // Once expired, the jti may be used again (its old JWT is refused as
    // expired anyway), and is then held until the new expiry.
    let later = UsedJti::new("client_assertion", "app", "j1", now + 200);
    assert!(s.record_used_jti(&later, now + 61).await.unwrap());
    assert!(!s.record_used_jti(&later, now + 62).await.unwrap());
}

/// A pushed authorization request (RFC 9126) is kept by digest, read any
/// number of times, and taken once; of concurrent takes, one wins.
pub async fn pushed_requests_are_read_then_taken_once<S: TestStorage + 'static>(s: S) {
    use oauth_core::PushedRequest;
    let s = Arc::new(s);
    for round in 0..10u32 {
        let digest = secrets::digest(&format!("urn:ietf:params:oauth:request_uri:{round}"));
        s.save_pushed_request(PushedRequest {
            request_uri_digest: digest.clone(),
            client_id: "app".into(),
            params: "response_type=code&client_id=app&scope=a%20b".into(),
            expires_at: 1_700_000_060,
        })
        .await
        .unwrap();
        for _ in 0..2 {
            let found = s.find_pushed_request(&digest).await.unwrap().unwrap();
            assert_eq!(found.client_id, "app");
            assert_eq!(found.params, "response_type=code&client_id=app&scope=a%20b");
            assert_eq!(found.expires_at, 1_700_000_060);
        }
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (s, d) = (s.clone(), digest.clone());
                tokio::spawn(async move { s.take_pushed_request(&d).await })
            })
            .collect();
        assert_eq!(winners(tasks).await, 1, "round {round}");
        assert!(s.find_pushed_request(&digest).await.unwrap().is_none());
    }
}

/// RFC 7592: a client registered with its registration access token is
/// found by the token's digest, updated (metadata replaced; the secret
/// kept, replaced or removed), and deleted with its token row and what was
/// issued to it, in one go; other clients are untouched.
pub async fn registrations_are_managed<S: TestStorage>(s: S) {
    use oauth_core::SecretUpdate;
    assert!(s.manages_registrations());
    let meta = |name: &str| ClientMetadata {
        client_name: Some(name.into()),
        redirect_uris: vec![REDIRECT.into()],
        ..ClientMetadata::default()
    };
    for (id, token) in [("managed", "rat-1"), ("neighbour", "rat-2")] {
        let mut record = ClientRecord::confidential(id, "first-secret", meta("Before"));
        if id == "neighbour" {
            record.client_secret_sealed = Some("clear:Zmlyc3Qtc2VjcmV0".into());
        }
        s.register_managed_client(record, Some("1".into()), secrets::digest(token))
            .await
            .unwrap();
    }
    let found = |t: &str| {
        let (s, digest) = (&s, secrets::digest(t));
        async move { s.find_client_by_registration_token(&digest).await }
    };
    assert_eq!(found("rat-1").await.unwrap().as_deref(), Some("managed"));
    assert_eq!(found("rat-2").await.unwrap().as_deref(), Some("neighbour"));
    assert_eq!(found("rat-3").await.unwrap(), None);

    assert!(
        s.update_client("managed", meta("After"), SecretUpdate::Keep)
            .await
            .unwrap()
    );
    let client = s.find_client("managed").await.unwrap().unwrap();
    assert_eq!(client.metadata().client_name.as_deref(), Some("After"));
    assert!(client.check_client_secret("first-secret"));
    let replaced = SecretUpdate::Replace {
        digest: secrets::hash_client_secret("second-secret"),
        sealed: Some("clear:c2Vjb25kLXNlY3JldA==".into()),
    };
    assert!(
        s.update_client("managed", meta("After"), replaced)
            .await
            .unwrap()
    );
    let client = s.find_client("managed").await.unwrap().unwrap();
    assert!(client.check_client_secret("second-secret"));
    assert!(!client.check_client_secret("first-secret"));
    // The sealed secret of client_secret_jwt, where the model keeps it.
    let kept = s
        .keeps_sealed_client_secrets()
        .then_some("clear:c2Vjb25kLXNlY3JldA==");
    assert_eq!(client.sealed_client_secret(), kept);
    assert!(
        s.update_client("managed", meta("Public"), SecretUpdate::Remove)
            .await
            .unwrap()
    );
    let client = s.find_client("managed").await.unwrap().unwrap();
    assert!(!client.check_client_secret("second-secret"));
    assert!(
        !s.update_client("nobody", meta("X"), SecretUpdate::Keep)
            .await
            .unwrap()
    );
    if s.keeps_sealed_client_secrets() {
        assert_eq!(
            client.sealed_client_secret(),
            None,
            "removed with the secret"
        );
    }
    let neighbour = s.find_client("neighbour").await.unwrap().unwrap();
    assert_eq!(neighbour.metadata().client_name.as_deref(), Some("Before"));
    let kept = s
        .keeps_sealed_client_secrets()
        .then_some("clear:Zmlyc3Qtc2VjcmV0");
    assert_eq!(neighbour.sealed_client_secret(), kept);

    s.save_token(token_of(1, "7", "managed")).await.unwrap();
    s.save_token(token_of(2, "7", "neighbour")).await.unwrap();
    s.save_grant(consent("7", "managed", "profile", 10))
        .await
        .unwrap();
    let w = s
        .delete_registered_client("managed", 50)
        .await
        .unwrap()
        .expect("it existed");
    assert_eq!((w.tokens, w.grants), (2, 1));
    assert!(s.find_client("managed").await.unwrap().is_none());
    assert_eq!(found("rat-1").await.unwrap(), None);
    let token = |n: u32| {
        let (s, digest) = (&s, secrets::digest(&format!("access-{n}")));
        async move { s.find_access_token(&digest).await }
    };
    assert!(token(1).await.unwrap().unwrap().is_access_token_revoked());
    assert!(!token(2).await.unwrap().unwrap().is_access_token_revoked());
    assert_eq!(found("rat-2").await.unwrap().as_deref(), Some("neighbour"));
    assert!(
        s.delete_registered_client("managed", 60)
            .await
            .unwrap()
            .is_none()
    );
}

/// Of concurrent recordings of one JWT ID, exactly one succeeds.
pub async fn concurrent_jti_recordings_have_one_winner<S: TestStorage + 'static>(s: S) {
    use oauth_core::UsedJti;
    let s = Arc::new(s);
    let now = 1_700_000_000;
    for round in 0..10u32 {
        let used = UsedJti::new("client_assertion", "app", &format!("r{round}"), now + 60);
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (s, used) = (s.clone(), used.clone());
                tokio::spawn(async move { s.record_used_jti(&used, now).await })
            })
            .collect();
        assert_eq!(winners(tasks).await, 1, "round {round}");
    }
}

/// Signing keys: every field comes back as saved; retiring skips the kept
/// key and the retired ones; removal takes only what is past its
/// publication; and a key ring rotates on the storage.
pub async fn signing_keys_roundtrip_and_rotate<S: SigningKeyStorage>(s: S) {
    use oauth_core::jose::{Algorithm, KeyRing, KeySealer, StoredSigningKey};
    let key = |kid: &str, signs_from: i64| StoredSigningKey {
        kid: kid.into(),
        alg: "ES256".into(),
        private_key: format!("clear:{kid}"),
        created_at: 1_700_000_000,
        signs_from,
        signs_until: None,
        published_until: None,
    };
    s.save_signing_key(key("a", 1_700_000_000)).await.unwrap();
    s.save_signing_key(key("b", 1_700_003_600)).await.unwrap();
    let mut keys = s.signing_keys().await.unwrap();
    keys.sort_by(|x, y| x.kid.cmp(&y.kid));
    assert_eq!(keys, vec![key("a", 1_700_000_000), key("b", 1_700_003_600)]);

    assert_eq!(
        s.retire_signing_keys("b", 1_700_003_600, 1_700_007_200)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.retire_signing_keys("b", 1, 2).await.unwrap(),
        0,
        "a is retired already"
    );
    let a = s
        .signing_keys()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.kid == "a")
        .unwrap();
    assert_eq!(
        (a.signs_until, a.published_until),
        (Some(1_700_003_600), Some(1_700_007_200))
    );

    assert_eq!(
        s.delete_unpublished_signing_keys(1_700_007_199)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        s.delete_unpublished_signing_keys(1_700_007_200)
            .await
            .unwrap(),
        1
    );
    let left: Vec<String> = s
        .signing_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(left, vec!["b".to_owned()]);

    // A real ring over the same storage: b is not a key, so the ring's own
    // first rotation retires it and its key signs after publish_ahead.
    s.retire_signing_keys("", 1_700_003_600, 1_700_003_601)
        .await
        .unwrap();
    s.delete_unpublished_signing_keys(1_700_003_601)
        .await
        .unwrap();
    let ring = KeyRing::new(Algorithm::EdDSA, 600, KeySealer::clear());
    let first = ring.current(&s, 1_700_010_000).await.unwrap();
    let second = ring.rotate(&s, 1_700_010_000).await.unwrap();
    assert_eq!(
        ring.current(&s, 1_700_010_000).await.unwrap().kid(),
        first.kid()
    );
    let switch = 1_700_010_000 + ring.publish_ahead;
    assert_eq!(ring.current(&s, switch).await.unwrap().kid(), second);
    assert_eq!(ring.jwks(&s, switch).await.unwrap().keys.len(), 2);
    assert_eq!(ring.jwks(&s, switch + 600).await.unwrap().keys.len(), 1);
}

/// Instantiates every generic storage test for one storage.
///
/// `$make` evaluates to `Option<(guard, storage)>`; `None` skips.
#[macro_export]
macro_rules! all_storage_tests {
    ($make:expr) => {
        $crate::storage_tests!($make;
            client_roundtrip,
            code_is_taken_once,
            openid_context_roundtrip,
            audiences_roundtrip,
            concurrent_code_take_has_one_winner,
            token_roundtrip,
            rotation_happens_once,
            concurrent_rotation_has_one_winner,
            revocation_by_token_and_by_grant,
            token_and_user_are_read_together,
            bearer_with_user_is_checked_like_bearer,
            authorization_code_flow_end_to_end,
            password_introspection_revocation,
            device_code_lifecycle,
            device_user_codes_are_unique_while_live,
            concurrent_device_consumption_has_one_winner,
            user_code_failures_are_counted_per_user_and_per_address,
            client_auth_failures_are_counted_per_client_and_per_address,
            password_failures_are_counted_per_username_and_per_address,
            grant_start_is_kept_by_rotation,
            grants_are_merged_and_listed,
            concurrent_first_grants_leave_one,
            withdrawing_grants_revokes_exactly_their_tokens,
            grace_retry_happens_once,
            withdrawing_a_grant_denies_its_approved_device_codes,
            used_jtis_are_recorded_once,
            concurrent_jti_recordings_have_one_winner,
            pushed_requests_are_read_then_taken_once,
            registrations_are_managed,
            signing_keys_roundtrip_and_rotate,
        );
    };
}

/// Instantiates the named tests of [`crate::suite`] for one storage.
#[macro_export]
macro_rules! storage_tests {
    ($make:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some((_guard, storage)) = $make else { return };
            $crate::suite::$name(storage).await;
        }
    )*};
}

// ---------------------------------------------------------------------------
// Tests that need a real database.

/// Reading the tables directly finds digests, never a raw token, refresh
/// token, code or client secret.
pub async fn secrets_are_stored_as_digests(db: TestDb) {
    let server = server(db.storage()).await;
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "7"),
            ("password", "valid"),
        ]))
        .await;
    let tokens = r.json_body();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let redirect = server
        .create_authorization_response(
            &OAuth2Request::get(
                "https://as.example/authorize?response_type=code&client_id=app&scope=profile",
            ),
            Consent::Granted {
                user_id: "7".into(),
            },
        )
        .await;
    let code = location_param(&redirect, "code");

    let mut conn = db.connect();
    let token_rows: Vec<(String, Option<String>)> = schema::oauth2_token::table
        .select((
            schema::oauth2_token::access_token,
            schema::oauth2_token::refresh_token,
        ))
        .load(&mut conn)
        .unwrap();
    assert_eq!(token_rows.len(), 1);
    assert_eq!(token_rows[0].0, secrets::digest(&access));
    assert_eq!(token_rows[0].1, Some(secrets::digest(&refresh)));
    let codes: Vec<String> = schema::oauth2_code::table
        .select(schema::oauth2_code::code)
        .load(&mut conn)
        .unwrap();
    assert_eq!(codes, vec![secrets::digest(&code)]);
    let client_secret: Option<String> = schema::oauth2_client::table
        .filter(schema::oauth2_client::client_id.eq("app"))
        .select(schema::oauth2_client::client_secret)
        .first(&mut conn)
        .unwrap();
    assert_eq!(client_secret, Some(secrets::digest("s3cret")));

    // No column of any table holds a raw secret.
    let dump: Vec<String> = schema::oauth2_token::table
        .select((
            schema::oauth2_token::access_token,
            schema::oauth2_token::scope,
            schema::oauth2_token::grant_id,
        ))
        .load::<(String, String, String)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(a, b, c)| format!("{a} {b} {c}"))
        .collect();
    for raw in [&access, &refresh, &code] {
        assert!(!dump.iter().any(|row| row.contains(raw.as_str())));
    }
}

/// Two storages (two pools, as two app instances would have) on one
/// database race on one code and on one refresh token: one winner each.
/// Many transactions at once (on SQLite they are committed in groups,
/// each in its own savepoint): one that fails leaves nothing behind and
/// takes no other with it; a write that succeeded is in the database, seen
/// from a fresh connection, as soon as its caller has the answer.
pub async fn concurrent_writes_fail_alone_and_are_durable_when_answered(db: TestDb) {
    use schema::oauth2_client_auth_failure as f;
    let pool = oauth_diesel::DbPool::connect_and_migrate(&db.url).unwrap();
    let url = db.url.clone();
    let writes: Vec<_> = (0..64)
        .map(|i| {
            let pool = pool.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let client = format!("writer-{i}");
                let c = client.clone();
                let result = pool
                    .transaction(move |conn| {
                        diesel::insert_into(f::table)
                            .values((f::client_id.eq(&c), f::failed_at.eq(1_i64)))
                            .execute(conn)?;
                        if i % 4 == 0 {
                            // Fails after writing: its row must not survive.
                            return Err(diesel::result::Error::RollbackTransaction);
                        }
                        Ok(i)
                    })
                    .await;
                if result.is_ok() {
                    let mut fresh = oauth_diesel::establish(&url).unwrap();
                    let seen: i64 = f::table
                        .filter(f::client_id.eq(&client))
                        .count()
                        .get_result(&mut fresh)
                        .unwrap();
                    assert_eq!(seen, 1, "{client}: answered but not committed");
                }
                (i, result)
            })
        })
        .collect();
    for write in writes {
        let (i, result) = write.await.unwrap();
        if i % 4 == 0 {
            assert!(result.is_err(), "write {i} failed in its closure");
        } else {
            assert_eq!(result.unwrap(), i, "write {i} gets its own result");
        }
    }
    let mut conn = db.connect();
    let mut stored: Vec<String> = f::table
        .filter(f::client_id.like("writer-%"))
        .select(f::client_id)
        .load(&mut conn)
        .unwrap();
    stored.sort();
    let mut expected: Vec<String> = (0..64)
        .filter(|i| i % 4 != 0)
        .map(|i| format!("writer-{i}"))
        .collect();
    expected.sort();
    assert_eq!(stored, expected);
}

/// Two instances on one database sign with one key, and a rotation made by
/// one is what the other signs with once it begins; private keys sealed by
/// one are opened by the other, with the same sealing key.
pub async fn signing_keys_are_shared_by_instances(db: TestDb) {
    use oauth_core::jose::{self, Algorithm, KeyRing, KeySealer, Verification};
    let sealer = KeySealer::new("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap();
    let ring = KeyRing::new(Algorithm::RS256, 3_600, sealer);
    let (one, two) = (db.storage(), db.storage());
    let now = 1_700_000_000;
    let first = ring.current(&one, now).await.unwrap();
    assert_eq!(ring.current(&two, now).await.unwrap().kid(), first.kid());
    let token = first
        .sign("JWT", &serde_json::json!({"exp": now + 60}))
        .unwrap();
    let new_kid = ring.rotate(&two, now + 10).await.unwrap();
    let switch = now + 10 + ring.publish_ahead;
    assert_eq!(ring.current(&one, switch).await.unwrap().kid(), new_kid);
    let jwks = ring.jwks(&one, switch).await.unwrap();
    assert!(jose::verify(&token, &jwks, &Verification::new(&[Algorithm::RS256])).is_ok());
    // What the table holds is sealed.
    let stored = two.signing_keys().await.unwrap();
    assert!(stored.iter().all(|k| k.private_key.starts_with("v1:")));
}

pub async fn two_instances_race_on_one_database(db: TestDb) {
    let a = Arc::new(db.storage());
    let b = Arc::new(StandardStorage::new(
        oauth_diesel::DbPool::connect(&db.url).unwrap(),
    ));
    for round in 0..10u32 {
        let digest = secrets::digest(&format!("two-{round}"));
        a.save_authorization_code(new_code(&digest)).await.unwrap();
        let (da, db_) = (digest.clone(), digest.clone());
        let (sa, sb) = (a.clone(), b.clone());
        let ta = tokio::spawn(async move { sa.take_authorization_code(&da).await });
        let tb = tokio::spawn(async move { sb.take_authorization_code(&db_).await });
        let wins = [ta.await.unwrap().unwrap(), tb.await.unwrap().unwrap()]
            .iter()
            .filter(|c| c.is_some())
            .count();
        assert_eq!(wins, 1, "code round {round}");

        let base = 10_000 * (round + 1);
        a.save_token(new_token(base, "g", true)).await.unwrap();
        let old = secrets::digest(&format!("refresh-{base}"));
        let (oa, ob) = (old.clone(), old.clone());
        let (sa, sb) = (a.clone(), b.clone());
        let ta = tokio::spawn(async move {
            sa.rotate_refresh_token(&oa, new_token(base + 1, "g", true), 1)
                .await
        });
        let tb = tokio::spawn(async move {
            sb.rotate_refresh_token(&ob, new_token(base + 2, "g", true), 1)
                .await
        });
        let wins = [ta.await.unwrap().unwrap(), tb.await.unwrap().unwrap()]
            .iter()
            .filter(|w| **w)
            .count();
        assert_eq!(wins, 1, "rotation round {round}");

        // The grace retry of the rotated-out token: once across instances.
        let (oa, ob) = (old.clone(), old.clone());
        let (sa, sb) = (a.clone(), b.clone());
        let ta = tokio::spawn(async move {
            sa.retry_rotated_refresh_token(&oa, new_token(base + 3, "g", true), 0)
                .await
        });
        let tb = tokio::spawn(async move {
            sb.retry_rotated_refresh_token(&ob, new_token(base + 4, "g", true), 0)
                .await
        });
        let wins = [ta.await.unwrap().unwrap(), tb.await.unwrap().unwrap()]
            .iter()
            .filter(|w| **w)
            .count();
        assert_eq!(wins, 1, "grace retry round {round}");
    }
    // A token issued through one instance is seen and revoked through the other.
    let server_a = server(StandardStorage::new(a.pool().clone())).await;
    let r = server_a
        .create_token_response(&token_request(&[("grant_type", "client_credentials")]))
        .await;
    let access = r.json_body()["access_token"].as_str().unwrap().to_owned();
    let found = b
        .find_access_token(&secrets::digest(&access))
        .await
        .unwrap()
        .expect("visible to the other instance");
    assert_eq!(found.client_id(), "app");
    b.revoke_access_token(&secrets::digest(&access), 1)
        .await
        .unwrap();
    let api = OAuth2Request::get("https://api.example/me")
        .with_header("Authorization", format!("Bearer {access}"));
    assert_eq!(
        server_a
            .validate_bearer(&api, &ScopeRequirement::None)
            .await
            .unwrap_err()
            .status(),
        401
    );
}

/// Two instances on one database (two pools) recording the same JWT IDs
/// at once: each is accepted by exactly one of them, as a client
/// assertion replayed to another instance must be refused.
pub async fn used_jtis_are_shared_by_instances(db: TestDb) {
    use oauth_core::UsedJti;
    let a = Arc::new(db.storage());
    let b = Arc::new(StandardStorage::new(
        oauth_diesel::DbPool::connect(&db.url).unwrap(),
    ));
    let now = 1_700_000_000;
    for round in 0..10u32 {
        let used = UsedJti::new("client_assertion", "app", &format!("x{round}"), now + 60);
        let (ua, ub) = (used.clone(), used);
        let (sa, sb) = (a.clone(), b.clone());
        let ta = tokio::spawn(async move { sa.record_used_jti(&ua, now).await });
        let tb = tokio::spawn(async move { sb.record_used_jti(&ub, now).await });
        let (ra, rb) = (ta.await.unwrap().unwrap(), tb.await.unwrap().unwrap());
        assert!(ra ^ rb, "round {round}: {ra} {rb}");
    }
    // The periodic cleanup forgets what has expired, and nothing else.
    let live = UsedJti::new("client_assertion", "app", "live", now + 10_000);
    assert!(a.record_used_jti(&live, now).await.unwrap());
    for (n, expires_at) in [(1, now + 60), (2, now + 10_000)] {
        a.save_pushed_request(oauth_core::PushedRequest {
            request_uri_digest: secrets::digest(&format!("pushed-{n}")),
            client_id: "app".into(),
            params: "client_id=app".into(),
            expires_at,
        })
        .await
        .unwrap();
    }
    let cleaned = a.delete_expired(now + 120, 300, None, None).await.unwrap();
    assert_eq!(cleaned.used_jtis, 10);
    assert!(!b.record_used_jti(&live, now + 120).await.unwrap());
    assert_eq!(cleaned.pushed_requests, 1);
    let pushed = |n: u32| secrets::digest(&format!("pushed-{n}"));
    assert!(b.find_pushed_request(&pushed(1)).await.unwrap().is_none());
    // What one instance pushed, the other uses up.
    assert!(b.take_pushed_request(&pushed(2)).await.unwrap());
    assert!(!a.take_pushed_request(&pushed(2)).await.unwrap());
}

/// A rotation whose insert fails leaves the old refresh token active: the
/// revoke and the insert are one transaction.
pub async fn failed_rotation_leaves_nothing_half_written(db: TestDb) {
    for c in clients() {
        db.storage().add_client(c).await;
    }
    // Every access token is the same value: the second insert hits the
    // unique index on the access token digest.
    let server = AuthorizationServer::new(db.storage(), Config::default())
        .unwrap()
        .with_password_grant(NumericUsers)
        .with_access_token_generator(|_: &TokenContext<'_>| "same-every-time".to_owned());
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "7"),
            ("password", "valid"),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let refresh = r.json_body()["refresh_token"].as_str().unwrap().to_owned();
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ]))
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(r.json_body()["error"], "server_error");
    let t = server
        .storage()
        .find_refresh_token(&secrets::digest(&refresh))
        .await
        .unwrap()
        .unwrap();
    assert!(!t.is_refresh_token_revoked(), "rolled back");
    assert!(!t.is_access_token_revoked(), "rolled back");
}

/// A database error is a 500/503 JSON error from the engine, not a panic.
pub async fn database_errors_are_server_errors(db: TestDb) {
    let server = server(db.storage()).await;
    let mut conn = db.connect();
    diesel::sql_query("DROP TABLE oauth2_token")
        .execute(&mut conn)
        .unwrap();
    let r = server
        .create_token_response(&token_request(&[("grant_type", "client_credentials")]))
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(r.json_body()["error"], "server_error");
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let api = OAuth2Request::get("https://api.example/me")
        .with_header("Authorization", "Bearer whatever");
    let err = server
        .validate_bearer(&api, &ScopeRequirement::None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 500);
    // A user id the integer column cannot hold is a server error too.
    let s = db.storage();
    let mut t = new_token(1, "g", false);
    t.user_id = Some("alice".into());
    assert!(s.save_token(t).await.is_err());
}

/// Cleanup deletes expired codes and spent tokens, keeps live ones, and
/// keeps rotated-out refresh tokens until their lifetime ends (so their
/// reuse is still detected).
pub async fn cleanup_removes_only_what_is_spent(db: TestDb) {
    cleanup_removes_only_what_is_spent_from(&db.storage()).await;
}

/// [`cleanup_removes_only_what_is_spent`] on a storage of any models.
pub async fn cleanup_removes_only_what_is_spent_from<C, T, A, D, G>(
    s: &oauth_diesel::DieselStorage<C, T, A, D, oauth_diesel::models::SigningKey, G>,
) where
    C: oauth_diesel::DieselClient,
    T: oauth_diesel::DieselToken,
    A: oauth_diesel::DieselAuthorizationCode,
    D: oauth_diesel::DieselDeviceCode,
    G: oauth_diesel::DieselGrant,
{
    let now = 1_700_100_000;
    let mut old_code = new_code(&secrets::digest("old"));
    old_code.auth_time = now - 301;
    let mut live_code = new_code(&secrets::digest("live"));
    live_code.auth_time = now - 10;
    s.save_authorization_code(old_code).await.unwrap();
    s.save_authorization_code(live_code).await.unwrap();

    let at = |n: u32, issued: i64, refresh: bool| {
        let mut t = new_token(n, &format!("g{n}"), refresh);
        t.issued_at = issued;
        t
    };
    s.save_token(at(1, now - 7200, false)).await.unwrap(); // expired, no refresh: deleted
    s.save_token(at(2, now - 60, false)).await.unwrap(); // live: kept
    s.save_token(at(3, now - 7200, true)).await.unwrap(); // expired access, live refresh: kept
    s.save_token(at(4, now - 40 * 86_400, true)).await.unwrap(); // refresh past 30 days: deleted
    s.revoke_grant("g3", now).await.unwrap(); // revoked, but reuse detection needs the row

    for (user, at) in [("1", now - 100 * 86_400), ("2", now - 10)] {
        s.save_grant(NewGrant {
            client_id: "app".into(),
            user_id: user.into(),
            scope: "read".into(),
            claims: String::new(),
            at,
        })
        .await
        .unwrap();
    }

    let grants_before = Some(now - 90 * 86_400);
    let cleaned = s
        .delete_expired(now, 300, Some(30 * 86_400), grants_before)
        .await
        .unwrap();
    assert_eq!(cleaned.codes, 1);
    assert_eq!(cleaned.tokens, 2);
    assert_eq!(cleaned.grants, 1, "the grant last given 100 days ago");
    assert!(s.find_grant("1", "app").await.unwrap().is_none());
    assert!(s.find_grant("2", "app").await.unwrap().is_some());
    assert!(
        s.take_authorization_code(&secrets::digest("live"))
            .await
            .unwrap()
            .is_some()
    );
    for (n, kept) in [(1, false), (2, true), (3, true), (4, false)] {
        let found = s
            .find_access_token(&secrets::digest(&format!("access-{n}")))
            .await
            .unwrap();
        assert_eq!(found.is_some(), kept, "token {n}");
    }
}

/// Instances started at the same moment on an empty database all migrate
/// it and come up: the migrations are serialized across connections (an
/// advisory lock on PostgreSQL, `GET_LOCK` on MySQL, the write lock on
/// SQLite), and whoever comes second finds nothing left to run.
pub async fn instances_started_together_all_migrate(db: TestDb) {
    let url = db.url.clone();
    let start = Arc::new(std::sync::Barrier::new(6));
    let instances: Vec<_> = (0..6)
        .map(|_| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                oauth_diesel::DbPool::connect_and_migrate(&url).map(drop)
            })
        })
        .collect();
    for (i, instance) in instances.into_iter().enumerate() {
        if let Err(e) = instance.join().expect("instance thread") {
            panic!("instance {i} did not come up: {}", e.chain());
        }
    }
    db.storage().check_schema().expect("one complete schema");
}

/// Migrations are idempotent: a second start-up applies nothing.
pub async fn migrations_run_once(db: TestDb) {
    let _first = db.storage();
    let mut conn = db.connect();
    assert_eq!(
        oauth_diesel::migrations::run_migrations(&mut conn).unwrap(),
        0
    );
}

/// Instantiates every database-only test for one backend.
///
/// `$make` evaluates to `Option<TestDb>`; `None` skips.
#[macro_export]
macro_rules! all_diesel_tests {
    ($make:expr) => {
        $crate::diesel_tests!($make;
            secrets_are_stored_as_digests,
            two_instances_race_on_one_database,
            failed_rotation_leaves_nothing_half_written,
            database_errors_are_server_errors,
            cleanup_removes_only_what_is_spent,
            migrations_run_once,
            instances_started_together_all_migrate,
            concurrent_writes_fail_alone_and_are_durable_when_answered,
            signing_keys_are_shared_by_instances,
            used_jtis_are_shared_by_instances,
        );
    };
}

/// Instantiates the named database-only tests for one backend.
#[macro_export]
macro_rules! diesel_tests {
    ($make:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some(db) = $make else { return };
            $crate::suite::$name(db).await;
        }
    )*};
}
