//! A request guard for a site's own state-changing forms: refuses requests
//! a browser sent on behalf of another site, by Fetch Metadata
//! (`Sec-Fetch-Site`) or, from browsers without it, by `Origin`.
//!
//! Login CSRF is the case it is made for (RFC 6749 §10.12, RFC 9700
//! §4.7): `SameSite=Lax` cookies do not stop a top-level cross-site `POST`
//! to a login form, and before the login there is no session to bind a
//! CSRF token to. Forms behind a session keep their CSRF tokens too; this
//! guard is a second wall for them.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

/// Admits a request unless a browser says it comes from another site:
/// `Sec-Fetch-Site` other than `same-origin` or `none` (a typed URL or a
/// bookmark); without it, an `Origin` (`null` included) whose host and
/// port differ from the `Host` the request was sent to. A request with
/// neither header is not a browser's cross-site request (every browser
/// that sends cookies on a cross-site `POST` sends `Origin` with it), and
/// is admitted: non-browser clients keep working.
///
/// Refused requests fail with 403 before the handler runs.
///
/// ```
/// use oauth_core::rocket::SameOrigin;
///
/// #[rocket::post("/login")]
/// fn login(_same_origin: SameOrigin) -> &'static str {
///     "logged in"
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SameOrigin;

/// Why [`SameOrigin`] refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossOrigin {
    /// `Sec-Fetch-Site: cross-site` or `same-site`.
    FetchMetadata,
    /// An `Origin` that is not the request's own host.
    Origin,
}

impl SameOrigin {
    /// The decision, from the request's headers.
    pub fn check(req: &Request<'_>) -> Result<SameOrigin, CrossOrigin> {
        let headers = req.headers();
        if let Some(site) = headers.get_one("Sec-Fetch-Site") {
            let site = site.trim();
            return if site.eq_ignore_ascii_case("same-origin") || site.eq_ignore_ascii_case("none")
            {
                Ok(SameOrigin)
            } else {
                Err(CrossOrigin::FetchMetadata)
            };
        }
        let Some(origin) = headers.get_one("Origin") else {
            return Ok(SameOrigin);
        };
        let host = headers.get_one("Host").unwrap_or_default();
        if origin_authority(origin)
            .is_some_and(|a| !host.is_empty() && a.eq_ignore_ascii_case(host))
        {
            Ok(SameOrigin)
        } else {
            Err(CrossOrigin::Origin)
        }
    }
}

/// `host[:port]` of a serialized origin (`scheme://host[:port]`); `None`
/// for `null` and anything else that is not one.
fn origin_authority(origin: &str) -> Option<&str> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    let valid = !scheme.is_empty()
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@'])
        && !rest.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then_some(rest)
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = CrossOrigin;

    async fn from_request(req: &'r Request<'_>) -> Outcome<SameOrigin, CrossOrigin> {
        match SameOrigin::check(req) {
            Ok(ok) => Outcome::Success(ok),
            Err(why) => {
                tracing::info!(
                    target: crate::events::SECURITY,
                    event = "cross_origin_refused",
                    path = %req.uri().path(),
                    by = ?why,
                    "a cross-site request to a same-origin form was refused"
                );
                Outcome::Error((Status::Forbidden, why))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::origin_authority;

    #[test]
    fn origin_authorities() {
        assert_eq!(origin_authority("https://as.example"), Some("as.example"));
        assert_eq!(
            origin_authority("http://127.0.0.1:8000"),
            Some("127.0.0.1:8000")
        );
        assert_eq!(origin_authority("null"), None);
        assert_eq!(origin_authority("https://as.example/path"), None);
        assert_eq!(origin_authority("https://"), None);
        assert_eq!(origin_authority("https://a@b.example"), None);
    }
}
