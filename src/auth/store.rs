//! SQL for sessions: liveness checks, refresh families and tokens, revoked access tokens.

use sqlx::AnyConnection;

use crate::store::Db;

pub struct SessionState {
    pub role: String,
    pub is_active: bool,
    pub tokens_valid_after: i64,
    pub revoked: bool,
}

/// The user's current role and whether this token may still be used.
pub async fn session_state(
    db: &Db,
    org_id: &str,
    user_id: &str,
    jti: &str,
) -> sqlx::Result<Option<SessionState>> {
    let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT role, is_active, tokens_valid_after,
                (SELECT COUNT(*) FROM revoked_tokens WHERE jti = $3)
         FROM users WHERE id = $2 AND organization_id = $1 AND deleted_at IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(jti)
    .fetch_optional(db.pool())
    .await?;
    Ok(
        row.map(|(role, active, valid_after, revoked)| SessionState {
            role,
            is_active: active != 0,
            tokens_valid_after: valid_after,
            revoked: revoked > 0,
        }),
    )
}

/// Starts a refresh family for a login and stores its first token's hash.
pub async fn start_family(
    conn: &mut AnyConnection,
    family_id: &str,
    user_id: &str,
    org_id: &str,
    token_hash: &str,
    now_ms: i64,
    expires_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_families (id, user_id, organization_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(family_id)
    .bind(user_id)
    .bind(org_id)
    .bind(now_ms)
    .bind(expires_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(family_id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
