//! OAuth 1.0a storage conformance: every behaviour the engine relies on
//! from an [`OAuth1Storage`], written once and run on the in-memory
//! storage, on each database, and on Redis in front of SQLite.
//!
//! [`all_oauth1_storage_tests!`](crate::all_oauth1_storage_tests)
//! instantiates the tests of one storage value;
//! [`all_oauth1_store_tests!`](crate::all_oauth1_store_tests) those that
//! open two storages on one store (two app instances) and read the store
//! directly; [`all_oauth1_diesel_tests!`](crate::all_oauth1_diesel_tests)
//! adds the database-only ones.
//!
//! Times are the system clock's, as in production: the Redis storage
//! computes its expiries from it.

use std::sync::Arc;

use async_trait::async_trait;
use diesel::prelude::*;
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth1::rfc5849::client::Signer;
use oauth_core::oauth1::{
    OAuth1Authorization, OAuth1Client, OAuth1ClientRecord, OAuth1Config, OAuth1Nonce, OAuth1Server,
    OAuth1Storage, OAuth1TemporaryCredential, OAuth1TokenCredential, TemporaryCredentialRecord,
    TokenCredentialRecord,
};
use oauth_core::{Clock, Consent, OAuth2Request, Params, SystemClock, secrets};
use oauth_diesel::redis;
use oauth_diesel::{RedisOAuth1Storage, StandardOAuth1Storage, schema};

use crate::db::{TestDb, server_url};

/// The HMAC-SHA1 client.
pub const CLIENT: &str = "printer";
/// Its secret.
pub const SECRET: &str = "kd94hf93k423kf44";
/// Its first callback.
pub const CALLBACK: &str = "https://printer.example/ready";
/// A client that signs only with RSA-SHA1.
pub const RSA_CLIENT: &str = "rsa-printer";
/// The RSA-SHA1 client's key.
pub const RSA_PUBLIC_PEM: &str = include_str!("../../oauth-core/tests/oauth1_data/rsa_public.pem");

/// Now, by the system clock.
pub fn now() -> i64 {
    SystemClock.now()
}

/// Adding clients, which [`OAuth1Storage`] leaves to each storage.
#[async_trait]
pub trait OAuth1TestStorage: OAuth1Storage + Sized {
    /// Registers a client.
    async fn add_client(&self, client: OAuth1ClientRecord);
}

#[async_trait]
impl OAuth1TestStorage for MemoryStorage {
    async fn add_client(&self, client: OAuth1ClientRecord) {
        self.insert_oauth1_client(client);
    }
}

#[async_trait]
impl OAuth1TestStorage for StandardOAuth1Storage {
    async fn add_client(&self, client: OAuth1ClientRecord) {
        self.insert_client(client, Some("1".into()))
            .await
            .expect("insert client");
    }
}

#[async_trait]
impl OAuth1TestStorage for RedisOAuth1Storage<StandardOAuth1Storage> {
    async fn add_client(&self, client: OAuth1ClientRecord) {
        self.inner().add_client(client).await;
    }
}

/// `printer` (HMAC, two callbacks, realms, a name) and `rsa-printer` (no
/// secret, an RSA key).
pub fn clients() -> Vec<OAuth1ClientRecord> {
    let mut printer = OAuth1ClientRecord::new(
        CLIENT,
        SECRET,
        [CALLBACK, "https://printer.example/other?x=1"],
    )
    .with_default_realms(["photos", "profile"]);
    printer.client_name = Some("Printer".into());
    vec![
        printer,
        OAuth1ClientRecord::new(RSA_CLIENT, "", [CALLBACK]).with_rsa_public_key(RSA_PUBLIC_PEM),
    ]
}

/// A pending temporary credential of `printer`, live for ten minutes.
pub fn temporary(token: &str, now: i64) -> TemporaryCredentialRecord {
    TemporaryCredentialRecord {
        oauth_token: token.into(),
        oauth_token_secret: format!("{token}-secret").into(),
        client_id: CLIENT.into(),
        oauth_callback: CALLBACK.into(),
        realms: "photos profile".into(),
        expires_at: now + 600,
        user_id: None,
        verifier_digest: None,
    }
}

/// A nonce of `printer` without a token, at `now`.
pub fn nonce(value: &str, now: i64) -> OAuth1Nonce {
    OAuth1Nonce {
        client_id: CLIENT.into(),
        timestamp: now,
        nonce: value.into(),
        oauth_token: String::new(),
        expires_at: now + 300,
    }
}

/// A unique name for this test's values, so that tests sharing a store
/// (Redis) do not meet.
fn unique(label: &str) -> String {
    format!("{label}-{}", &secrets::random_token(12))
}

