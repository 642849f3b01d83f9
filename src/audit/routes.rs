//! `GET /audit-logs` (admin): the organization's audit trail, newest first.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store;
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, PageParams, Paged, Query};
use crate::time::{from_millis, rfc3339_ms};
use crate::validate::Errors;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit-logs", get(list_audit_logs))
}

/// One audit entry (seed AuditLog).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    #[serde(rename = "_id")]
    pub id: String,
    pub user_id: Option<String>,
    pub organization_id: String,
    /// `login`, `login_failed`, `user_created`, `settings_changed`, ...
    pub action: String,
    pub resource: String,
    pub resource_id: Option<String>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub user_id: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    /// RFC 3339 instant, inclusive.
    pub from: Option<String>,
    /// RFC 3339 instant, exclusive.
    pub to: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit-logs", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, body = inline(Paged<AuditLog>)),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_audit_logs(
    State(state): State<AppState>,
    Admin(session): Admin,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Paged<AuditLog>>> {
    let mut errors = Errors::default();
    let page = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .parse(&mut errors.0);
    let mut instant = |field: &str, v: &Option<String>| {
        v.as_deref().and_then(|s| {
            errors.take(
                crate::time::parse(s)
                    .map(|d| d.timestamp_millis())
                    .ok_or_else(|| {
                        crate::error::FieldError::new(field, "must be an RFC 3339 instant")
                    }),
            )
        })
    };
    let from_ms = instant("from", &q.from);
    let to_ms = instant("to", &q.to);
    errors.finish()?;
    let filter = store::Filter {
        user_id: q.user_id,
        action: q.action,
        resource: q.resource,
        from_ms,
        to_ms,
    };
    let (rows, total) = store::list(
        &state.db,
        &session.org_id,
        &filter,
        page.limit,
        page.offset(),
    )
    .await?;
    let data = rows
        .into_iter()
        .map(|r| AuditLog {
            id: r.id,
            user_id: r.user_id,
            organization_id: r.organization_id,
            action: r.action,
            resource: r.resource,
            resource_id: r.resource_id,
            metadata: serde_json::from_str(&r.metadata).unwrap_or(serde_json::Value::Null),
            ip_address: r.ip_address,
            user_agent: r.user_agent,
            created_at: from_millis(r.created_at),
        })
        .collect();
    Ok(Json(Paged::new(data, page, total)))
}
