//! OAuth 2.0, one module per RFC, and the FAPI 2.0 profile.

pub mod fapi2;
pub mod form_post;
pub mod rfc6749;
pub mod rfc6750;
pub mod rfc6819;
pub mod rfc7009;
pub mod rfc7523;
pub mod rfc7591;
pub mod rfc7592;
pub mod rfc7636;
pub mod rfc7662;
pub mod rfc8414;
pub mod rfc8628;
pub mod rfc8693;
pub mod rfc8707;
pub mod rfc9068;
pub mod rfc9101;
pub mod rfc9126;
pub mod rfc9207;
pub mod rfc9449;
pub mod rfc9728;
pub mod server;
