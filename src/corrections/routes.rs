//! HTTP doors for correction requests under `/attendance/corrections`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Correction, CreateCorrection, Review};
use super::service;
use crate::app::AppState;
use crate::auth::{Admin, Session};
use crate::error::{AppResult, ErrorBody, FieldError};
use crate::extract::{ClientInfo, Id, Json, PageParams, Paged, Query};
use crate::validate::Errors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/attendance/corrections",
            get(list_corrections).post(create_correction),
        )
        .route("/attendance/corrections/{id}", get(get_correction))
        .route(
            "/attendance/corrections/{id}/approve",
            post(approve_correction),
        )
        .route(
            "/attendance/corrections/{id}/reject",
            post(reject_correction),
        )
}

#[utoipa::path(post, path = "/api/v1/attendance/corrections", tag = "corrections", request_body = CreateCorrection,
    responses((status = 201, body = Correction), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_correction(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<CreateCorrection>,
) -> AppResult<(StatusCode, Json<Correction>)> {
    let c = service::create(&state, &session, body).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CorrectionQuery {
    /// `pending`, `approved` or `rejected`.
    pub status: Option<String>,
    /// Admins only; others always see their own.
    pub user_id: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/attendance/corrections", tag = "corrections", params(CorrectionQuery),
    responses((status = 200, body = inline(Paged<Correction>)), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_corrections(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<CorrectionQuery>,
) -> AppResult<Json<Paged<Correction>>> {
    let mut errors = Errors::default();
    let page = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .parse(&mut errors.0);
    if q.status
        .as_deref()
        .is_some_and(|s| !matches!(s, "pending" | "approved" | "rejected"))
    {
        errors.push(FieldError::new(
            "status",
            "must be one of pending, approved, rejected",
        ));
    }
    errors.finish()?;
    service::list(&state, &session, q.user_id, q.status, page)
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/attendance/corrections/{id}", tag = "corrections",
    params(("id" = String, Path, description = "Correction id")),
    responses((status = 200, body = Correction), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_correction(
    State(state): State<AppState>,
    session: Session,
    Id(id): Id,
) -> AppResult<Json<Correction>> {
    service::get(&state, &session, &id).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/attendance/corrections/{id}/approve", tag = "corrections", request_body = Review,
    params(("id" = String, Path, description = "Correction id")),
    responses((status = 200, body = Correction), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "correction_not_pending, already_checked_in", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, description = "validation_failed, correction_incomplete", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve_correction(
    State(state): State<AppState>,
    Admin(session): Admin,
    client: ClientInfo,
    Id(id): Id,
    Json(body): Json<Review>,
) -> AppResult<Json<Correction>> {
    service::approve(&state, &session, &client, &id, body)
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/attendance/corrections/{id}/reject", tag = "corrections", request_body = Review,
    params(("id" = String, Path, description = "Correction id")),
    responses((status = 200, body = Correction), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "correction_not_pending", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reject_correction(
    State(state): State<AppState>,
    Admin(session): Admin,
    client: ClientInfo,
    Id(id): Id,
    Json(body): Json<Review>,
) -> AppResult<Json<Correction>> {
    service::reject(&state, &session, &client, &id, body)
        .await
        .map(Json)
}
