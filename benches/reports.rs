//! Reports at a million records: seeds 5,000 users with 200 working days each
//! into a fresh database, starts the release server on it, and times the monthly
//! report, a one-year custom report and the CSV export of every record, sampling
//! the server's resident memory during the export.
//!
//! Run: `cargo bench --bench reports` (SQLite); with `ROLLCALL_BENCH_PG` set to a
//! PostgreSQL admin URL it runs on PostgreSQL too. See BENCHMARKS.md.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};
use sqlx::any::AnyPoolOptions;

mod common;
use common::status_kib;

const USERS: usize = 5_000;
const DAYS: usize = 200;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn working_days() -> Vec<NaiveDate> {
    NaiveDate::from_ymd_opt(2025, 11, 3)
        .unwrap()
        .iter_days()
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .take(DAYS)
        .collect()
}

/// Users and a million attendance rows, written straight into the database in
/// large multi-row inserts (seeding through the API would measure the API).
async fn seed(url: &str, org_id: &str) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let now = chrono::Utc::now().timestamp_millis();
    let created = NaiveDate::from_ymd_opt(2025, 10, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    let mut tx = pool.begin().await?;
    for chunk in (0..USERS).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO users (id, organization_id, email, name, role, department, is_active, created_at, updated_at) VALUES ",
        );
        for (k, i) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('{:024x}', '{org_id}', 'person{i}@bench.test', 'Person {i}', 'employee', 'Dept {}', 1, {created}, {created})",
                0xb000_0000u64 + *i as u64,
                i % 20
            ));
        }
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    let days = working_days();
    let mut n: u64 = 0;
    for (d, day) in days.iter().enumerate() {
        let date = day.format("%Y-%m-%d");
        let midnight = day
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        for chunk in (0..USERS).collect::<Vec<_>>().chunks(1000) {
            let mut sql = String::from(
                "INSERT INTO attendance (id, organization_id, user_id, user_name, date, check_in_time, check_out_time,
                 check_in_minute, status, working_hours, is_late, auto_check_out, corrected, created_at, updated_at) VALUES ",
            );
            for (k, i) in chunk.iter().enumerate() {
                if k > 0 {
                    sql.push(',');
                }
                n += 1;
                let (minute, status, late) = match (i + d) % 10 {
                    0 => (9 * 60 + 30, "late", 1),
                    _ => (8 * 60 + 50 + ((i + d) % 10) as i64, "present", 0),
                };
                if (i + d) % 23 == 0 {
                    sql.push_str(&format!(
                        "('{n:024x}', '{org_id}', '{:024x}', 'Person {i}', '{date}', NULL, NULL, NULL, 'absent', NULL, 0, 0, 0, {now}, {now})",
                        0xb000_0000u64 + *i as u64
                    ));
                } else {
                    let cin = midnight + minute * 60_000;
                    let cout = midnight + 18 * 3_600_000;
                    sql.push_str(&format!(
                        "('{n:024x}', '{org_id}', '{:024x}', 'Person {i}', '{date}', {cin}, {cout}, {minute}, '{status}', {}, {late}, 0, 0, {now}, {now})",
                        0xb000_0000u64 + *i as u64,
                        (cout - cin) / 60_000
                    ));
                }
            }
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    sqlx::query("UPDATE organizations SET max_users = 100000")
        .execute(&pool)
        .await?;
    // A table that has been in use is vacuumed by PostgreSQL's autovacuum (inserts
    // alone trigger it since PostgreSQL 13), which keeps its visibility map current so
    // reports can read the covering index alone. A bulk load has not been yet: vacuum
    // it now, as autovacuum would soon, so the figures are the steady state's.
    let stats = if url.starts_with("postgres") {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    sqlx::query(stats).execute(&pool).await?;
    pool.close().await;
    Ok(())
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(url: &str, data_dir: &std::path::Path) -> Server {
    let port = free_port();
    let mut cmd = if std::path::Path::new("/usr/bin/taskset").exists() {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", env!("CARGO_BIN_EXE_rollcall")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_rollcall"))
    };
    let child = cmd
        .env("PORT", port.to_string())
        .env("DATABASE_URL", url)
        .env("DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn rollcall");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    for _ in 0..500 {
        if http
            .get(format!("{base}/health"))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("server not ready");
}

async fn time_get(http: &reqwest::Client, url: &str, token: &str, runs: usize) -> (f64, Value) {
    let mut times = Vec::new();
    let mut last = Value::Null;
    for _ in 0..runs {
        let t = Instant::now();
        let resp = http.get(url).bearer_auth(token).send().await.unwrap();
        assert!(resp.status().is_success(), "{url}: {}", resp.status());
        last = resp.json().await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (times[times.len() / 2], last)
}

async fn run(engine: &str, url: &str) -> anyhow::Result<Vec<String>> {
    let dir = std::env::temp_dir().join(format!(
        "rollcall-bench-reports-{engine}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)?;
    let http = reqwest::Client::new();
    // Create the schema and the organization through the server, then seed beside it.
    let server = start(url, &dir);
    wait_ready(&http, &server.base).await;
    let reg: Value = http
        .post(format!("{}/api/v1/auth/register", server.base))
        .json(&json!({"organizationName": "Bench", "name": "Admin", "email": format!("admin-{engine}@bench.test"),
                      "password": "benchmark password", "timezone": "UTC"}))
        .send()
        .await?
        .json()
        .await?;
    let token = reg["accessToken"].as_str().unwrap().to_string();
    let org_id = reg["organization"]["_id"].as_str().unwrap().to_string();
    drop(server);
    let t = Instant::now();
    seed(url, &org_id).await?;
    eprintln!(
        "{engine}: seeded {} records in {:.1} s",
        USERS * DAYS,
        t.elapsed().as_secs_f64()
    );
    let server = start(url, &dir);
    wait_ready(&http, &server.base).await;
    let base = &server.base;
    let (monthly, m) = time_get(
        &http,
        &format!("{base}/api/v1/reports/monthly?month=2026-03"),
        &token,
        7,
    )
    .await;
    assert_eq!(m["summary"]["users"], USERS);
    let days = working_days();
    let (from, to) = (days[0], days[DAYS - 1]);
    let (yearly, y) = time_get(
        &http,
        &format!("{base}/api/v1/reports/custom?from={from}&to={to}"),
        &token,
        5,
    )
    .await;
    assert_eq!(
        y["summary"]["present"].as_i64().unwrap() + y["summary"]["absent"].as_i64().unwrap(),
        (USERS * DAYS) as i64
    );

    let pid = server.child.id();
    let peak = Arc::new(AtomicU64::new(status_kib(pid, "VmRSS:")));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(status_kib(pid, "VmRSS:"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let t = Instant::now();
    let mut resp = http
        .get(format!(
            "{base}/api/v1/reports/export/csv?from={from}&to={to}&type=records"
        ))
        .bearer_auth(&token)
        .send()
        .await?;
    let mut lines = 0usize;
    while let Some(chunk) = resp.chunk().await? {
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let export_secs = t.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let rows = lines - 1;
    assert_eq!(rows, USERS * DAYS);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(vec![
        format!("| {engine} | monthly report (5,000 people) | {monthly:.0} ms | < 100 ms |"),
        format!("| {engine} | one-year custom report (1,000,000 records) | {yearly:.0} ms | < 1 s |"),
        format!("| {engine} | CSV export of 1,000,000 records | {:.0} rows/s ({export_secs:.2} s) | > 500,000 rows/s |", rows as f64 / export_secs),
        format!("| {engine} | server peak RSS during the export | {:.1} MiB | < 100 MB |", peak.load(Ordering::Relaxed) as f64 / 1024.0),
    ])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut lines = Vec::new();
    let dir =
        std::env::temp_dir().join(format!("rollcall-bench-reports-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    lines.extend(run("sqlite", &format!("sqlite://{}/bench.db", dir.display())).await?);
    // ROLLCALL_BENCH_KEEP_DB=1 keeps the seeded SQLite file, to study its query plans.
    if std::env::var_os("ROLLCALL_BENCH_KEEP_DB").is_some() {
        eprintln!("sqlite: kept {}/bench.db", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if let Ok(admin) = std::env::var("ROLLCALL_BENCH_PG") {
        use sqlx::Connection;
        let name = format!("bench_{}", std::process::id());
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str()).await?;
        let (base, _) = admin.rsplit_once('/').unwrap();
        lines.extend(run("postgres", &format!("{base}/{name}")).await?);
    }
    println!("| engine | measure | result | target |");
    println!("|---|---|---|---|");
    for l in lines {
        println!("{l}");
    }
    Ok(())
}
