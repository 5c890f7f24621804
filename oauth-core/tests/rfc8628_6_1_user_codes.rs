//! RFC 8628 §6.1 (user code format) and §5.1–5.2 (codes stored as digests).

mod common;
mod device_fixture;
use device_fixture::*;

use oauth_core::Config;
use oauth_core::config::Device;
use oauth_core::oauth2::rfc8628::{
    DEFAULT_USER_CODE_ALPHABET, format_user_code, generate_user_code, normalize_user_code,
};
use oauth_core::secrets::digest;

#[test]
fn rfc8628_6_1_default_alphabet_is_base_20_consonants_without_ambiguity() {
    assert_eq!(DEFAULT_USER_CODE_ALPHABET, "BCDFGHJKLMNPQRSTVWXZ");
    assert_eq!(DEFAULT_USER_CODE_ALPHABET.len(), 20);
    // No vowels (no words), no digits (no 0/O or 1/I confusion), no lower case.
    for c in "AEIOUY0123456789".chars() {
        assert!(!DEFAULT_USER_CODE_ALPHABET.contains(c), "{c}");
    }
    assert!(
        DEFAULT_USER_CODE_ALPHABET
            .chars()
            .all(|c| c.is_ascii_uppercase())
    );
}

#[tokio::test]
async fn rfc8628_6_1_user_codes_are_8_characters_shown_as_xxxx_dash_xxxx() {
    let (server, _) = device_server();
    for _ in 0..50 {
        let (_, user_code) = codes(&ask(&server, TV, None).await);
        let (a, b) = user_code.split_once('-').expect("dash");
        assert_eq!((a.len(), b.len()), (4, 4), "{user_code}");
        assert!(
            a.chars()
                .chain(b.chars())
                .all(|c| DEFAULT_USER_CODE_ALPHABET.contains(c)),
            "{user_code}"
        );
    }
}

#[tokio::test]
async fn rfc8628_6_1_alphabet_and_length_are_configurable() {
    let (server, _) = device_server_with(Config {
        device: Device {
            user_code_alphabet: "0123456789".into(),
            user_code_length: 9,
            ..device_config().device
        },
        ..device_config()
    });
    let (_, user_code) = codes(&ask(&server, TV, None).await);
    assert_eq!(user_code.len(), 11, "{user_code}");
    let groups: Vec<&str> = user_code.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [3, 3, 3]
    );
    assert!(groups.concat().chars().all(|c| c.is_ascii_digit()));
    let typed = groups.concat();
    server
        .lookup_user_code("alice", None, &typed)
        .await
        .unwrap();
}

#[test]
fn rfc8628_6_1_normalisation_keeps_only_alphabet_characters_upper_cased() {
    let a = DEFAULT_USER_CODE_ALPHABET;
    assert_eq!(normalize_user_code("wdjb-mjht", a), "WDJBMJHT");
    assert_eq!(normalize_user_code("WDJB MJHT", a), "WDJBMJHT");
    assert_eq!(normalize_user_code(" w d j b - m j h t\t", a), "WDJBMJHT");
    assert_eq!(normalize_user_code("WDJB\u{2014}MJHT", a), "WDJBMJHT");
    assert_eq!(normalize_user_code("ÉWDJB", a), "WDJB");
    assert_eq!(
        normalize_user_code("019-450-730", "0123456789"),
        "019450730"
    );
    assert_eq!(format_user_code("WDJBMJHT"), "WDJB-MJHT");
}

#[test]
fn rfc8628_6_1_generation_has_no_modulo_bias() {
    // 20 does not divide 256: a `byte % 20` generator would make the first
    // 16 characters 13/12 as likely as the last 4 (8% more). Rejection
    // sampling makes them all equal; 3% is more than 4 standard deviations.
    let alphabet = DEFAULT_USER_CODE_ALPHABET;
    let mut counts = [0u32; 20];
    for _ in 0..50_000 {
        for c in generate_user_code(alphabet, 8).chars() {
            counts[alphabet.find(c).expect("in alphabet")] += 1;
        }
    }
    let expected = 50_000.0 * 8.0 / 20.0;
    for (i, &n) in counts.iter().enumerate() {
        let deviation = (f64::from(n) - expected).abs() / expected;
        assert!(deviation < 0.03, "character {i}: {n} vs {expected}");
    }
}

#[tokio::test]
async fn rfc8628_5_2_codes_are_stored_only_as_digests() {
    let (server, _) = device_server();
    let (device_code, user_code) = codes(&ask(&server, TV, Some("profile")).await);
    let normalized = user_code.replace('-', "");
    let stored = server.storage().device_codes();
    assert_eq!(stored.len(), 1);
    let record = &stored[0];
    assert_eq!(record.code.device_code_digest, digest(&device_code));
    assert_eq!(record.code.user_code_digest, digest(&normalized));
    let dump = format!("{stored:?}");
    for secret in [&device_code, &user_code, &normalized] {
        assert!(!dump.contains(secret.as_str()), "{secret} stored raw");
    }

    // And the tokens issued from it too.
    server
        .approve_user_code("alice", None, &user_code)
        .await
        .unwrap();
    let token = poll(&server, TV, &device_code).await.json_body();
    let access = token["access_token"].as_str().unwrap();
    let dump = format!("{:?}", server.storage().tokens());
    assert!(!dump.contains(access));
    assert!(!dump.contains(&device_code));
}
