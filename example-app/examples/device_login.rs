//! A command-line device client (RFC 8628), as a TV or a CLI tool would be:
//! it asks the example app for a code, tells you where to enter it, polls
//! until you approve, then calls `/api/me` with its token.
//!
//! ```sh
//! cargo run -p example-app --example device_login -- CLIENT_ID [http://127.0.0.1:8000]
//! ```
//!
//! Register the client first (logged in on the site), e.g. with
//! `POST /oauth/register` and `{"client_name": "CLI", "grant_types":
//! ["urn:ietf:params:oauth:grant-type:device_code"], "response_types": [],
//! "scope": "profile", "token_endpoint_auth_method": "none"}`.

use std::time::Duration;

use serde_json::Value;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(client_id) = args.next() else {
        eprintln!("usage: device_login CLIENT_ID [SERVER_URL]");
        std::process::exit(2);
    };
    let server = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8000".into());
    let http = reqwest::Client::new();

    // §3.1: ask for a device code and a user code.
    let grant: Value = http
        .post(format!("{server}/oauth/device_authorization"))
        .form(&[("client_id", client_id.as_str()), ("scope", "profile")])
        .send()
        .await?
        .json()
        .await?;
    if let Some(error) = grant["error"].as_str() {
        return Err(format!("{error}: {}", grant["error_description"]).into());
    }
    let device_code = grant["device_code"].as_str().unwrap_or_default();
    println!(
        "\nTo sign in, open {}\nand enter the code  {}\n(or open {})\n",
        grant["verification_uri"].as_str().unwrap_or_default(),
        grant["user_code"].as_str().unwrap_or_default(),
        grant["verification_uri_complete"]
            .as_str()
            .unwrap_or_default(),
    );

    // §3.4–3.5: poll at the given interval, slower when told to.
    let mut interval = grant["interval"].as_u64().unwrap_or(5);
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        let answer: Value = http
            .post(format!("{server}/oauth/token"))
            .form(&[
                ("grant_type", DEVICE_GRANT),
                ("device_code", device_code),
                ("client_id", client_id.as_str()),
            ])
            .send()
            .await?
            .json()
            .await?;
        match answer["error"].as_str() {
            None => {
                let token = answer["access_token"].as_str().unwrap_or_default();
                let me: Value = http
                    .get(format!("{server}/api/me"))
                    .bearer_auth(token)
                    .send()
                    .await?
                    .json()
                    .await?;
                println!("Signed in as {} (user {}).", me["username"], me["id"]);
                return Ok(());
            }
            Some("authorization_pending") => print!("."),
            Some("slow_down") => interval += 5,
            Some("access_denied") => return Err("you denied the request".into()),
            Some("expired_token") => return Err("the code expired; start again".into()),
            Some(other) => return Err(format!("{other}: {}", answer["error_description"]).into()),
        }
        use std::io::Write as _;
        std::io::stdout().flush().ok();
    }
}
