//! The server → client events, typed, with the payloads seed 000 lists (camelCase,
//! ids and instants in the API's formats). Every emit happens after the change it
//! reports has been committed.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{org_room, session_room, user_room, Realtime};
use crate::attendance::Attendance;
use crate::time::{rfc3339_ms, rfc3339_ms_opt};

/// `attendance:new`: a check-in (or a new record: absence, correction).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceNew {
    pub attendance_id: String,
    pub user_id: String,
    pub user_name: String,
    #[serde(with = "rfc3339_ms_opt")]
    pub check_in_time: Option<DateTime<Utc>>,
    pub status: String,
    pub organization_id: String,
    pub date: String,
    pub is_late: bool,
}

/// `attendance:update`: a check-out or another change to a record.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceUpdate {
    pub attendance_id: String,
    #[serde(with = "rfc3339_ms_opt")]
    pub check_out_time: Option<DateTime<Utc>>,
    pub working_hours: Option<i64>,
    pub user_id: String,
    pub status: String,
    pub organization_id: String,
}

/// `user:status`
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserStatus {
    pub user_id: String,
    pub is_active: bool,
}

/// `notification`
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub message: String,
    pub user_id: String,
    #[serde(with = "rfc3339_ms")]
    pub created_at: DateTime<Utc>,
}

/// `sync:status`
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub status: String,
    pub progress: f64,
    pub message: String,
}

fn status_of(record: &Attendance) -> String {
    serde_json::to_value(record.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl Realtime {
    fn attendance_rooms(org_id: &str, user_id: &str) -> Vec<String> {
        vec![
            org_room(org_id),
            format!("{}:attendance", org_room(org_id)),
            user_room(user_id),
        ]
    }

    pub async fn attendance_new(&self, record: &Attendance) {
        let payload = AttendanceNew {
            attendance_id: record.id.clone(),
            user_id: record.user_id.clone(),
            user_name: record.user_name.clone(),
            check_in_time: record.check_in_time,
            status: status_of(record),
            organization_id: record.organization_id.clone(),
            date: record.date.clone(),
            is_late: record.is_late,
        };
        self.emit_to(
            Self::attendance_rooms(&record.organization_id, &record.user_id),
            "attendance:new",
            &payload,
        )
        .await;
    }

    pub async fn attendance_update(&self, record: &Attendance) {
        let payload = AttendanceUpdate {
            attendance_id: record.id.clone(),
            check_out_time: record.check_out_time,
            working_hours: record.working_hours,
            user_id: record.user_id.clone(),
            status: status_of(record),
            organization_id: record.organization_id.clone(),
        };
        self.emit_to(
            Self::attendance_rooms(&record.organization_id, &record.user_id),
            "attendance:update",
            &payload,
        )
        .await;
    }

    /// A user was activated or deactivated (or deleted): admins hear of it; a user
    /// who can no longer sign in is disconnected everywhere.
    pub async fn user_status(&self, org_id: &str, user_id: &str, is_active: bool) {
        let payload = UserStatus {
            user_id: user_id.to_string(),
            is_active,
        };
        let rooms = vec![
            org_room(org_id),
            format!("{}:users", org_room(org_id)),
            user_room(user_id),
        ];
        self.emit_to(rooms, "user:status", &payload).await;
        if !is_active {
            self.end_user_sockets(user_id).await;
        }
    }

    /// Ends every socket of a user (deactivation, deletion, password change).
    pub async fn end_user_sockets(&self, user_id: &str) {
        self.disconnect_room(
            user_room(user_id),
            "session_ended",
            "your session has ended; sign in again",
        )
        .await;
    }

    /// Ends the sockets of one sign-in (logout, refresh reuse).
    pub async fn end_session_sockets(&self, family: &str) {
        self.disconnect_room(
            session_room(family),
            "session_ended",
            "your session has ended; sign in again",
        )
        .await;
    }

    pub async fn notification(&self, n: &Notification) {
        self.emit_to(vec![user_room(&n.user_id)], "notification", n)
            .await;
    }

    pub async fn sync_status(&self, user_id: &str, status: &SyncStatus) {
        self.emit_to(vec![user_room(user_id)], "sync:status", status)
            .await;
    }
}
