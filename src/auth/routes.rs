//! HTTP doors for `/auth`: register, login, refresh, logout, me, password reset and
//! change, and OTP sign-in.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

use super::recovery::{
    self, Accepted, ChangePasswordRequest, ForgotPasswordRequest, OtpRequest, ResetPasswordRequest,
};
use super::service::{self, LoginRequest, RegisterRequest, TokenPair};
use super::sessions::{self, LogoutRequest, RefreshRequest};
use super::Session;
use crate::app::AppState;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{ClientInfo, Json};
use crate::users::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/forgot-password", post(forgot_password))
        .route("/auth/reset-password", post(reset_password))
        .route("/auth/change-password", post(change_password))
        .route("/auth/otp/request", post(otp_request))
        .route("/auth/otp/verify", post(otp_verify))
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
        (status = 429, description = "too many attempts; see Retry-After", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<LoginRequest>,
) -> AppResult<Json<TokenPair>> {
    service::login(&state, &client, body).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, description = "a new pair; the presented refresh token is retired", body = TokenPair),
        (status = 400, body = ErrorBody),
        (status = 401, description = "invalid, expired, revoked or reused refresh token (reuse ends the sign-in)", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<RefreshRequest>,
) -> AppResult<Json<TokenPair>> {
    sessions::refresh(&state, &client, body).await.map(Json)
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body(content = Option<LogoutRequest>),
    responses((status = 204, description = "the access token and its sign-in stop working"),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    // The body is optional: an empty one ends just this sign-in.
    let body: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        crate::extract::parse_json(&body)?
    };
    sessions::logout(&state, &session, &client, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, session: Session) -> AppResult<Json<User>> {
    crate::users::service::get(&state, &session.org_id, &session.user_id)
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth", request_body = ForgotPasswordRequest,
    responses((status = 202, description = "the same answer whether or not the email exists", body = Accepted),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 503, description = "mail is not configured (mail_not_configured)", body = ErrorBody)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<ForgotPasswordRequest>,
) -> AppResult<(StatusCode, Json<Accepted>)> {
    let accepted = recovery::forgot_password(&state, &client, body).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth", request_body = ResetPasswordRequest,
    responses((status = 204, description = "password set; every session of the user ended"),
        (status = 400, body = ErrorBody), (status = 401, description = "wrong, expired or used-up code", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<ResetPasswordRequest>,
) -> AppResult<StatusCode> {
    recovery::reset_password(&state, &client, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204, description = "password changed; every session of the user ended"),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    Json(body): Json<ChangePasswordRequest>,
) -> AppResult<StatusCode> {
    recovery::change_password(&state, &session, &client, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/otp/request", tag = "auth", request_body = OtpRequest,
    responses((status = 202, description = "the same answer whether or not the address exists", body = Accepted),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 502, description = "the SMS provider failed (sms_failed); the code is not usable", body = ErrorBody),
        (status = 503, description = "SMS or mail not configured", body = ErrorBody)))]
pub async fn otp_request(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<OtpRequest>,
) -> AppResult<(StatusCode, Json<Accepted>)> {
    let accepted = recovery::otp_request(&state, &client, body).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

#[utoipa::path(post, path = "/api/v1/auth/otp/verify", tag = "auth", request_body = OtpRequest,
    responses((status = 200, body = TokenPair),
        (status = 400, body = ErrorBody), (status = 401, description = "wrong, expired or used-up code", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn otp_verify(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<OtpRequest>,
) -> AppResult<Json<TokenPair>> {
    recovery::otp_verify(&state, &client, body).await.map(Json)
}
