//! Load generator for check-in and check-out (not a test; `harness = false`).
//!
//! Against a running server (`ROLLCALL_URL`), it registers an organization, creates
//! `BENCH_EMPLOYEES` employees and signs them in, then runs `BENCH_CONCURRENCY` workers
//! for `BENCH_SECONDS`, each looping check-in then check-out over its own users. It
//! reports requests per second and p50/p90/p99/max latency per operation, and, given the
//! server's `ROLLCALL_PID`, the server's peak resident memory (VmHWM). The server needs
//! `FREE_PLAN_MAX_USERS` above the employee count. `scripts/bench-checkin.sh` runs it
//! pinned to a core of its own on SQLite and on PostgreSQL; run by hand, pass `--bench`.

use std::time::{Duration, Instant};

mod common;
use common::{cpu_secs, noon_zone};

use futures::StreamExt;
use serde_json::{json, Value};

struct Opts {
    url: String,
    employees: usize,
    concurrency: usize,
    seconds: u64,
    warmup: u64,
    pid: Option<String>,
}

fn env_num(k: &str, default: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn opts() -> Opts {
    Opts {
        url: std::env::var("ROLLCALL_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into()),
        employees: env_num("BENCH_EMPLOYEES", 256) as usize,
        concurrency: env_num("BENCH_CONCURRENCY", 64) as usize,
        seconds: env_num("BENCH_SECONDS", 20),
        warmup: env_num("BENCH_WARMUP_SECONDS", 3),
        pid: std::env::var("ROLLCALL_PID").ok(),
    }
}

async fn call(client: &reqwest::Client, req: reqwest::RequestBuilder) -> (u16, Value) {
    let _ = client;
    match req.send().await {
        Ok(r) => {
            let s = r.status().as_u16();
            (s, r.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

/// Registers an organization and returns its admin's token.
async fn setup_admin(c: &reqwest::Client, o: &Opts, tag: &str) -> String {
    let (s, body) = call(
        c,
        c.post(format!("{}/api/v1/auth/register", o.url))
            .json(&json!({
            "organizationName": format!("Bench {tag}"), "name": "Bench Admin",
            "email": format!("admin-{tag}@bench.test"), "password": "bench password 123",
            "timezone": noon_zone()})),
    )
    .await;
    assert_eq!(s, 201, "register failed: {body}");
    let token = body["accessToken"].as_str().unwrap_or_default().to_string();
    let (s, body) = call(
        c,
        c.put(format!("{}/api/v1/organization", o.url))
            .bearer_auth(&token)
            .json(
                &json!({"settings": {"workingDays": ["monday", "tuesday", "wednesday",
                "thursday", "friday", "saturday", "sunday"]}}),
            ),
    )
    .await;
    assert_eq!(s, 200, "settings failed: {body}");
    token
}

/// Creates employee `i` and signs them in; returns their access token.
async fn employee(c: &reqwest::Client, o: &Opts, admin: &str, tag: &str, i: usize) -> String {
    let email = format!("e{i}-{tag}@bench.test");
    let (s, body) = call(
        c,
        c.post(format!("{}/api/v1/users", o.url))
            .bearer_auth(admin)
            .json(&json!({
            "name": format!("Employee {i}"), "email": email, "role": "employee",
            "password": "bench password 123"})),
    )
    .await;
    assert_eq!(s, 201, "create user failed: {body}");
    let (s, body) = call(
        c,
        c.post(format!("{}/api/v1/auth/login", o.url))
            .json(&json!({"email": email, "password": "bench password 123"})),
    )
    .await;
    assert_eq!(s, 200, "login failed: {body}");
    body["accessToken"].as_str().unwrap_or_default().to_string()
}

#[derive(Default)]
struct Samples {
    check_in: Vec<u32>,
    check_out: Vec<u32>,
    errors: u64,
}

async fn worker(
    c: reqwest::Client,
    url: String,
    tokens: Vec<String>,
    start: Instant,
    warm: Instant,
    end: Instant,
) -> Samples {
    let mut s = Samples::default();
    let location = json!({"location": {"latitude": 12.9716, "longitude": 77.5946}});
    let _ = start;
    'outer: loop {
        for t in &tokens {
            if Instant::now() >= end {
                break 'outer;
            }
            let t0 = Instant::now();
            let (st, rec) = call(
                &c,
                c.post(format!("{url}/api/v1/attendance/checkin"))
                    .bearer_auth(t)
                    .json(&location),
            )
            .await;
            let t1 = Instant::now();
            if st != 201 {
                s.errors += 1;
                continue;
            }
            if t0 >= warm {
                s.check_in.push((t1 - t0).as_micros() as u32);
            }
            let id = rec["_id"].as_str().unwrap_or_default();
            let (st, _) = call(
                &c,
                c.put(format!("{url}/api/v1/attendance/{id}/checkout"))
                    .bearer_auth(t)
                    .json(&location),
            )
            .await;
            let t2 = Instant::now();
            if st != 200 {
                s.errors += 1;
            } else if t1 >= warm {
                s.check_out.push((t2 - t1).as_micros() as u32);
            }
        }
    }
    s
}

fn report(name: &str, v: &mut [u32], secs: f64) {
    v.sort_unstable();
    let pct = |p: f64| -> f64 {
        if v.is_empty() {
            return 0.0;
        }
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
        f64::from(v[i]) / 1000.0
    };
    println!(
        "{name:<10} {:>8} req {:>9.0} req/s   p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
        v.len(),
        v.len() as f64 / secs,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        v.last().map(|m| f64::from(*m) / 1000.0).unwrap_or(0.0)
    );
}

/// (busy, total) jiffies of the whole machine, from /proc/stat.
fn machine_jiffies() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let v: Vec<f64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: f64 = v.iter().sum();
    let idle = v.get(3)? + v.get(4).unwrap_or(&0.0);
    Some((total - idle, total))
}

fn server_memory(pid: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map(|s| {
            s.lines()
                .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|e| format!("cannot read /proc/{pid}/status: {e}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo test --all-targets` runs bench mains too; only `cargo bench` (or the
    // script) passes `--bench`, and only then is there a server to load.
    if !std::env::args().any(|a| a == "--bench") {
        println!("checkin_load: pass --bench (cargo bench does) to run the load generator");
        return;
    }
    let o = opts();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency * 2)
        .build()
        .expect("http client");
    // `--bench setup FILE` signs everyone in and saves the tokens; `--bench load FILE`
    // runs the load with them (so a freshly started server's memory reflects only the
    // load); with neither, both happen in one go.
    let args: Vec<String> = std::env::args().collect();
    let phase = args
        .iter()
        .position(|a| a == "--bench")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let file = args
        .iter()
        .position(|a| a == "--bench")
        .and_then(|i| args.get(i + 2))
        .cloned();
    let tokens: Vec<String> = match (phase.as_deref(), file.as_deref()) {
        (Some("load"), Some(f)) => std::fs::read_to_string(f)
            .expect("tokens file")
            .lines()
            .map(String::from)
            .collect(),
        _ => {
            let tag = rollcall::id::new_id();
            println!("setting up {} employees against {} ...", o.employees, o.url);
            let admin = setup_admin(&client, &o, &tag).await;
            let tokens: Vec<String> = futures::stream::iter(0..o.employees)
                .map(|i| {
                    let (c, o, admin, tag) = (&client, &o, &admin, &tag);
                    async move { employee(c, o, admin, tag, i).await }
                })
                .buffer_unordered(8)
                .collect()
                .await;
            if let Some(pid) = &o.pid {
                println!("server memory after setup: {}", server_memory(pid));
            }
            if let (Some("setup"), Some(f)) = (phase.as_deref(), file.as_deref()) {
                std::fs::write(f, tokens.join("\n")).expect("write tokens file");
                return;
            }
            tokens
        }
    };
    let start = Instant::now();
    let warm = start + Duration::from_secs(o.warmup);
    let end = warm + Duration::from_secs(o.seconds);
    let mut handles = Vec::new();
    for w in 0..o.concurrency {
        let mine: Vec<String> = tokens
            .iter()
            .skip(w)
            .step_by(o.concurrency)
            .cloned()
            .collect();
        handles.push(tokio::spawn(worker(
            client.clone(),
            o.url.clone(),
            mine,
            start,
            warm,
            end,
        )));
    }
    tokio::time::sleep_until(warm.into()).await;
    let me = std::process::id();
    let server = o.pid.as_deref().and_then(|p| p.parse().ok());
    let cpu0 = (server.and_then(cpu_secs), cpu_secs(me));
    let machine0 = machine_jiffies();
    let mut all = Samples::default();
    for h in handles {
        if let Ok(s) = h.await {
            all.check_in.extend(s.check_in);
            all.check_out.extend(s.check_out);
            all.errors += s.errors;
        }
    }
    let secs = o.seconds as f64;
    println!(
        "concurrency {} employees {} measured {} s after {} s warm-up",
        o.concurrency,
        tokens.len(),
        o.seconds,
        o.warmup
    );
    let total = all.check_in.len() + all.check_out.len();
    println!(
        "total      {total:>8} req {:>9.0} req/s   errors {}",
        total as f64 / secs,
        all.errors
    );
    report("check-in", &mut all.check_in, secs);
    report("check-out", &mut all.check_out, secs);
    let cpu1 = (server.and_then(cpu_secs), cpu_secs(me));
    if let (Some(a), Some(b)) = (machine0, machine_jiffies()) {
        println!(
            "machine CPU busy: {:.0}% of all cores (server, generator, database and anything else)",
            (b.0 - a.0) * 100.0 / (b.1 - a.1).max(1.0)
        );
    }
    if let (Some(a), Some(b)) = (cpu0.0, cpu1.0) {
        println!("server CPU: {:.0}% of a core", (b - a) * 100.0 / secs);
    }
    if let (Some(a), Some(b)) = (cpu0.1, cpu1.1) {
        println!(
            "load generator CPU: {:.0}% of a core",
            (b - a) * 100.0 / secs
        );
    }
    if let Some(pid) = &o.pid {
        println!("server memory: {}", server_memory(pid));
    }
}
