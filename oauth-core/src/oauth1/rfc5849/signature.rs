//! Signatures (RFC 5849 §3.4) and their percent-encoding (§3.6).
//!
//! The server rebuilds the signature base string (§3.4.1) from the request
//! as received and checks the client's `oauth_signature` against it with
//! the method the client named: `HMAC-SHA1` (§3.4.2), `RSA-SHA1` (§3.4.3)
//! or `PLAINTEXT` (§3.4.4), or any [`SignatureMethod`] registered on the
//! server. Shared-secret comparisons are constant-time.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha1::Sha1;

use crate::http::OAuth2Request;
use crate::oauth1::rfc5849::errors::OAuth1Error;
use crate::oauth1::rfc5849::params::RequestParams;
use crate::secrets::constant_time_eq;

/// `HMAC-SHA1` (§3.4.2).
pub const HMAC_SHA1: &str = "HMAC-SHA1";
/// `RSA-SHA1` (§3.4.3).
pub const RSA_SHA1: &str = "RSA-SHA1";
/// `PLAINTEXT` (§3.4.4).
pub const PLAINTEXT: &str = "PLAINTEXT";

/// §3.6: everything but ALPHA, DIGIT, `-`, `.`, `_`, `~` is encoded, with
/// upper-case hex.
const RFC5849_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value as §3.6 requires (UTF-8 first, then every byte
/// outside the unreserved set as `%XX`).
///
/// ```
/// use oauth_core::oauth1::rfc5849::signature::percent_encode;
/// assert_eq!(percent_encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
/// assert_eq!(percent_encode("a-b.c_d~e"), "a-b.c_d~e");
/// ```
pub fn percent_encode(value: &str) -> String {
    utf8_percent_encode(value, RFC5849_ENCODE).to_string()
}

/// The base string URI (§3.4.1.2) of an absolute `http`/`https` URI:
/// scheme and host lower-cased, a default port (80, 443) dropped, query
/// and fragment removed, an empty path made `/`.
///
/// ```
/// use oauth_core::oauth1::rfc5849::signature::base_string_uri;
/// assert_eq!(base_string_uri("http://EXAMPLE.COM:80/r%20v/X?id=123").unwrap(),
///            "http://example.com/r%20v/X");
/// assert_eq!(base_string_uri("https://www.example.net:8080/?q=1").unwrap(),
///            "https://www.example.net:8080/");
/// ```
pub fn base_string_uri(uri: &str) -> Result<String, OAuth1Error> {
    let (scheme, rest) = uri
        .split_once("://")
        .ok_or_else(|| OAuth1Error::invalid_request("the request URI is not absolute"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let path = tail.split(['?', '#']).next().unwrap_or_default();
    from_parts(scheme, authority, path)
}

/// Builds the base string URI from its parts, normalized.
fn from_parts(scheme: &str, authority: &str, path: &str) -> Result<String, OAuth1Error> {
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => {
            return Err(OAuth1Error::invalid_request(
                "the request URI must be http or https",
            ));
        }
    };
    let bad_host = || OAuth1Error::invalid_request("the request's host is invalid");
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']').ok_or_else(bad_host)?;
        let port = match after {
            "" => "",
            p => p.strip_prefix(':').ok_or_else(bad_host)?,
        };
        (format!("[{inside}]"), port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_owned(), p),
            None => (authority.to_owned(), ""),
        }
    };
    if host.is_empty()
        || host
            .bytes()
            .any(|b| b <= b' ' || b >= 0x7F || b"\"<>\\^`{|}/?#@".contains(&b))
    {
        return Err(bad_host());
    }
    let port = match port {
        "" => None,
        p if p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u32 = p.parse().map_err(|_| bad_host())?;
            if n > 65535 {
                return Err(bad_host());
            }
            (n != default_port).then_some(n)
        }
        _ => return Err(bad_host()),
    };
    let path = if path.is_empty() { "/" } else { path };
    if !path.starts_with('/') {
        return Err(OAuth1Error::invalid_request("the request path is invalid"));
    }
    let host = host.to_ascii_lowercase();
    Ok(match port {
        Some(p) => format!("{scheme}://{host}:{p}{path}"),
        None => format!("{scheme}://{host}{path}"),
    })
}

