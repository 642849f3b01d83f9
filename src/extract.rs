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
fn field_error(path: &str, message: &str) -> FieldError {
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

/// Replaces the Rust type names in a serde message with JSON kinds. Only serde's own
/// words are touched: its "invalid type: map," opens the message, and its "expected
/// ..." closes it, after any value of the client's that it quotes.
fn plain_kinds(message: &str) -> String {
    if message == "invalid digit found in string" {
        return "expected a whole number".into();
    }
    if message == "invalid float literal" {
        return "expected a number".into();
    }
    let message = if let Some(rest) = message.strip_prefix("invalid type: map,") {
        format!("invalid type: object,{rest}")
    } else if let Some(rest) = message.strip_prefix("invalid type: sequence,") {
        format!("invalid type: array,{rest}")
    } else {
        message.to_string()
    };
    let Some(at) = message.rfind("expected ") else {
        return message;
    };
    let (head, wanted) = message.split_at(at + "expected ".len());
    // A struct read from an array of the wrong length ("struct X with 2 elements").
    if head.starts_with("invalid length ") && wanted.starts_with("struct ") {
        return "invalid type: array, expected an object".into();
    }
    let plain = match wanted {
        "f32" | "f64" => "a number".to_string(),
        w if head.starts_with("invalid value: integer") => match whole_range(w) {
            Some((low, high)) => format!("a whole number from {low} to {high}"),
            None => w.to_string(),
        },
        w if whole_range(w).is_some() => "a whole number".to_string(),
        w if w.starts_with("struct ") && !w["struct ".len()..].contains(' ') => {
            "an object".to_string()
        }
        "a sequence" => "an array".to_string(),
        "a map" => "an object".to_string(),
        w => w.to_string(),
    };
    format!("{head}{plain}")
}

/// The range of a Rust integer type, by name.
fn whole_range(type_name: &str) -> Option<(i128, i128)> {
    Some(match type_name {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

/// Reads an already parsed JSON value (a socket event's payload) as `T`; a shape
/// error names its field as a request body's does.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(path_error)
}

/// The field error of a value that did not fit its type, at the path where it failed.
fn path_error<E: std::fmt::Display>(err: serde_path_to_error::Error<E>) -> FieldError {
    let path = err.path().to_string();
    field_error(&path, &err.into_inner().to_string())
}

/// serde's messages end with " at line 1 column 17"; the field path already says where.
fn clean_serde_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match msg.strip_suffix(&suffix) {
        Some(stripped) => stripped.to_string(),
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
            .map_err(|err| AppError::Validation(vec![path_error(err)]))
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
                "invalid value: integer `-2`, expected a whole number from 0 to 4294967295"
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
    fn numbers_in_query_strings_and_arrays_for_objects() {
        assert_eq!(
            plain_kinds("invalid digit found in string"),
            "expected a whole number"
        );
        assert_eq!(plain_kinds("invalid float literal"), "expected a number");
        // serde reads an object from an array of its fields; a wrong length says so.
        assert_eq!(
            details(r#"{"name": "a", "at": []}"#),
            FieldError::new("at", "invalid type: array, expected an object")
        );
    }

    #[test]
    fn a_missing_field_in_an_array_element_is_named_with_its_index() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct List {
            items: Vec<Inner>,
        }
        match parse_json::<List>(br#"{"items": [{"lat": 1, "count": 1}, {"lat": 2}]}"#) {
            Err(AppError::Validation(errors)) => {
                assert_eq!(errors, [FieldError::new("items[1].count", "is required")])
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn the_clients_own_words_are_left_alone() {
        assert_eq!(
            plain_kinds("unknown variant `x`, expected one of `a`, `b`"),
            "unknown variant `x`, expected one of `a`, `b`"
        );
        // A value quoting serde's words, or its location suffix, is not rewritten or cut.
        assert_eq!(
            details(r#"{"name": "invalid type: map,", "at": {"lat": "5 at line 2", "count": 1}}"#),
            FieldError::new(
                "at.lat",
                r#"invalid type: string "5 at line 2", expected a number"#
            )
        );
        assert_eq!(
            plain_kinds(r#"invalid type: string "invalid type: map,", expected u8"#),
            r#"invalid type: string "invalid type: map,", expected a whole number"#
        );
    }
}