// ---------------------------------------------------------------------------
// Tests of one storage value.

/// A client is found by its exact id with its secret, RSA key, callbacks,
/// realms and name.
pub async fn oauth1_client_roundtrip<S: OAuth1TestStorage>(s: S) {
    for c in clients() {
        s.add_client(c).await;
    }
    let printer = s
        .find_oauth1_client(CLIENT)
        .await
        .unwrap()
        .expect("printer");
    assert_eq!(printer.client_id(), CLIENT);
    assert_eq!(printer.client_secret(), SECRET);
    assert_eq!(printer.rsa_public_key(), None);
    assert_eq!(
        printer.redirect_uris(),
        [CALLBACK, "https://printer.example/other?x=1"]
    );
    assert!(printer.check_callback("https://printer.example/other?x=1"));
    assert!(printer.check_callback("oob"));
    assert!(!printer.check_callback("https://printer.example/other"));
    assert_eq!(printer.default_realms(), ["photos", "profile"]);
    assert!(printer.check_realms(&["photos".into()]));
    assert!(!printer.check_realms(&["admin".into()]));
    assert_eq!(printer.client_name().as_deref(), Some("Printer"));

    let rsa = s
        .find_oauth1_client(RSA_CLIENT)
        .await
        .unwrap()
        .expect("rsa");
    assert_eq!(rsa.client_secret(), "", "an RSA-only client has no secret");
    assert_eq!(rsa.rsa_public_key(), Some(RSA_PUBLIC_PEM));
    assert_eq!(rsa.redirect_uris(), [CALLBACK]);
    assert!(rsa.default_realms().is_empty());
    assert_eq!(rsa.client_name(), None);

    // Lookups are exact: case, and trailing spaces (which MySQL's PAD
    // SPACE collations ignore), included.
    for other in ["nobody", "PRINTER", "printer ", ""] {
        assert!(
            s.find_oauth1_client(other).await.unwrap().is_none(),
            "{other:?}"
        );
    }
}

/// A temporary credential comes back whole; it is authorized once and
/// taken once; an expired one cannot be authorized.
pub async fn temporary_credential_lifecycle<S: OAuth1TestStorage>(s: S) {
    let now = now();
    let token = unique("tmp");
    s.save_temporary_credential(temporary(&token, now))
        .await
        .unwrap();
    let found = s
        .find_temporary_credential(&token)
        .await
        .unwrap()
        .expect("saved");
    assert_eq!(found.oauth_token(), token);
    assert_eq!(found.oauth_token_secret(), format!("{token}-secret"));
    assert_eq!(found.client_id(), CLIENT);
    assert_eq!(found.callback(), CALLBACK);
    assert_eq!(found.realms(), ["photos", "profile"]);
    assert_eq!(found.expires_at(), now + 600);
    assert_eq!((found.user_id(), found.verifier_digest()), (None, None));
    assert!(!found.is_authorized() && !found.is_expired(now));
    assert!(found.is_expired(now + 600));
    for other in [token.to_uppercase(), format!("{token} "), "unknown".into()] {
        assert!(s.find_temporary_credential(&other).await.unwrap().is_none());
    }

    let digest = secrets::digest("verifier-1");
    assert!(
        s.authorize_temporary_credential(&token, "7", &digest, now + 1)
            .await
            .unwrap()
    );
    assert!(
        !s.authorize_temporary_credential(&token, "8", &secrets::digest("v2"), now + 2)
            .await
            .unwrap(),
        "authorized once"
    );
    let authorized = s.find_temporary_credential(&token).await.unwrap().unwrap();
    assert_eq!(authorized.user_id().as_deref(), Some("7"));
    assert_eq!(authorized.verifier_digest(), Some(digest.as_str()));
    assert!(authorized.is_authorized());

    let taken = s
        .take_temporary_credential(&token)
        .await
        .unwrap()
        .expect("taken");
    assert_eq!(taken.user_id().as_deref(), Some("7"));
    assert_eq!(taken.verifier_digest(), Some(digest.as_str()));
    assert_eq!(taken.oauth_token_secret(), format!("{token}-secret"));
    assert!(s.take_temporary_credential(&token).await.unwrap().is_none());
    assert!(s.find_temporary_credential(&token).await.unwrap().is_none());
    assert!(
        !s.authorize_temporary_credential(&token, "7", &digest, now + 3)
            .await
            .unwrap()
    );

    // Unknown tokens change nothing.
    assert!(
        !s.authorize_temporary_credential("unknown", "7", &digest, now)
            .await
            .unwrap()
    );
    assert!(
        s.take_temporary_credential("unknown")
            .await
            .unwrap()
            .is_none()
    );

    // Expired at `now` (expires_at <= now): not authorized, still found
    // (the engine decides), and still taken by a denial.
    let late = unique("late");
    s.save_temporary_credential(temporary(&late, now))
        .await
        .unwrap();
    assert!(
        !s.authorize_temporary_credential(&late, "7", &digest, now + 600)
            .await
            .unwrap()
    );
    let still = s.find_temporary_credential(&late).await.unwrap().unwrap();
    assert!(!still.is_authorized());
    assert!(
        s.authorize_temporary_credential(&late, "7", &digest, now + 599)
            .await
            .unwrap()
    );
}

