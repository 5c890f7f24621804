//! RFC 5849 §3.4 against an independent implementation: requests signed
//! by Python's `oauthlib` (`oauthlib.oauth1.Client`, through
//! `tests/oauth1_sign.py`) are verified by the engine, for HMAC-SHA1,
//! RSA-SHA1 and PLAINTEXT, with parameters in the header, the query and the
//! body, and through the whole §2 flow.
//!
//! Needs `python3` with `oauthlib`, `PyJWT` and `cryptography`
//! (`pip install 'oauthlib[signedtoken]'`). Without them these tests print
//! a note and pass, unless `OAUTH_TEST_REQUIRE` contains `python`: then
//! they fail, so CI cannot skip them silently.

mod oauth1_common;
use oauth1_common::*;

use std::io::Write as _;
use std::process::{Command, Stdio};

use oauth_core::{Method, OAuth2Request, Params};
use serde_json::{Value, json};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oauth1_sign.py");
const RSA_KEY_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/oauth1_data/rsa_private.pem"
);

/// `None` (after a note) when oauthlib cannot run and is not required.
fn unavailable(why: &str) -> Option<Vec<Value>> {
    let required = std::env::var("OAUTH_TEST_REQUIRE").is_ok_and(|v| v.contains("python"));
    if required {
        panic!(
            "OAUTH_TEST_REQUIRE contains \"python\", but {why}. \
             Install python3 and `pip install 'oauthlib[signedtoken]'`."
        );
    }
    eprintln!("note: skipping the oauthlib interoperability check: {why}");
    None
}

/// Signs `specs` with oauthlib; `None` when it is not installed.
fn oauthlib(specs: Value) -> Option<Vec<Value>> {
    let child = Command::new("python3")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return unavailable(&format!("python3 cannot be run ({e})")),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(specs.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Some(serde_json::from_slice(&out.stdout).expect("oauth1_sign.py prints JSON")),
        Some(3) => unavailable(stderr.trim()),
        _ => panic!("oauth1_sign.py failed: {stderr}"),
    }
}

/// The engine request of an oauthlib-signed request.
fn to_request(method: &str, signed: &Value) -> OAuth2Request {
    let mut request = OAuth2Request::new(Method::parse(method), signed["uri"].as_str().unwrap());
    for (k, v) in signed["headers"].as_object().unwrap() {
        request
            .headers
            .push((k.clone(), v.as_str().unwrap().to_owned()));
    }
    if let Some(body) = signed["body"].as_str()
        && request.is_form_encoded()
    {
        request.form = Params::parse(body);
    }
    request
}

