//! RFC 7636, Proof Key for Code Exchange (PKCE).
//!
//! `S256` is always accepted; `plain` only when
//! [`Pkce::allow_plain`](crate::config::Pkce::allow_plain) is on.
//! Public clients must use PKCE; a token request with a `code_verifier` for
//! a code issued without a challenge is refused (the PKCE downgrade attack
//! of RFC 9700 §2.1.1).

use crate::error::OAuth2Error;
use crate::secrets;

/// `S256`.
pub const S256: &str = "S256";
/// `plain`.
pub const PLAIN: &str = "plain";

/// RFC 7636 §4.1/§4.2: 43 to 128 characters of `[A-Z] / [a-z] / [0-9] /
/// "-" / "." / "_" / "~"`.
pub fn is_valid_verifier_syntax(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Validates the PKCE parameters of an authorization request (§4.3, §4.4.1)
/// and returns the challenge and method to store with the code.
pub fn validate_challenge(
    challenge: Option<&str>,
    method: Option<&str>,
    required: bool,
    allow_plain: bool,
) -> Result<Option<(String, String)>, OAuth2Error> {
    let Some(challenge) = challenge else {
        if method.is_some() {
            return Err(OAuth2Error::invalid_request(
                "code_challenge_method was sent without code_challenge",
            ));
        }
        if required {
            return Err(OAuth2Error::invalid_request(
                "code challenge required (PKCE, RFC 7636)",
            ));
        }
        return Ok(None);
    };
    // §4.3: "defaults to plain if not present in the request".
    let method = method.unwrap_or(PLAIN);
    let supported = method == S256 || (method == PLAIN && allow_plain);
    if !supported {
        return Err(OAuth2Error::invalid_request(
            "transform algorithm not supported",
        ));
    }
    if !is_valid_verifier_syntax(challenge) {
        return Err(OAuth2Error::invalid_request(
            "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]",
        ));
    }
    Ok(Some((challenge.to_owned(), method.to_owned())))
}

/// Checks the `code_verifier` of a token request against what the code
/// was issued with (§4.5, §4.6).
pub fn verify(
    challenge: Option<&str>,
    method: Option<&str>,
    verifier: Option<&str>,
) -> Result<(), OAuth2Error> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuth2Error::invalid_grant(
            "a code_verifier was sent but the authorization request had no code_challenge",
        )),
        (Some(_), None) => Err(OAuth2Error::invalid_request(
            "the \"code_verifier\" parameter is missing",
        )),
        (Some(challenge), Some(verifier)) => {
            if !is_valid_verifier_syntax(verifier) {
                return Err(OAuth2Error::invalid_request(
                    "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]",
                ));
            }
            let computed = match method.unwrap_or(PLAIN) {
                S256 => secrets::s256(verifier),
                PLAIN => verifier.to_owned(),
                _ => return Err(OAuth2Error::invalid_grant("unknown code_challenge_method")),
            };
            if secrets::constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                Ok(())
            } else {
                Err(OAuth2Error::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ))
            }
        }
    }
}

/// How a failed [`verify`] failed, for the log (never the values).
pub(crate) fn failure_class(challenge: Option<&str>, verifier: Option<&str>) -> &'static str {
    match (challenge, verifier) {
        (None, _) => "unexpected_verifier",
        (Some(_), None) => "missing_verifier",
        (Some(_), Some(v)) if !is_valid_verifier_syntax(v) => "malformed_verifier",
        (Some(_), Some(_)) => "mismatch",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_4_6_s256_appendix_b() {
        assert!(verify(Some(CHALLENGE), Some(S256), Some(VERIFIER)).is_ok());
        let e = verify(
            Some(CHALLENGE),
            Some(S256),
            Some(&VERIFIER.replace('d', "e")),
        )
        .unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_grant");
    }

    #[test]
    fn rfc7636_4_3_method_defaults_to_plain_which_is_off_by_default() {
        let e = validate_challenge(Some(CHALLENGE), None, false, false).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_request");
        assert_eq!(e.description, "transform algorithm not supported");
        let ok = validate_challenge(Some(CHALLENGE), None, false, true).unwrap();
        assert_eq!(ok, Some((CHALLENGE.to_owned(), PLAIN.to_owned())));
    }

    #[test]
    fn rfc7636_4_1_verifier_length_bounds() {
        assert!(!is_valid_verifier_syntax(&"a".repeat(42)));
        assert!(is_valid_verifier_syntax(&"a".repeat(43)));
        assert!(is_valid_verifier_syntax(&"a".repeat(128)));
        assert!(!is_valid_verifier_syntax(&"a".repeat(129)));
        assert!(!is_valid_verifier_syntax(&format!("{}+", "a".repeat(43))));
    }
}
