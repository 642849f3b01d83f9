//! Socket handlers: authentication (handshake `auth.token`, `Authorization` header,
//! or the `authenticate` event), rooms and `subscribe`, and the `checkin` /
//! `checkout` events (in `punch`), which call the same attendance service as REST.

use serde_json::{json, Value};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use socketioxide_core::adapter::DefinedAdapter;

use super::punch::{punch, Punch};
use super::{admin_rooms, org_room, session_room, user_room};
use crate::app::AppState;
use crate::auth::Session;
use crate::error::AppError;

/// What an authenticated socket carries.
#[derive(Clone)]
struct Authed {
    session: Session,
    token: String,
}

pub fn register<A: Adapter + DefinedAdapter>(io: &SocketIo<A>, state: AppState) -> A::InitRes {
    // Everything happens in the middleware, which socketioxide awaits before it sends
    // the client its `connect`: the connect handler runs in a task of its own, after
    // that packet, so a client emitting at once (or an event broadcast at once) would
    // otherwise race the handler registration and the room joins.
    let handshake = move |s: SocketRef<A>, TryData(auth): TryData<Value>| {
        let st = state.clone();
        async move {
            handshake(&st, &s, auth.ok()).await?;
            install(st, &s);
            Ok::<(), String>(())
        }
    };
    io.ns("/", (async || ()).with(handshake))
}

fn token_from(s: &SocketRef<impl Adapter>, auth: Option<&Value>) -> Option<String> {
    if let Some(t) = auth.and_then(|a| a.get("token")).and_then(Value::as_str) {
        return Some(t.trim_start_matches("Bearer ").trim().to_string());
    }
    let header = s
        .req_parts()
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Refuses a socket whose handshake carries a bad token; one with no token may
/// still authenticate with the `authenticate` event, within `socket_auth_timeout`.
async fn handshake<A: Adapter>(
    state: &AppState,
    s: &SocketRef<A>,
    auth: Option<Value>,
) -> Result<(), String> {
    let Some(token) = token_from(s, auth.as_ref()) else {
        deadline(state, s.clone());
        return Ok(());
    };
    match Session::from_token(state, &token).await {
        Ok(session) => {
            admit(s, Authed { session, token });
            Ok(())
        }
        Err(_) => Err("unauthorized: the access token is invalid or expired".into()),
    }
}

/// Registers the event handlers. A missing or non-JSON payload reaches the handler
/// as `null` (and is answered with a `*:error`): a `Data` extractor would drop the
/// event silently and leave the client's acknowledgement hanging.
fn install<A: Adapter>(state: AppState, s: &SocketRef<A>) {
    let st = state.clone();
    s.on(
        "authenticate",
        move |s: SocketRef<A>, TryData(data): TryData<Value>, ack: AckSender<A>| {
            let st = st.clone();
            async move { authenticate(st, s, data.unwrap_or_default(), ack).await }
        },
    );
    let st = state.clone();
    s.on(
        "subscribe",
        move |s: SocketRef<A>, TryData(data): TryData<Value>, ack: AckSender<A>| {
            let st = st.clone();
            async move { subscribe(&st, &s, data.unwrap_or_default(), ack).await }
        },
    );
    let st = state.clone();
    s.on(
        "checkin",
        move |s: SocketRef<A>, TryData(data): TryData<Value>, ack: AckSender<A>| {
            let st = st.clone();
            async move { punch(&st, &s, data.unwrap_or_default(), ack, Punch::In).await }
        },
    );
    s.on(
        "checkout",
        move |s: SocketRef<A>, TryData(data): TryData<Value>, ack: AckSender<A>| {
            let st = state.clone();
            async move { punch(&st, &s, data.unwrap_or_default(), ack, Punch::Out).await }
        },
    );
}

/// An anonymous socket that has not authenticated in time is told and disconnected,
/// so idle anonymous connections cannot pile up. (Only anonymous sockets get this task.)
fn deadline<A: Adapter>(state: &AppState, s: SocketRef<A>) {
    let wait = state.config.socket_auth_timeout;
    tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        if s.connected() && s.extensions.get::<Authed>().is_none() {
            let body = json!({"code": "authentication_timeout",
                              "message": "no authenticate event arrived in time"});
            let _ = s.emit("unauthorized", &body);
            let _ = s.clone().disconnect();
        }
    });
}

/// Joins the rooms a session belongs in, leaving those its previous session (on
/// the same socket) had and this one no longer allows.
fn admit<A: Adapter>(s: &SocketRef<A>, authed: Authed) {
    let previous = s.extensions.insert(authed.clone());
    let session = &authed.session;
    if let Some(old) = &previous {
        if old.session.family != session.family {
            s.leave(session_room(&old.session.family));
        }
        if old.session.is_admin() && !session.is_admin() {
            s.leave(admin_rooms(&old.session.org_id));
        }
    }
    let mut rooms = vec![user_room(&session.user_id), session_room(&session.family)];
    if session.is_admin() {
        rooms.push(org_room(&session.org_id));
    }
    s.join(rooms);
}

