//! An OAuth 1.0a client for the tests: signs requests with the engine's
//! [`Signer`] (HMAC-SHA1, PLAINTEXT, or RSA-SHA1 with the test key), puts
//! the protocol parameters where asked (header, form body or query, RFC 5849
//! §3.5), and sends them to the example app over HTTP.
//!
//! The signature does not depend on where the parameters travel: the base
//! string (§3.4.1.3) collects them from all three places, so a request is
//! signed once with the parameters in the header and then, for the body or
//! the query, the same pairs are moved there.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oauth_core::http::form_urlencode;
use oauth_core::oauth1::rfc5849::client::Signer;
use oauth_core::oauth1::rfc5849::params::parse_authorization_header;
use oauth_core::{Method, OAuth2Request, secrets};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use crate::app::{Browser, ConsentPage, Reply, TestApp};

/// The test RSA key pair's private half (PKCS#8 PEM), for RSA-SHA1.
pub const RSA_PRIVATE_PEM: &str =
    include_str!("../../oauth-core/tests/oauth1_data/rsa_private.pem");
/// Its public half, to register an RSA-SHA1 client with.
pub const RSA_PUBLIC_PEM: &str = include_str!("../../oauth-core/tests/oauth1_data/rsa_public.pem");
/// The private key's path, for Python clients.
pub const RSA_PRIVATE_PEM_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../oauth-core/tests/oauth1_data/rsa_private.pem"
);

/// The callback URI the tests' OAuth 1 clients register.
pub const CALLBACK: &str = "https://printer.example/ready";

/// Where the protocol parameters travel (RFC 5849 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// `Authorization: OAuth ...` (§3.5.1).
    Header,
    /// The form-encoded body (§3.5.2); the request is then a form POST.
    Body,
    /// The query (§3.5.3).
    Query,
}

/// A signed request, ready to send with any HTTP client.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The absolute URL, query included.
    pub url: String,
    /// Header fields to send (`Authorization`, `Content-Type`).
    pub headers: Vec<(String, String)>,
    /// The form-encoded body, if any.
    pub body: Option<String>,
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Signs with RSA-SHA1 (RSASSA-PKCS1-v1_5 over SHA-1) and the test key.
pub fn rsa_sha1_sign(base_string: &str) -> String {
    use rsa::pkcs1v15::SigningKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer as _};
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(RSA_PRIVATE_PEM).expect("the test RSA key");
    let signature = SigningKey::<sha1::Sha1>::new(key).sign(base_string.as_bytes());
    STANDARD.encode(signature.to_bytes())
}

/// A client's credentials, how it signs, and where it puts parameters.
#[derive(Debug, Clone)]
pub struct OAuth1Client {
    /// The engine's signer: client id and secret, token, method.
    pub signer: Signer,
    /// Where the protocol parameters go.
    pub placement: Placement,
}

impl OAuth1Client {
    /// A client signing with `method` (`HMAC-SHA1`, `RSA-SHA1`,
    /// `PLAINTEXT`), parameters in the header.
    pub fn new(client_id: &str, client_secret: &str, method: &str) -> OAuth1Client {
        let mut signer = Signer::new(client_id, client_secret);
        signer.signature_method = method.to_owned();
        OAuth1Client {
            signer,
            placement: Placement::Header,
        }
    }

    /// The same client with parameters in `placement`.
    pub fn placed(mut self, placement: Placement) -> OAuth1Client {
        self.placement = placement;
        self
    }

    /// Sets (or clears) the token the client signs with.
    pub fn with_token(mut self, token: Option<(String, String)>) -> OAuth1Client {
        self.signer.token = token.map(|(t, s)| (t, s.into()));
        self
    }

    /// Signs `method url` with a form body `form` (none if empty) and the
    /// protocol parameters `protocol` (`oauth_callback`, `oauth_verifier`,
    /// ...); `oauth_timestamp` and `oauth_nonce` are added (now, random)
    /// unless `protocol` has them.
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        form: &[(&str, &str)],
        protocol: &[(&str, &str)],
    ) -> SignedRequest {
        let timestamp = now().to_string();
        let nonce = secrets::random_token(12);
        let mut protocol: Vec<(&str, &str)> = protocol.to_vec();
        if !protocol.iter().any(|(k, _)| *k == "oauth_timestamp") {
            protocol.push(("oauth_timestamp", &timestamp));
        }
        if !protocol.iter().any(|(k, _)| *k == "oauth_nonce") {
            protocol.push(("oauth_nonce", &nonce));
        }
        let mut request = OAuth2Request::new(Method::parse(method), url);
        if !form.is_empty() || self.placement == Placement::Body {
            request = request.with_form(form.iter().copied());
        }
        let signed = if self.signer.signature_method == "RSA-SHA1" {
            self.signer.sign_with(request, &protocol, rsa_sha1_sign)
        } else {
            self.signer.sign(request, &protocol)
        }
        .expect("the engine's Signer signs");
        let header = signed
            .header("authorization")
            .expect("the signer sets Authorization")
            .to_owned();

        let mut form_pairs: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut url = url.to_owned();
        let mut headers = Vec::new();
        match self.placement {
            Placement::Header => headers.push((AUTHORIZATION.to_string(), header)),
            Placement::Body | Placement::Query => {
                let pairs = parse_authorization_header(&header)
                    .expect("the signer's header parses")
                    .expect("an OAuth header")
                    .into_iter()
                    .filter(|(k, _)| k != "realm");
                if self.placement == Placement::Body {
                    form_pairs.extend(pairs);
                } else {
                    let extra = encode(pairs);
                    url.push(if url.contains('?') { '&' } else { '?' });
                    url.push_str(&extra);
                }
            }
        }
        let body = (!form_pairs.is_empty() || self.placement == Placement::Body).then(|| {
            headers.push((
                CONTENT_TYPE.to_string(),
                "application/x-www-form-urlencoded".to_owned(),
            ));
            encode(form_pairs)
        });
        SignedRequest {
            method: method.to_owned(),
            url,
            headers,
            body,
        }
    }
}

