//! RFC 5849 §1.2: the example flow, reproduced byte for byte. The printer
//! (client `dpf43f3p2l4k3l03`) obtains temporary credentials, Jane
//! authorizes them, the printer exchanges them for token credentials and
//! fetches a photo; every header, signature, base string and answer below
//! is the RFC's.

use oauth_core::memory::MemoryStorage;
use oauth_core::oauth1::rfc5849::params::RequestParams;
use oauth_core::oauth1::rfc5849::signature::{hmac_sha1_sign, request_base_string};
use oauth_core::oauth1::{
    CredentialKind, OAuth1Authorization, OAuth1ClientRecord, OAuth1Config, OAuth1Server,
};
use oauth_core::{Consent, ManualClock, OAuth2Request};

const CLIENT_ID: &str = "dpf43f3p2l4k3l03";
const CLIENT_SECRET: &str = "kd94hf93k423kf44";

/// The RFC's server: credentials come out as the example prints them, and
/// the clock reads the example's time.
fn photos_server() -> OAuth1Server<MemoryStorage> {
    let storage = MemoryStorage::new();
    storage.insert_oauth1_client(
        OAuth1ClientRecord::new(
            CLIENT_ID,
            CLIENT_SECRET,
            ["http://printer.example.com/ready"],
        )
        .with_default_realms(["Photos"]),
    );
    OAuth1Server::new(storage, OAuth1Config::default())
        .unwrap()
        .with_clock(ManualClock::new(137_131_200))
        .with_generator(|kind| {
            match kind {
                CredentialKind::TemporaryToken => "hh5s93j4hdidpola",
                CredentialKind::TemporarySecret => "hdhd0244k9j7ao03",
                CredentialKind::Verifier => "hfdp7dh39dks9884",
                CredentialKind::Token => "nnch734d00sl2jdk",
                CredentialKind::TokenSecret => "pfkkdhi9sl3r4s00",
            }
            .to_owned()
        })
}

#[tokio::test]
async fn rfc5849_1_2_example_flow() {
    let server = photos_server();

    // Temporary credentials, over HTTPS.
    let initiate = OAuth2Request::post("/initiate")
        .with_header("Host", "photos.example.net")
        .with_header(
            "Authorization",
            "OAuth realm=\"Photos\",\n    oauth_consumer_key=\"dpf43f3p2l4k3l03\",\n    \
             oauth_signature_method=\"HMAC-SHA1\",\n    oauth_timestamp=\"137131200\",\n    \
             oauth_nonce=\"wIjqoS\",\n    \
             oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\",\n    \
             oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\"",
        )
        .with_secure(true);
    let response = server
        .create_temporary_credentials_response(&initiate)
        .await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.body,
        "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true"
    );
    assert_eq!(
        response.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );

    // Jane authorizes; the printer is called back.
    let authorize =
        OAuth2Request::get("https://photos.example.net/authorize?oauth_token=hh5s93j4hdidpola");
    let pending = server
        .validate_authorization_request(&authorize)
        .await
        .unwrap();
    assert_eq!(pending.client.client_id, CLIENT_ID);
    assert_eq!(pending.realms(), ["Photos"]);
    let outcome = server
        .create_authorization_response(
            &authorize,
            Consent::Granted {
                user_id: "jane".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        OAuth1Authorization::Redirect(
            "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884"
                .into()
        )
    );

    // Token credentials, over HTTPS.
    let token = OAuth2Request::post("/token")
        .with_header("Host", "photos.example.net")
        .with_header(
            "Authorization",
            "OAuth realm=\"Photos\",\n    oauth_consumer_key=\"dpf43f3p2l4k3l03\",\n    \
             oauth_token=\"hh5s93j4hdidpola\",\n    oauth_signature_method=\"HMAC-SHA1\",\n    \
             oauth_timestamp=\"137131201\",\n    oauth_nonce=\"walatlh\",\n    \
             oauth_verifier=\"hfdp7dh39dks9884\",\n    \
             oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\"",
        )
        .with_secure(true);
    let response = server.create_token_response(&token).await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.body,
        "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00"
    );

    // The protected resource, over plain HTTP (HMAC-SHA1 protects it).
    let photo = OAuth2Request::get("/photos?file=vacation.jpg&size=original")
        .with_header("Host", "photos.example.net")
        .with_header(
            "Authorization",
            "OAuth realm=\"Photos\",\n    oauth_consumer_key=\"dpf43f3p2l4k3l03\",\n    \
             oauth_token=\"nnch734d00sl2jdk\",\n    oauth_signature_method=\"HMAC-SHA1\",\n    \
             oauth_timestamp=\"137131202\",\n    oauth_nonce=\"chapoH\",\n    \
             oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"",
        );
    let params = RequestParams::from_request(&photo).unwrap();
    let base = request_base_string(&photo, &params, None).unwrap();
    assert_eq!(
        base,
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26\
         oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26\
         oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26\
         oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal"
    );
    assert_eq!(
        hmac_sha1_sign(&base, CLIENT_SECRET, "pfkkdhi9sl3r4s00"),
        "MdpQcU8iPSUjWoN/UDMsK2sui9I="
    );
    let access = server.validate_request(&photo, &["Photos"]).await.unwrap();
    assert_eq!(access.user_id(), "jane");
    assert_eq!(access.client_id(), CLIENT_ID);
    assert_eq!(access.realms(), ["Photos"]);
}

#[tokio::test]
async fn rfc5849_1_2_example_signatures_cover_https_uris() {
    // The credential requests were signed for https://photos.example.net;
    // the same request seen as plain http has another base string, and is
    // refused before that for lack of TLS.
    let server = photos_server();
    let initiate = OAuth2Request::post("https://photos.example.net/initiate").with_header(
        "Authorization",
        "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", \
         oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131200\", \
         oauth_nonce=\"wIjqoS\", oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\", \
         oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\"",
    );
    let params = RequestParams::from_request(&initiate).unwrap();
    let base = request_base_string(&initiate, &params, None).unwrap();
    assert_eq!(
        hmac_sha1_sign(&base, CLIENT_SECRET, ""),
        "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
    );
    let mut plain = initiate.clone();
    plain.uri = "http://photos.example.net/initiate".into();
    plain.secure = false;
    let response = server.create_temporary_credentials_response(&plain).await;
    assert_eq!(response.status, 400);
    assert!(response.body.contains("insecure_transport"));
}