/// The base string URI of a request as the engine received it.
///
/// An absolute-form target (`https://host/path`) is used as it is. An
/// origin-form target (`/path`, what most servers see) takes its scheme
/// from [`OAuth2Request::secure`] and its authority from the `Host` header.
/// With `public_origin` (`https://api.example`), the scheme and authority
/// come from it instead, whatever the request says: the URI the client
/// signed, behind a reverse proxy that rewrites them.
pub fn request_base_string_uri(
    request: &OAuth2Request,
    public_origin: Option<&str>,
) -> Result<String, OAuth1Error> {
    let target = request.uri.as_str();
    let absolute = target.contains("://") && !target.starts_with('/');
    if let Some(origin) = public_origin {
        let path = if absolute {
            let rest = target.split_once("://").map_or("", |(_, r)| r);
            rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
        } else {
            target
        };
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let (scheme, authority) = origin
            .split_once("://")
            .ok_or_else(|| OAuth1Error::server_error("public_origin is not an absolute URI"))?;
        return from_parts(scheme, authority.trim_end_matches('/'), path);
    }
    if absolute {
        return base_string_uri(target);
    }
    if !target.starts_with('/') {
        return Err(OAuth1Error::invalid_request(
            "the request target must be a path or an absolute URI",
        ));
    }
    let host = request
        .header_checked("host")
        .map_err(|e| OAuth1Error::invalid_request(e.description))?
        .ok_or_else(|| OAuth1Error::invalid_request("the Host header is missing"))?;
    let scheme = if request.secure { "https" } else { "http" };
    let path = target.split(['?', '#']).next().unwrap_or_default();
    from_parts(scheme, host.trim(), path)
}

/// Normalizes parameters (§3.4.1.3.2): each name and value encoded (§3.6),
/// sorted by name then value, joined as `name=value` with `&`.
///
/// ```
/// use oauth_core::oauth1::rfc5849::signature::normalize_parameters;
/// assert_eq!(normalize_parameters([("b", "2 x"), ("a", "1"), ("a", "0")]),
///            "a=0&a=1&b=2%20x");
/// ```
pub fn normalize_parameters<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut encoded: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    let mut out = String::new();
    for (i, (k, v)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The signature base string (§3.4.1.1): the upper-case method, the
/// encoded base string URI and the encoded normalized parameters, joined
/// by `&`.
pub fn base_string(method: &str, base_string_uri: &str, normalized_parameters: &str) -> String {
    format!(
        "{}&{}&{}",
        percent_encode(&method.to_ascii_uppercase()),
        percent_encode(base_string_uri),
        percent_encode(normalized_parameters)
    )
}

/// The signature base string of a request whose parameters were collected
/// into `params`.
pub fn request_base_string(
    request: &OAuth2Request,
    params: &RequestParams,
    public_origin: Option<&str>,
) -> Result<String, OAuth1Error> {
    let method = match &request.method {
        crate::http::Method::Get => "GET",
        crate::http::Method::Post => "POST",
        crate::http::Method::Other(m) => m.as_str(),
    };
    let uri = request_base_string_uri(request, public_origin)?;
    Ok(base_string(
        method,
        &uri,
        &normalize_parameters(params.signature_parameters()),
    ))
}

/// The key of `HMAC-SHA1` and the value of `PLAINTEXT` (§3.4.2, §3.4.4):
/// both secrets encoded, joined by `&` (always present, even when the
/// token secret is empty).
pub fn signing_key(client_secret: &str, token_secret: &str) -> String {
    format!(
        "{}&{}",
        percent_encode(client_secret),
        percent_encode(token_secret)
    )
}

/// An `HMAC-SHA1` signature (§3.4.2), base64-encoded: what a client sends.
pub fn hmac_sha1_sign(base_string: &str, client_secret: &str, token_secret: &str) -> String {
    STANDARD.encode(
        hmac_sha1(base_string, client_secret, token_secret)
            .finalize()
            .into_bytes(),
    )
}

fn hmac_sha1(base_string: &str, client_secret: &str, token_secret: &str) -> Hmac<Sha1> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(signing_key(client_secret, token_secret).as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(base_string.as_bytes());
    mac
}

/// What a signature covers and the secrets it may be checked with.
#[derive(Debug, Clone, Copy)]
pub struct SignatureContext<'a> {
    /// The signature base string (§3.4.1) of the request.
    pub base_string: &'a str,
    /// The client's shared secret (empty if it has none).
    pub client_secret: &'a str,
    /// The token's secret (empty for a temporary credential request).
    pub token_secret: &'a str,
    /// The client's registered RSA public key (PEM), if any.
    pub rsa_public_key: Option<&'a str>,
}

/// A signature method: built in ([`HmacSha1`], [`RsaSha1`], [`Plaintext`])
/// or registered with
/// [`OAuth1Server::with_signature_method`](crate::oauth1::OAuth1Server::with_signature_method).
pub trait SignatureMethod: Send + Sync {
    /// The `oauth_signature_method` value.
    fn name(&self) -> &str;

    /// Whether the method protects nothing in transit, so requests that
    /// use it must arrive over TLS (`PLAINTEXT`, §3.4.4).
    fn requires_tls(&self) -> bool {
        false
    }

    /// Checks `signature` (already percent-decoded) against the request.
    /// Comparisons involving a shared secret must be constant-time.
    fn verify(&self, context: &SignatureContext<'_>, signature: &str) -> Result<(), OAuth1Error>;
}

fn bad_signature() -> OAuth1Error {
    OAuth1Error::invalid_signature("the \"oauth_signature\" does not verify")
}

fn shared_secret_required(name: &str) -> OAuth1Error {
    OAuth1Error::invalid_signature(format!(
        "{name} needs a client secret, and this client has none"
    ))
}

/// `HMAC-SHA1` (§3.4.2).
#[derive(Debug, Clone, Copy, Default)]
pub struct HmacSha1;

impl SignatureMethod for HmacSha1 {
    fn name(&self) -> &str {
        HMAC_SHA1
    }

