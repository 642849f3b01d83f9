#![allow(dead_code)]
//! Test harness: spawns the real server on port 0 with a fresh database per test,
//! on the engine chosen by `ROLLCALL_TEST_DATABASE`:
//! - unset or `sqlite`: a new SQLite file in a temporary folder;
//! - `postgres://...` (an admin URL of the test cluster): a new database per test.

use std::sync::Arc;

use reqwest::{Client, Method, Response, StatusCode};
use rollcall::app::App;
use rollcall::config::Config;
use rollcall::time::ManualClock;
use serde_json::{json, Value};

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub clock: ManualClock,
    pub database_url: String,
    pub state: rollcall::app::AppState,
    /// Stops the server the way SIGTERM does.
    pub shutdown: rollcall::shutdown::Shutdown,
    _dir: tempdir::TempDir,
}

/// A signed-in user of a test organization.
#[derive(Clone, Debug)]
pub struct Member {
    pub token: String,
    pub refresh: String,
    pub user_id: String,
    pub org_id: String,
    pub email: String,
    pub password: String,
}

pub mod tempdir {
    /// A folder removed when dropped.
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> TempDir {
            let p = std::env::temp_dir().join(format!("rollcall-test-{}", rollcall::id::new_id()));
            std::fs::create_dir_all(&p).expect("temp dir");
            TempDir(p)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The engine under test, as a short name for messages.
pub fn engine() -> &'static str {
    match std::env::var("ROLLCALL_TEST_DATABASE") {
        Ok(v) if v.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("ROLLCALL_TEST_DATABASE") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            use sqlx::Connection;
            let name = format!("t_{}", rollcall::id::new_id());
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("cannot reach the test PostgreSQL cluster (ROLLCALL_TEST_DATABASE)");
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("admin URL names a database");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/rollcall.db", dir.display()),
    }
}

/// Starts a server with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server after `tweak` adjusts its config.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempdir::TempDir::new();
    let database_url = fresh_database(&dir.0).await;
    let mut config = Config::for_database(&database_url, &dir.0);
    tweak(&mut config);
    let clock = ManualClock::new(chrono::Utc::now());
    let app = App::build(config, Arc::new(clock.clone()))
        .await
        .expect("app builds");
    let state = app.state.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shutdown = rollcall::shutdown::Shutdown::new();
    tokio::spawn(app.serve(listener, shutdown.signal().wait()));
    TestApp {
        base: format!("http://{addr}"),
        client: Client::new(),
        clock,
        database_url,
        state,
        shutdown,
        _dir: dir,
    }
}

impl TestApp {
    /// The server's current instant.
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use rollcall::time::Clock;
        self.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        json_of(self.call(Method::GET, path, Some(token), None).await).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        json_of(self.call(Method::POST, path, token, Some(body)).await).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        json_of(self.call(Method::PUT, path, Some(token), Some(body)).await).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        json_of(self.call(Method::DELETE, path, Some(token), None).await).await
    }

    /// Registers a new organization; returns its admin, signed in.
    pub async fn register_org(&self, org_name: &str) -> Member {
        let email = format!(
            "admin-{}@{}.test",
            rollcall::id::new_id(),
            org_name.to_lowercase().replace(' ', "")
        );
        let password = "a long enough password".to_string();
        let (status, body) = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"organizationName": org_name, "name": "Org Admin", "email": email,
                       "password": password, "timezone": "Asia/Kolkata"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "register failed: {body}");
        Member {
            token: body["accessToken"].as_str().unwrap().to_string(),
            refresh: body["refreshToken"].as_str().unwrap().to_string(),
            user_id: body["user"]["_id"].as_str().unwrap().to_string(),
            org_id: body["organization"]["_id"].as_str().unwrap().to_string(),
            email,
            password,
        }
    }

    /// Creates a user in the admin's organization with a password, and signs them in.
    pub async fn add_member(&self, admin: &Member, name: &str, role: &str) -> Member {
        let email = format!(
            "{}-{}@example.test",
            name.to_lowercase().replace(' ', "."),
            rollcall::id::new_id()
        );
        let password = "member password 123".to_string();
        let (status, body) = self
            .post(
                "/api/v1/users",
                Some(&admin.token),
                json!({"name": name, "email": email, "role": role, "password": password, "department": "Ops"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "create user failed: {body}");
        let user_id = body["_id"].as_str().unwrap().to_string();
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login failed: {body}");
        Member {
            token: body["accessToken"].as_str().unwrap().to_string(),
            refresh: body["refreshToken"].as_str().unwrap().to_string(),
            user_id,
            org_id: admin.org_id.clone(),
            email,
            password,
        }
    }
}

/// Status and JSON body (Null when the body is empty or not JSON).
pub async fn json_of(resp: Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts the error shape and code.
#[track_caller]
pub fn assert_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(
        status.as_u16(),
        want_status,
        "unexpected status; body: {body}"
    );
    assert_eq!(
        body["error"]["code"], want_code,
        "unexpected error code; body: {body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no message: {body}"
    );
}

/// Fails when any text in `body` looks like a password hash or names a secret field.
#[track_caller]
pub fn assert_no_secrets(body: &Value) {
    let text = body.to_string();
    for needle in [
        "$argon2",
        "password",
        "passwordHash",
        "password_hash",
        "tokens_valid_after",
    ] {
        assert!(!text.contains(needle), "response carries {needle}: {text}");
    }
}