/// Many tasks authorize one credential at once, each with its own
/// verifier: one wins, and the stored verifier is the winner's.
pub async fn concurrent_authorization_has_one_winner<S: OAuth1TestStorage + 'static>(s: S) {
    let s = Arc::new(s);
    let now = now();
    for round in 0..20 {
        let token = unique(&format!("auth-{round}"));
        s.save_temporary_credential(temporary(&token, now))
            .await
            .unwrap();
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let (s, token) = (s.clone(), token.clone());
                tokio::spawn(async move {
                    let digest = secrets::digest(&format!("verifier-{i}"));
                    let won = s
                        .authorize_temporary_credential(
                            &token,
                            &format!("{}", 10 + i),
                            &digest,
                            now,
                        )
                        .await
                        .unwrap();
                    won.then_some((format!("{}", 10 + i), digest))
                })
            })
            .collect();
        let mut winners = Vec::new();
        for t in tasks {
            winners.extend(t.await.unwrap());
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let (user, digest) = &winners[0];
        let stored = s.find_temporary_credential(&token).await.unwrap().unwrap();
        assert_eq!(stored.user_id().as_ref(), Some(user), "round {round}");
        assert_eq!(stored.verifier_digest(), Some(digest.as_str()));
    }
}

/// Many tasks take one authorized credential at once: one gets it.
pub async fn concurrent_take_has_one_winner<S: OAuth1TestStorage + 'static>(s: S) {
    let s = Arc::new(s);
    let now = now();
    for round in 0..20 {
        let token = unique(&format!("take-{round}"));
        s.save_temporary_credential(temporary(&token, now))
            .await
            .unwrap();
        assert!(
            s.authorize_temporary_credential(&token, "7", &secrets::digest("v"), now)
                .await
                .unwrap()
        );
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (s, token) = (s.clone(), token.clone());
                tokio::spawn(async move { s.take_temporary_credential(&token).await })
            })
            .collect();
        let mut winners = 0;
        for t in tasks {
            if let Some(c) = t.await.unwrap().unwrap() {
                assert_eq!(c.user_id().as_deref(), Some("7"));
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "round {round}");
    }
}

/// A token credential comes back whole, by its exact token.
pub async fn token_credential_roundtrip<S: OAuth1TestStorage>(s: S) {
    let token = unique("tok");
    s.save_token_credential(TokenCredentialRecord {
        oauth_token: token.clone(),
        oauth_token_secret: "pfkkdhi9sl3r4s00".into(),
        client_id: CLIENT.into(),
        user_id: "7".into(),
        realms: "photos".into(),
        issued_at: now(),
    })
    .await
    .unwrap();
    let bare = unique("bare");
    s.save_token_credential(TokenCredentialRecord {
        oauth_token: bare.clone(),
        oauth_token_secret: "s".into(),
        client_id: RSA_CLIENT.into(),
        user_id: "8".into(),
        realms: String::new(),
        issued_at: now(),
    })
    .await
    .unwrap();

    let found = s
        .find_token_credential(&token)
        .await
        .unwrap()
        .expect("saved");
    assert_eq!(found.oauth_token(), token);
    assert_eq!(found.oauth_token_secret(), "pfkkdhi9sl3r4s00");
    assert_eq!(found.client_id(), CLIENT);
    assert_eq!(found.user_id(), "7");
    assert_eq!(found.realms(), ["photos"]);
    let found = s.find_token_credential(&bare).await.unwrap().unwrap();
    assert_eq!((found.user_id(), found.realms()), ("8".into(), vec![]));
    for other in [token.to_uppercase(), format!("{token} "), "unknown".into()] {
        assert!(s.find_token_credential(&other).await.unwrap().is_none());
    }
}