    fn verify(&self, context: &SignatureContext<'_>, signature: &str) -> Result<(), OAuth1Error> {
        // An empty secret would let anyone who knows the client id sign.
        if context.client_secret.is_empty() {
            return Err(shared_secret_required(HMAC_SHA1));
        }
        let presented = STANDARD.decode(signature).map_err(|_| bad_signature())?;
        hmac_sha1(
            context.base_string,
            context.client_secret,
            context.token_secret,
        )
        .verify_slice(&presented)
        .map_err(|_| bad_signature())
    }
}

/// `RSA-SHA1` (§3.4.3): RSASSA-PKCS1-v1_5 with SHA-1, checked with the
/// client's registered public key.
#[derive(Debug, Clone, Copy, Default)]
pub struct RsaSha1;

impl SignatureMethod for RsaSha1 {
    fn name(&self) -> &str {
        RSA_SHA1
    }

    fn verify(&self, context: &SignatureContext<'_>, signature: &str) -> Result<(), OAuth1Error> {
        let pem = context.rsa_public_key.ok_or_else(|| {
            OAuth1Error::invalid_signature(
                "RSA-SHA1 needs an RSA public key, and this client has none",
            )
        })?;
        let key = parse_rsa_public_key(pem).map_err(|e| {
            OAuth1Error::invalid_signature(format!("the client's RSA public key is unusable: {e}"))
        })?;
        let presented = STANDARD.decode(signature).map_err(|_| bad_signature())?;
        let presented = Signature::try_from(presented.as_slice()).map_err(|_| bad_signature())?;
        VerifyingKey::<Sha1>::new(key)
            .verify(context.base_string.as_bytes(), &presented)
            .map_err(|_| bad_signature())
    }
}

/// `PLAINTEXT` (§3.4.4): the encoded secrets themselves, so only over TLS.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plaintext;

impl SignatureMethod for Plaintext {
    fn name(&self) -> &str {
        PLAINTEXT
    }

    fn requires_tls(&self) -> bool {
        true
    }

    fn verify(&self, context: &SignatureContext<'_>, signature: &str) -> Result<(), OAuth1Error> {
        if context.client_secret.is_empty() {
            return Err(shared_secret_required(PLAINTEXT));
        }
        let expected = signing_key(context.client_secret, context.token_secret);
        if constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            Ok(())
        } else {
            Err(bad_signature())
        }
    }
}

/// Reads an RSA public key in PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo)
/// or `BEGIN RSA PUBLIC KEY` (PKCS#1).
fn parse_rsa_public_key(pem: &str) -> Result<RsaPublicKey, String> {
    let pem = pem.trim();
    if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
        RsaPublicKey::from_pkcs1_pem(pem).map_err(|e| e.to_string())
    } else if pem.contains("-----BEGIN PUBLIC KEY-----") {
        RsaPublicKey::from_public_key_pem(pem).map_err(|e| e.to_string())
    } else {
        Err("expected a PEM \"PUBLIC KEY\" or \"RSA PUBLIC KEY\"".into())
    }
}

/// Checks that `pem` is an RSA public key `RSA-SHA1` can use (for client
/// registration: refuse a key at registration rather than at every
/// request).
///
/// ```
/// use oauth_core::oauth1::rfc5849::signature::check_rsa_public_key;
/// assert!(check_rsa_public_key("not a key").is_err());
/// ```
pub fn check_rsa_public_key(pem: &str) -> Result<(), String> {
    parse_rsa_public_key(pem).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5849_3_6_encoding() {
        assert_eq!(percent_encode("%"), "%25");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("=&+ /"), "%3D%26%2B%20%2F");
    }

    #[test]
    fn rfc5849_3_4_1_2_base_string_uri_rules() {
        assert_eq!(base_string_uri("HTTPS://A.B:443").unwrap(), "https://a.b/");
        assert_eq!(
            base_string_uri("http://a.b:443/x").unwrap(),
            "http://a.b:443/x"
        );
        assert_eq!(
            base_string_uri("http://u:p@a.b/x#f").unwrap(),
            "http://a.b/x"
        );
        assert_eq!(
            base_string_uri("http://[::1]:80/").unwrap(),
            "http://[::1]/"
        );
        assert_eq!(base_string_uri("http://a.b:/").unwrap(), "http://a.b/");
        for bad in [
            "ftp://a/",
            "http:///x",
            "http://a b/",
            "http://a:x/",
            "http://a:99999/",
        ] {
            assert!(base_string_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rfc5849_3_4_4_plaintext_value() {
        assert_eq!(
            signing_key("djr9rjt0jd78jf88", "jjd99$tj88uiths3"),
            "djr9rjt0jd78jf88&jjd99%24tj88uiths3"
        );
        assert_eq!(signing_key("kd94hf93k423kf44", ""), "kd94hf93k423kf44&");
    }
}
