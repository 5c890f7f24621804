//! The client's address, for the per-address guessing limits
//! ([`ClientSecretLimit::max_failures_per_address`](crate::config::ClientSecretLimit::max_failures_per_address)).

use std::convert::Infallible;
use std::net::IpAddr;

use rocket::request::{FromRequest, Outcome, Request};

use crate::rocket::fairing::SharedConfig;

/// The address a request came from: the connection's peer, or, when
/// `trust_ip_header` is on ([`Proxy::trust_ip_header`](crate::config::Proxy::trust_ip_header)),
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

/// The client's address as a request guard, by the OAuth 2.0 fairing's
/// [`Proxy::trust_ip_header`](crate::config::Proxy::trust_ip_header): for pages
/// of the application that pass it to the engine, such as the device
/// flow's verification page
/// ([`AuthorizationServer::lookup_user_code`](crate::AuthorizationServer::lookup_user_code)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let trust = req
            .rocket()
            .state::<SharedConfig>()
            .is_some_and(|c| c.0.proxy.trust_ip_header);
        Outcome::Success(ClientAddress(client_address(req, trust)))
    }
}
