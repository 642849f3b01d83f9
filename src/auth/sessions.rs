//! Sessions after sign-in: refresh-token rotation with reuse detection (RFC 9700
//! §4.14), logout, and the rate-limit keys every sign-in door uses.

use serde::Deserialize;
use utoipa::ToSchema;

use super::service::TokenPair;
use super::{store, tokens, Session};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::ClientInfo;
use crate::ratelimit::{self, Limit};
use crate::users::{self, User};

/// A retired refresh token presented again within this long is taken for a client
/// retrying (or two refreshes racing), not theft: refused, family kept.
const RETRY_GRACE_MS: i64 = 10_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogoutRequest {
    /// Also ends the sign-in this refresh token belongs to, if it is another one.
    pub refresh_token: Option<String>,
}

fn invalid_refresh() -> AppError {
    AppError::Unauthorized(
        "invalid_refresh_token",
        "the refresh token is invalid, expired or revoked".into(),
    )
}

/// Rate-limit keys for a door: the client's IP and the account it names.
pub async fn limit(
    state: &AppState,
    door: &str,
    client: &ClientInfo,
    account: &str,
    per_ip: Limit,
    per_account: Limit,
) -> AppResult<()> {
    let now_ms = state.clock.now().timestamp_millis();
    let ip = client.ip.as_deref().unwrap_or("unknown");
    let keys = [
        (format!("{door}:ip:{ip}"), per_ip),
        (
            format!("{door}:account:{}", account.trim().to_lowercase()),
            per_account,
        ),
    ];
    ratelimit::check(state.limiter.as_ref(), now_ms, &keys).await
}

pub async fn refresh(
    state: &AppState,
    client: &ClientInfo,
    req: RefreshRequest,
) -> AppResult<TokenPair> {
    let hash = tokens::sha256_hex(req.refresh_token.trim());
    let row = store::find_refresh(&state.db, &hash)
        .await?
        .ok_or_else(invalid_refresh)?;
    let now = state.clock.now();
    let now_ms = now.timestamp_millis();
    if row.revoked_at.is_some() || row.expires_at <= now_ms {
        return Err(invalid_refresh());
    }
    let mut tx = state.db.pool().begin().await?;
    if !store::use_refresh(&mut tx, &hash, now_ms).await? {
        let used_at: Option<i64> =
            sqlx::query_scalar("SELECT used_at FROM refresh_tokens WHERE token_hash = $1")
                .bind(&hash)
                .fetch_one(&mut *tx)
                .await?;
        if used_at.is_some_and(|t| now_ms - t < RETRY_GRACE_MS) {
            return Err(AppError::Unauthorized(
                "refresh_token_used",
                "this refresh token was just used; use the newest one".into(),
            ));
        }
        // A token retired a while ago came back: someone kept a copy. End the sign-in.
        store::revoke_family(&mut tx, &row.family_id, now_ms).await?;
        crate::audit::record(
            &mut tx,
            &row.organization_id,
            Some(&row.user_id),
            "refresh_reuse_detected",
            "session",
            Some(&row.family_id),
            serde_json::json!({}),
            client,
            now_ms,
        )
        .await?;
        tx.commit().await?;
        state.sessions.forget_family(&row.family_id);
        state.realtime.end_session_sockets(&row.family_id).await;
        return Err(invalid_refresh());
    }
    let user: User = users::store::get(&state.db, &row.organization_id, &row.user_id)
        .await?
        .map(User::from)
        .filter(|u| u.is_active)
        .ok_or_else(invalid_refresh)?;
    let next = tokens::random_token(32);
    store::add_refresh(&mut tx, &row.family_id, &tokens::sha256_hex(&next), now_ms).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: state.keys.issue(
            &user.id,
            &user.organization_id,
            user.role.as_str(),
            &row.family_id,
            now,
        ),
        refresh_token: next,
        expires_in: state.keys.access_ttl_secs,
        user,
        organization: None,
    })
}

pub async fn logout(
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    req: LogoutRequest,
) -> AppResult<()> {
    let now_ms = state.clock.now().timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    store::revoke_access(&mut tx, &session.jti, session.exp * 1000, now_ms).await?;
    store::revoke_family(&mut tx, &session.family, now_ms).await?;
    if let Some(token) = req.refresh_token {
        if let Some(row) = store::find_refresh(&state.db, &tokens::sha256_hex(token.trim())).await?
        {
            // Only the caller's own sign-ins.
            if row.user_id == session.user_id {
                store::revoke_family(&mut tx, &row.family_id, now_ms).await?;
            }
        }
    }
    crate::audit::record(
        &mut tx,
        &session.org_id,
        Some(&session.user_id),
        "logout",
        "session",
        Some(&session.family),
        serde_json::json!({}),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    state.sessions.forget_family(&session.family);
    state.realtime.end_session_sockets(&session.family).await;
    Ok(())
}
