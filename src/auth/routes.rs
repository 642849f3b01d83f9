//! HTTP doors for `/auth`: register, login, me.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

use super::service::{self, LoginRequest, RegisterRequest, TokenPair};
use super::Session;
use crate::app::AppState;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{ClientInfo, Json};
use crate::users::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/me", get(me))
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, description = "organization and its first admin created", body = TokenPair),
        (status = 400, body = ErrorBody), (status = 409, description = "email taken", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<RegisterRequest>,
) -> AppResult<(StatusCode, Json<TokenPair>)> {
    let pair = service::register(&state, &client, body).await?;
    Ok((StatusCode::CREATED, Json(pair)))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair),
        (status = 400, body = ErrorBody), (status = 401, description = "wrong email or password", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<LoginRequest>,
) -> AppResult<Json<TokenPair>> {
    service::login(&state, &client, body).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, session: Session) -> AppResult<Json<User>> {
    crate::users::service::get(&state, &session.org_id, &session.user_id)
        .await
        .map(Json)
}
