//! Start-up and footprint benchmark: time from process start to the first 200 from
//! `/health` on a fresh SQLite database, and resident memory once idle.
//! Run: `cargo bench --bench startup` (prints a table; see BENCHMARKS.md).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::status_kib;

const RUNS: usize = 15;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One GET /health; true on a 200.
fn health_ok(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 64];
    matches!(s.read(&mut buf), Ok(n) if n >= 12 && &buf[9..12] == b"200")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_rollcall");
    let mut ready_ms = Vec::new();
    let mut idle_rss = Vec::new();
    for run in 0..RUNS {
        let dir =
            std::env::temp_dir().join(format!("rollcall-startup-{}-{run}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let port = free_port();
        let started = Instant::now();
        let mut child = Command::new(bin)
            .env_clear()
            .env("PORT", port.to_string())
            .env("DATA_DIR", &dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn rollcall");
        while !health_ok(port) {
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                panic!("rollcall did not become ready within 10 s");
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        ready_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_secs(2));
        idle_rss.push(status_kib(child.id(), "VmRSS:") as f64 / 1024.0);
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&dir);
    }
    ready_ms.sort_by(|a, b| a.total_cmp(b));
    idle_rss.sort_by(|a, b| a.total_cmp(b));
    println!("rollcall start-up on a fresh SQLite database, {RUNS} runs");
    println!("| metric | p50 | p90 | max | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| process start → first 200 from /health (ms) | {:.1} | {:.1} | {:.1} | < 200 |",
        percentile(&ready_ms, 0.5),
        percentile(&ready_ms, 0.9),
        ready_ms[ready_ms.len() - 1]
    );
    println!(
        "| resident memory 2 s after ready (MiB) | {:.1} | {:.1} | {:.1} | < 14.3 MiB (15 MB) |",
        percentile(&idle_rss, 0.5),
        percentile(&idle_rss, 0.9),
        idle_rss[idle_rss.len() - 1]
    );
}
