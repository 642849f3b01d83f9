//! SQL for correction requests. Every function takes the organization id first.

use sqlx::AnyConnection;

use super::model::{CorrectionRow, COLUMNS};
use crate::store::{Db, SqlBuf};

pub async fn insert(db: &Db, org_id: &str, r: &CorrectionRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO attendance_corrections (organization_id, id, user_id, attendance_id, date,
             check_in_time, check_out_time, reason, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9)",
    )
    .bind(org_id)
    .bind(&r.id)
    .bind(&r.user_id)
    .bind(&r.attendance_id)
    .bind(&r.date)
    .bind(r.check_in_time)
    .bind(r.check_out_time)
    .bind(&r.reason)
    .bind(r.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn get(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> sqlx::Result<Option<CorrectionRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM attendance_corrections WHERE organization_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Settles a pending request; false when it was no longer pending.
#[allow(clippy::too_many_arguments)]
pub async fn settle(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    status: &str,
    attendance_id: Option<&str>,
    reviewer: &str,
    note: Option<&str>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE attendance_corrections SET status = $3, attendance_id = COALESCE($4, attendance_id),
             reviewed_by = $5, review_note = $6, reviewed_at = $7, updated_at = $7
         WHERE organization_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(org_id)
    .bind(id)
    .bind(status)
    .bind(attendance_id)
    .bind(reviewer)
    .bind(note)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn list(
    db: &Db,
    org_id: &str,
    user_id: Option<&str>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<CorrectionRow>, i64)> {
    let filter = |q: &mut SqlBuf<'_>| {
        q.push(" FROM attendance_corrections WHERE organization_id = ")
            .bind(org_id.to_string());
        if let Some(u) = user_id {
            q.push(" AND user_id = ").bind(u.to_string());
        }
        if let Some(s) = status {
            q.push(" AND status = ").bind(s.to_string());
        }
    };
    let order = "ORDER BY created_at DESC, id DESC";
    crate::store::page(db, COLUMNS, filter, order, limit, offset).await
}
