//! The `[oauth2]` table of Rocket's configuration, in its sections: what a
//! `Rocket.toml` sets reaches the server, a section given in part keeps the
//! other defaults, and a key that is not there (misspelt, or a flat key of
//! earlier versions) stops launch instead of being ignored.

use std::sync::{Arc, Mutex};

use oauth_core::memory::MemoryStorage;
use oauth_core::rocket::OAuth2;
use oauth_core::{AuthorizationServer, Config};
use rocket::figment::providers::{Format, Toml};

/// Ignites a Rocket configured from `toml` (a `Rocket.toml` text) with the
/// OAuth 2 fairing; the configuration the server was built with, or `None`
/// if launch was refused.
async fn configured(toml: &str) -> Option<Config> {
    let seen = Arc::new(Mutex::new(None));
    let keep = seen.clone();
    let figment = rocket::Config::figment()
        .merge(Toml::string(toml).nested())
        .merge(("log_level", "off"));
    let rocket = rocket::custom(figment).attach(OAuth2::fairing(move |_, config| {
        *keep.lock().unwrap() = Some(config.clone());
        AuthorizationServer::new(MemoryStorage::new(), config).map_err(|e| e.to_string())
    }));
    let ignited = match rocket.ignite().await {
        Ok(_) => true,
        // Looking at the error marks it handled (Rocket panics otherwise).
        Err(e) => match e.kind() {
            rocket::error::ErrorKind::FailedFairings(_) => false,
            other => panic!("launch failed, but not in a fairing: {other:?}"),
        },
    };
    let config = seen.lock().unwrap().take();
    ignited.then(|| config.expect("the fairing built the server"))
}

#[rocket::async_test]
async fn rocket_toml_sections_reach_the_server() {
    let config = configured(
        r#"
        [default.oauth2]
        insecure_transport = true

        [default.oauth2.lifetimes]
        authorization_code = 120

        [default.oauth2.lifetimes.access_token_by_grant]
        client_credentials = 60

        [default.oauth2.pkce]
        require_for_confidential_clients = true

        [default.oauth2.limits.client_secret]
        max_failures_per_address = 3
        "#,
    )
    .await
    .expect("launched");
    assert!(config.insecure_transport);
    assert_eq!(config.lifetimes.authorization_code, 120);
    assert_eq!(config.expires_in_for("client_credentials"), 60);
    assert!(config.pkce.require_for_confidential_clients);
    assert_eq!(config.limits.client_secret.max_failures_per_address, 3);
    // What the sections leave out keeps its default.
    let defaults = Config::default();
    assert_eq!(
        config.lifetimes.refresh_token,
        defaults.lifetimes.refresh_token
    );
    assert!(!config.pkce.allow_plain);
    assert_eq!(config.limits.client_secret.max_failures, 100);
    assert_eq!(config.limits.user_code, defaults.limits.user_code);
}

#[rocket::async_test]
async fn no_oauth2_table_is_the_default_configuration() {
    let config = configured("").await.expect("launched");
    assert_eq!(config, Config::default());
}

#[rocket::async_test]
async fn an_unknown_key_stops_launch() {
    for toml in [
        "[default.oauth2.pkce]\nallow_plane = true",
        "[default.oauth2]\nno_such_section = 1",
        // The flat keys of earlier versions are refused, not ignored.
        "[default.oauth2]\nallow_plain_pkce = true",
        "[default.oauth2]\nclient_auth_max_failures = 5",
    ] {
        assert_eq!(configured(toml).await, None, "{toml}");
    }
}

#[rocket::async_test]
async fn a_value_that_cannot_work_stops_launch() {
    let toml = "[default.oauth2.lifetimes]\nauthorization_code = 3600";
    assert_eq!(configured(toml).await, None);
}

/// `profile = "fapi2"` in a `Rocket.toml`: the server is built with the
/// profile's settings; one against it, or the password grant on the
/// server, stops launch.
#[rocket::async_test]
async fn the_fapi2_profile_applies_at_launch_and_refuses_contradictions() {
    let config = configured(
        r#"
        [default.oauth2]
        profile = "fapi2"
        "#,
    )
    .await
    .expect("launched");
    assert!(config.par.require && config.dpop.require);
    assert_eq!(config.lifetimes.authorization_code, 60);
    assert!(!config.implicit_grant);

    let against = configured(
        r#"
        [default.oauth2]
        profile = "fapi2"

        [default.oauth2.lifetimes]
        authorization_code = 600
        "#,
    )
    .await;
    assert!(
        against.is_none(),
        "a 600 s code lifetime launched under fapi2"
    );

    let figment = rocket::Config::figment()
        .merge(Toml::string("[default.oauth2]\nprofile = \"fapi2\"").nested())
        .merge(("log_level", "off"));
    let rocket = rocket::custom(figment).attach(OAuth2::fairing(|_, config| {
        Ok(AuthorizationServer::new(MemoryStorage::new(), config)
            .map_err(|e| e.to_string())?
            .with_password_grant(Nobody))
    }));
    match rocket.ignite().await {
        Ok(_) => panic!("the password grant launched under fapi2"),
        Err(e) => assert!(matches!(
            e.kind(),
            rocket::error::ErrorKind::FailedFairings(_)
        )),
    }
}

/// A password check that knows no one.
struct Nobody;

#[rocket::async_trait]
impl oauth_core::grants::ResourceOwnerAuthenticator for Nobody {
    async fn authenticate(
        &self,
        _username: &str,
        _password: &str,
        _client_id: &str,
    ) -> Result<Option<String>, oauth_core::StorageError> {
        Ok(None)
    }
}

/// Whether a Rocket with the resource-server fairing configured from
/// `toml` ignites.
async fn resource_server_ignites(toml: &str) -> bool {
    let figment = rocket::Config::figment()
        .merge(Toml::string(toml).nested())
        .merge(("log_level", "off"));
    let rocket = rocket::custom(figment).attach(oauth_core::rocket::ResourceServer::fairing());
    match rocket.ignite().await {
        Ok(_) => true,
        Err(e) => match e.kind() {
            rocket::error::ErrorKind::FailedFairings(_) => false,
            other => panic!("unexpected launch error: {other:?}"),
        },
    }
}

#[tokio::test]
async fn the_resource_server_table_is_checked_at_launch() {
    let table = |issuer: &str, extra: &str| {
        format!(
            "[default.resource_server]\nissuer = \"{issuer}\"\nresource = \"http://127.0.0.1:8001\"\ninsecure_transport = true\n{extra}"
        )
    };
    assert!(resource_server_ignites(&table("http://127.0.0.1:8000", "")).await);
    // An https issuer needs the TLS feature, which this build has not.
    assert!(!resource_server_ignites(&table("https://login.example", "")).await);
    // An unknown key, a value that cannot work, a secret without its id.
    for extra in [
        "introspection_max_age = 5",
        "token_cache_max_age = 0",
        "client_secret = \"s3cret\"",
    ] {
        assert!(
            !resource_server_ignites(&table("http://127.0.0.1:8000", extra)).await,
            "{extra}"
        );
    }
    // No table at all: nothing to check tokens against.
    assert!(!resource_server_ignites("").await);
}
