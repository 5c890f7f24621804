//! User codes (§6.1).

use rand::RngCore;

/// A fresh user code of `length` characters of `alphabet`, unformatted
/// (its normalised form).
///
/// Characters come from the OS CSPRNG by rejection sampling: a random byte
/// is used only if it is below the largest multiple of the alphabet size
/// that fits in a byte, so every character is exactly equally likely (no
/// modulo bias). An alphabet of more than 256 characters is cut to 256
/// (configurations are validated to at most 36).
pub fn generate_user_code(alphabet: &str, length: usize) -> String {
    let chars: Vec<char> = alphabet.chars().take(256).collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    // The largest multiple of n that is <= 256: bytes below it map evenly.
    let limit = 256 - 256 % n;
    let mut code = String::with_capacity(length);
    let mut drawn = 0;
    let mut buf = [0u8; 32];
    while drawn < length {
        rand::rngs::OsRng.fill_bytes(&mut buf);
        for &b in &buf {
            let b = usize::from(b);
            if b < limit && drawn < length {
                code.push(chars[b % n]);
                drawn += 1;
            }
        }
    }
    code
}

/// The form a user types or compares: ASCII upper case, with every
/// character outside `alphabet` removed (dashes, spaces, any punctuation),
/// as §6.1 recommends so that neither case nor separators matter.
///
/// ```
/// use oauth_core::oauth2::rfc8628::{normalize_user_code, DEFAULT_USER_CODE_ALPHABET};
/// assert_eq!(normalize_user_code(" wdjb-mjht\n", DEFAULT_USER_CODE_ALPHABET), "WDJBMJHT");
/// ```
pub fn normalize_user_code(input: &str, alphabet: &str) -> String {
    input
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| alphabet.contains(*c))
        .collect()
}

/// The form shown to the user: groups of at most four characters, as even
/// as possible, joined by dashes (`WDJBMJHT` → `WDJB-MJHT`, 9 characters →
/// `XXX-XXX-XXX`).
///
/// ```
/// use oauth_core::oauth2::rfc8628::format_user_code;
/// assert_eq!(format_user_code("WDJBMJHT"), "WDJB-MJHT");
/// assert_eq!(format_user_code("019450730"), "019-450-730");
/// ```
pub fn format_user_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let groups = chars.len().div_ceil(4).max(1);
    let (base, extra) = (chars.len() / groups, chars.len() % groups);
    let mut out = String::with_capacity(chars.len() + groups);
    let mut start = 0;
    for g in 0..groups {
        let size = base + usize::from(g < extra);
        if g > 0 {
            out.push('-');
        }
        out.extend(&chars[start..start + size]);
        start += size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::http::origin;

    #[test]
    fn rfc8628_6_1_generated_codes_use_only_the_alphabet() {
        for _ in 0..200 {
            let code = generate_user_code(DEFAULT_USER_CODE_ALPHABET, 8);
            assert_eq!(code.len(), 8);
            assert!(code.chars().all(|c| DEFAULT_USER_CODE_ALPHABET.contains(c)));
        }
        assert_eq!(generate_user_code("0123456789", 9).len(), 9);
        assert_eq!(generate_user_code("", 8), "");
    }

    #[test]
    fn rfc8628_6_1_formatting_groups() {
        assert_eq!(format_user_code(""), "");
        assert_eq!(format_user_code("ABCD"), "ABCD");
        assert_eq!(format_user_code("ABCDEF"), "ABC-DEF");
        assert_eq!(format_user_code("ABCDEFGHIJ"), "ABCD-EFG-HIJ");
        assert_eq!(format_user_code("ABCDEFGHIJKL"), "ABCD-EFGH-IJKL");
    }

    #[test]
    fn origin_of_absolute_uris_only() {
        let origin = |uri| origin(uri);
        assert_eq!(
            origin("https://as.example:8443/device?x#y").as_deref(),
            Some("https://as.example:8443")
        );
        assert_eq!(
            origin("https://as.example").as_deref(),
            Some("https://as.example")
        );
        assert_eq!(origin("/device"), None);
        assert_eq!(origin("https:///x"), None);
        assert_eq!(origin("://x"), None);
        assert_eq!(origin("/a?u=https://b"), None);
        assert_eq!(origin("urn:x://y"), None);
    }

    #[test]
    fn status_round_trips_and_fails_closed() {
        for s in [
            DeviceCodeStatus::Pending,
            DeviceCodeStatus::Approved,
            DeviceCodeStatus::Denied,
            DeviceCodeStatus::Consumed,
        ] {
            assert_eq!(DeviceCodeStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            DeviceCodeStatus::from_stored("APPROVED"),
            DeviceCodeStatus::Denied
        );
    }
}