/// A nonce is new once; a change in any of its four parts makes another.
/// The largest values the engine lets through fit the store.
pub async fn nonce_is_recorded_once<S: OAuth1TestStorage>(s: S) {
    let now = now();
    let n = nonce(&unique("n"), now);
    assert!(s.record_nonce(&n, now).await.unwrap());
    assert!(!s.record_nonce(&n, now).await.unwrap(), "seen");
    assert!(!s.record_nonce(&n, now + 100).await.unwrap(), "still seen");

    let variants = [
        OAuth1Nonce {
            client_id: RSA_CLIENT.into(),
            ..n.clone()
        },
        OAuth1Nonce {
            timestamp: now + 1,
            ..n.clone()
        },
        OAuth1Nonce {
            nonce: format!("{}x", n.nonce),
            ..n.clone()
        },
        OAuth1Nonce {
            oauth_token: "a-token".into(),
            ..n.clone()
        },
        // Parts that would run together in a naive key.
        OAuth1Nonce {
            client_id: format!("{CLIENT}:{now}"),
            timestamp: now,
            ..n.clone()
        },
    ];
    for v in &variants {
        assert!(s.record_nonce(v, now).await.unwrap(), "{v:?}");
        assert!(!s.record_nonce(v, now).await.unwrap(), "{v:?}");
    }
    let (a, b) = (
        OAuth1Nonce {
            nonce: format!("{}:x", n.nonce),
            oauth_token: "y".into(),
            ..n.clone()
        },
        OAuth1Nonce {
            nonce: n.nonce.clone(),
            oauth_token: "x:y".into(),
            ..n.clone()
        },
    );
    assert!(s.record_nonce(&a, now).await.unwrap());
    assert!(s.record_nonce(&b, now).await.unwrap());

    // The largest: a 255-byte nonce (multi-byte characters), a 255-character
    // client id and token (the columns' size).
    let mut big_nonce = unique("n");
    while big_nonce.len() + 'é'.len_utf8() <= 255 {
        big_nonce.push('é');
    }
    while big_nonce.len() < 255 {
        big_nonce.push('x');
    }
    let big = OAuth1Nonce {
        client_id: "c".repeat(255),
        timestamp: now,
        nonce: big_nonce,
        oauth_token: "t".repeat(255),
        expires_at: now + 300,
    };
    assert!(s.record_nonce(&big, now).await.unwrap());
    assert!(!s.record_nonce(&big, now).await.unwrap());
}

/// Many tasks record one nonce at once: one is told it is new.
pub async fn concurrent_nonce_has_one_winner<S: OAuth1TestStorage + 'static>(s: S) {
    let s = Arc::new(s);
    let now = now();
    for round in 0..20 {
        let n = nonce(&unique(&format!("race-{round}")), now);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (s, n) = (s.clone(), n.clone());
                tokio::spawn(async move { s.record_nonce(&n, now).await })
            })
            .collect();
        let mut new = 0;
        for t in tasks {
            if t.await.unwrap().unwrap() {
                new += 1;
            }
        }
        assert_eq!(new, 1, "round {round}");
    }
}

/// The error of a call that must fail (its success value need not be
/// `Debug`).
#[track_caller]
fn refused<T, E>(result: Result<T, E>) -> E {
    match result {
        Ok(_) => panic!("accepted, but must be refused"),
        Err(e) => e,
    }
}

fn form(body: &str) -> Params {
    Params::parse(body)
}

