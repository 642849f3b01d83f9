//! `GET /organization` (any member) and `PUT /organization` (admin).

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::model::Organization;
use super::service::{self, UpdateOrganization};
use crate::app::AppState;
use crate::auth::{Admin, Session};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{ClientInfo, Json};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/organization",
        get(get_organization).put(update_organization),
    )
}

#[utoipa::path(get, path = "/api/v1/organization", tag = "organization",
    responses((status = 200, body = Organization), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_organization(
    State(state): State<AppState>,
    session: Session,
) -> AppResult<Json<Organization>> {
    service::get(&state, &session.org_id).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/organization", tag = "organization",
    request_body = UpdateOrganization,
    responses((status = 200, body = Organization),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, description = "domain taken", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_organization(
    State(state): State<AppState>,
    Admin(session): Admin,
    client: ClientInfo,
    Json(body): Json<UpdateOrganization>,
) -> AppResult<Json<Organization>> {
    service::update(&state, &session, &client, body)
        .await
        .map(Json)
}
