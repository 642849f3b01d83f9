//! HTTP doors for sites: `/sites` and `/sites/:id`. Members read; admins write.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::model::{Site, SiteRequest};
use super::service;
use crate::app::AppState;
use crate::auth::{Admin, Session};
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Id, Json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites", get(list_sites).post(create_site))
        .route(
            "/sites/{id}",
            get(get_site).put(update_site).delete(delete_site),
        )
}

#[utoipa::path(get, path = "/api/v1/sites", tag = "sites",
    responses((status = 200, body = Vec<Site>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_sites(
    State(state): State<AppState>,
    session: Session,
) -> AppResult<Json<Vec<Site>>> {
    service::list(&state, &session.org_id).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites",
    params(("id" = String, Path, description = "Site id")),
    responses((status = 200, body = Site), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_site(
    State(state): State<AppState>,
    session: Session,
    Id(id): Id,
) -> AppResult<Json<Site>> {
    service::get(&state, &session.org_id, &id).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = SiteRequest,
    responses((status = 201, body = Site), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_site(
    State(state): State<AppState>,
    Admin(session): Admin,
    Json(body): Json<SiteRequest>,
) -> AppResult<(StatusCode, Json<Site>)> {
    let site = service::create(&state, &session.org_id, body).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

#[utoipa::path(put, path = "/api/v1/sites/{id}", tag = "sites", request_body = SiteRequest,
    params(("id" = String, Path, description = "Site id")),
    responses((status = 200, body = Site), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_site(
    State(state): State<AppState>,
    Admin(session): Admin,
    Id(id): Id,
    Json(body): Json<SiteRequest>,
) -> AppResult<Json<Site>> {
    service::update(&state, &session.org_id, &id, body)
        .await
        .map(Json)
}

#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites",
    params(("id" = String, Path, description = "Site id")),
    responses((status = 204, description = "deleted; records keep the site id they matched"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_site(
    State(state): State<AppState>,
    Admin(session): Admin,
    Id(id): Id,
) -> AppResult<StatusCode> {
    service::delete(&state, &session.org_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