fn spec(method: &str, uri: &str, nonce: &str) -> Value {
    json!({
        "client_key": CLIENT,
        "client_secret": SECRET,
        "resource_owner_key": TOKEN_CRED,
        "resource_owner_secret": TOKEN_SECRET,
        "timestamp": TS,
        "nonce": nonce,
        "http_method": method,
        "uri": uri,
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

const FORM: &str = "application/x-www-form-urlencoded";
const TRICKY_QUERY: &str = "file=vacation.jpg&size=original&q=a%20b+c&sym=%21%2A%27%28%29%7E&utf=%C3%BC%E2%82%AC&empty=&tag=b&tag=a";

#[tokio::test]
async fn rfc5849_3_4_2_hmac_sha1_signatures_from_oauthlib_verify() {
    let cases = vec![
        // Header, tricky query, host case and default port to normalize.
        spec(
            "GET",
            &format!("https://Photos.Example:443/photos?{TRICKY_QUERY}"),
            "h1",
        ),
        // Parameters in the query (§3.5.3).
        with(
            spec("GET", &format!("{API}?{TRICKY_QUERY}"), "h2"),
            json!({"signature_type": "QUERY"}),
        ),
        // Parameters in the body (§3.5.2), with a form body to sign.
        with(
            spec("POST", API, "h3"),
            json!({"signature_type": "BODY", "body": "title=Hello+World&x=%E2%82%AC&y=1%2B1",
                   "headers": {"Content-Type": FORM}}),
        ),
        // Header, with both a query and a form body.
        with(
            spec("POST", &format!("{API}?album=summer%202024"), "h4"),
            json!({"body": "caption=sea+%26+sun&caption=again", "headers": {"Content-Type": FORM}}),
        ),
        // A non-default port, an encoded path, and a realm (not signed).
        with(
            spec("GET", "https://photos.example:8443/photos/my%20album", "h5"),
            json!({"realm": "photos"}),
        ),
        // Plain http: HMAC-SHA1 needs no TLS at a resource.
        spec("DELETE", "http://photos.example/photos?id=7", "h6"),
    ];
    let Some(signed) = oauthlib(Value::Array(cases.clone())) else {
        return;
    };
    let (server, _) = server().await;
    for (case, signed) in cases.iter().zip(&signed) {
        let request = to_request(case["http_method"].as_str().unwrap(), signed);
        let access = server
            .validate_request(&request, &["photos"])
            .await
            .unwrap_or_else(|e| panic!("{e}\nrequest: {request:?}"));
        assert_eq!(access.user_id(), "jane");
    }

    // The engine's own signer produces oauthlib's signature for the same
    // request.
    let ours = token_client()
        .sign(
            OAuth2Request::get(format!("https://Photos.Example:443/photos?{TRICKY_QUERY}")),
            &[
                ("oauth_nonce", "h1"),
                ("oauth_timestamp", TS),
                ("oauth_version", "1.0"),
            ],
        )
        .unwrap();
    let signature_of = |r: &OAuth2Request| {
        let header = r.header("Authorization").unwrap().to_owned();
        oauth_core::oauth1::rfc5849::params::parse_authorization_header(&header)
            .unwrap()
            .unwrap()
            .into_iter()
            .find(|(k, _)| k == "oauth_signature")
            .unwrap()
            .1
    };
    assert_eq!(
        signature_of(&ours),
        signature_of(&to_request("GET", &signed[0]))
    );
}

#[tokio::test]
async fn rfc5849_3_4_3_rsa_sha1_signatures_from_oauthlib_verify() {
    let cases = vec![
        with(
            spec("GET", &format!("{API}?{TRICKY_QUERY}"), "r1"),
            json!({"client_key": RSA_CLIENT, "resource_owner_key": RSA_TOKEN_CRED,
                   "signature_method": "RSA-SHA1", "rsa_key_file": RSA_KEY_FILE}),
        ),
        with(
            spec("POST", API, "r2"),
            json!({"client_key": RSA_PKCS1_CLIENT, "resource_owner_key": RSA1_TOKEN_CRED,
                   "signature_method": "RSA-SHA1", "rsa_key_file": RSA_KEY_FILE,
                   "body": "a=1&b=%2F", "headers": {"Content-Type": FORM}}),
        ),
    ];
    let Some(signed) = oauthlib(Value::Array(cases.clone())) else {
        return;
    };
    let (server, _) = server().await;
    for (case, signed) in cases.iter().zip(&signed) {
        let request = to_request(case["http_method"].as_str().unwrap(), signed);
        let access = server
            .validate_request(&request, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}\nrequest: {request:?}"));
        assert_eq!(access.client_id(), case["client_key"].as_str().unwrap());
        // One changed parameter and it no longer verifies.
        let mut changed = request.clone();
        changed.uri = changed.uri.replacen("vacation", "holiday", 1);
        changed.query = Params::parse(changed.uri.split_once('?').map_or("", |(_, q)| q));
        changed.form = Params::parse("a=2&b=%2F");
        let err = server.validate_request(&changed, &[]).await.unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_signature");
    }
}

#[tokio::test]
async fn rfc5849_3_4_4_plaintext_signatures_from_oauthlib_verify() {
    let (server, _) = server().await;
    // A secret with characters §3.6 encodes, to check both sides encode it.
    server
        .storage()
        .insert_oauth1_client(oauth_core::oauth1::OAuth1ClientRecord::new(
            "odd-secret",
            "s p&c/é",
            [CALLBACK],
        ));
    oauth_core::oauth1::OAuth1Storage::save_token_credential(
        server.storage(),
        oauth_core::oauth1::TokenCredentialRecord {
            oauth_token: "odd-token".into(),
            oauth_token_secret: "t%k=n".into(),
            client_id: "odd-secret".into(),
            user_id: "jane".into(),
            realms: String::new(),
            issued_at: NOW,
        },
    )
    .await
    .unwrap();
    let cases = vec![
        with(
            spec("GET", API, "p1"),
            json!({"signature_method": "PLAINTEXT"}),
        ),
        with(
            spec("GET", API, "p2"),
            json!({"signature_method": "PLAINTEXT", "client_key": "odd-secret",
                   "client_secret": "s p&c/é", "resource_owner_key": "odd-token",
                   "resource_owner_secret": "t%k=n"}),
        ),
    ];
    let Some(signed) = oauthlib(Value::Array(cases)) else {
        return;
    };
    for signed in &signed {
        let request = to_request("GET", signed);
        server
            .validate_request(&request, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}\nrequest: {request:?}"));
    }
    // Over plain http the same signature is refused.
    let mut plain = to_request("GET", &signed[0]);
    plain.secure = false;
    let err = server.validate_request(&plain, &[]).await.unwrap_err();
    assert_eq!(err.code.as_str(), "insecure_transport");
}

#[tokio::test]
async fn rfc5849_2_flow_signed_by_oauthlib() {
    let (server, _) = server().await;
    let initiate = json!({
        "client_key": CLIENT, "client_secret": SECRET, "callback_uri": CALLBACK,
        "realm": "photos", "timestamp": TS, "nonce": "f1",
        "http_method": "POST", "uri": INITIATE,
    });
    let Some(signed) = oauthlib(json!([initiate])) else {
        return;
    };
    let response = server
        .create_temporary_credentials_response(&to_request("POST", &signed[0]))
        .await;
    assert_eq!(response.status, 200, "{response:?}");
    let answer = form(&response);
    let (temp, temp_secret) = (
        answer["oauth_token"].clone(),
        answer["oauth_token_secret"].clone(),
    );
    assert_eq!(server.storage().temporary_credentials()[0].realms, "photos");

    let verifier = authorize(&server, &temp).await;
    let token = json!({
        "client_key": CLIENT, "client_secret": SECRET,
        "resource_owner_key": temp, "resource_owner_secret": temp_secret,
        "verifier": verifier, "timestamp": TS, "nonce": "f2",
        "http_method": "POST", "uri": TOKEN,
    });
    let Some(signed) = oauthlib(json!([token])) else {
        return;
    };
    let response = server
        .create_token_response(&to_request("POST", &signed[0]))
        .await;
    assert_eq!(response.status, 200, "{response:?}");
    let answer = form(&response);

    let resource = json!({
        "client_key": CLIENT, "client_secret": SECRET,
        "resource_owner_key": answer["oauth_token"], "resource_owner_secret": answer["oauth_token_secret"],
        "timestamp": TS, "nonce": "f3", "http_method": "GET",
        "uri": format!("{API}?{TRICKY_QUERY}"),
    });
    let Some(signed) = oauthlib(json!([resource])) else {
        return;
    };
    let access = server
        .validate_request(&to_request("GET", &signed[0]), &["photos"])
        .await
        .unwrap();
    assert_eq!(access.user_id(), "jane");
}
