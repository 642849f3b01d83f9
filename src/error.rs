//! The one error type every handler returns, and its JSON shape.
//!
//! Clients switch on `error.code` (stable snake_case); `message` is for people and
//! `details` names the fields at fault. A 500 is logged here once, with its cause,
//! and answers with no internals.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the body is not well-formed (bad JSON, bad multipart).
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// 401: no token, a bad one, or wrong credentials.
    #[error("{1}")]
    Unauthorized(&'static str, String),
    /// 403: authenticated, but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: missing, or belonging to another organization (never told apart).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409: the request conflicts with the current state.
    #[error("{1}")]
    Conflict(&'static str, String),
    /// 413
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: fields that parsed but are not valid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 422 with a code of its own (a business rule, not a field shape).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    /// 429, with the seconds after which a retry may succeed.
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// 502: a provider we depend on (SMS, ...) failed.
    #[error("{1}")]
    BadGateway(&'static str, String),
    /// 503: a capability is not configured or not ready.
    #[error("{1}")]
    Unavailable(&'static str, String),
    /// 500: logged with its cause, answered without it.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(field: &str, message: &str) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(..) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(..) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) | AppError::Unprocessable(..) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadGateway(..) => StatusCode::BAD_GATEWAY,
            AppError::Unavailable(..) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(code, _)
            | AppError::Unauthorized(code, _)
            | AppError::Conflict(code, _)
            | AppError::Unprocessable(code, _)
            | AppError::BadGateway(code, _)
            | AppError::Unavailable(code, _) => code,
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Validation(_) => "validation_failed",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// The JSON body a client sees for this error.
    pub fn body(&self) -> ErrorBody {
        let message = match self {
            AppError::Internal(_) => "an internal error occurred".to_string(),
            other => other.to_string(),
        };
        let details = match self {
            AppError::Validation(d) => d.clone(),
            _ => Vec::new(),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message,
                details,
            },
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let status = self.status();
        let mut response = (status, axum::Json(self.body())).into_response();
        if let AppError::RateLimited { retry_after_secs } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}