/// The whole OAuth 1.0a flow through the engine over the storage:
/// temporary credentials with a realm, consent, token credentials, a
/// signed resource request, and the replays the storage must refuse.
pub async fn oauth1_flow_end_to_end<S: OAuth1TestStorage>(s: S) {
    for c in clients() {
        s.add_client(c).await;
    }
    let server = OAuth1Server::new(s, OAuth1Config::default()).expect("config");
    let now = server.now().to_string();
    let mut client = Signer::new(CLIENT, SECRET);

    // §2.1, asking for one of the client's realms.
    client.realm = Some("photos".into());
    let n1 = unique("n1");
    let initiate = client
        .sign(
            OAuth2Request::post("https://photos.example/initiate"),
            &[
                ("oauth_callback", CALLBACK),
                ("oauth_timestamp", &now),
                ("oauth_nonce", &n1),
            ],
        )
        .unwrap();
    let r = server
        .create_temporary_credentials_response(&initiate)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = form(&r.body);
    let temporary = answer.required("oauth_token").unwrap().to_owned();
    let temporary_secret = answer.required("oauth_token_secret").unwrap().to_owned();
    let r = server
        .create_temporary_credentials_response(&initiate)
        .await;
    assert_eq!(r.status, 401, "a replayed initiate is refused: {}", r.body);
    client.realm = None;

    // §2.2: the consent page, then approval.
    let page = OAuth2Request::get(format!(
        "https://photos.example/authorize?oauth_token={temporary}"
    ));
    let shown = server.validate_authorization_request(&page).await.unwrap();
    assert_eq!(shown.client.client_name().as_deref(), Some("Printer"));
    assert_eq!(shown.realms(), ["photos"]);
    let granted = server
        .create_authorization_response(
            &page,
            Consent::Granted {
                user_id: "7".into(),
            },
        )
        .await
        .unwrap();
    let OAuth1Authorization::Redirect(location) = granted else {
        panic!("not a redirect: {granted:?}")
    };
    let callback = form(location.split_once('?').unwrap().1);
    let verifier = callback.required("oauth_verifier").unwrap().to_owned();
    let again = server
        .create_authorization_response(
            &page,
            Consent::Granted {
                user_id: "8".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(again.code.as_str(), "invalid_token");

    // §2.3: token credentials, signed with the temporary credentials.
    client.token = Some((temporary.clone(), temporary_secret.into()));
    let exchange = |nonce: String| {
        client
            .sign(
                OAuth2Request::post("https://photos.example/token"),
                &[
                    ("oauth_verifier", &verifier),
                    ("oauth_timestamp", &now),
                    ("oauth_nonce", &nonce),
                ],
            )
            .unwrap()
    };
    let r = server.create_token_response(&exchange(unique("n2"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = form(&r.body);
    let token = answer.required("oauth_token").unwrap().to_owned();
    let token_secret = answer.required("oauth_token_secret").unwrap().to_owned();
    let r = server.create_token_response(&exchange(unique("n3"))).await;
    assert_eq!(r.status, 401, "exchanged once: {}", r.body);
    assert!(
        server
            .storage()
            .find_temporary_credential(&temporary)
            .await
            .unwrap()
            .is_none()
    );
    let stored = server
        .storage()
        .find_token_credential(&token)
        .await
        .unwrap()
        .expect("token credential stored");
    assert_eq!(stored.user_id(), "7");
    assert_eq!(stored.realms(), ["photos"]);

    // §3: a protected resource in realm `photos`, signed with the token.
    client.token = Some((token, token_secret.into()));
    let n4 = unique("n4");
    let request = client
        .sign(
            OAuth2Request::get("https://photos.example/photos?file=vacation.jpg"),
            &[("oauth_timestamp", &now), ("oauth_nonce", &n4)],
        )
        .unwrap();
    let access = server
        .validate_request(&request, &["photos"])
        .await
        .expect("valid");
    assert_eq!(access.user_id(), "7");
    assert_eq!(access.client_id(), CLIENT);
    let replay = refused(server.validate_request(&request, &[]).await);
    assert_eq!(
        (replay.code.as_str(), replay.status),
        ("invalid_nonce", 401)
    );
    let n5 = unique("n5");
    let other_realm = client
        .sign(
            OAuth2Request::get("https://photos.example/profile"),
            &[("oauth_timestamp", &now), ("oauth_nonce", &n5)],
        )
        .unwrap();
    let denied = refused(server.validate_request(&other_realm, &["profile"]).await);
    assert_eq!(
        (denied.code.as_str(), denied.status),
        ("access_denied", 403)
    );
}

/// Instantiates every generic OAuth 1.0a storage test for one storage.
///
/// `$make` evaluates to `Option<(guard, storage)>` (it may `.await`);
/// `None` skips.
#[macro_export]
macro_rules! all_oauth1_storage_tests {
    ($make:expr) => {
        $crate::oauth1_tests!((_guard, storage) = $make;
            oauth1_client_roundtrip,
            temporary_credential_lifecycle,
            concurrent_authorization_has_one_winner,
            concurrent_take_has_one_winner,
            token_credential_roundtrip,
            nonce_is_recorded_once,
            concurrent_nonce_has_one_winner,
            oauth1_flow_end_to_end,
        );
    };
}

/// Instantiates the named tests of [`crate::suite_oauth1`]: each evaluates
/// `$make`, skips on `None`, and passes the value (the second of a
/// `(guard, storage)` pair) to the suite function of the same name.
#[macro_export]
macro_rules! oauth1_tests {
    (($guard:ident, $value:ident) = $make:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some(($guard, $value)) = $make else { return };
            $crate::suite_oauth1::$name($value).await;
        }
    )*};
    ($value:ident = $make:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some($value) = $make else { return };
            $crate::suite_oauth1::$name($value).await;
        }
    )*};
}

// ---------------------------------------------------------------------------
// Tests of a store: two storages on it, and reading it directly.

/// Where storages are kept: a database, or Redis in front of one.
#[async_trait]
pub trait OAuth1Store: Send + Sync + Sized {
    /// The storage over this store.
    type Storage: OAuth1TestStorage + 'static;
    /// A new storage on this store, with its own connections: what another
    /// instance of the application would have.
    async fn open(&self) -> Self::Storage;
    /// Every temporary credential as stored, each as the text of all its
    /// values.
    async fn stored_temporary_credentials(&self) -> Vec<String>;
}

#[async_trait]
impl OAuth1Store for TestDb {
    type Storage = StandardOAuth1Storage;

    async fn open(&self) -> StandardOAuth1Storage {
        StandardOAuth1Storage::connect_and_migrate(&self.url)
            .unwrap_or_else(|e| panic!("cannot open {:?} storage: {e}", self.backend()))
    }

    async fn stored_temporary_credentials(&self) -> Vec<String> {
        use schema::oauth1_temporary_credential as t;
        let rows: Vec<oauth_diesel::models::OAuth1TemporaryCredential> = t::table
            .select(oauth_diesel::models::OAuth1TemporaryCredential::as_select())
            .load(&mut self.connect())
            .unwrap();
        rows.iter().map(|r| format!("{r:?}")).collect()
    }
}

/// Redis (`REDIS_URL`) in front of a fresh SQLite database, under a key
/// prefix of its own; the prefix's keys are deleted at the end.
pub struct RedisStore {
    /// The database of clients and token credentials.
    pub db: TestDb,
    /// Where Redis is.
    pub url: String,
    /// This store's key prefix.
    pub prefix: String,
}

impl RedisStore {
    /// A store, or `None` (skipped) without `REDIS_URL`; fails if
    /// `OAUTH_TEST_REQUIRE` names `redis`.
    pub fn new() -> Option<RedisStore> {
        let url = server_url("REDIS_URL", "redis")?;
        Some(RedisStore {
            db: TestDb::sqlite(),
            url,
            prefix: format!("{}:", unique("oauth_t")),
        })
    }

    /// A plain connection, for reading keys directly.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap_or_else(|e| panic!("Redis at REDIS_URL is unreachable: {e}"))
    }

    async fn keys(&self, pattern: &str) -> Vec<String> {
        let mut conn = self.connection().await;
        let (mut cursor, mut keys) = (0u64, Vec::new());
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}{pattern}", self.prefix))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .unwrap();
            keys.extend(batch);
            if next == 0 {
                return keys;
            }
            cursor = next;
        }
    }

    /// A storage and its store, for [`all_oauth1_storage_tests!`](crate::all_oauth1_storage_tests).
    pub async fn with_storage() -> Option<(RedisStore, RedisOAuth1Storage<StandardOAuth1Storage>)> {
        let store = RedisStore::new()?;
        let storage = store.open().await;
        Some((store, storage))
    }
}

