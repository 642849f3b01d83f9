//! HTTP doors for users: `/users`, `/users/:id`, `/users/bulk-import`.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;

use super::import::{self, ImportResult};
use super::model::User;
use super::service::{self, CreateUser, UpdateUser};
use super::store::ListFilter;
use crate::app::AppState;
use crate::auth::{Admin, Session};
use crate::error::{AppError, AppResult, ErrorBody, FieldError};
use crate::extract::{ClientInfo, Id, Json, PageParams, Paged, Query};
use crate::validate::Errors;

pub fn router(max_file_size: usize) -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route(
            "/users/{id}",
            get(get_user).put(update_user).delete(delete_user),
        )
        .route(
            "/users/bulk-import",
            post(bulk_import).layer(DefaultBodyLimit::max(max_file_size)),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// `admin`, `employee` or `student`.
    pub role: Option<String>,
    pub department: Option<String>,
    pub is_active: Option<bool>,
    /// Part of the name or email, case-insensitive.
    pub search: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = inline(Paged<User>)),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    Admin(session): Admin,
    Query(q): Query<UserQuery>,
) -> AppResult<Json<Paged<User>>> {
    let mut errors = Errors::default();
    let page = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .parse(&mut errors.0);
    let role = q.role.as_deref().and_then(|r| {
        errors.take(
            super::Role::parse(r)
                .map(|r| r.as_str().to_string())
                .ok_or_else(|| FieldError::new("role", "must be one of admin, employee, student")),
        )
    });
    errors.finish()?;
    let filter = ListFilter {
        role,
        department: q
            .department
            .filter(|d| !d.trim().is_empty())
            .map(|d| d.trim().to_string()),
        is_active: q.is_active,
        search: q
            .search
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string()),
    };
    service::list(&state, &session.org_id, filter, page)
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = User),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "email or phone taken, or no seats left", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    Admin(session): Admin,
    client: ClientInfo,
    Json(body): Json<CreateUser>,
) -> AppResult<(StatusCode, Json<User>)> {
    let user = service::create(&state, &session, &client, body).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = User), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_user(
    State(state): State<AppState>,
    session: Session,
    Id(id): Id,
) -> AppResult<Json<User>> {
    service::get_visible(&state, &session, &id).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUser,
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = User),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_user(
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    Id(id): Id,
    Json(body): Json<UpdateUser>,
) -> AppResult<Json<User>> {
    service::update(&state, &session, &client, &id, body)
        .await
        .map(Json)
}

#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204, description = "deleted; their sessions end, their attendance stays"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_user(
    State(state): State<AppState>,
    Admin(session): Admin,
    client: ClientInfo,
    Id(id): Id,
) -> AppResult<StatusCode> {
    service::delete(&state, &session, &client, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/users/bulk-import", tag = "users",
    request_body(description = "multipart/form-data with a `file` field, or a text/csv body; \
        header row name,email,role,department,phoneNumber", content(
        (String = "text/csv"), (String = "multipart/form-data"))),
    responses((status = 200, body = ImportResult),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn bulk_import(
    State(state): State<AppState>,
    Admin(session): Admin,
    client: ClientInfo,
    request: Request,
) -> AppResult<Json<ImportResult>> {
    let csv = read_csv_upload(request, &state).await?;
    import::import(&state, &session, &client, &csv)
        .await
        .map(Json)
}

fn body_error(status: StatusCode, text: String) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest("malformed_body", text)
    }
}

/// The CSV bytes from a multipart `file` field or a `text/csv` body.
async fn read_csv_upload(request: Request, state: &AppState) -> AppResult<Vec<u8>> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| body_error(e.status(), e.body_text()))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| body_error(e.status(), e.body_text()))?
        {
            if field.name() == Some("file") {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| body_error(e.status(), e.body_text()))?;
                return Ok(bytes.to_vec());
            }
        }
        Err(AppError::validation(
            "file",
            "the multipart body has no field named file",
        ))
    } else if content_type.starts_with("text/csv") {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| body_error(e.status(), e.body_text()))?;
        Ok(bytes.to_vec())
    } else {
        Err(AppError::UnsupportedMediaType(
            "send the CSV as multipart/form-data (field file) or as text/csv".into(),
        ))
    }
}
