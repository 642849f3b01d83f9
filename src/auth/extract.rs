//! Auth as extractors: `Session` (a live access token of an active user) and `Admin`
//! (a session whose user is an admin of the organization). The user's current role
//! is read from the database with the revocation checks, in one query, so a demoted
//! or deactivated user loses their rights at once.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::error::AppError;
use crate::users::Role;

/// An authenticated caller. Every query they make is scoped to `org_id`.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub org_id: String,
    pub role: Role,
    /// The access token's id and expiry (seconds), for logout.
    pub jti: String,
    pub exp: i64,
    /// The refresh family of the sign-in this token came from.
    pub family: String,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Checks a bearer token the way every door does (REST and sockets alike).
    pub async fn from_token(state: &AppState, token: &str) -> Result<Session, AppError> {
        let now = state.clock.now();
        if let Some(session) = state.sessions.get(token) {
            return match state.keys.expired(session.exp, now) {
                false => Ok(session),
                true => Err(invalid_token()),
            };
        }
        let claims = state.keys.verify(token, now).ok_or_else(invalid_token)?;
        let live = super::store::session_state(
            &state.db,
            &claims.org,
            &claims.sub,
            &claims.jti,
            &claims.fam,
        )
        .await?
        .ok_or_else(invalid_token)?;
        if !live.is_active || live.revoked || claims.ims < live.tokens_valid_after {
            return Err(invalid_token());
        }
        let role = Role::parse(&live.role).ok_or_else(invalid_token)?;
        let session = Session {
            user_id: claims.sub,
            org_id: claims.org,
            role,
            jti: claims.jti,
            exp: claims.exp,
            family: claims.fam,
        };
        state.sessions.put(token, &session);
        Ok(session)
    }
}

fn invalid_token() -> AppError {
    AppError::Unauthorized(
        "invalid_token",
        "the access token is invalid or expired".into(),
    )
}

/// The token in `Authorization: Bearer <token>`, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(session.clone());
        }
        let token = bearer(parts).ok_or_else(|| {
            AppError::Unauthorized(
                "missing_token",
                "send an access token as Authorization: Bearer <token>".into(),
            )
        })?;
        let session = Session::from_token(state, token).await?;
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

/// A session whose user is an admin of their organization.
#[derive(Debug, Clone)]
pub struct Admin(pub Session);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state).await?;
        if !session.is_admin() {
            return Err(AppError::Forbidden("only an admin may do this".into()));
        }
        Ok(Admin(session))
    }
}
