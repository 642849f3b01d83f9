//! HTTP doors for holidays: `/holidays` and `/holidays/:id`. Members read; admins write.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Holiday, HolidayRequest};
use super::service;
use crate::app::AppState;
use crate::auth::{Admin, Session};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Id, Json, Query};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/holidays", get(list_holidays).post(create_holiday))
        .route(
            "/holidays/{id}",
            get(get_holiday).put(update_holiday).delete(delete_holiday),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HolidayQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/holidays", tag = "holidays", params(HolidayQuery),
    responses((status = 200, body = Vec<Holiday>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_holidays(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<HolidayQuery>,
) -> AppResult<Json<Vec<Holiday>>> {
    service::list(&state, &session.org_id, q.from.as_deref(), q.to.as_deref())
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/holidays/{id}", tag = "holidays",
    params(("id" = String, Path, description = "Holiday id")),
    responses((status = 200, body = Holiday), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_holiday(
    State(state): State<AppState>,
    session: Session,
    Id(id): Id,
) -> AppResult<Json<Holiday>> {
    service::get(&state, &session.org_id, &id).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/holidays", tag = "holidays", request_body = HolidayRequest,
    responses((status = 201, body = Holiday), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, description = "a holiday on that day exists", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_holiday(
    State(state): State<AppState>,
    Admin(session): Admin,
    Json(body): Json<HolidayRequest>,
) -> AppResult<(StatusCode, Json<Holiday>)> {
    let h = service::create(&state, &session.org_id, body).await?;
    Ok((StatusCode::CREATED, Json(h)))
}

#[utoipa::path(put, path = "/api/v1/holidays/{id}", tag = "holidays", request_body = HolidayRequest,
    params(("id" = String, Path, description = "Holiday id")),
    responses((status = 200, body = Holiday), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_holiday(
    State(state): State<AppState>,
    Admin(session): Admin,
    Id(id): Id,
    Json(body): Json<HolidayRequest>,
) -> AppResult<Json<Holiday>> {
    service::update(&state, &session.org_id, &id, body)
        .await
        .map(Json)
}

#[utoipa::path(delete, path = "/api/v1/holidays/{id}", tag = "holidays",
    params(("id" = String, Path, description = "Holiday id")),
    responses((status = 204, description = "deleted"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_holiday(
    State(state): State<AppState>,
    Admin(session): Admin,
    Id(id): Id,
) -> AppResult<StatusCode> {
    service::delete(&state, &session.org_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
