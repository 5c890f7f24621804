//! RFC 5849 §3.4: the signature base string (§3.4.1) with the RFC's own
//! examples, and the three methods (§3.4.2 HMAC-SHA1, §3.4.3 RSA-SHA1,
//! §3.4.4 PLAINTEXT) as the server verifies them, including their
//! failures.

mod oauth1_common;
use oauth1_common::*;

use oauth_core::OAuth2Request;
use oauth_core::oauth1::rfc5849::params::RequestParams;
use oauth_core::oauth1::rfc5849::signature::{
    SignatureContext, SignatureMethod, base_string_uri, check_rsa_public_key, normalize_parameters,
    request_base_string,
};
use oauth_core::oauth1::{OAuth1Config, OAuth1Error};

/// The request of §3.4.1.1.
fn rfc_3_4_1_1_request() -> OAuth2Request {
    OAuth2Request::post("/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
        .with_header("Host", "example.com")
        .with_header(
            "Authorization",
            "OAuth realm=\"Example\",\r\n               oauth_consumer_key=\"9djdj82h48djs9d2\",\r\n               \
             oauth_token=\"kkk9d7dh3k39sjv7\",\r\n               oauth_signature_method=\"HMAC-SHA1\",\r\n               \
             oauth_timestamp=\"137131201\",\r\n               oauth_nonce=\"7d8f3e4a\",\r\n               \
             oauth_signature=\"bYT5CMsGcbgUdFHObYMEfcx6bsw%3D\"",
        )
        .with_form_body("c2&a3=2+q")
}

#[test]
fn rfc5849_3_4_1_1_base_string_example() {
    let request = rfc_3_4_1_1_request();
    let params = RequestParams::from_request(&request).unwrap();
    assert_eq!(
        request_base_string(&request, &params, None).unwrap(),
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
         %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
         key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
         ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
         9d7dh3k39sjv7"
    );
}

#[test]
fn rfc5849_3_4_1_2_base_string_uri_examples() {
    assert_eq!(
        base_string_uri("http://EXAMPLE.COM:80/r%20v/X?id=123").unwrap(),
        "http://example.com/r%20v/X"
    );
    assert_eq!(
        base_string_uri("https://www.example.net:8080/?q=1").unwrap(),
        "https://www.example.net:8080/"
    );
    // Origin-form targets take the Host header and the TLS flag.
    let request = OAuth2Request::get("/r%20v/X?id=123")
        .with_header("Host", "EXAMPLE.COM:443")
        .with_secure(true);
    let params = RequestParams::from_request(&request).unwrap();
    assert!(
        request_base_string(&request, &params, None)
            .unwrap()
            .starts_with("GET&https%3A%2F%2Fexample.com%2Fr%2520v%2FX&")
    );
    // A configured public origin wins over both.
    let base = request_base_string(&request, &params, Some("http://api.example:8080")).unwrap();
    assert!(
        base.starts_with("GET&http%3A%2F%2Fapi.example%3A8080%2Fr%2520v%2FX&"),
        "{base}"
    );
}

#[test]
fn rfc5849_3_4_1_3_1_parameter_sources() {
    let request = rfc_3_4_1_1_request();
    let params = RequestParams::from_request(&request).unwrap();
    let mut sources: Vec<(&str, &str)> = params.signature_parameters().collect();
    sources.sort();
    // The realm and the signature are left out; everything else is in,
    // decoded (the query's %20 and the body's + are both a space).
    assert_eq!(
        sources,
        [
            ("a2", "r b"),
            ("a3", "2 q"),
            ("a3", "a"),
            ("b5", "=%3D"),
            ("c2", ""),
            ("c@", ""),
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_nonce", "7d8f3e4a"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
        ]
    );
    assert_eq!(params.realm(), Some("Example"));
}

#[test]
fn rfc5849_3_4_1_3_1_body_counts_only_when_form_encoded() {
    let mut request = rfc_3_4_1_1_request();
    for (k, v) in &mut request.headers {
        if k == "Content-Type" {
            *v = "application/json".into();
        }
    }
    let params = RequestParams::from_request(&request).unwrap();
    assert!(!params.signature_parameters().any(|(k, _)| k == "c2"));
}

#[test]
fn rfc5849_3_4_1_3_2_normalized_parameters_example() {
    let request = rfc_3_4_1_1_request();
    let params = RequestParams::from_request(&request).unwrap();
    assert_eq!(
        normalize_parameters(params.signature_parameters()),
        "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj\
         dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1\
         &oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
    );
}

#[tokio::test]
async fn rfc5849_3_4_2_hmac_sha1_verifies() {
    let (server, _) = server().await;
    let access = server
        .validate_request(&resource_request("n1"), &["photos"])
        .await
        .unwrap();
    assert_eq!(access.user_id(), "jane");
}

#[tokio::test]
async fn rfc5849_3_4_2_hmac_sha1_bad_signature_is_invalid_signature() {
    let (server, _) = server().await;
    let request = resource_request("n1");
    // A signature over other parameters, a malformed one, one made with the
    // wrong secret, and a changed request under a valid signature.
    let mut wrong_secret = token_client();
    wrong_secret.client_secret = "not-the-secret".into();
    let cases = [
        tamper(
            &request,
            "oauth_signature",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D",
        ),
        tamper(&request, "oauth_signature", "%21%21not-base64"),
        wrong_secret
            .sign(
                OAuth2Request::get(format!("{API}?file=vacation.jpg")),
                &[("oauth_timestamp", TS), ("oauth_nonce", "n2")],
            )
            .unwrap(),
        {
            let mut r = request.clone();
            r.uri = format!("{API}?file=other.jpg");
            r.query = oauth_core::Params::parse("file=other.jpg");
            r
        },
        {
            let mut r = request.clone();
            r.method = oauth_core::Method::Post;
            r
        },
    ];
    for case in cases {
        let err = server.validate_request(&case, &[]).await.unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.status),
            ("invalid_signature", 401),
            "{case:?}"
        );
    }
    // None of them spent the nonce: the genuine request still passes.
    server.validate_request(&request, &[]).await.unwrap();
}

