//! Real time: Socket.IO on the same port as the REST API (`/socket.io`, protocol v4
//! and v5, websocket and polling), and the one emitter that REST handlers, socket
//! handlers and background jobs share.
//!
//! One node keeps its rooms in memory. With `REDIS_URL` set, rooms and broadcasts go
//! through Redis (socketioxide-redis), so an event raised on one node reaches sockets
//! connected to any node.

mod events;
mod punch;
mod socket;

pub use events::*;

use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use axum::Router;
use serde::Serialize;
use socketioxide::adapter::Emitter;
use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;
use socketioxide_redis::{RedisAdapter, RedisAdapterCtr};

use crate::app::AppState;

type RedisIo = SocketIo<RedisAdapter<Emitter>>;

/// The Socket.IO server handle, over whichever adapter this node runs.
#[derive(Clone)]
pub enum Realtime {
    Local(SocketIo),
    Redis(RedisIo),
}

/// The tower layer that serves `/socket.io`, to wrap the router with.
pub enum RealtimeLayer {
    Local(SocketIoLayer),
    Redis(SocketIoLayer<RedisAdapter<Emitter>>),
}

impl RealtimeLayer {
    pub fn wrap(self, router: Router) -> Router {
        let router = match self {
            RealtimeLayer::Local(layer) => router.layer(layer),
            RealtimeLayer::Redis(layer) => router.layer(layer),
        };
        router.layer(axum::middleware::map_request(own_socket_request))
    }
}

/// Gives a Socket.IO request its own copies of the URI and header values.
///
/// hyper parses a request head into slices of the connection's read buffer (16 KiB
/// once it has grown), and the Engine.IO layer keeps the request's parts for as long
/// as the socket lives: one header value or URI kept the whole buffer alive, which was more
/// than half of an idle socket's memory (27.7 KiB per socket; see BENCHMARKS.md).
async fn own_socket_request(mut req: Request) -> Request {
    if !req.uri().path().starts_with("/socket.io") {
        return req;
    }
    let shared = std::mem::take(req.headers_mut());
    let mut owned = HeaderMap::with_capacity(shared.len());
    let mut name = None;
    for (key, value) in shared {
        // `None` repeats the previous name (a header given more than once).
        if let Some(key) = key {
            name = HeaderName::from_bytes(key.as_str().as_bytes()).ok();
        }
        if let (Some(name), Ok(value)) = (&name, HeaderValue::from_bytes(value.as_bytes())) {
            owned.append(name.clone(), value);
        }
    }
    *req.headers_mut() = owned;
    if let Ok(uri) = Uri::try_from(req.uri().to_string()) {
        // The router keeps a copy of the URI as it arrived, too.
        req.extensions_mut().insert(OriginalUri(uri.clone()));
        *req.uri_mut() = uri;
    }
    req
}

/// The room of one user's sockets, of an organization's admins, of one sign-in.
pub fn user_room(user_id: &str) -> String {
    format!("user:{user_id}")
}
pub fn org_room(org_id: &str) -> String {
    format!("org:{org_id}")
}
pub fn session_room(family: &str) -> String {
    format!("session:{family}")
}
/// The rooms only an admin of the organization may be in: its whole feed and each
/// feed `subscribe` offers.
pub fn admin_rooms(org_id: &str) -> Vec<String> {
    let org = org_room(org_id);
    let mut rooms: Vec<String> = ["attendance", "users", "reports"]
        .iter()
        .map(|feed| format!("{org}:{feed}"))
        .collect();
    rooms.push(org);
    rooms
}

