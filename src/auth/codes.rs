//! One-time codes (password reset, OTP sign-in): 6 digits from the OS CSPRNG, kept
//! only as a keyed SHA-256 (the server secret, the user and the purpose are mixed
//! in, so a leaked table does not give codes away to a quick brute force), compared
//! in constant time, single use, expiring, and dead after `MAX_TRIES` wrong tries.

use rand::Rng;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use subtle::ConstantTimeEq;

use crate::app::AppState;

pub const MAX_TRIES: i64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Reset,
    Otp,
}

impl Purpose {
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Otp => "otp",
        }
    }

    /// How long a code lives, in minutes.
    pub fn minutes(&self) -> i64 {
        match self {
            Purpose::Reset => 15,
            Purpose::Otp => 5,
        }
    }
}

fn keyed_hash(state: &AppState, user_id: &str, purpose: Purpose, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(state.config.jwt_secret.expose_secret().as_bytes());
    h.update(b"\x00");
    h.update(user_id.as_bytes());
    h.update(b"\x00");
    h.update(purpose.as_str().as_bytes());
    h.update(b"\x00");
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

/// Makes a new code for `user_id`, retiring any earlier unused one of the same purpose.
pub async fn issue(
    state: &AppState,
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    purpose: Purpose,
) -> sqlx::Result<(String, String)> {
    let now_ms = state.clock.now().timestamp_millis();
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    sqlx::query("UPDATE one_time_codes SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    let id = crate::id::new_id_at(now_ms / 1000);
    sqlx::query(
        "INSERT INTO one_time_codes (id, organization_id, user_id, purpose, code_hash, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(keyed_hash(state, user_id, purpose, &code))
    .bind(now_ms + purpose.minutes() * 60_000)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok((id, code))
}

/// Kills a code that could not be delivered.
pub async fn retire(state: &AppState, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE one_time_codes SET used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(state.clock.now().timestamp_millis())
        .execute(state.db.pool())
        .await?;
    Ok(())
}

/// Redeems `code`: true once for the right code while it lives; a wrong code
/// spends one of the live code's tries.
pub async fn redeem(
    state: &AppState,
    user_id: &str,
    purpose: Purpose,
    code: &str,
) -> sqlx::Result<bool> {
    let now_ms = state.clock.now().timestamp_millis();
    let live: Option<(String, String)> = sqlx::query_as(
        "SELECT id, code_hash FROM one_time_codes
         WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 AND attempts < $4
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now_ms)
    .bind(MAX_TRIES)
    .fetch_optional(state.db.pool())
    .await?;
    let Some((id, stored)) = live else {
        return Ok(false);
    };
    let given = keyed_hash(state, user_id, purpose, code.trim());
    if !bool::from(given.as_bytes().ct_eq(stored.as_bytes())) {
        sqlx::query("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1")
            .bind(&id)
            .execute(state.db.pool())
            .await?;
        return Ok(false);
    }
    // Single use even when two requests race with the right code.
    let done =
        sqlx::query("UPDATE one_time_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
            .bind(&id)
            .bind(now_ms)
            .execute(state.db.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}