fn rsa_request(client_id: &str, token: &str, nonce: &str) -> OAuth2Request {
    let mut signer = oauth_core::oauth1::rfc5849::client::Signer::new(client_id, "");
    signer.signature_method = "RSA-SHA1".into();
    signer.token = Some((token.into(), TOKEN_SECRET.into()));
    signer
        .sign_with(
            OAuth2Request::get(format!("{API}?size=original")),
            &[("oauth_timestamp", TS), ("oauth_nonce", nonce)],
            rsa_sign,
        )
        .unwrap()
}

#[tokio::test]
async fn rfc5849_3_4_3_rsa_sha1_verifies_with_spki_and_pkcs1_keys() {
    let (server, _) = server().await;
    let spki = server
        .validate_request(&rsa_request(RSA_CLIENT, RSA_TOKEN_CRED, "r1"), &[])
        .await
        .unwrap();
    assert_eq!(spki.client_id(), RSA_CLIENT);
    let pkcs1 = server
        .validate_request(&rsa_request(RSA_PKCS1_CLIENT, RSA1_TOKEN_CRED, "r1"), &[])
        .await
        .unwrap();
    assert_eq!(pkcs1.client_id(), RSA_PKCS1_CLIENT);
    assert!(check_rsa_public_key(RSA_PUBLIC_PEM).is_ok());
    assert!(check_rsa_public_key(RSA_PUBLIC_PKCS1_PEM).is_ok());
    assert!(check_rsa_public_key(RSA_PRIVATE_PEM).is_err());
}

#[tokio::test]
async fn rfc5849_3_4_3_rsa_sha1_failures() {
    let (server, _) = server().await;
    // Tampered signature.
    let request = rsa_request(RSA_CLIENT, RSA_TOKEN_CRED, "r1");
    let bad = tamper(&request, "oauth_signature", "AAAA");
    let err = server.validate_request(&bad, &[]).await.unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_signature");
    // A client with no registered key.
    let mut signer = oauth_core::oauth1::rfc5849::client::Signer::new(CLIENT, SECRET);
    signer.signature_method = "RSA-SHA1".into();
    signer.token = Some((TOKEN_CRED.into(), TOKEN_SECRET.into()));
    let request = signer
        .sign_with(
            OAuth2Request::get(API),
            &[("oauth_timestamp", TS), ("oauth_nonce", "r2")],
            rsa_sign,
        )
        .unwrap();
    let err = server.validate_request(&request, &[]).await.unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_signature");
    assert!(err.description.contains("RSA public key"), "{err}");
    // RSA-SHA1 is off by default.
    let (default_server, _) = server_with(OAuth1Config::default()).await;
    let err = default_server
        .validate_request(&rsa_request(RSA_CLIENT, RSA_TOKEN_CRED, "r3"), &[])
        .await
        .unwrap_err();
    assert_eq!(
        (err.code.as_str(), err.status),
        ("unsupported_signature_method", 400)
    );
}

