//! SQL for users. Every function takes the organization id first.

use sqlx::AnyConnection;

use super::model::{NewUser, UserRow, USER_COLUMNS};
use crate::store::{flag, page, Db, SqlBuf};

/// Takes `n` seats of the organization's plan; false when it has too few left.
/// One conditional UPDATE, so concurrent creations cannot overshoot on either engine.
pub async fn claim_seats(conn: &mut AnyConnection, org_id: &str, n: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE organizations SET user_count = user_count + $2
         WHERE id = $1 AND user_count + $2 <= max_users",
    )
    .bind(org_id)
    .bind(n)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn release_seat(conn: &mut AnyConnection, org_id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE organizations SET user_count = user_count - 1 WHERE id = $1 AND user_count > 0",
    )
    .bind(org_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    user: &NewUser,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, organization_id, email, password_hash, name, phone_number, role,
                            department, is_active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
    )
    .bind(id)
    .bind(org_id)
    .bind(&user.email)
    .bind(&user.password_hash)
    .bind(&user.name)
    .bind(&user.phone_number)
    .bind(user.role.as_str())
    .bind(&user.department)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users
         WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await
}

/// A user by email across organizations (login), with their password hash.
pub async fn find_by_email(
    db: &Db,
    email: &str,
) -> sqlx::Result<Option<(UserRow, Option<String>)>> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1 AND deleted_at IS NULL"
    ))
    .bind(email)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&row.id)
        .fetch_one(db.pool())
        .await?;
    Ok(Some((row, hash)))
}

/// Of `emails`, those already taken by a live user (in any organization).
pub async fn taken_emails(db: &Db, emails: &[String]) -> sqlx::Result<Vec<String>> {
    let mut taken = Vec::new();
    for chunk in emails.chunks(500) {
        let mut q = SqlBuf::new("SELECT email FROM users WHERE deleted_at IS NULL AND email IN (");
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(e.clone());
        }
        q.push(")");
        let (sql, args) = q.build();
        let rows: Vec<(String,)> = sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await?;
        taken.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(taken)
}

pub struct ListFilter {
    pub role: Option<String>,
    pub department: Option<String>,
    pub is_active: Option<bool>,
    pub search: Option<String>,
}

fn push_filter<'a>(q: &mut SqlBuf<'a>, org_id: &'a str, f: &'a ListFilter) {
    q.push(" WHERE organization_id = ").bind(org_id);
    q.push(" AND deleted_at IS NULL");
    if let Some(role) = &f.role {
        q.push(" AND role = ").bind(role.as_str());
    }
    if let Some(dep) = &f.department {
        q.push(" AND department = ").bind(dep.as_str());
    }
    if let Some(active) = f.is_active {
        q.push(" AND is_active = ").bind(flag(active));
    }
    if let Some(search) = &f.search {
        // LIKE with escaped wildcards; LOWER on both sides matches case-insensitively
        // on both engines.
        let pattern = format!(
            "%{}%",
            search
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q.push(" AND (LOWER(name) LIKE ").bind(pattern.clone());
        q.push(" ESCAPE '\\' OR email LIKE ").bind(pattern);
        q.push(" ESCAPE '\\')");
    }
}

pub async fn list<'a>(
    db: &Db,
    org_id: &'a str,
    filter: &'a ListFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<UserRow>, i64)> {
    let from = |q: &mut SqlBuf<'a>| {
        q.push(" FROM users");
        push_filter(q, org_id, filter);
    };
    page(db, USER_COLUMNS, from, "ORDER BY name, id", limit, offset).await
}

/// Fields an update may set; `None` leaves a field as it is.
#[derive(Default)]
pub struct Changes {
    pub name: Option<String>,
    /// `Some(None)` clears the phone number.
    pub phone_number: Option<Option<String>>,
    pub role: Option<String>,
    pub department: Option<Option<String>>,
    pub is_active: Option<bool>,
    pub profile_image_url: Option<Option<String>>,
}

pub async fn update(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    c: &Changes,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let mut q = SqlBuf::new("UPDATE users SET updated_at = ");
    q.bind(now_ms);
    if let Some(v) = &c.name {
        q.push(", name = ").bind(v.clone());
    }
    if let Some(v) = &c.phone_number {
        q.push(", phone_number = ").bind(v.clone());
    }
    if let Some(v) = &c.role {
        q.push(", role = ").bind(v.clone());
    }
    if let Some(v) = &c.department {
        q.push(", department = ").bind(v.clone());
    }
    if let Some(v) = c.is_active {
        q.push(", is_active = ").bind(flag(v));
        if !v {
            // Deactivation ends every session the user has.
            q.push(", tokens_valid_after = ").bind(now_ms);
        }
    }
    if let Some(v) = &c.profile_image_url {
        q.push(", profile_image_url = ").bind(v.clone());
    }
    q.push(" WHERE organization_id = ").bind(org_id.to_string());
    q.push(" AND id = ").bind(id.to_string());
    q.push(" AND deleted_at IS NULL");
    let (sql, args) = q.build();
    let done = sqlx::query_with(&sql, args).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Soft-deletes a user: their attendance stays for reports, their sessions end.
pub async fn soft_delete(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET deleted_at = $3, is_active = 0, updated_at = $3
         WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(org_id)
    .bind(id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    let deleted = done.rows_affected() == 1;
    if deleted {
        crate::auth::store::revoke_user_sessions(conn, org_id, id, now_ms).await?;
    }
    Ok(deleted)
}

pub async fn touch_last_login(db: &Db, org_id: &str, id: &str, now_ms: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .bind(now_ms)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A live user by phone number, across organizations (OTP sign-in).
pub async fn find_by_phone(db: &Db, phone: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE phone_number = $1 AND deleted_at IS NULL"
    ))
    .bind(phone)
    .fetch_optional(db.pool())
    .await
}
