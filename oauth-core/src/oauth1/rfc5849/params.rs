//! Where protocol parameters travel (RFC 5849 §3.5), and the parameters a
//! signature covers (§3.4.1.3.1).
//!
//! A request may carry its `oauth_*` parameters in the `Authorization:
//! OAuth` header (§3.5.1), in an `application/x-www-form-urlencoded` body
//! (§3.5.2) or in the query (§3.5.3). Each may appear only once in the
//! whole request: a second occurrence, in the same place or another, is
//! `duplicated_oauth_protocol_parameter`, since the server could not tell
//! which one the client signed.

use std::collections::BTreeMap;

use crate::http::OAuth2Request;
use crate::oauth1::rfc5849::errors::OAuth1Error;

/// The parameters of a signed request, collected once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestParams {
    protocol: BTreeMap<String, String>,
    realm: Option<String>,
    signed: Vec<(String, String)>,
}

impl RequestParams {
    /// Collects the parameters of `request`: the `Authorization: OAuth`
    /// header (its `realm` aside), the body when it is form-encoded, and
    /// the query.
    pub fn from_request(request: &OAuth2Request) -> Result<RequestParams, OAuth1Error> {
        let mut params = RequestParams::default();
        let header = request
            .header_checked("authorization")
            .map_err(|e| OAuth1Error::invalid_request(e.description))?;
        if let Some(pairs) = header
            .map(parse_authorization_header)
            .transpose()?
            .flatten()
        {
            let mut seen = std::collections::HashSet::new();
            for (name, value) in pairs {
                if name == "realm" {
                    if params.realm.replace(value).is_some() {
                        return Err(OAuth1Error::invalid_request(
                            "the \"realm\" parameter is included more than once",
                        ));
                    }
                    continue;
                }
                if !name.starts_with("oauth_") && !seen.insert(name.clone()) {
                    return Err(OAuth1Error::invalid_request(format!(
                        "the \"{name}\" parameter is included more than once in the Authorization header"
                    )));
                }
                params.add(name, value)?;
            }
        }
        let mut places = usize::from(!params.protocol.is_empty());
        if request.is_form_encoded() {
            places += params.add_all(request.form.iter())?;
        }
        places += params.add_all(request.query.iter())?;
        // §3.5: protocol parameters travel in "one and only one" place. A
        // parameter found twice is reported as such first (by `add`).
        if places > 1 {
            return Err(OAuth1Error::invalid_request(
                "the OAuth protocol parameters must all be in one place: \
                 the Authorization header, the form body or the query",
            ));
        }
        Ok(params)
    }

    /// Adds form or query pairs; 1 if any was a protocol parameter.
    fn add_all<'a>(
        &mut self,
        pairs: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<usize, OAuth1Error> {
        let mut protocol = 0;
        for (name, value) in pairs {
            if name.starts_with("oauth_") {
                protocol = 1;
            }
            self.add(name.to_owned(), value.to_owned())?;
        }
        Ok(protocol)
    }

    fn add(&mut self, name: String, value: String) -> Result<(), OAuth1Error> {
        if name.starts_with("oauth_") {
            if self.protocol.contains_key(&name) {
                return Err(OAuth1Error::duplicated_oauth_protocol_parameter(format!(
                    "the \"{name}\" parameter is included more than once"
                )));
            }
            self.protocol.insert(name.clone(), value.clone());
        }
        // §3.4.1.3.1: "The oauth_signature parameter MUST be excluded".
        if name != "oauth_signature" {
            self.signed.push((name, value));
        }
        Ok(())
    }

    /// A protocol parameter, if present (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.protocol.get(name).map(String::as_str)
    }

    /// A protocol parameter that must be present and non-empty.
    pub fn required(&self, name: &str) -> Result<&str, OAuth1Error> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(OAuth1Error::missing_required_parameter(name)),
        }
    }

    /// The `realm` of the `Authorization` header, if any.
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }

    /// The `oauth_*` parameters, by name.
    pub fn protocol_parameters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.protocol.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every parameter the signature covers (§3.4.1.3.1), decoded, in the
    /// order found: header (without `realm`), form body, query; without
    /// `oauth_signature`.
    pub fn signature_parameters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.signed.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Parses an `Authorization` header value of the `OAuth` scheme