fn plaintext_request(uri: &str) -> OAuth2Request {
    let mut signer = token_client();
    signer.signature_method = "PLAINTEXT".into();
    // §3.3: PLAINTEXT may omit the timestamp and nonce.
    signer.sign(OAuth2Request::get(uri), &[]).unwrap()
}

#[tokio::test]
async fn rfc5849_3_4_4_plaintext_verifies_over_tls() {
    let (server, _) = server().await;
    let request = plaintext_request(API);
    let header = request.header("Authorization").unwrap();
    assert!(
        header.contains("oauth_signature=\"kd94hf93k423kf44%26pfkkdhi9sl3r4s00\""),
        "{header}"
    );
    server.validate_request(&request, &[]).await.unwrap();
    let wrong = tamper(&request, "oauth_signature", "kd94hf93k423kf44%26wrong");
    let err = server.validate_request(&wrong, &[]).await.unwrap_err();
    assert_eq!((err.code.as_str(), err.status), ("invalid_signature", 401));
}

#[tokio::test]
async fn rfc5849_3_4_4_plaintext_over_http_is_refused_unless_insecure_transport() {
    let (server, _) = server().await;
    let request = plaintext_request("http://photos.example/photos");
    let err = server.validate_request(&request, &[]).await.unwrap_err();
    assert_eq!((err.code.as_str(), err.status), ("insecure_transport", 400));
    let (insecure, _) = server_with(OAuth1Config {
        insecure_transport: true,
        ..all_methods()
    })
    .await;
    insecure.validate_request(&request, &[]).await.unwrap();
    // HMAC-SHA1 protects a resource request over plain http.
    let hmac = token_client()
        .sign(
            OAuth2Request::get("http://photos.example/photos"),
            &[("oauth_timestamp", TS), ("oauth_nonce", "h1")],
        )
        .unwrap();
    server.validate_request(&hmac, &[]).await.unwrap();
}

#[tokio::test]
async fn rfc5849_3_4_shared_secret_methods_refuse_clients_without_secret() {
    let (server, _) = server().await;
    let mut signer = oauth_core::oauth1::rfc5849::client::Signer::new(RSA_ONLY_CLIENT, "");
    let request = signer
        .sign(
            OAuth2Request::post(INITIATE),
            &[
                ("oauth_callback", CALLBACK),
                ("oauth_timestamp", TS),
                ("oauth_nonce", "e1"),
            ],
        )
        .unwrap();
    let response = server.create_temporary_credentials_response(&request).await;
    assert_error(&response, 401, "invalid_signature");
    signer.signature_method = "PLAINTEXT".into();
    let request = signer
        .sign(
            OAuth2Request::post(INITIATE),
            &[("oauth_callback", CALLBACK)],
        )
        .unwrap();
    let response = server.create_temporary_credentials_response(&request).await;
    assert_error(&response, 401, "invalid_signature");
}

/// A custom method: the signature is the base string reversed.
struct Reversed;

impl SignatureMethod for Reversed {
    fn name(&self) -> &str {
        "X-REVERSED"
    }
    fn verify(&self, context: &SignatureContext<'_>, signature: &str) -> Result<(), OAuth1Error> {
        let expected: String = context.base_string.chars().rev().collect();
        if expected == signature {
            Ok(())
        } else {
            Err(OAuth1Error::invalid_signature("not reversed"))
        }
    }
}

#[tokio::test]
async fn rfc5849_3_4_custom_signature_methods_can_be_registered() {
    let (server, _) = server_with(OAuth1Config::default()).await;
    let server = server.with_signature_method(Reversed);
    assert_eq!(server.signature_methods(), ["HMAC-SHA1", "X-REVERSED"]);
    let mut signer = token_client();
    signer.signature_method = "X-REVERSED".into();
    let request = signer
        .sign_with(
            OAuth2Request::get(API),
            &[("oauth_timestamp", TS), ("oauth_nonce", "c1")],
            |b| b.chars().rev().collect(),
        )
        .unwrap();
    server.validate_request(&request, &[]).await.unwrap();
}
