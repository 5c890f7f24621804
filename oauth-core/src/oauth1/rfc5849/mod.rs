//! RFC 5849, The OAuth 1.0 Protocol, one module per part: the three steps
//! of the redirection-based authorization (§2.1, §2.2, §2.3), protected
//! resource requests (§3), signatures (§3.4), parameter transmission
//! (§3.5) and the errors of §3.2.

pub mod authorization;
pub mod client;
pub mod errors;
pub mod params;
pub mod resource;
pub mod signature;
pub mod temporary;
pub mod token;
