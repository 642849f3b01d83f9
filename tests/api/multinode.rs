//! Two `rollcall` processes behind one PostgreSQL database and one Redis, as in a
//! multi-node deployment: events and rate limits hold across nodes. Needs the
//! PostgreSQL cluster and Redis that scripts/test.sh starts; without them it fails.

use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::realtime::{events, Client};

struct Node {
    child: tokio::process::Child,
    base: String,
}

fn env_or_fail(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: the multi-node tests need the PostgreSQL and Redis that scripts/test.sh starts")
    })
}

async fn fresh_pg_database() -> String {
    use sqlx::Connection;
    let admin = env_or_fail("ROLLCALL_PG_ADMIN_URL");
    let name = format!("multi_{}", rollcall::id::new_id());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL reachable");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

async fn start_node(db: &str, redis: &str, dir: &std::path::Path) -> Node {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_rollcall"))
        .env("PORT", port.to_string())
        .env("DATABASE_URL", db)
        .env("REDIS_URL", redis)
        .env("DATA_DIR", dir)
        .env("JWT_SECRET", "a-shared-secret-for-every-node-of-this-test")
        .env("RATE_LOGIN_PER_ACCOUNT", "3")
        .env("JOB_INTERVAL_SECS", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn rollcall");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if reqwest::get(format!("{base}/health"))
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
        {
            return Node { child, base };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("node on {base} did not become ready");
}

async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn events_and_rate_limits_cross_nodes() {
    let redis = env_or_fail("ROLLCALL_TEST_REDIS_URL");
    let db = fresh_pg_database().await;
    let dir = std::env::temp_dir().join(format!("rollcall-multi-{}", rollcall::id::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = start_node(&db, &redis, &dir.join("a")).await;
    let b = start_node(&db, &redis, &dir.join("b")).await;
    let email = format!("admin-{}@multi.test", rollcall::id::new_id());
    let (s, reg) = post(&a.base, "/api/v1/auth/register", None,
        json!({"organizationName": "Multi", "name": "Admin", "email": email, "password": "multi node password"})).await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let admin_token = reg["accessToken"].as_str().unwrap().to_string();
    let (s, emp) = post(&a.base, "/api/v1/users", Some(&admin_token),
        json!({"name": "Node Worker", "email": format!("w-{}@multi.test", rollcall::id::new_id()), "role": "employee", "password": "worker password 1"})).await;
    assert_eq!(s, StatusCode::CREATED, "{emp}");
    let (_, login) = post(
        &b.base,
        "/api/v1/auth/login",
        None,
        json!({"email": emp["email"], "password": "worker password 1"}),
    )
    .await;
    let emp_token = login["accessToken"].as_str().unwrap().to_string();

    // An admin watching through node B sees a check-in made through node A.
    let scenario = json!({"url": b.base, "transport": "websocket", "auth": "handshake", "token": admin_token, "emits": [], "until": {"event": "attendance:new", "count": 1}});
    let watcher = Client::start("node", scenario).await;
    let (s, record) = post(
        &a.base,
        "/api/v1/attendance/checkin",
        Some(&emp_token),
        json!({"location": {"latitude": 12.9, "longitude": 77.6}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{record}");
    let seen = watcher.finish().await;
    let news = events(&seen, "attendance:new");
    assert_eq!(
        news.len(),
        1,
        "node B's socket did not get node A's event: {seen}"
    );
    assert_eq!(news[0]["attendanceId"], record["_id"]);

    // A login limit reached through node A holds on node B.
    for _ in 0..3 {
        let (s, _) = post(
            &a.base,
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "wrong guess!"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, body) = post(
        &b.base,
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": "wrong guess!"}),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    drop((a.child, b.child));
    let _ = std::fs::remove_dir_all(&dir);
}
