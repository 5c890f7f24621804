//! Engine responses as Rocket responses, headers and body untouched.

use std::io::Cursor;

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder, Response};

use crate::http::OAuth2Response;

impl<'r> Responder<'r, 'static> for OAuth2Response {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut builder = Response::build();
        builder.status(Status::new(self.status));
        for (name, value) in self.headers {
            builder.raw_header_adjoin(name, value);
        }
        let body = self.body;
        if !body.is_empty() {
            builder.sized_body(body.len(), Cursor::new(body));
        }
        Ok(builder.finalize())
    }
}

/// A JSON error response, for failures outside the engine (no state,
/// unreadable body).
pub(crate) fn plain_error(status: u16, error: &str, description: &str) -> OAuth2Response {
    OAuth2Response::json(
        status,
        &serde_json::json!({ "error": error, "error_description": description }),
    )
}
