//! `RequireOAuthUser` on a real Rocket server over HTTP, on the in-memory
//! storage: the handler gets the token's user read with the token, and
//! every refusal is `RequireOAuth`'s (RFC 6750 §3: 401 with a `Bearer`
//! challenge, `invalid_token`; 403 `insufficient_scope`). A fairing that
//! was not given the user model stops the launch (the guard's sentinel;
//! see also `rocket_sentinels.rs`), instead of serving the handler without
//! a user.

use oauth_core::memory::MemoryStorage;
use oauth_core::rocket::{OAuth2, RequireOAuthUser, oauth2_catchers};
use oauth_core::{AuthorizationServer, OAuth2Storage, scope, secrets};
use oauth_tests::served::{Served, bearer_token, figment, serve as serve_on};
use rocket::{get, routes};

scope!(Profile = "profile");

/// The application's user model.
#[derive(Debug, Clone)]
struct Member {
    name: String,
}

#[get("/me")]
fn me(me: RequireOAuthUser<Profile, Member>) -> String {
    match &me.user {
        Some(member) => format!("{} via {}", member.name, me.client_id),
        None => format!("nobody via {}", me.client_id),
    }
}

/// Storage with user 7 (alice) and tokens: `alice` (hers, `profile`),
/// `service` (no user), `gone` (user 9, who does not exist), `narrow`
/// (hers, `email` only), `revoked` (hers, revoked).
async fn storage() -> MemoryStorage {
    let s = MemoryStorage::new();
    s.insert_user(
        "7",
        Member {
            name: "alice".into(),
        },
    );
    for t in [
        bearer_token("alice", Some("7"), "profile"),
        bearer_token("service", None, "profile"),
        bearer_token("gone", Some("9"), "profile"),
        bearer_token("narrow", Some("7"), "email"),
        bearer_token("revoked", Some("7"), "profile"),
    ] {
        s.save_token(t).await.unwrap();
    }
    let now = std::time::UNIX_EPOCH.elapsed().unwrap().as_secs() as i64;
    s.revoke_access_token(&secrets::digest("revoked"), now)
        .await
        .unwrap();
    s
}

/// Launches the site on a free port of 127.0.0.1.
async fn serve() -> Served {
    let storage = storage().await;
    let (figment, port) = figment();
    let fairing = OAuth2::fairing(move |_, config| {
        AuthorizationServer::new(storage, config).map_err(|e| e.to_string())
    });
    let rocket = rocket::custom(figment)
        .attach(fairing.users::<Member>())
        .mount("/", routes![me])
        .register("/", oauth2_catchers());
    serve_on(rocket, port, "/me").await
}

/// Status, `WWW-Authenticate` and body of `GET /me` with `token`.
async fn get_me(server: &Served, token: Option<&str>) -> (u16, String, String) {
    let mut request = reqwest::Client::new().get(format!("{}/me", server.base));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, r.text().await.unwrap())
}

#[tokio::test]
async fn the_handler_gets_the_user_the_token_acts_for() {
    let server = serve().await;
    let (status, _, body) = get_me(&server, Some("alice")).await;
    assert_eq!((status, body.as_str()), (200, "alice via app"));
    // No user behind the token, or a user who is gone: the handler decides.
    let (status, _, body) = get_me(&server, Some("service")).await;
    assert_eq!((status, body.as_str()), (200, "nobody via app"));
    let (status, _, body) = get_me(&server, Some("gone")).await;
    assert_eq!((status, body.as_str()), (200, "nobody via app"));
}

/// RFC 6750 §3 and §3.1: the refusals of `RequireOAuth`.
#[tokio::test]
async fn rfc6750_3_refusals_are_those_of_require_oauth() {
    let server = serve().await;
    // §3.1: no token, no error code: just the challenge.
    let (status, challenge, _) = get_me(&server, None).await;
    assert_eq!((status, challenge.as_str()), (401, "Bearer"));
    let (status, challenge, body) = get_me(&server, Some("revoked")).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    assert!(body.contains("invalid_token"), "{body}");
    let (status, challenge, _) = get_me(&server, Some("unknown")).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let (status, challenge, _) = get_me(&server, Some("narrow")).await;
    assert_eq!(status, 403);
    assert!(
        challenge.contains(r#"error="insufficient_scope""#)
            && challenge.contains(r#"scope="profile""#),
        "{challenge}"
    );
}

#[tokio::test]
async fn without_the_user_model_launch_is_refused() {
    let figment = rocket::Config::figment().merge(("log_level", "off"));
    let storage = storage().await;
    let rocket = rocket::custom(figment)
        .attach(OAuth2::fairing(move |_, config| {
            AuthorizationServer::new(storage, config).map_err(|e| e.to_string())
        }))
        .mount("/", routes![me]);
    let Err(error) = rocket.ignite().await else {
        panic!("launch must be refused");
    };
    match error.kind() {
        rocket::error::ErrorKind::SentinelAborts(sentries) => assert!(
            sentries
                .iter()
                .any(|s| s.type_name.contains("RequireOAuthUser")),
            "{sentries:?}"
        ),
        other => panic!("not refused by the guard's sentinel: {other:?}"),
    }
}
