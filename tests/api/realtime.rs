//! Real Socket.IO clients against the server: the official JavaScript
//! `socket.io-client` and the Python `python-socketio` client, over websocket and
//! polling, with each way to authenticate.

use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{spawn_app, spawn_app_with, Member, TestApp};

/// One client process running a scenario (see tests/clients/feed.mjs).
pub struct Client {
    child: tokio::process::Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    stdin: Option<tokio::process::ChildStdin>,
    early: Option<Value>,
}

fn clients_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

impl Client {
    /// Starts a client and waits until it is connected (or has failed to connect).
    pub async fn start(runtime: &str, scenario: Value) -> Client {
        let mut cmd = match runtime {
            "node" => {
                assert!(clients_dir().join("node_modules/socket.io-client").exists(),
                    "socket.io-client is not installed: run scripts/test.sh (it runs npm ci in tests/clients)");
                let mut c = tokio::process::Command::new("node");
                c.arg(clients_dir().join("feed.mjs"));
                c
            }
            _ => {
                let mut c = tokio::process::Command::new("python3");
                c.arg(clients_dir().join("feed.py"));
                c
            }
        };
        let mut child = cmd
            .arg(scenario.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {runtime} client: {e}"));
        let stdin = child.stdin.take();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .expect("client said nothing within 60 s")
            .unwrap()
            .expect("client exited without output");
        let first: Value = serde_json::from_str(&first).unwrap();
        let early = (first.get("ready").is_none()).then_some(first);
        Client {
            child,
            lines,
            stdin,
            early,
        }
    }

    /// Lets a client started with `pauseBeforeEmits` go on with its emits.
    pub async fn resume(&mut self) {
        use tokio::io::AsyncWriteExt;
        let stdin = self.stdin.as_mut().expect("the client's stdin");
        stdin.write_all(b"go\n").await.expect("resume the client");
        stdin.flush().await.expect("resume the client");
    }

    /// Waits for the client to finish; returns what it saw.
    pub async fn finish(mut self) -> Value {
        if let Some(v) = self.early.take() {
            return v;
        }
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), self.lines.next_line())
            .await
            .expect("client did not finish within 60 s")
            .unwrap()
            .expect("client exited without its report");
        let _ = self.child.wait().await;
        serde_json::from_str(&line).unwrap()
    }
}

/// The error code of each acknowledgement a client received (null for successes).
pub fn ack_codes(seen: &Value) -> Vec<&Value> {
    seen["acks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["error"]["code"])
        .collect()
}

pub fn events<'a>(seen: &'a Value, name: &str) -> Vec<&'a Value> {
    seen["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e[0] == name)
        .map(|e| &e[1])
        .collect()
}

pub fn scenario(
    app: &TestApp,
    transport: &str,
    auth: &str,
    token: &str,
    emits: Value,
    wait_ms: u64,
) -> Value {
    json!({"url": app.base, "transport": transport, "auth": auth, "token": token, "emits": emits, "waitMs": wait_ms})
}

/// Makes a scenario stop once `count` events named `event` have arrived.
pub fn until(mut scenario: Value, event: &str, count: usize) -> Value {
    scenario["until"] = json!({"event": event, "count": count});
    scenario
}

