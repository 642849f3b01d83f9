//! Our own request extractors, so every malformed input answers in the error shape:
//! `Json` (415 wrong media type, 413 too large, 400 malformed, 422 wrong fields),
//! `Query` (422), `Id` (a path id; a malformed one is simply not found), `ClientInfo`
//! (IP and user agent for the audit log and rate limits), and list pagination.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::error::{AppError, FieldError};

/// A JSON body. Unknown fields are rejected by the request types themselves.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct.split(';').next().unwrap_or_default().trim();
                mime.eq_ignore_ascii_case("application/json")
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(AppError::UnsupportedMediaType(
                "expected a body with Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest("malformed_body", rejection.body_text())
                }
            })?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses JSON bytes: syntax errors are 400, shape errors 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                AppError::Validation(vec![field_error(&path, &clean_serde_message(&inner))])
            }
            _ => AppError::BadRequest("malformed_json", format!("malformed JSON: {inner}")),
        }
    })
}

/// A deserialization error as the API reports it: a missing field is named in `field`
/// (serde names it only in its message), and Rust's type names become the JSON kinds a
/// client sends (`f64` → a number, `struct X` → an object).
pub fn field_error(path: &str, message: &str) -> FieldError {
    let path = if path == "." { "" } else { path };
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return FieldError::new(field, "is required".to_string());
    }
    FieldError::new(path.to_string(), plain_kinds(message))
}

/// Replaces the Rust type names in a serde message with JSON kinds.
fn plain_kinds(message: &str) -> String {
    const WHOLE: [&str; 10] = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize",
    ];
    if message == "invalid digit found in string" {
        return "expected a whole number".into();
    }
    if message == "invalid float literal" {
        return "expected a number".into();
    }
    let message = message
        .replace("invalid type: map,", "invalid type: object,")
        .replace("invalid type: sequence,", "invalid type: array,");
    let Some(at) = message.rfind("expected ") else {
        return message;
    };
    let (head, wanted) = message.split_at(at + "expected ".len());
    let plain = match wanted {
        "f32" | "f64" => "a number",
        w if WHOLE.contains(&w) => "a whole number",
        w if w.starts_with("struct ") => "an object",
        "a sequence" => "an array",
        "a map" => "an object",
        _ => wanted,
    };
    format!("{head}{plain}")
}

/// serde's messages end with " at line 1 column 17"; the field path already says where.
fn clean_serde_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query-string parameters; a bad value is 422 naming the parameter.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|err| {
                let field = err.path().to_string();
                AppError::Validation(vec![field_error(&field, &err.into_inner().to_string())])
            })
    }
}

/// A document id from the path. Anything that is not an id cannot name a document,
/// so it is answered like a missing one.
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::NotFound("resource"))?;
        if crate::id::is_valid(&raw) {
            Ok(Id(raw))
        } else {
            Err(AppError::NotFound("resource"))
        }
    }
}

/// Who is calling, as far as the network can tell: for the audit log and rate limits.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl<S> FromRequestParts<S> for ClientInfo
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        // Behind a proxy only the configured header is believed, and only its
        // left-most address (the client as the first proxy saw it).
        let forwarded = state.config.trust_proxy.as_ref().and_then(|h| {
            parts
                .headers
                .get(h.as_str())
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect());
        Ok(ClientInfo {
            ip: forwarded.or(peer),
            user_agent,
        })
    }
}

/// `?page=&limit=`: page from 1, limit 1..=100 (default 20).
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: i64,
    pub limit: i64,
}

impl Page {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.limit
    }
}

impl PageParams {
    pub fn parse(&self, errors: &mut Vec<FieldError>) -> Page {
        let page = self.page.unwrap_or(1);
        let limit = self.limit.unwrap_or(20);
        if page < 1 {
            errors.push(FieldError::new("page", "must be 1 or more"));
        }
        if !(1..=100).contains(&limit) {
            errors.push(FieldError::new("limit", "must be between 1 and 100"));
        }
        Page {
            page: page.max(1),
            limit: limit.clamp(1, 100),
        }
    }
}

/// A page of a list: `{"data": [...], "page": 1, "limit": 20, "total": 134}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub data: Vec<T>,
    pub page: i64,
    pub limit: i64,
    pub total: i64,
}

impl<T> Paged<T> {
    pub fn new(data: Vec<T>, page: Page, total: i64) -> Self {
        Paged {
            data,
            page: page.page,
            limit: page.limit,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Point {
        name: String,
        at: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        lat: f64,
        count: u32,
    }

    fn details(body: &str) -> FieldError {
        match parse_json::<Point>(body.as_bytes()) {
            Err(AppError::Validation(mut errors)) => errors.remove(0),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named_in_field() {
        assert_eq!(
            details(r#"{"at": {"lat": 1, "count": 2}}"#),
            FieldError::new("name", "is required")
        );
        assert_eq!(
            details(r#"{"name": "a", "at": {"count": 2}}"#),
            FieldError::new("at.lat", "is required")
        );
    }

    #[test]
    fn rust_type_names_become_json_kinds() {
        assert_eq!(
            details(r#"{"name": "a", "at": {"lat": "x", "count": 2}}"#),
            FieldError::new("at.lat", r#"invalid type: string "x", expected a number"#)
        );
        assert_eq!(
            details(r#"{"name": "a", "at": {"lat": 1, "count": -2}}"#),
            FieldError::new(
                "at.count",
                "invalid value: integer `-2`, expected a whole number"
            )
        );
        assert_eq!(
            details(r#"{"name": "a", "at": "x"}"#).message,
            r#"invalid type: string "x", expected an object"#
        );
        assert_eq!(
            details(r#"{"name": ["a"], "at": {"lat": 1, "count": 2}}"#).message,
            "invalid type: array, expected a string"
        );
    }

    #[test]
    fn other_messages_are_kept() {
        assert_eq!(
            plain_kinds("unknown variant `x`, expected one of `a`, `b`"),
            "unknown variant `x`, expected one of `a`, `b`"
        );
        assert_eq!(
            plain_kinds("invalid digit found in string"),
            "expected a whole number"
        );
    }
}