/// (§3.5.1): `OAuth realm="x", oauth_consumer_key="...", ...`.
///
/// Returns `Ok(None)` for another scheme (`Basic`, `Bearer`, ...), so those
/// requests can still carry protocol parameters elsewhere. Names and values
/// are percent-decoded (§3.6); values may be quoted strings (with RFC 2617
/// backslash escapes) or bare tokens.
///
/// ```
/// use oauth_core::oauth1::rfc5849::params::parse_authorization_header;
/// let p = parse_authorization_header(
///     r#"OAuth realm="Example", oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D""#,
/// ).unwrap().unwrap();
/// assert_eq!(p[0], ("realm".into(), "Example".into()));
/// assert_eq!(p[1], ("oauth_signature".into(), "wOJIO9A2W5mFwDgiDvZbTSMK/PY=".into()));
/// ```
pub fn parse_authorization_header(
    value: &str,
) -> Result<Option<Vec<(String, String)>>, OAuth1Error> {
    let value = value.trim_start_matches(is_ws);
    let scheme_end = value.find(is_ws).unwrap_or(value.len());
    if !value[..scheme_end].eq_ignore_ascii_case("OAuth") {
        return Ok(None);
    }
    let rest = &value[scheme_end..];
    let bytes = rest.as_bytes();
    let malformed = || OAuth1Error::invalid_request("the OAuth Authorization header is malformed");
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && is_ws_byte(bytes[*i]) {
            *i += 1;
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        // Empty list elements (",,") are allowed by the list rule.
        while i < bytes.len() && (is_ws_byte(bytes[i]) || bytes[i] == b',') {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && is_tchar(bytes[i]) {
            i += 1;
        }
        if i == start {
            return Err(malformed());
        }
        let name = &rest[start..i];
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'=') {
            return Err(malformed());
        }
        i += 1;
        skip_ws(&mut i);
        let raw_value = if bytes.get(i) == Some(&b'"') {
            i += 1;
            let mut buf = Vec::new();
            loop {
                match bytes.get(i) {
                    None => return Err(malformed()),
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => {
                        let escaped = *bytes.get(i + 1).ok_or_else(malformed)?;
                        buf.push(escaped);
                        i += 2;
                    }
                    Some(&b) => {
                        buf.push(b);
                        i += 1;
                    }
                }
            }
            String::from_utf8(buf).map_err(|_| malformed())?
        } else {
            let start = i;
            while i < bytes.len() && is_tchar(bytes[i]) {
                i += 1;
            }
            rest[start..i].to_owned()
        };
        skip_ws(&mut i);
        if i < bytes.len() && bytes[i] != b',' {
            return Err(malformed());
        }
        out.push((percent_decode(name)?, percent_decode(&raw_value)?));
    }
    Ok(Some(out))
}

/// Decodes §3.6 percent-encoding (no `+` for space: that is form
/// encoding). The result must be UTF-8.
pub fn percent_decode(value: &str) -> Result<String, OAuth1Error> {
    let bytes = value.as_bytes();
    if !bytes.contains(&b'%') {
        return Ok(value.to_owned());
    }
    let bad = || OAuth1Error::invalid_request("a parameter has invalid percent-encoding");
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|b| hex(*b)).ok_or_else(bad)?;
            let lo = bytes.get(i + 2).and_then(|b| hex(*b)).ok_or_else(bad)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_ws_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// RFC 7230 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5849_3_5_1_header_example() {
        let header = "OAuth realm=\"Example\",\r\n        oauth_consumer_key=\"0685bd9184jfhq22\",\r\n        oauth_token=\"ad180jjd733klru7\",\r\n        oauth_signature_method=\"HMAC-SHA1\",\r\n        oauth_signature=\"wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D\",\r\n        oauth_timestamp=\"137131200\",\r\n        oauth_nonce=\"4572616e48616d6d65724c61686176\",\r\n        oauth_version=\"1.0\"";
        let p = parse_authorization_header(header).unwrap().unwrap();
        assert_eq!(p.len(), 8);
        assert_eq!(p[4].1, "wOJIO9A2W5mFwDgiDvZbTSMK/PY=");
        assert_eq!(p[7], ("oauth_version".into(), "1.0".into()));
    }

    #[test]
    fn other_schemes_are_not_oauth() {
        assert_eq!(parse_authorization_header("Bearer abc").unwrap(), None);
        assert_eq!(parse_authorization_header("OAuthx a=\"b\"").unwrap(), None);
        assert_eq!(
            parse_authorization_header("oauth").unwrap(),
            Some(Vec::new())
        );
    }

    #[test]
    fn malformed_headers_are_invalid_request() {
        for h in [
            "OAuth a",
            "OAuth a=\"b",
            "OAuth =\"b\"",
            "OAuth a=\"b\" c=\"d\"",
            "OAuth a=\"%zz\"",
            "OAuth a=\"%C3\"",
            "OAuth a=\"b\\",
        ] {
            let e = parse_authorization_header(h).unwrap_err();
            assert_eq!(e.code.as_str(), "invalid_request", "{h}");
        }
    }

    #[test]
    fn rfc5849_3_6_decoding_is_not_form_decoding() {
        assert_eq!(percent_decode("a+b%20c%2B").unwrap(), "a+b c+");
        assert_eq!(percent_decode("%E2%82%AC").unwrap(), "€");
    }
}