/// Form-encodes pairs.
pub fn encode(pairs: impl IntoIterator<Item = (String, String)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(&k, &v);
    }
    s.finish()
}

/// Decodes a form-encoded answer into pairs.
pub fn decode(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The value of `name` in a form-encoded answer.
pub fn field(body: &str, name: &str) -> Option<String> {
    decode(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

impl TestApp {
    /// Sends a signed request (no cookies, no redirects followed).
    pub async fn send_signed(&self, request: &SignedRequest) -> Reply {
        let api = self.api();
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("method");
        let mut builder = api.http.request(method, &request.url);
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        Reply::read(builder.send().await.expect("signed request")).await
    }
}

impl TestApp {
    /// `POST /oauth1/initiate` (RFC 5849 §2.1) with `oauth_callback`.
    pub async fn oauth1_initiate(&self, client: &OAuth1Client, callback: &str) -> Reply {
        let url = self.url("/oauth1/initiate");
        self.send_signed(&client.sign("POST", &url, &[], &[("oauth_callback", callback)]))
            .await
    }

    /// `POST /oauth1/token` (§2.3) with `oauth_verifier`; `client` holds
    /// the temporary credentials.
    pub async fn oauth1_token(&self, client: &OAuth1Client, verifier: &str) -> Reply {
        let url = self.url("/oauth1/token");
        self.send_signed(&client.sign("POST", &url, &[], &[("oauth_verifier", verifier)]))
            .await
    }

    /// `/api/oauth1/me` signed with the token credentials `client` holds:
    /// a `GET`, or a `POST` when the parameters go in the body.
    pub async fn oauth1_me(&self, client: &OAuth1Client) -> Reply {
        let url = self.url("/api/oauth1/me");
        let method = match client.placement {
            Placement::Body => "POST",
            _ => "GET",
        };
        self.send_signed(&client.sign(method, &url, &[], &[])).await
    }

    /// The whole redirection-based flow for `client` (no token yet) and the
    /// logged-in `browser`, which approves: returns the client holding its
    /// token credentials.
    pub async fn oauth1_flow(&self, client: OAuth1Client, browser: &Browser) -> OAuth1Client {
        let (temporary, temporary_secret) =
            credentials_of(&self.oauth1_initiate(&client, CALLBACK).await);
        let r = browser.answer_oauth1_consent(&temporary, "yes").await;
        r.assert_status(302);
        let location = r.expect_location();
        assert!(location.starts_with(CALLBACK), "{location}");
        let callback = crate::app::query_params(location);
        assert_eq!(
            crate::app::param(&callback, "oauth_token"),
            Some(temporary.as_str())
        );
        let verifier = crate::app::param(&callback, "oauth_verifier")
            .expect("oauth_verifier")
            .to_owned();
        let client = client.with_token(Some((temporary, temporary_secret)));
        let token = credentials_of(&self.oauth1_token(&client, &verifier).await);
        client.with_token(Some(token))
    }
}

impl Browser {
    /// Registers an OAuth 1 client at `POST /oauth1/clients` with this
    /// session; asserts the `201` and returns the answer.
    pub async fn register_oauth1_client(&self, body: &Value) -> Value {
        let r = self.post_json("/oauth1/clients", body).await;
        r.assert_status(201);
        r.json()
    }

    /// Opens the OAuth 1 consent page of a temporary credential; asserts
    /// the `200` and returns the page.
    pub async fn oauth1_consent_page(&self, oauth_token: &str) -> ConsentPage {
        let page = self
            .get(&format!(
                "/oauth1/authorize?oauth_token={}",
                form_urlencode(oauth_token)
            ))
            .await;
        page.assert_status(200);
        ConsentPage::parse(&page)
    }

    /// Opens the consent page and answers it (`confirm=yes` or anything
    /// else), returning the reply to the form's POST.
    pub async fn answer_oauth1_consent(&self, oauth_token: &str, confirm: &str) -> Reply {
        let page = self.oauth1_consent_page(oauth_token).await;
        self.post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", confirm)],
        )
        .await
    }
}

/// The `oauth_token`, `oauth_token_secret` pair of a credential answer
/// (asserts both are there).
pub fn credentials_of(reply: &Reply) -> (String, String) {
    reply.assert_status(200);
    let token = field(&reply.body, "oauth_token").expect("oauth_token");
    let secret = field(&reply.body, "oauth_token_secret").expect("oauth_token_secret");
    (token, secret)
}
