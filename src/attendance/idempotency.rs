//! `Idempotency-Key` on check-in and check-out, with Stripe's semantics: the first
//! answer to a key (status and body) is kept for 24 hours per user and replayed to a
//! retry with the same body; the same key with another body is 422; a retry while the
//! first request still runs is 409. Server errors are not kept, so they can be retried.

use std::future::Future;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::Session;
use crate::error::{AppError, AppResult};

const KEEP_MS: i64 = 24 * 3600 * 1000;
pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

/// The key from the request, if one was sent.
pub fn key(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(v) = headers.get(HEADER) else {
        return Ok(None);
    };
    let bad = || {
        AppError::validation(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        )
    };
    let s = v.to_str().map_err(|_| bad())?.trim();
    if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(Some(s.to_string()))
}

/// JSON text with object keys sorted, so equal bodies hash equally however they are spelled.
pub fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                for k in keys {
                    out.insert(k.clone(), sorted(&m[k]));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Runs `op` on the request body (as canonical JSON text) at most once per
/// `Idempotency-Key`; without a key, simply runs it.
pub async fn run<T, F, Fut>(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    scope: &str,
    body: &Value,
    op: F,
) -> Response
where
    T: Serialize,
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = AppResult<(StatusCode, T)>>,
{
    let key = match key(headers) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    let canonical_body = canonical(body);
    let Some(key) = key else {
        return match op(canonical_body).await {
            Ok((status, body)) => (status, axum::Json(body)).into_response(),
            Err(e) => e.into_response(),
        };
    };
    let hash = hex::encode(Sha256::digest(
        format!("{scope}\n{canonical_body}").as_bytes(),
    ));
    match claim(state, session, &key, &hash).await {
        Ok(None) => {}
        Ok(Some((status, body))) => {
            let mut r = json_response(status, body);
            r.headers_mut()
                .insert(REPLAYED, HeaderValue::from_static("true"));
            return r;
        }
        Err(e) => return e.into_response(),
    }
    let (status, body) = match op(canonical_body).await {
        Ok((status, body)) => (status, serde_json::to_string(&body).unwrap_or_default()),
        Err(e) if e.status().is_server_error() => {
            let _ = release(state, session, &key).await;
            return e.into_response();
        }
        Err(e) => (
            e.status(),
            serde_json::to_string(&e.body()).unwrap_or_default(),
        ),
    };
    if let Err(e) = keep(state, session, &key, status, &body).await {
        tracing::error!(error = ?e, "cannot keep an idempotent answer");
    }
    json_response(status, body)
}

/// Claims the key; or answers the kept status and body of an earlier request.
async fn claim(
    state: &AppState,
    s: &Session,
    key: &str,
    hash: &str,
) -> AppResult<Option<(StatusCode, String)>> {
    let now_ms = state.clock.now().timestamp_millis();
    let pool = state.db.pool();
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2 AND created_at <= $3",
    )
    .bind(&s.user_id)
    .bind(key)
    .bind(now_ms - KEEP_MS)
    .execute(pool)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, organization_id, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&s.user_id)
    .bind(key)
    .bind(&s.org_id)
    .bind(hash)
    .bind(now_ms)
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => return Ok(None),
        Err(e) if crate::store::is_unique_violation(&e) => {}
        Err(e) => return Err(e.into()),
    }
    let kept: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(&s.user_id)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    match kept {
        Some((h, _, _)) if h != hash => Err(AppError::Unprocessable(
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request".into(),
        )),
        Some((_, Some(status), Some(body))) => {
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            Ok(Some((status, body)))
        }
        _ => Err(AppError::Conflict(
            "idempotency_in_progress",
            "a request with this Idempotency-Key is still running; retry shortly".into(),
        )),
    }
}

async fn keep(
    state: &AppState,
    s: &Session,
    key: &str,
    status: StatusCode,
    body: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $3, body = $4 WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(&s.user_id)
    .bind(key)
    .bind(i64::from(status.as_u16()))
    .bind(body)
    .execute(state.db.pool())
    .await?;
    Ok(())
}

async fn release(state: &AppState, s: &Session, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2")
        .bind(&s.user_id)
        .bind(key)
        .execute(state.db.pool())
        .await?;
    Ok(())
}

/// Forgets answers older than 24 hours (the jobs call this).
pub async fn purge(state: &AppState, now_ms: i64) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= $1")
        .bind(now_ms - KEEP_MS)
        .execute(state.db.pool())
        .await?;
    Ok(done.rows_affected())
}
