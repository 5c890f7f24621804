//! Which claims about the user are released (OpenID Connect Core 1.0 §5):
//! the standard claims each scope stands for (§5.4), the `claims` request
//! parameter asking for individual ones (§5.5), and the release of a
//! site's claims by both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::OAuth2Error;
use crate::scope::Scope;

/// The standard claims (§5.1) a scope value requests (§5.4); empty for a
/// scope that is not one of `profile`, `email`, `address`, `phone`.
pub fn claims_of_scope(scope: &str) -> &'static [&'static str] {
    match scope {
        "profile" => &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ],
        "email" => &["email", "email_verified"],
        "address" => &["address"],
        "phone" => &["phone_number", "phone_number_verified"],
        _ => &[],
    }
}

/// What a request says of one claim (§5.5.1): `null` (just asked for), or
/// whether it is essential and the value or values wanted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// Whether the client needs it for the user's task to go smoothly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub essential: bool,
    /// A specific value asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Values, in order of preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// The `claims` request parameter (§5.5): the individual claims asked for
/// in the UserInfo response and in the ID Token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimsRequest {
    /// Claims for the UserInfo endpoint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub userinfo: BTreeMap<String, Option<ClaimRequest>>,
    /// Claims for the ID Token.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id_token: BTreeMap<String, Option<ClaimRequest>>,
}

impl ClaimsRequest {
    /// Parses the parameter: a JSON object whose `userinfo` and `id_token`
    /// members name claims. Anything else is `invalid_request`; members
    /// other than those two are ignored (§5.5: "other members MAY be
    /// present", for extensions).
    ///
    /// ```
    /// use oauth_core::oidc::ClaimsRequest;
    /// let r = ClaimsRequest::parse(r#"{"userinfo":{"email":{"essential":true}},
    ///                                 "id_token":{"auth_time":null}}"#).unwrap();
    /// assert!(r.userinfo["email"].as_ref().unwrap().essential);
    /// assert!(r.id_token.contains_key("auth_time"));
    /// assert!(ClaimsRequest::parse("[]").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<ClaimsRequest, OAuth2Error> {
        let bad = |why: &str| {
            OAuth2Error::invalid_request(format!("the \"claims\" parameter is invalid: {why}"))
        };
        let value: Value = serde_json::from_str(text).map_err(|_| bad("not JSON"))?;
        let Value::Object(mut members) = value else {
            return Err(bad("not a JSON object"));
        };
        let mut member =
            |name: &str| -> Result<BTreeMap<String, Option<ClaimRequest>>, OAuth2Error> {
                match members.remove(name) {
                None | Some(Value::Null) => Ok(BTreeMap::new()),
                Some(v @ Value::Object(_)) => serde_json::from_value(v)
                    .map_err(|_| bad(&format!("a claim of \"{name}\" is not null or an object with essential, value or values"))),
                Some(_) => Err(bad(&format!("\"{name}\" is not an object"))),
            }
            };
        Ok(ClaimsRequest {
            userinfo: member("userinfo")?,
            id_token: member("id_token")?,
        })
    }
}

/// The claims released from `available` (what the site knows of the
/// user): `sub` always, every claim `scope` stands for (§5.4), and every
/// claim asked for by name in `requested` (§5.5). A claim the site does
/// not have is left out, never sent empty (§5.3.2).
///
/// ```
/// use oauth_core::Scope;
/// use oauth_core::oidc::release_claims;
/// let mut user = serde_json::Map::new();
/// user.insert("name".into(), "Alice".into());
/// user.insert("email".into(), "alice@example.test".into());
/// let out = release_claims("42", &user, &Scope::parse("openid profile").unwrap(), None);
/// assert_eq!(serde_json::Value::Object(out),
///            serde_json::json!({"sub": "42", "name": "Alice"}));
/// ```
pub fn release_claims(
    sub: &str,
    available: &Map<String, Value>,
    scope: &Scope,
    requested: Option<&BTreeMap<String, Option<ClaimRequest>>>,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("sub".into(), Value::String(sub.to_owned()));
    let mut names: Vec<&str> = scope.iter().flat_map(claims_of_scope).copied().collect();
    names.extend(
        requested
            .into_iter()
            .flat_map(|r| r.keys().map(String::as_str)),
    );
    for name in names {
        if name == "sub" || out.contains_key(name) {
            continue;
        }
        if let Some(value) = available.get(name).filter(|v| !v.is_null()) {
            out.insert(name.to_owned(), value.clone());
        }
    }
    out
}
