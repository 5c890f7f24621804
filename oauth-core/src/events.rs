//! The security events the engine writes to the log, in one place so that
//! their names, levels and fields stay consistent (and never hold a
//! secret).
//!
//! Every event goes to the target `oauth::security` with a stable `event`
//! field, so an operator can filter (`RUST_LOG=oauth::security=info`) and
//! alert on them. Values that come from the request (a client id, a
//! redirect URI) are logged with `Debug`, which quotes and escapes them: a
//! client cannot write a line of its own into the log. Raw tokens, codes,
//! secrets and verifiers are never among the fields; a failure is logged by
//! its class.
//!
//! | event | level | when |
//! |---|---|---|
//! | `authorization_code_replayed` | warn | a spent code came back; its grant's tokens are revoked |
//! | `refresh_token_reused` | warn | a rotated-out or revoked refresh token came back; its family is revoked |
//! | `refresh_token_retried` | info | a rotated-out refresh token came back within the grace period and got one new pair |
//! | `grant_withdrawn` | info | a user's grant to a client (or every grant of a client) was withdrawn; its tokens are revoked |
//! | `client_auth_cut_off` | warn | the guessing limits refused a client or an address (RFC 6819 §5.1.4.2.3) |
//! | `user_code_cut_off` | warn | the guessing limits refused a device user code entry |
//! | `password_cut_off` | warn | the guessing limits refused a password grant (RFC 6749 §4.3.2) |
//! | `client_auth_failed` | info | a wrong client secret |
//! | `client_assertion_replayed` | warn | a client assertion (`private_key_jwt`) came back with a `jti` already used |
//! | `password_failed` | info | a wrong username or password at the password grant |
//! | `redirect_uri_refused` | info | an authorization request named an unregistered redirect URI |
//! | `pkce_failed` | info | a code's PKCE verification failed (missing, malformed, mismatched) |
//! | `cross_origin_refused` | info | the Rocket adapter's `SameOrigin` guard refused a cross-site form post |
//! | `oauth1_signature_failed` | info | an OAuth 1.0a signature did not verify |

use std::net::IpAddr;

/// The log target of every security event.
pub const SECURITY: &str = "oauth::security";

/// A spent authorization code was presented again (RFC 6749 §4.1.2,
/// RFC 9700 §4.5.3): the `revoked` credentials of its grant are revoked.
pub(crate) fn authorization_code_replayed(client_id: &str, grant_id: &str, revoked: u64) {
    tracing::warn!(
        target: SECURITY,
        event = "authorization_code_replayed",
        client_id = ?client_id,
        grant_id,
        revoked,
        "authorization code replayed: the tokens issued from it are revoked"
    );
}

/// A refresh token that was rotated out or revoked was presented again
/// (RFC 9700 §4.14.2): the family is revoked.
pub(crate) fn refresh_token_reused(client_id: &str, grant_id: &str, revoked: u64) {
    tracing::warn!(
        target: SECURITY,
        event = "refresh_token_reused",
        client_id = ?client_id,
        grant_id,
        revoked,
        "refresh token reused: its token family is revoked"
    );
}

/// A rotated-out refresh token was presented again by its client within
/// the grace period, and got its one new pair instead of revoking the
/// family.
pub(crate) fn refresh_token_retried(client_id: &str, grant_id: &str) {
    tracing::info!(
        target: SECURITY,
        event = "refresh_token_retried",
        client_id = ?client_id,
        grant_id,
        "rotated-out refresh token retried within the grace period"
    );
}

/// A grant was withdrawn: one user's (`user_id`) or every grant of the
/// client (`None`).
pub(crate) fn grant_withdrawn(
    client_id: &str,
    user_id: Option<&str>,
    withdrawn: &crate::consent::Withdrawn,
) {
    tracing::info!(
        target: SECURITY,
        event = "grant_withdrawn",
        client_id = ?client_id,
        user_id = ?user_id,
        grants = withdrawn.grants,
        tokens = withdrawn.tokens,
        codes = withdrawn.codes,
        device_codes = withdrawn.device_codes,
        "grant withdrawn: its tokens are revoked"
    );
}

