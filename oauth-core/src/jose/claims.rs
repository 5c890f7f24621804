//! The time claims of a JWT (RFC 7519 §4.1.4-§4.1.6), checked against the
//! engine's clock rather than the system's, so a `ManualClock` drives them
//! in tests as it drives every other expiry.

use serde_json::Value;

use super::JoseError;

/// What a verifier asks of `exp`, `nbf` and `iat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeClaims {
    /// The time to check against (Unix seconds).
    pub now: i64,
    /// Seconds of clock skew allowed either way (RFC 7519 §4.1.4: "some
    /// small leeway, usually no more than a few minutes").
    pub leeway: i64,
    /// Whether `exp` must be there (ID tokens, RFC 9068 access tokens and
    /// client assertions all require it).
    pub require_exp: bool,
}

impl TimeClaims {
    /// `exp` required, 60 seconds of leeway.
    pub fn at(now: i64) -> TimeClaims {
        TimeClaims {
            now,
            leeway: 60,
            require_exp: true,
        }
    }

    /// Checks the claims object: `exp` not passed (§4.1.4: "MUST NOT be
    /// accepted for processing" on or after it), `nbf` not ahead (§4.1.5),
    /// `iat` not in the future; each a number when present.
    pub fn check(&self, claims: &Value) -> Result<(), JoseError> {
        let number = |name: &'static str| -> Result<Option<i64>, JoseError> {
            match claims.get(name) {
                None => Ok(None),
                Some(v) => v
                    .as_i64()
                    .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
                    .map(Some)
                    .ok_or(JoseError::Claim("a time claim is not a number")),
            }
        };
        match number("exp")? {
            Some(exp) if self.now >= exp.saturating_add(self.leeway) => {
                return Err(JoseError::Claim("exp: the token has expired"));
            }
            None if self.require_exp => return Err(JoseError::Claim("exp is required")),
            _ => {}
        }
        if let Some(nbf) = number("nbf")?
            && self.now.saturating_add(self.leeway) < nbf
        {
            return Err(JoseError::Claim("nbf: the token is not valid yet"));
        }
        if let Some(iat) = number("iat")?
            && self.now.saturating_add(self.leeway) < iat
        {
            return Err(JoseError::Claim("iat: the token was issued in the future"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7519_4_1_4_exp_on_or_after_is_refused() {
        let t = TimeClaims {
            leeway: 0,
            ..TimeClaims::at(1_000)
        };
        assert!(t.check(&json!({"exp": 1_001})).is_ok());
        assert!(t.check(&json!({"exp": 1_000})).is_err());
        assert!(t.check(&json!({"exp": 999})).is_err());
        assert!(t.check(&json!({})).is_err(), "exp required");
        assert!(
            t.check(&json!({"exp": "1001"})).is_err(),
            "a string is no time"
        );
        let lenient = TimeClaims::at(1_000);
        assert!(
            lenient.check(&json!({"exp": 999})).is_ok(),
            "within the leeway"
        );
        assert!(lenient.check(&json!({"exp": 940})).is_err());
    }

    #[test]
    fn rfc7519_4_1_5_nbf_and_iat_ahead_are_refused() {
        let t = TimeClaims::at(1_000);
        let with = |extra: Value| {
            let mut c = json!({"exp": 2_000});
            c.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            t.check(&c)
        };
        assert!(with(json!({"nbf": 1_060, "iat": 1_060})).is_ok());
        assert!(with(json!({"nbf": 1_061})).is_err());
        assert!(with(json!({"iat": 1_061})).is_err());
    }
}
