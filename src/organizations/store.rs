//! SQL for organizations.

use sqlx::AnyConnection;

use super::model::{OrganizationRow, Settings};
use crate::store::Db;

const COLUMNS: &str =
    "id, name, domain, settings, plan, max_users, expires_at, created_at, updated_at";

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    settings: &Settings,
    max_users: i64,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO organizations (id, name, settings, plan, max_users, user_count, created_at, updated_at)
         VALUES ($1, $2, $3, 'free', $4, 0, $5, $5)",
    )
    .bind(id)
    .bind(name)
    .bind(serde_json::to_string(settings).unwrap_or_default())
    .bind(max_users)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> sqlx::Result<Option<OrganizationRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM organizations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await
}

pub async fn get_in(conn: &mut AnyConnection, id: &str) -> sqlx::Result<Option<OrganizationRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM organizations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    domain: Option<&str>,
    settings: &Settings,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE organizations SET name = $2, domain = $3, settings = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(domain)
    .bind(serde_json::to_string(settings).unwrap_or_default())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}