/// Re-checks every authenticated socket of this node now and then: a token that
/// has expired or been revoked ends its socket, with an `unauthorized` event first,
/// and a changed role changes its rooms. One task for all sockets: a task per
/// socket cost memory on every connection.
pub fn sweep<A: Adapter>(io: SocketIo<A>, state: AppState) {
    let every = state.config.socket_session_check;
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            for s in io.sockets() {
                // Ends the socket itself when its session has.
                let _ = fresh(&state, &s).await;
            }
        }
    });
}

/// The socket's caller as of now, read the way every REST request reads it: the
/// role is the user's current one, and a dead token ends the socket. `None` when the
/// socket never authenticated or has just been ended.
pub(super) async fn fresh<A: Adapter>(state: &AppState, s: &SocketRef<A>) -> Option<Session> {
    let authed = s.extensions.get::<Authed>()?;
    match Session::from_token(state, &authed.token).await {
        Ok(session) => {
            if session.role != authed.session.role {
                admit(
                    s,
                    Authed {
                        session: session.clone(),
                        token: authed.token,
                    },
                );
            }
            Some(session)
        }
        Err(AppError::Unauthorized(..)) => {
            let _ = s.emit("unauthorized", &json!({"code": "session_ended", "message": "your session has ended; sign in again"}));
            let _ = s.clone().disconnect();
            None
        }
        // The database is unavailable: keep the socket, refuse the event.
        Err(e) => {
            tracing::warn!(error = %e, "could not re-check a socket's session");
            None
        }
    }
}

pub(super) fn refuse(s: &SocketRef<impl Adapter>, ack: AckSender<impl Adapter>) {
    let body = json!({"code": "not_authenticated", "message": "authenticate first"});
    let _ = s.emit("unauthorized", &body);
    let _ = ack.send(&json!({"ok": false, "error": body}));
}

async fn authenticate<A: Adapter>(
    state: AppState,
    s: SocketRef<A>,
    data: Value,
    ack: AckSender<A>,
) {
    let token = data
        .get("token")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches("Bearer ").trim().to_string());
    let outcome = match token {
        Some(token) => Session::from_token(&state, &token)
            .await
            .map(|session| Authed { session, token }),
        None => Err(AppError::Unauthorized(
            "missing_token",
            "send {token}".into(),
        )),
    };
    // A socket speaks for one user: a refreshed token of the same user is welcome
    // (it keeps the socket alive past the old one's expiry), another user's is not.
    let outcome = outcome.and_then(|a| match s.extensions.get::<Authed>() {
        Some(current) if current.session.user_id != a.session.user_id => Err(AppError::Conflict(
            "already_authenticated",
            "this socket is signed in as another user; open a new connection".into(),
        )),
        _ => Ok(a),
    });
    match outcome {
        Ok(authed) => {
            let body = json!({
                "userId": authed.session.user_id,
                "organizationId": authed.session.org_id,
                "role": authed.session.role.as_str(),
            });
            admit(&s, authed);
            let _ = s.emit("authenticated", &body);
            let _ = ack.send(&json!({"ok": true, "user": body}));
        }
        Err(e) => {
            let body = json!({"code": e.code(), "message": e.body().error.message});
            let _ = s.emit("unauthorized", &body);
            let _ = ack.send(&json!({"ok": false, "error": body}));
        }
    }
}

async fn subscribe<A: Adapter>(state: &AppState, s: &SocketRef<A>, data: Value, ack: AckSender<A>) {
    let Some(session) = fresh(state, s).await else {
        return refuse(s, ack);
    };
    let kind = data
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let org = data
        .get("organizationId")
        .and_then(Value::as_str)
        .unwrap_or(&session.org_id)
        .to_string();
    let error = if !["attendance", "users", "reports"].contains(&kind.as_str()) {
        Some((
            "validation_failed",
            "type must be attendance, users or reports",
        ))
    } else if !session.is_admin() || org != session.org_id {
        Some((
            "forbidden",
            "only an admin of this organization may subscribe to its feed",
        ))
    } else {
        None
    };
    match error {
        Some((code, message)) => {
            let body = json!({"code": code, "message": message});
            let _ = s.emit("error", &body);
            let _ = ack.send(&json!({"ok": false, "error": body}));
        }
        None => {
            s.join(vec![org_room(&org), format!("{}:{kind}", org_room(&org))]);
            let body = json!({"type": kind, "organizationId": org});
            let _ = s.emit("subscribed", &body);
            let _ = ack.send(&json!({"ok": true, "subscribed": body}));
        }
    }
}