impl Drop for RedisStore {
    fn drop(&mut self) {
        let Ok(mut conn) = redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection())
        else {
            return;
        };
        let mut cursor = 0u64;
        loop {
            let Ok((next, keys)): redis::RedisResult<(u64, Vec<String>)> = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}*", self.prefix))
                .arg("COUNT")
                .arg(1000)
                .query(&mut conn)
            else {
                return;
            };
            if !keys.is_empty() {
                let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(&keys).query(&mut conn);
            }
            if next == 0 {
                return;
            }
            cursor = next;
        }
    }
}

#[async_trait]
impl OAuth1Store for RedisStore {
    type Storage = RedisOAuth1Storage<StandardOAuth1Storage>;

    async fn open(&self) -> RedisOAuth1Storage<StandardOAuth1Storage> {
        let database = self.db.open().await;
        RedisOAuth1Storage::connect(&self.url, database)
            .await
            .unwrap_or_else(|e| panic!("Redis at REDIS_URL is unreachable: {e}"))
            .with_prefix(self.prefix.clone())
    }

    async fn stored_temporary_credentials(&self) -> Vec<String> {
        let mut conn = self.connection().await;
        let mut values = Vec::new();
        for key in self.keys("temporary:*").await {
            let value: Option<String> = redis::cmd("GET")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .unwrap();
            values.push(format!("{key} {}", value.unwrap_or_default()));
        }
        values
    }
}