pub async fn rest_check_in(app: &TestApp, member: &Member) -> Value {
    let (s, b) = app
        .post(
            "/api/v1/attendance/checkin",
            Some(&member.token),
            json!({"location": {"latitude": 12.97, "longitude": 77.59}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

#[tokio::test]
async fn every_auth_style_and_transport_receives_the_org_feed() {
    let app = spawn_app().await;
    let admin = app.register_org("Feeds").await;
    for runtime in ["node", "python"] {
        for transport in ["websocket", "polling"] {
            for auth in ["handshake", "header", "event"] {
                let client = Client::start(
                    runtime,
                    until(
                        scenario(&app, transport, auth, &admin.token, json!([]), 0),
                        "attendance:new",
                        1,
                    ),
                )
                .await;
                let emp = app
                    .add_member(&admin, &format!("{runtime} {transport} {auth}"), "employee")
                    .await;
                let record = rest_check_in(&app, &emp).await;
                let seen = client.finish().await;
                let what = format!("{runtime}/{transport}/{auth}");
                assert_eq!(seen["connected"], true, "{what}: {seen}");
                if auth == "event" {
                    assert_eq!(seen["acks"][0]["ok"], true, "{what}: {seen}");
                    let authed = events(&seen, "authenticated");
                    assert_eq!(authed[0]["userId"], admin.user_id, "{what}: {seen}");
                    assert_eq!(authed[0]["role"], "admin");
                }
                let news = events(&seen, "attendance:new");
                assert_eq!(news.len(), 1, "{what}: {seen}");
                assert_eq!(news[0]["attendanceId"], record["_id"]);
                assert_eq!(news[0]["userId"], emp.user_id);
                assert_eq!(news[0]["userName"], format!("{runtime} {transport} {auth}"));
                assert_eq!(news[0]["status"], record["status"]);
                assert_eq!(news[0]["checkInTime"], record["checkInTime"]);
            }
        }
    }
}

#[tokio::test]
async fn a_bad_handshake_token_is_refused_and_an_anonymous_socket_can_only_authenticate() {
    let app = spawn_app().await;
    let admin = app.register_org("Refuse").await;
    for runtime in ["node", "python"] {
        let seen = Client::start(
            runtime,
            scenario(
                &app,
                "websocket",
                "handshake",
                "not-a-token",
                json!([]),
                100,
            ),
        )
        .await
        .finish()
        .await;
        assert_eq!(seen["connected"], false, "{runtime}: {seen}");
        assert!(seen["connectError"].as_str().is_some(), "{runtime}: {seen}");
    }
    let emits = json!([{"event": "checkin", "data": {"location": {"lat": 1.0, "lng": 2.0}}},
                       {"event": "authenticate", "data": {"token": "forged"}}]);
    let seen = Client::start("node", scenario(&app, "websocket", "none", "", emits, 300))
        .await
        .finish()
        .await;
    assert_eq!(seen["acks"][0]["ok"], false, "{seen}");
    assert_eq!(seen["acks"][0]["error"]["code"], "not_authenticated");
    assert_eq!(events(&seen, "unauthorized").len(), 2, "{seen}");
    assert_eq!(seen["acks"][1]["error"]["code"], "invalid_token");
    let (_, list) = app.get("/api/v1/attendance", &admin.token).await;
    assert_eq!(list["total"], 0, "an anonymous socket checked someone in");
}

#[tokio::test]
async fn checking_in_and_out_by_socket_uses_the_same_rules_and_events() {
    let app = spawn_app().await;
    let admin = app.register_org("SocketPunch").await;
    let emp = app.add_member(&admin, "Sam Socket", "employee").await;
    let watcher = Client::start(
        "node",
        until(
            scenario(&app, "websocket", "handshake", &admin.token, json!([]), 0),
            "attendance:update",
            1,
        ),
    )
    .await;
    let emits = json!([
        {"event": "checkin", "data": {"userId": emp.user_id, "location": {"lat": 12.97, "lng": 77.59}, "timestamp": "2026-11-25T09:00:00.000Z"}},
        {"event": "checkin", "data": {"location": {"lat": 12.97, "lng": 77.59}}},
    ]);
    let seen = Client::start(
        "node",
        scenario(&app, "websocket", "header", &emp.token, emits, 300),
    )
    .await
    .finish()
    .await;
    assert_eq!(seen["acks"][0]["ok"], true, "{seen}");
    let id = seen["acks"][0]["attendanceId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(events(&seen, "checkin:success")[0]["attendanceId"], id);
    assert_eq!(
        seen["acks"][1]["error"]["code"], "already_checked_in",
        "the second open check-in is refused: {seen}"
    );
    assert_eq!(events(&seen, "checkin:error").len(), 1);
    let (_, record) = app
        .get(&format!("/api/v1/attendance/{id}"), &admin.token)
        .await;
    assert_eq!(record["checkInLocation"]["latitude"], 12.97);
    let emits = json!([{"event": "checkout", "data": {"attendanceId": id, "location": {"lat": 12.97, "lng": 77.59}}}]);
    let seen = Client::start(
        "python",
        scenario(&app, "polling", "event", &emp.token, emits, 300),
    )
    .await
    .finish()
    .await;
    assert_eq!(seen["acks"][1]["ok"], true, "{seen}");
    assert_eq!(events(&seen, "checkout:success")[0]["attendanceId"], id);
    let feed = watcher.finish().await;
    assert_eq!(
        events(&feed, "attendance:new")[0]["attendanceId"],
        id,
        "{feed}"
    );
    let update = events(&feed, "attendance:update");
    assert_eq!(update[0]["attendanceId"], id, "{feed}");
    assert!(update[0]["checkOutTime"].as_str().unwrap().ends_with('Z'));
    assert!(update[0]["workingHours"].is_i64());
}

#[tokio::test]
async fn bad_socket_payloads_get_errors_and_the_socket_stays() {
    let app = spawn_app().await;
    let admin = app.register_org("BadPayloads").await;
    let emp = app.add_member(&admin, "Bad Payload", "employee").await;
    let emits = json!([
        {"event": "checkin", "data": "not an object"},
        {"event": "checkin", "data": {"location": {"lat": 91.0, "lng": 10.0}}},
        {"event": "checkin", "data": {}},
        {"event": "checkout", "data": {"location": {"lat": 1.0, "lng": 1.0}}},
        {"event": "checkout", "data": {"attendanceId": "6564a1f0c2a4b3d2e1f00001", "location": {"lat": 1.0, "lng": 1.0}}},
        {"event": "subscribe", "data": {"type": "attendance", "organizationId": admin.org_id}},
        {"event": "checkin", "data": {"location": {"lat": 1.0, "lng": 1.0}}},
        {"event": "checkin", "data": {"location": {"lat": "north", "lng": 1.0}}},
    ]);
    for runtime in ["node", "python"] {
        let seen = Client::start(
            runtime,
            scenario(
                &app,
                "websocket",
                "handshake",
                &emp.token,
                emits.clone(),
                200,
            ),
        )
        .await
        .finish()
        .await;
        let codes = ack_codes(&seen);
        assert_eq!(
            codes[..6],
            [
                &json!("validation_failed"),
                &json!("validation_failed"),
                &json!("validation_failed"),
                &json!("validation_failed"),
                &json!("not_found"),
                &json!("forbidden")
            ],
            "{runtime}: {seen}"
        );
        assert_eq!(events(&seen, "error")[0]["code"], "forbidden");
        // Errors have the REST shape: the bad field named in the client's words, and
        // `details` only when there are some.
        assert_eq!(
            seen["acks"][0]["error"]["details"],
            json!([{"field": "payload",
                    "message": "invalid type: string \"not an object\", expected an object"}]),
            "{runtime}: {seen}"
        );
        assert_eq!(
            seen["acks"][7]["error"]["details"],
            json!([{"field": "location.lat",
                    "message": "invalid type: string \"north\", expected a number"}]),
            "{runtime}: {seen}"
        );
        assert!(
            seen["acks"][4]["error"].get("details").is_none(),
            "{runtime}: {seen}"
        );
        assert_eq!(seen["connected"], true);
        assert!(
            seen["disconnected"].is_null(),
            "{runtime}: the socket was dropped: {seen}"
        );
        if runtime == "node" {
            assert_eq!(
                seen["acks"][6]["ok"], true,
                "a good payload after bad ones still works: {seen}"
            );
        }
    }
}

#[tokio::test]
async fn nothing_crosses_organizations() {
    let app = spawn_app().await;
    let a = app.register_org("OrgA").await;
    let b = app.register_org("OrgB").await;
    let emp_a = app.add_member(&a, "A Worker", "employee").await;
    let emits = json!([{"event": "subscribe", "data": {"type": "attendance", "organizationId": a.org_id}},
                       {"event": "subscribe", "data": {"type": "users", "organizationId": b.org_id}}]);
    let emp_b = app.add_member(&b, "B Worker", "employee").await;
    let spy = Client::start(
        "node",
        until(
            scenario(&app, "websocket", "handshake", &b.token, emits, 0),
            "attendance:new",
            1,
        ),
    )
    .await;
    let peer = Client::start(
        "node",
        until(
            scenario(&app, "websocket", "handshake", &emp_a.token, json!([]), 0),
            "attendance:new",
            1,
        ),
    )
    .await;
    rest_check_in(&app, &emp_a).await;
    app.put(
        &format!("/api/v1/users/{}", emp_a.user_id),
        &a.token,
        json!({"isActive": false}),
    )
    .await;
    // Only now does B's own organization raise an event, which ends the spy's watch.
    let own_b = rest_check_in(&app, &emp_b).await;
    let seen = spy.finish().await;
    assert_eq!(seen["acks"][0]["error"]["code"], "forbidden", "{seen}");
    assert_eq!(seen["acks"][1]["ok"], true, "{seen}");
    let news = events(&seen, "attendance:new");
    assert_eq!(
        news.len(),
        1,
        "another organization's check-in leaked: {seen}"
    );
    assert_eq!(news[0]["attendanceId"], own_b["_id"]);
    assert!(events(&seen, "user:status").is_empty(), "{seen}");
    // The employee sees their own check-in, but not the admins' feed of others.
    let own = peer.finish().await;
    assert_eq!(events(&own, "attendance:new").len(), 1, "{own}");
}

#[tokio::test]
async fn deactivation_tells_admins_and_ends_the_users_sockets() {
    let app = spawn_app().await;
    let admin = app.register_org("Kick").await;
    let emp = app.add_member(&admin, "Soon Gone", "employee").await;
    let watcher = Client::start(
        "node",
        until(
            scenario(&app, "websocket", "handshake", &admin.token, json!([]), 0),
            "user:status",
            1,
        ),
    )
    .await;
    let victim = Client::start(
        "python",
        until(
            scenario(&app, "websocket", "handshake", &emp.token, json!([]), 0),
            "disconnect",
            1,
        ),
    )
    .await;
    app.clock.advance(chrono::Duration::seconds(1));
    let (s, _) = app
        .put(
            &format!("/api/v1/users/{}", emp.user_id),
            &admin.token,
            json!({"isActive": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let seen = victim.finish().await;
    assert_eq!(
        events(&seen, "unauthorized")[0]["code"],
        "session_ended",
        "{seen}"
    );
    assert!(seen["disconnected"].is_string(), "{seen}");
    let feed = watcher.finish().await;
    assert_eq!(
        events(&feed, "user:status")[0],
        &json!({"userId": emp.user_id, "isActive": false}),
        "{feed}"
    );
}

#[tokio::test]
async fn an_expired_or_logged_out_token_ends_its_socket() {
    let app =
        spawn_app_with(|c| c.socket_session_check = std::time::Duration::from_millis(100)).await;
    let admin = app.register_org("Expire").await;
    let emp = app.add_member(&admin, "Short Lived", "employee").await;
    let expiring = Client::start(
        "node",
        until(
            scenario(&app, "websocket", "handshake", &emp.token, json!([]), 0),
            "disconnect",
            1,
        ),
    )
    .await;
    let logged_out = Client::start(
        "node",
        until(
            scenario(&app, "polling", "handshake", &admin.token, json!([]), 0),
            "disconnect",
            1,
        ),
    )
    .await;
    let resp = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/logout",
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    app.clock.advance(chrono::Duration::minutes(16));
    for seen in [expiring.finish().await, logged_out.finish().await] {
        assert_eq!(
            events(&seen, "unauthorized")[0]["code"],
            "session_ended",
            "{seen}"
        );
        assert!(seen["disconnected"].is_string(), "{seen}");
    }
}

#[tokio::test]
async fn absence_marking_emits_to_the_admins_feed() {
    use chrono::TimeZone;
    let app = spawn_app().await;
    // Sunday in Kolkata; Monday 23 Nov 2026 is a working day.
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0).unwrap());
    let admin = app.register_org("Absences").await;
    let emp = app.add_member(&admin, "Missing Monday", "employee").await;
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap());
    let token = {
        let (_, b) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": admin.email, "password": admin.password}),
            )
            .await;
        b["accessToken"].as_str().unwrap().to_string()
    };
    let watcher = Client::start(
        "node",
        until(
            scenario(&app, "websocket", "handshake", &token, json!([]), 0),
            "attendance:new",
            1,
        ),
    )
    .await;
    let report = rollcall::jobs::run_due(&app.state, app.clock_now())
        .await
        .unwrap();
    assert!(report.absences_marked >= 1, "{report:?}");
    let feed = watcher.finish().await;
    let news = events(&feed, "attendance:new");
    let monday = news
        .iter()
        .find(|n| n["userId"] == emp.user_id)
        .unwrap_or_else(|| panic!("no absence event: {feed}"));
    assert_eq!(monday["status"], "absent");
    assert_eq!(monday["date"], "2026-11-23");
    assert!(monday["checkInTime"].is_null());
}
