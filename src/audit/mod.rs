//! The audit trail (seed AuditLog): who did what to which resource, from where.
//! Entries are written in the same transaction as the change they describe.

mod routes;
mod store;

pub use routes::router;
pub use routes::{__path_list_audit_logs, AuditLog};
pub use store::Entry;

use sqlx::AnyConnection;

use crate::extract::ClientInfo;

/// Records one entry; `metadata` is any JSON object (before/after values, counts...).
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut AnyConnection,
    org_id: &str,
    actor: Option<&str>,
    action: &str,
    resource: &str,
    resource_id: Option<&str>,
    metadata: serde_json::Value,
    client: &ClientInfo,
    now_ms: i64,
) -> sqlx::Result<()> {
    store::insert(
        conn,
        &Entry {
            organization_id: org_id,
            user_id: actor,
            action,
            resource,
            resource_id,
            metadata,
            ip_address: client.ip.as_deref(),
            user_agent: client.user_agent.as_deref(),
            created_at: now_ms,
        },
    )
    .await
}
