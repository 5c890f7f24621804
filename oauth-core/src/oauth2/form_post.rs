//! OAuth 2.0 Form Post Response Mode: the parameters of an authorization
//! response sent to the client's redirect URI as an HTML form that the
//! browser posts at once (`response_mode=form_post`), so that they appear
//! neither in the redirect URI's query nor in its fragment.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::http::OAuth2Response;

/// The one script of the page, allowed by its hash (no inline code runs
/// but this).
const SUBMIT: &str = "document.forms[0].submit()";

static SCRIPT_HASH: LazyLock<String> =
    LazyLock::new(|| STANDARD.encode(Sha256::digest(SUBMIT.as_bytes())));

/// HTML-escapes text for an attribute value or element content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The 200 page that posts `params` to `redirect_uri` (Form Post Response
/// Mode §2): every value escaped, never cached, in no frame, and running
/// no script but its own submit.
///
/// ```
/// use oauth_core::oauth2::form_post::form_post_response;
/// let r = form_post_response("https://rp.example/cb", &[("code", "a\"b"), ("state", "<x>")]);
/// assert_eq!(r.status, 200);
/// assert!(r.body.contains(r#"<form method="post" action="https://rp.example/cb">"#));
/// assert!(r.body.contains(r#"name="code" value="a&quot;b""#));
/// assert!(r.body.contains(r#"value="&lt;x&gt;""#));
/// assert_eq!(r.header("Cache-Control"), Some("no-store"));
/// ```
pub fn form_post_response(redirect_uri: &str, params: &[(&str, &str)]) -> OAuth2Response {
    let mut body = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Submit this form</title></head>\n<body>\n",
    );
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">\n",
        escape(redirect_uri)
    ));
    for (name, value) in params {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(name),
            escape(value)
        ));
    }
    body.push_str("<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n");
    body.push_str(&format!("<script>{SUBMIT}</script>\n</body></html>\n"));
    OAuth2Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "text/html;charset=utf-8".into()),
            ("Cache-Control".into(), "no-store".into()),
            ("Pragma".into(), "no-cache".into()),
            (
                "Content-Security-Policy".into(),
                format!(
                    "default-src 'none'; script-src 'sha256-{}'; frame-ancestors 'none'",
                    *SCRIPT_HASH
                ),
            ),
            ("Referrer-Policy".into(), "no-referrer".into()),
        ],
        body,
    }
}