/// Two storages on one store (two app instances) race to record one
/// nonce, to authorize one credential and to take it: one winner each.
pub async fn two_instances_race_on_one_store<B: OAuth1Store>(store: B) {
    let a = Arc::new(store.open().await);
    let b = Arc::new(store.open().await);
    let now = now();
    for round in 0..15 {
        let n = nonce(&unique(&format!("two-{round}")), now);
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let s = if i % 2 == 0 { a.clone() } else { b.clone() };
                let n = n.clone();
                tokio::spawn(async move { s.record_nonce(&n, now).await })
            })
            .collect();
        let mut new = 0;
        for t in tasks {
            if t.await.unwrap().unwrap() {
                new += 1;
            }
        }
        assert_eq!(new, 1, "nonce round {round}");

        let token = unique(&format!("two-{round}"));
        a.save_temporary_credential(temporary(&token, now))
            .await
            .unwrap();
        let (sa, sb, ta, tb) = (a.clone(), b.clone(), token.clone(), token.clone());
        let wa = tokio::spawn(async move {
            sa.authorize_temporary_credential(&ta, "7", &secrets::digest("a"), now)
                .await
        });
        let wb = tokio::spawn(async move {
            sb.authorize_temporary_credential(&tb, "8", &secrets::digest("b"), now)
                .await
        });
        let wins = [wa.await.unwrap().unwrap(), wb.await.unwrap().unwrap()];
        assert_eq!(
            wins.iter().filter(|w| **w).count(),
            1,
            "authorize round {round}"
        );

        let (sa, sb, ta, tb) = (a.clone(), b.clone(), token.clone(), token.clone());
        let wa = tokio::spawn(async move { sa.take_temporary_credential(&ta).await });
        let wb = tokio::spawn(async move { sb.take_temporary_credential(&tb).await });
        let taken = [wa.await.unwrap().unwrap(), wb.await.unwrap().unwrap()];
        assert_eq!(taken.iter().flatten().count(), 1, "take round {round}");
    }
}

/// Reading the store directly finds the verifier only as its digest (and
/// the temporary credential, which must be there, with it).
pub async fn verifier_is_stored_only_as_digest<B: OAuth1Store>(store: B) {
    let storage = store.open().await;
    for c in clients() {
        storage.add_client(c).await;
    }
    let server = OAuth1Server::new(storage, OAuth1Config::default()).unwrap();
    let now = server.now().to_string();
    let n = unique("n");
    let initiate = Signer::new(CLIENT, SECRET)
        .sign(
            OAuth2Request::post("https://photos.example/initiate"),
            &[
                ("oauth_callback", CALLBACK),
                ("oauth_timestamp", &now),
                ("oauth_nonce", &n),
            ],
        )
        .unwrap();
    let r = server
        .create_temporary_credentials_response(&initiate)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let temporary = form(&r.body).required("oauth_token").unwrap().to_owned();
    let page = OAuth2Request::get(format!(
        "https://photos.example/authorize?oauth_token={temporary}"
    ));
    let Ok(OAuth1Authorization::Redirect(location)) = server
        .create_authorization_response(
            &page,
            Consent::Granted {
                user_id: "7".into(),
            },
        )
        .await
    else {
        panic!("not granted")
    };
    let verifier = form(location.split_once('?').unwrap().1)
        .required("oauth_verifier")
        .unwrap()
        .to_owned();

    let stored = store.stored_temporary_credentials().await;
    let ours: Vec<_> = stored.iter().filter(|v| v.contains(&temporary)).collect();
    assert_eq!(ours.len(), 1, "{stored:?}");
    assert!(ours[0].contains(&secrets::digest(&verifier)), "{}", ours[0]);
    for value in &stored {
        assert!(!value.contains(&verifier), "verifier in clear: {value}");
    }
}

/// Instantiates the tests of one store.
///
/// `$make` evaluates to `Option<store>`; `None` skips.
#[macro_export]
macro_rules! all_oauth1_store_tests {
    ($make:expr) => {
        $crate::oauth1_tests!(store = $make;
            two_instances_race_on_one_store,
            verifier_is_stored_only_as_digest,
        );
    };
}

// ---------------------------------------------------------------------------
// Database-only and Redis-only tests.

/// `delete_expired` removes the temporary credentials expired at `now`
/// and the nonces whose window has passed, and nothing live.
pub async fn expired_rows_are_deleted(db: TestDb) {
    let s = db.open().await;
    let now = now();
    let mut expired = temporary("expired", now);
    expired.expires_at = now;
    s.save_temporary_credential(expired).await.unwrap();
    s.save_temporary_credential(temporary("live", now))
        .await
        .unwrap();
    let mut old = nonce("old", now - 400);
    old.expires_at = now - 100;
    let fresh = nonce("fresh", now);
    // Recorded with an old `now`, so that recording does not purge it.
    assert!(s.record_nonce(&old, now - 400).await.unwrap());
    assert!(s.record_nonce(&fresh, now).await.unwrap());

    let cleaned = s.delete_expired(now).await.unwrap();
    assert_eq!(cleaned.temporary_credentials, 1);
    assert_eq!(cleaned.nonces, 1);
    assert!(
        s.find_temporary_credential("expired")
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.find_temporary_credential("live").await.unwrap().is_some());
    assert!(!s.record_nonce(&fresh, now).await.unwrap(), "kept");
    assert_eq!(s.delete_expired(now).await.unwrap(), Default::default());
}

