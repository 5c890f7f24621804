//! RFC 6819 §5.1.4.2.3 (and RFC 9700 §4.6's concern with online
//! guessing): wrong client secrets are counted in storage, per client and
//! per client address, so that guessing is cut off across processes and
//! restarts.
//!
//! One address is cut off early, from every client
//! ([`ClientSecretLimit::max_failures_per_address`]); a client is refused
//! only after many more failures from all addresses together
//! ([`ClientSecretLimit::max_failures`]), the backstop against guessing
//! spread over many addresses. A single guesser therefore cannot lock a
//! client out for everyone else, which a per-client count alone allows to
//! anyone who knows a `client_id`.
//!
//! [`ClientSecretLimit::max_failures_per_address`]: crate::config::ClientSecretLimit::max_failures_per_address
//! [`ClientSecretLimit::max_failures`]: crate::config::ClientSecretLimit::max_failures

use std::net::{IpAddr, Ipv6Addr};

use crate::error::OAuth2Error;
use crate::events::{self, CutOff};
use crate::models::OAuth2Client;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The key failures of `addr` are counted under: an IPv4 address as it is
/// (also when mapped into IPv6), an IPv6 address by its /64 network
/// (`2001:db8:1:2::/64`), since one host usually holds a whole /64 and
/// could otherwise draw a fresh address for every guess.
///
/// ```
/// use oauth_core::oauth2::rfc6819::address_key;
/// assert_eq!(address_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
/// assert_eq!(address_key("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7");
/// assert_eq!(address_key("2001:db8:1:2:a:b:c:d".parse().unwrap()), "2001:db8:1:2::/64");
/// ```
pub fn address_key(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !u128::from(u64::MAX);
                format!("{}/64", Ipv6Addr::from(network))
            }
        },
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Checks a presented client secret under the guessing limits.
    ///
    /// An address past its limit is refused before the secret is checked,
    /// and its attempt is not recorded: its guesses neither go on nor add
    /// to the client's count. A wrong secret is recorded for the client and
    /// the address; a right one is refused while the client is past its
    /// own limit, so that guessing is stopped, not only slowed. Counts are
    /// read before a failure is written, so parallel requests can overshoot
    /// a limit by those in flight.
    pub(crate) async fn check_client_secret_with_limits(
        &self,
        client: &S::Client,
        secret: &str,
        remote_addr: Option<IpAddr>,
    ) -> Result<(), OAuth2Error> {
        let config = &self.config;
        let (per_client, per_address) = (
            config.limits.client_secret.max_failures,
            config.limits.client_secret.max_failures_per_address,
        );
        if per_client == 0 && per_address == 0 {
            return if client.check_client_secret(secret) {
                Ok(())
            } else {
                events::client_auth_failed(client.client_id(), remote_addr);
                Err(OAuth2Error::invalid_client("client authentication failed"))
            };
        }
        let address = remote_addr.map(address_key);
        let address = address.as_deref();
        let now = self.now();
        let since = now.saturating_sub(config.limits.client_secret.window);
        let failures = self
            .storage
            .count_client_auth_failures(client.client_id(), address, since)
            .await?;
        if per_address > 0 && address.is_some() && failures.address >= per_address {
            events::client_auth_cut_off(
                client.client_id(),
                remote_addr,
                CutOff::Address,
                failures.address,
            );
            return Err(OAuth2Error::invalid_client(
                "too many failed authentication attempts from this address; try again later",
            ));
        }
        if !client.check_client_secret(secret) {
            self.storage
                .record_client_auth_failure(client.client_id(), address, now)
                .await?;
            events::client_auth_failed(client.client_id(), remote_addr);
            return Err(OAuth2Error::invalid_client("client authentication failed"));
        }
        if per_client > 0 && failures.client >= per_client {
            events::client_auth_cut_off(
                client.client_id(),
                remote_addr,
                CutOff::Client,
                failures.client,
            );
            return Err(OAuth2Error::invalid_client(
                "too many failed authentication attempts for this client; try again later",
            ));
        }
        Ok(())
    }
}
