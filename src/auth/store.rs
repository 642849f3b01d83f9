//! SQL for sessions: liveness checks, refresh families and tokens, revoked access tokens.

use sqlx::AnyConnection;

use crate::store::Db;

pub struct SessionState {
    pub role: String,
    pub is_active: bool,
    pub tokens_valid_after: i64,
    pub revoked: bool,
}

/// The user's current role and whether this token (by `jti`, and its sign-in
/// `family`) may still be used: one query, on every authenticated request.
pub async fn session_state(
    db: &Db,
    org_id: &str,
    user_id: &str,
    jti: &str,
    family: &str,
) -> sqlx::Result<Option<SessionState>> {
    let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT role, is_active, tokens_valid_after,
                (SELECT COUNT(*) FROM revoked_tokens WHERE jti = $3)
                + (SELECT COUNT(*) FROM refresh_families WHERE id = $4 AND revoked_at IS NOT NULL)
         FROM users WHERE id = $2 AND organization_id = $1 AND deleted_at IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(jti)
    .bind(family)
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

/// A refresh token with its family, as a refresh request finds it.
#[derive(sqlx::FromRow)]
pub struct RefreshRow {
    pub family_id: String,
    pub user_id: String,
    pub organization_id: String,
    pub used_at: Option<i64>,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn find_refresh(db: &Db, token_hash: &str) -> sqlx::Result<Option<RefreshRow>> {
    sqlx::query_as(
        "SELECT t.family_id, f.user_id, f.organization_id, t.used_at, f.expires_at, f.revoked_at
         FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
         WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await
}

/// Marks a refresh token used, once: false when it already was (a replay, or a
/// concurrent refresh that lost the race).
pub async fn use_refresh(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
    )
    .bind(token_hash)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_refresh(
    conn: &mut AnyConnection,
    family_id: &str,
    token_hash: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(family_id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn revoke_family(
    conn: &mut AnyConnection,
    family_id: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE refresh_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(family_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user: their families, and access tokens issued before now.
pub async fn revoke_user_sessions(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE refresh_families SET revoked_at = $3
         WHERE organization_id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE users SET tokens_valid_after = $3 WHERE organization_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes one access token until it would have expired anyway.
pub async fn revoke_access(
    conn: &mut AnyConnection,
    jti: &str,
    expires_ms: i64,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM revoked_tokens WHERE expires_at < $1")
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
    )
    .bind(jti)
    .bind(expires_ms)
    .execute(conn)
    .await?;
    Ok(())
}
