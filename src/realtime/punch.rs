//! Socket `checkin` / `checkout`: the seed's payloads, run through the same attendance
//! service as `POST /attendance/checkin` and `PUT /attendance/:id/checkout`, answered by
//! `checkin:success` / `checkin:error` (likewise checkout) and the acknowledgement.

use std::net::SocketAddr;

use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef};

use super::socket::{fresh, refuse};
use crate::app::AppState;
use crate::attendance::{self, CheckInRequest, CheckOutRequest, LocationInput};
use crate::error::AppError;
use crate::extract::{from_json_value, ClientInfo};

/// A location as the app sends it on sockets: `{lat, lng}` (seed) or the REST names.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SocketLocation {
    lat: Option<f64>,
    lng: Option<f64>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    address: Option<String>,
    accuracy: Option<f64>,
}

/// `checkin` / `checkout` payloads (seed 000): `timestamp` is the device's clock and
/// only informative; the server's clock decides.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PunchPayload {
    user_id: Option<String>,
    attendance_id: Option<String>,
    location: Option<SocketLocation>,
    notes: Option<String>,
    site_id: Option<String>,
    #[allow(dead_code)]
    timestamp: Option<Value>,
    #[allow(dead_code)]
    organization_id: Option<String>,
}

#[derive(Clone, Copy)]
pub enum Punch {
    In,
    Out,
}

fn client_of(state: &AppState, s: &SocketRef<impl Adapter>) -> ClientInfo {
    let parts = s.req_parts();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let forwarded = state
        .config
        .trust_proxy
        .as_deref()
        .and_then(header)
        .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()));
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    ClientInfo {
        ip: forwarded.or(peer),
        user_agent: header("user-agent"),
    }
}

pub async fn punch<A: Adapter>(
    state: &AppState,
    s: &SocketRef<A>,
    data: Value,
    ack: AckSender<A>,
    kind: Punch,
) {
    let Some(session) = fresh(state, s).await else {
        return refuse(s, ack);
    };
    let (ok_event, err_event) = match kind {
        Punch::In => ("checkin:success", "checkin:error"),
        Punch::Out => ("checkout:success", "checkout:error"),
    };
    let result = match from_json_value::<PunchPayload>(data) {
        Err(mut error) => {
            // A payload that is not an object at all is named `payload`.
            if error.field.is_empty() {
                error.field = "payload".into();
            }
            Err(AppError::Validation(vec![error]))
        }
        Ok(p) => {
            let location = p.location.map(|l| LocationInput {
                latitude: l.lat.or(l.latitude),
                longitude: l.lng.or(l.longitude),
                address: l.address,
                accuracy: l.accuracy,
            });
            let client = client_of(state, s);
            match kind {
                Punch::In => {
                    // Naming oneself is the same as naming no one.
                    let user_id = p.user_id.filter(|u| *u != session.user_id);
                    let req = CheckInRequest {
                        location,
                        notes: p.notes,
                        user_id,
                        site_id: p.site_id,
                    };
                    attendance::service::check_in(state, &session, &client, req).await
                }
                Punch::Out => match p.attendance_id.filter(|id| crate::id::is_valid(id)) {
                    None => Err(AppError::validation(
                        "attendanceId",
                        "is required (the record to check out)",
                    )),
                    Some(id) => {
                        let req = CheckOutRequest {
                            location,
                            notes: p.notes,
                        };
                        attendance::service::check_out(state, &session, &client, &id, req).await
                    }
                },
            }
        }
    };
    match result {
        Ok(record) => {
            let _ = s.emit(ok_event, &json!({"attendanceId": record.id}));
            let _ = ack.send(&json!({"ok": true, "attendanceId": record.id}));
        }
        Err(e) => {
            if let AppError::Internal(cause) = &e {
                tracing::error!(error = %cause, "socket check-in/out failed");
            }
            // The REST error's shape: `details` only when there are some.
            let body = serde_json::to_value(e.body().error).unwrap_or_default();
            let _ = s.emit(err_event, &body);
            let _ = ack.send(&json!({"ok": false, "error": body}));
        }
    }
}