/// A client deleted its registration (RFC 7592 §2.3): what was issued to
/// it is withdrawn.
pub(crate) fn client_deleted(client_id: &str, withdrawn: &crate::consent::Withdrawn) {
    tracing::info!(
        target: SECURITY,
        event = "client_deleted",
        client_id = ?client_id,
        grants = withdrawn.grants,
        tokens = withdrawn.tokens,
        codes = withdrawn.codes,
        device_codes = withdrawn.device_codes,
        "client registration deleted: its tokens are revoked"
    );
}

/// Whose failures cut a client authentication or a user code entry off.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CutOff {
    /// Too many failures from one address.
    Address,
    /// Too many failures for one client, from anywhere.
    Client,
    /// Too many failures of one user, from anywhere.
    User,
    /// Too many wrong passwords for one username, from anywhere.
    Username,
}

/// The guessing limits refused a client authentication.
pub(crate) fn client_auth_cut_off(
    client_id: &str,
    remote_addr: Option<IpAddr>,
    by: CutOff,
    failures: u32,
) {
    tracing::warn!(
        target: SECURITY,
        event = "client_auth_cut_off",
        client_id = ?client_id,
        remote_addr = ?remote_addr,
        by = ?by,
        failures,
        "client authentication refused by the guessing limits"
    );
}

/// The guessing limits refused a user code entry on the verification page.
pub(crate) fn user_code_cut_off(user_id: &str, remote_addr: Option<IpAddr>, by: CutOff) {
    tracing::warn!(
        target: SECURITY,
        event = "user_code_cut_off",
        user_id = ?user_id,
        remote_addr = ?remote_addr,
        by = ?by,
        "device user code entry refused by the guessing limits"
    );
}

/// The guessing limits refused a password grant. The username is left
/// out: people type passwords into it.
pub(crate) fn password_cut_off(client_id: &str, remote_addr: Option<IpAddr>, by: CutOff) {
    tracing::warn!(
        target: SECURITY,
        event = "password_cut_off",
        client_id = ?client_id,
        remote_addr = ?remote_addr,
        by = ?by,
        "password grant refused by the guessing limits"
    );
}

/// A wrong username or password at the password grant (the username left
/// out, as above).
pub(crate) fn password_failed(client_id: &str, remote_addr: Option<IpAddr>) {
    tracing::info!(
        target: SECURITY,
        event = "password_failed",
        client_id = ?client_id,
        remote_addr = ?remote_addr,
        "password grant: wrong username or password"
    );
}

/// A client assertion whose signature verified came with a `jti` that was
/// used before (RFC 7523 §3 item 7): a replay, perhaps of an assertion
/// captured in transit or at another server.
pub(crate) fn client_assertion_replayed(client_id: &str, remote_addr: Option<IpAddr>) {
    tracing::warn!(
        target: SECURITY,
        event = "client_assertion_replayed",
        client_id = ?client_id,
        remote_addr = ?remote_addr,
        "client assertion replayed: its jti was used before"
    );
}

/// A wrong client secret.
pub(crate) fn client_auth_failed(client_id: &str, remote_addr: Option<IpAddr>) {
    tracing::info!(
        target: SECURITY,
        event = "client_auth_failed",
        client_id = ?client_id,
        remote_addr = ?remote_addr,
        "client authentication failed: wrong secret"
    );
}

/// An authorization request named a redirect URI the client did not
/// register (RFC 6749 §4.1.2.1: not redirected).
pub(crate) fn redirect_uri_refused(client_id: &str, redirect_uri: &str) {
    tracing::info!(
        target: SECURITY,
        event = "redirect_uri_refused",
        client_id = ?client_id,
        redirect_uri = ?redirect_uri,
        "authorization request refused: redirect_uri is not registered for this client"
    );
}

/// A code's PKCE verification failed (RFC 7636 §4.6); `class` says how
/// (`missing`, `malformed`, `mismatch`, ...), never with the verifier.
pub(crate) fn pkce_failed(client_id: &str, class: &'static str) {
    tracing::info!(
        target: SECURITY,
        event = "pkce_failed",
        client_id = ?client_id,
        class,
        "PKCE verification failed"
    );
}

/// An OAuth 1.0a signature did not verify (RFC 5849 §3.2).
pub(crate) fn oauth1_signature_failed(consumer_key: &str, method: &str) {
    tracing::info!(
        target: SECURITY,
        event = "oauth1_signature_failed",
        consumer_key = ?consumer_key,
        signature_method = ?method,
        "OAuth 1.0a signature verification failed"
    );
}
