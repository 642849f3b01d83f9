//! SQL for holidays. Every function takes the organization id first.

use sqlx::AnyConnection;

use super::model::{HolidayRow, COLUMNS};
use crate::store::{Db, SqlBuf};

pub async fn list(
    db: &Db,
    org_id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> sqlx::Result<Vec<HolidayRow>> {
    let mut q = SqlBuf::new(&format!(
        "SELECT {COLUMNS} FROM holidays WHERE organization_id = "
    ));
    q.bind(org_id.to_string());
    if let Some(f) = from {
        q.push(" AND date >= ").bind(f.to_string());
    }
    if let Some(t) = to {
        q.push(" AND date <= ").bind(t.to_string());
    }
    q.push(" ORDER BY date");
    let (sql, args) = q.build();
    sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await
}

pub async fn get(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<HolidayRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM holidays WHERE organization_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await
}

pub async fn is_holiday(conn: &mut AnyConnection, org_id: &str, day: &str) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM holidays WHERE organization_id = $1 AND date = $2",
    )
    .bind(org_id)
    .bind(day)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn insert(db: &Db, org_id: &str, r: &HolidayRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO holidays (organization_id, id, date, name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(org_id)
    .bind(&r.id)
    .bind(&r.date)
    .bind(&r.name)
    .bind(r.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn update(db: &Db, org_id: &str, r: &HolidayRow) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE holidays SET date = $3, name = $4, updated_at = $5
         WHERE organization_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(&r.id)
    .bind(&r.date)
    .bind(&r.name)
    .bind(r.updated_at)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(db: &Db, org_id: &str, id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM holidays WHERE organization_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
