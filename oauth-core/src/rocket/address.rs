//! The client's address, for the per-address guessing limits
//! ([`Config::client_auth_max_failures_per_address`](crate::Config::client_auth_max_failures_per_address)).

use std::net::IpAddr;

use rocket::request::Request;

/// The address a request came from: the connection's peer, or, when
/// `trust_ip_header` is on ([`Config::trust_ip_header`](crate::Config::trust_ip_header)),
/// the address in Rocket's `ip_header` (`X-Real-IP` by default) when it
/// holds one. Rocket's own [`Request::client_ip`] always believes that
/// header, which a client can set to anything, so it is used only when a
/// proxy is trusted to set it.
pub fn client_address(req: &Request<'_>, trust_ip_header: bool) -> Option<IpAddr> {
    if trust_ip_header {
        req.client_ip()
    } else {
        req.remote().map(|peer| peer.ip())
    }
}
