//! SQL for the audit log.

use sqlx::AnyConnection;

use crate::store::{page, Db, SqlBuf};

pub struct Entry<'a> {
    pub organization_id: &'a str,
    pub user_id: Option<&'a str>,
    pub action: &'a str,
    pub resource: &'a str,
    pub resource_id: Option<&'a str>,
    pub metadata: serde_json::Value,
    pub ip_address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub created_at: i64,
}

pub async fn insert(conn: &mut AnyConnection, e: &Entry<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_logs (id, organization_id, user_id, action, resource, resource_id,
                                 metadata, ip_address, user_agent, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(crate::id::new_id_at(e.created_at / 1000))
    .bind(e.organization_id)
    .bind(e.user_id)
    .bind(e.action)
    .bind(e.resource)
    .bind(e.resource_id)
    .bind(e.metadata.to_string())
    .bind(e.ip_address)
    .bind(e.user_agent)
    .bind(e.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub organization_id: String,
    pub user_id: Option<String>,
    pub action: String,
    pub resource: String,
    pub resource_id: Option<String>,
    pub metadata: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
}

pub struct Filter {
    pub user_id: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

fn push_filter<'a>(q: &mut SqlBuf<'a>, org_id: &'a str, f: &'a Filter) {
    q.push(" WHERE organization_id = ").bind(org_id);
    if let Some(v) = &f.user_id {
        q.push(" AND user_id = ").bind(v.as_str());
    }
    if let Some(v) = &f.action {
        q.push(" AND action = ").bind(v.as_str());
    }
    if let Some(v) = &f.resource {
        q.push(" AND resource = ").bind(v.as_str());
    }
    if let Some(v) = f.from_ms {
        q.push(" AND created_at >= ").bind(v);
    }
    if let Some(v) = f.to_ms {
        q.push(" AND created_at < ").bind(v);
    }
}

pub async fn list<'a>(
    db: &Db,
    org_id: &'a str,
    f: &'a Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Row>, i64)> {
    let columns = "id, organization_id, user_id, action, resource, resource_id, metadata, \
                   ip_address, user_agent, created_at";
    let from = |q: &mut SqlBuf<'a>| {
        q.push(" FROM audit_logs");
        push_filter(q, org_id, f);
    };
    page(
        db,
        columns,
        from,
        "ORDER BY created_at DESC, id DESC",
        limit,
        offset,
    )
    .await
}
