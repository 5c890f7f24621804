//! Rocket's request lines without credentials.
//!
//! Rocket logs every request as `GET /path?query:` at its `normal` level.
//! OAuth lets clients put credentials in the query: RFC 5849 §3.5.3
//! parameters (a `PLAINTEXT` signature is the client's secrets), an
//! `access_token` (RFC 6750 §2.3), a `plain` PKCE challenge (the
//! verifier). [`RedactingLogger`] wraps any `log` logger and rewrites the
//! URIs of the records it passes on with those values hidden
//! ([`redact_query`]), so the log never holds them whatever a
//! client sends. Rocket's own logger cannot be wrapped (it is private and
//! installs itself only when no logger is set), so a site that wants this
//! installs a logger of its own first; the example app's `logging` module
//! shows it with `tracing-subscriber`.

use std::borrow::Cow;

use crate::http::redact_query;

/// A `log` logger that hides credential parameters in the URIs of the
/// records it hands to `inner`.
///
/// ```
/// use oauth_core::rocket::RedactingLogger;
///
/// struct Print;
/// impl log::Log for Print {
///     fn enabled(&self, _: &log::Metadata<'_>) -> bool { true }
///     fn log(&self, record: &log::Record<'_>) { println!("{}", record.args()); }
///     fn flush(&self) {}
/// }
/// // Install it before building the Rocket (`rocket::build` installs its own logger if none is set).
/// let _ = log::set_boxed_logger(Box::new(RedactingLogger::new(Print)));
/// log::set_max_level(log::LevelFilter::Info);
/// ```
pub struct RedactingLogger<L> {
    inner: L,
}

impl<L: log::Log> RedactingLogger<L> {
    /// Wraps `inner`.
    pub fn new(inner: L) -> RedactingLogger<L> {
        RedactingLogger { inner }
    }
}

impl<L: log::Log> log::Log for RedactingLogger<L> {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.inner.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        // Only messages that can hold a URI with a query are rewritten.
        let text = match record.args().as_str() {
            Some(s) if !s.contains('?') => return self.inner.log(record),
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(record.args().to_string()),
        };
        match redact_uris(&text) {
            Cow::Borrowed(_) => self.inner.log(record),
            Cow::Owned(redacted) => self.inner.log(
                &log::Record::builder()
                    .args(format_args!("{redacted}"))
                    .metadata(record.metadata().clone())
                    .module_path(record.module_path())
                    .file(record.file())
                    .line(record.line())
                    .build(),
            ),
        }
    }

    fn flush(&self) {
        self.inner.flush()
    }
}

/// `text` with the query of every URI in it (a word that starts with `/`
/// or a scheme) passed through [`redact_query`].
///
/// ```
/// use oauth_core::rocket::redact_uris;
/// assert_eq!(
///     redact_uris("GET /api?access_token=abc&x=1:"),
///     "GET /api?access_token=[redacted]&x=1:",
/// );
/// assert_eq!(redact_uris("Matched: (home) GET /?<next>"), "Matched: (home) GET /?<next>");
/// ```
pub fn redact_uris(text: &str) -> Cow<'_, str> {
    if !text.contains('?') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let is_uri = word.starts_with('/') || word.contains("://");
        match word.split_once('?') {
            Some((path, query)) if is_uri => {
                // Rocket ends its request line with `:`.
                let (query, tail) = match query.strip_suffix(':') {
                    Some(q) => (q, ":"),
                    None => (query, ""),
                };
                let redacted = redact_query(query);
                changed |= matches!(redacted, Cow::Owned(_));
                out.push_str(path);
                out.push('?');
                out.push_str(&redacted);
                out.push_str(tail);
            }
            _ => out.push_str(word),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}
