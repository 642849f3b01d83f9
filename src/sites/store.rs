//! SQL for sites. Every function takes the organization id first.

use super::model::{SiteRow, COLUMNS};
use crate::store::Db;

pub async fn list(db: &Db, org_id: &str) -> sqlx::Result<Vec<SiteRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sites WHERE organization_id = $1 ORDER BY name, id"
    ))
    .bind(org_id)
    .fetch_all(db.pool())
    .await
}

pub async fn get(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<SiteRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sites WHERE organization_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await
}

/// Inserts or replaces a site's fields (the caller has merged and validated them).
pub async fn upsert(db: &Db, org_id: &str, s: &SiteRow, insert: bool) -> sqlx::Result<bool> {
    let sql = if insert {
        "INSERT INTO sites (organization_id, id, name, address, latitude, longitude, radius_meters,
                            created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE sites SET name = $3, address = $4, latitude = $5, longitude = $6,
                          radius_meters = $7, updated_at = $9
         WHERE organization_id = $1 AND id = $2 AND created_at = $8"
    };
    let done = sqlx::query(sql)
        .bind(org_id)
        .bind(&s.id)
        .bind(&s.name)
        .bind(&s.address)
        .bind(s.latitude)
        .bind(s.longitude)
        .bind(s.radius_meters)
        .bind(s.created_at)
        .bind(s.updated_at)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(db: &Db, org_id: &str, id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM sites WHERE organization_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