impl Realtime {
    /// Builds the server: in memory, or over Redis when `redis_url` is given.
    pub async fn build(redis_url: Option<&str>) -> anyhow::Result<(Realtime, RealtimeLayer)> {
        // Smaller per-socket buffers than the defaults (4 KiB websocket read buffer,
        // 128 queued packets): admins' sockets receive small events and send little,
        // and memory per idle connection is what bounds a node's sockets.
        let builder = SocketIo::builder()
            .req_path("/socket.io")
            .ws_read_buffer_size(256)
            .max_buffer_size(64);
        match redis_url {
            None => {
                let (layer, io) = builder.build_layer();
                Ok((Realtime::Local(io), RealtimeLayer::Local(layer)))
            }
            Some(url) => {
                // The adapter speaks RESP3 (Redis 6 and later).
                let url = if url.contains("protocol=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&protocol=resp3")
                } else {
                    format!("{url}?protocol=resp3")
                };
                let client = redis::Client::open(url.as_str())?;
                let adapter = RedisAdapterCtr::new_with_redis(&client).await?;
                let (layer, io) = builder
                    .with_adapter::<RedisAdapter<_>>(adapter)
                    .build_layer();
                Ok((Realtime::Redis(io), RealtimeLayer::Redis(layer)))
            }
        }
    }

    /// Installs the socket handlers; they reach the rest of the server through `state`.
    pub async fn register(&self, state: AppState) -> anyhow::Result<()> {
        match self {
            Realtime::Local(io) => {
                socket::register(io, state.clone());
                socket::sweep(io.clone(), state);
            }
            Realtime::Redis(io) => {
                socket::register(io, state.clone())
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot start the Redis adapter: {e}"))?;
                socket::sweep(io.clone(), state);
            }
        }
        Ok(())
    }

    /// Sends `event` to every socket in any of `rooms`, on every node. Failures are
    /// logged: an event that cannot be delivered must not fail the change it reports.
    pub async fn emit_to<T: Serialize + ?Sized>(
        &self,
        rooms: Vec<String>,
        event: &'static str,
        payload: &T,
    ) {
        let result = match self {
            Realtime::Local(io) => io
                .to(rooms)
                .emit(event, payload)
                .await
                .map_err(|e| e.to_string()),
            Realtime::Redis(io) => io
                .to(rooms)
                .emit(event, payload)
                .await
                .map_err(|e| e.to_string()),
        };
        if let Err(e) = result {
            tracing::warn!(event, error = %e, "could not emit a socket event");
        }
    }

    /// A user is no longer an admin: their sockets, on every node, leave the
    /// organization's feeds at once.
    pub async fn revoke_admin_rooms(&self, org_id: &str, user_id: &str) {
        let (from, rooms) = (user_room(user_id), admin_rooms(org_id));
        let result = match self {
            Realtime::Local(io) => io.to(from).leave(rooms).await.map_err(|e| e.to_string()),
            Realtime::Redis(io) => io.to(from).leave(rooms).await.map_err(|e| e.to_string()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not take sockets out of the admin rooms");
        }
    }

    /// Tells the sockets in `room` why, and disconnects them (on every node).
    pub async fn disconnect_room(&self, room: String, code: &'static str, message: &'static str) {
        let body = serde_json::json!({"code": code, "message": message});
        self.emit_to(vec![room.clone()], "unauthorized", &body)
            .await;
        let result = match self {
            Realtime::Local(io) => io.to(room).disconnect().await.map_err(|e| e.to_string()),
            Realtime::Redis(io) => io.to(room).disconnect().await.map_err(|e| e.to_string()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not disconnect sockets");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, Bytes};

    /// Whether `part` lies inside `buffer`'s memory.
    fn inside(buffer: &Bytes, part: &[u8]) -> bool {
        let range = buffer.as_ptr_range();
        range.contains(&part.as_ptr())
    }

    #[tokio::test]
    async fn a_socket_request_keeps_nothing_of_the_connection_buffer() {
        // A request head as hyper leaves it: URI and values are slices of one buffer.
        let buffer = Bytes::from_static(b"/socket.io/?EIO=4&transport=websocketBearer abc");
        let uri = Uri::from_maybe_shared(buffer.slice(0..37)).unwrap();
        let mut req = Request::builder()
            .uri(uri.clone())
            .header(
                "authorization",
                HeaderValue::from_maybe_shared(buffer.slice(37..)).unwrap(),
            )
            .header("x-custom", "one")
            .header("x-custom", "two")
            .body(Body::empty())
            .unwrap();
        req.extensions_mut().insert(OriginalUri(uri));
        assert!(inside(&buffer, req.headers()["authorization"].as_bytes()));

        let req = own_socket_request(req).await;
        let auth = &req.headers()["authorization"];
        assert_eq!(auth, "Bearer abc");
        assert!(!inside(&buffer, auth.as_bytes()));
        let custom: Vec<_> = req.headers().get_all("x-custom").iter().collect();
        assert_eq!(custom, ["one", "two"]);
        assert_eq!(req.uri(), "/socket.io/?EIO=4&transport=websocket");
        assert!(!inside(&buffer, req.uri().path().as_bytes()));
        let original = req.extensions().get::<OriginalUri>().unwrap();
        assert_eq!(original.0, "/socket.io/?EIO=4&transport=websocket");
        assert!(!inside(&buffer, original.0.path().as_bytes()));
    }

    #[tokio::test]
    async fn other_requests_are_left_as_they_are() {
        let buffer = Bytes::from_static(b"Bearer abc");
        let req = Request::builder()
            .uri("/api/v1/auth/me")
            .header(
                "authorization",
                HeaderValue::from_maybe_shared(buffer.clone()).unwrap(),
            )
            .body(Body::empty())
            .unwrap();
        let req = own_socket_request(req).await;
        assert!(inside(&buffer, req.headers()["authorization"].as_bytes()));
    }
}
