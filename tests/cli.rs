//! The `rollcall` binary as an operator runs it: help, migrate, create-admin, config
//! refusals, serving with the default SQLite database, and a clean stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn rollcall(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollcall"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    cmd
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rollcall-cli-{tag}-{}", rollcall::id::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_lists_the_subcommands() {
    let dir = temp_dir("help");
    let out = rollcall(&dir).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate", "create-admin"] {
        assert!(text.contains(sub), "{sub} missing from --help:\n{text}");
    }
}

#[test]
fn a_short_jwt_secret_is_refused_with_a_clear_message() {
    let dir = temp_dir("short");
    let out = rollcall(&dir)
        .arg("migrate")
        .env("JWT_SECRET", "too-short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("JWT_SECRET is too short"), "{err}");
}

#[test]
fn without_a_secret_one_is_generated_once_and_kept_private() {
    let dir = temp_dir("secret");
    assert!(rollcall(&dir).arg("migrate").status().unwrap().success());
    let path = dir.join("data/jwt_secret");
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first.len() >= 64);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(rollcall(&dir).arg("migrate").status().unwrap().success());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        first,
        "the secret changed between starts"
    );
    assert!(
        dir.join("data/rollcall.db").exists(),
        "default SQLite file not created"
    );
}

#[test]
fn create_admin_makes_an_organization_and_refuses_bad_input() {
    let dir = temp_dir("admin");
    let ok = rollcall(&dir)
        .args([
            "create-admin",
            "--org-name",
            "Acme",
            "--name",
            "Ana",
            "--email",
            "ana@acme.test",
            "--timezone",
            "Asia/Kolkata",
        ])
        .env("ROLLCALL_ADMIN_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let printed = String::from_utf8_lossy(&ok.stdout);
    assert!(printed.contains("ana@acme.test"));
    // Output that is not a terminal carries no colour codes (its log lines included).
    assert!(!printed.contains('\u{1b}'), "{printed:?}");
    let again = rollcall(&dir)
        .args([
            "create-admin",
            "--org-name",
            "Acme 2",
            "--name",
            "Ana",
            "--email",
            "ana@acme.test",
            "--password",
            "another long password",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("email_taken"));
}

#[test]
fn serves_by_default_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir("serve");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = rollcall(&dir)
        .env("PORT", port.to_string())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}/health");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ready = rt.block_on(async {
        while started.elapsed() < Duration::from_secs(15) {
            if let Ok(r) = reqwest::get(&url).await {
                return r.status() == 200;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    });
    assert!(ready, "server did not answer /health");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(code) = child.try_wait().unwrap() {
            assert!(code.success(), "exit status {code:?} after SIGTERM");
            let mut log = String::new();
            std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut log).unwrap();
            assert!(log.contains("rollcall stopped"), "{log}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