/// Registering, deleting and revoking through the Diesel storage; a
/// client id is registered once; records the model cannot hold whole are
/// refused.
pub async fn clients_and_token_credentials_are_managed(db: TestDb) {
    let s = db.open().await;
    for c in clients() {
        s.insert_client(c, Some("1".into())).await.unwrap();
    }
    assert!(
        s.insert_client(clients().remove(0), None).await.is_err(),
        "client ids are unique"
    );
    let bad = OAuth1ClientRecord::new("bad", "s", ["https://a.example/ cb"]);
    assert!(
        s.insert_client(bad, None).await.is_err(),
        "a URI with a space"
    );
    let not_a_number = OAuth1ClientRecord::new("owned", "s", [CALLBACK]);
    assert!(
        s.insert_client(not_a_number, Some("alice".into()))
            .await
            .is_err(),
        "the standard user_id column is an integer"
    );

    let mut conn = db.connect();
    let owner: Option<i32> = schema::oauth1_client::table
        .filter(schema::oauth1_client::client_id.eq(CLIENT))
        .select(schema::oauth1_client::user_id)
        .first(&mut conn)
        .unwrap();
    assert_eq!(owner, Some(1));

    assert!(s.delete_client(RSA_CLIENT).await.unwrap());
    assert!(!s.delete_client(RSA_CLIENT).await.unwrap());
    assert!(s.find_oauth1_client(RSA_CLIENT).await.unwrap().is_none());

    s.save_token_credential(TokenCredentialRecord {
        oauth_token: "tok".into(),
        oauth_token_secret: "sec".into(),
        client_id: CLIENT.into(),
        user_id: "7".into(),
        realms: String::new(),
        issued_at: now(),
    })
    .await
    .unwrap();
    assert!(s.revoke_token_credential("tok").await.unwrap());
    assert!(!s.revoke_token_credential("tok").await.unwrap());
    assert!(s.find_token_credential("tok").await.unwrap().is_none());
}

/// Instantiates the tests of one database: the store tests and the
/// database-only ones.
///
/// `$make` evaluates to `Option<TestDb>`; `None` skips.
#[macro_export]
macro_rules! all_oauth1_diesel_tests {
    ($make:expr) => {
        $crate::all_oauth1_store_tests!($make);
        $crate::oauth1_tests!(db = $make;
            expired_rows_are_deleted,
            clients_and_token_credentials_are_managed,
        );
    };
}

/// Redis expires what it holds: a temporary credential when it expires
/// (its time to live kept through authorization), a nonce when its window
/// has passed.
pub async fn redis_values_expire(store: RedisStore) {
    let s = store.open().await;
    let mut conn = store.connection().await;
    let ttl = |key: String| {
        let mut conn = conn.clone();
        async move {
            let t: i64 = redis::cmd("TTL")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap();
            t
        }
    };
    let now = now();
    let token = unique("tmp");
    s.save_temporary_credential(temporary(&token, now))
        .await
        .unwrap();
    let key = s.temporary_key(&token);
    assert!((595..=600).contains(&ttl(key.clone()).await));
    assert!(
        s.authorize_temporary_credential(&token, "7", &secrets::digest("v"), now)
            .await
            .unwrap()
    );
    assert!(
        (595..=600).contains(&ttl(key.clone()).await),
        "authorization keeps the time to live"
    );
    assert!(s.take_temporary_credential(&token).await.unwrap().is_some());
    assert_eq!(ttl(key).await, -2, "taken: gone");

    let n = nonce(&unique("n"), now);
    assert!(s.record_nonce(&n, now).await.unwrap());
    assert!((296..=301).contains(&ttl(s.nonce_key(&n)).await));

    // A nonce at the end of its window lives one more second, then is new
    // again (the engine refuses its timestamp by then).
    let mut last = nonce(&unique("last"), now - 300);
    last.expires_at = now;
    assert!(s.record_nonce(&last, now).await.unwrap());
    assert!(!s.record_nonce(&last, now).await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(s.record_nonce(&last, now).await.unwrap());

    // A value that is not a credential is a storage error, not a panic.
    let _: () = redis::cmd("SET")
        .arg(store.prefix.clone() + "temporary:garbage")
        .arg("{not json")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(s.find_temporary_credential("garbage").await.is_err());
}
