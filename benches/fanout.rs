//! Socket.IO fan-out: N admin sockets in one organization's room while an employee
//! checks in or out every 100 ms; reports delivery latency (from the REST call to
//! each socket receiving the event), server CPU, and server memory per idle socket.
//!
//! Run: `cargo bench --bench fanout` (1,000 and 10,000 sockets; set
//! ROLLCALL_FANOUT_SOCKETS=1000,10000 to choose). The server is pinned to core 0 and
//! this load generator to core 1. Clients speak raw Engine.IO v4 over websockets.
//! Before each size it measures what one small loopback send costs on this machine
//! at that moment (`loopback_send_micros`, a thread on each core for about a second),
//! and prints it next to the server's CPU per delivery.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::{cpu_secs, noon_zone, status_kib};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

const TICK: Duration = Duration::from_millis(100);
/// Events measured, after `WARMUP` events that are delivered but not measured.
const TICKS: usize = 100;
/// The first events after 10,000 sockets connect are slower (the sockets' first
/// writes allocate buffers, TCP windows grow): they are reported on their own, and
/// `missed` counts measured events only.
const WARMUP: usize = 20;
const EVENTS: usize = WARMUP + TICKS;

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One admin socket: connects, authenticates in the handshake, then records the
/// instant of every attendance event it receives.
async fn socket(
    url: String,
    token: String,
    arrivals: Arc<Mutex<Vec<Vec<Instant>>>>,
    ready: tokio::sync::mpsc::Sender<()>,
) {
    // The client reads one small frame at a time. tungstenite zero-fills its whole read
    // buffer before every read (128 KiB by default), which made zero-filling a third
    // of this generator's CPU; 4 KiB holds any event.
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (ws, _) =
        match tokio_tungstenite::connect_async_with_config(&url, Some(config), false).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("connect failed: {e}");
                return;
            }
        };
    let (mut tx, mut rx) = ws.split();
    let mut mine = Vec::with_capacity(EVENTS);
    let mut joined = false;
    while let Some(Ok(msg)) = rx.next().await {
        let Message::Text(text) = msg else { continue };
        let text = text.as_str();
        if text.starts_with('0') {
            let _ = tx
                .send(Message::text(format!("40{}", json!({"token": token}))))
                .await;
        } else if text == "2" {
            let _ = tx.send(Message::text("3")).await;
        } else if text.starts_with("40") && !joined {
            joined = true;
            let _ = ready.send(()).await;
        } else if text.starts_with("42[\"attendance:") && mine.len() < EVENTS {
            mine.push(Instant::now());
            if mine.len() == EVENTS {
                // Stay connected until the server goes away: a socket that closed
                // here would make the server tear it down while it is still
                // delivering the last event to the others, and slow that event.
                arrivals.lock().await.push(std::mem::take(&mut mine));
            }
        }
    }
    if !mine.is_empty() {
        arrivals.lock().await.push(mine);
    }
}

/// CPU time of the calling thread, in seconds.
fn thread_cpu_secs() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Moves the calling thread onto one core; panics if it may not run there (the
/// figure would be meaningless with both threads on one core).
fn pin_thread(core: usize) {
    // SAFETY: a zeroed cpu_set_t is an empty set; sched_setaffinity reads it.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    assert_eq!(rc, 0, "cannot run a thread on core {core}");
}

/// The machine's price, at this moment, of one small TCP send on loopback: a thread
/// on core 0 writes 300 bytes (about an event's frame) to each of `conns` sockets in
/// turn, while a thread on core 1 blocks reading each of them in the same order, so
/// nearly every send also wakes the reader. On loopback the sending core runs the
/// receiving side's TCP processing and that wake-up too, as the server's core does in
/// the fan-out. Microseconds of the sender's CPU per send, the median over rounds
/// (the first round, on fresh sockets, left out): the VM's speed moves from hour to
/// hour and within a minute, and this puts each run next to the price of a send.
fn loopback_send_micros(conns: usize) -> f64 {
    use std::io::{Read, Write};
    const ROUNDS: usize = 21;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (mut readers, mut writers) = (Vec::new(), Vec::new());
    for _ in 0..conns {
        readers.push(std::net::TcpStream::connect(addr).unwrap());
        let (w, _) = listener.accept().unwrap();
        w.set_nodelay(true).unwrap();
        writers.push(w);
    }
    // Each round starts once the last one has been read.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        pin_thread(1);
        let mut buf = [0u8; 300];
        for _ in 0..ROUNDS {
            for r in readers.iter_mut() {
                r.read_exact(&mut buf).unwrap();
            }
            done_tx.send(()).unwrap();
        }
    });
    let sender = std::thread::spawn(move || {
        pin_thread(0);
        let frame = [b'x'; 300];
        let mut per_send = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let t0 = thread_cpu_secs();
            for w in writers.iter_mut() {
                w.write_all(&frame).unwrap();
            }
            per_send.push((thread_cpu_secs() - t0) / conns as f64 * 1e6);
            done_rx.recv().unwrap();
        }
        per_send
    });
    let mut per_send = sender.join().unwrap();
    reader.join().unwrap();
    per_send.remove(0);
    per_send.sort_by(f64::total_cmp);
    per_send[per_send.len() / 2]
}

async fn post(http: &reqwest::Client, url: String, token: &str, body: Value) -> Value {
    let mut req = http.post(url).json(&body);
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn run(sockets: usize, send_price_us: f64) -> Vec<String> {
    let dir =
        std::env::temp_dir().join(format!("rollcall-fanout-{}-{sockets}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server(
        Command::new("taskset")
            .args(["-c", "0", env!("CARGO_BIN_EXE_rollcall")])
            .env("PORT", port.to_string())
            .env("DATA_DIR", &dir)
            .env("RUST_LOG", "warn")
            .env("ACCESS_TOKEN_TTL_SECS", "3600")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn rollcall (needs taskset)"),
    );
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("{base}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reg = post(
        &http,
        format!("{base}/api/v1/auth/register"),
        "",
        json!({"organizationName": "Fanout", "name": "Admin",
        "email": "admin@fanout.test", "password": "fan-out benchmark", "timezone": noon_zone()}),
    )
    .await;
    let admin = reg["accessToken"].as_str().unwrap().to_string();
    post(
        &http,
        format!("{base}/api/v1/users"),
        &admin,
        json!({"name": "Walker", "email": "walker@fanout.test",
        "role": "employee", "password": "walker password"}),
    )
    .await;
    let login = post(
        &http,
        format!("{base}/api/v1/auth/login"),
        "",
        json!({"email": "walker@fanout.test", "password": "walker password"}),
    )
    .await;
    let emp = login["accessToken"].as_str().unwrap().to_string();
    // Allow check-ins on any day of the week (and, with the zone above, at any hour).
    let resp = http.put(format!("{base}/api/v1/organization")).bearer_auth(&admin)
        .json(&json!({"settings": {"workingDays": ["monday","tuesday","wednesday","thursday","friday","saturday","sunday"]}}))
        .send().await.unwrap();
    assert!(resp.status().is_success());

    let rss_before = status_kib(pid, "VmRSS:");
    let arrivals = Arc::new(Mutex::new(Vec::with_capacity(sockets)));
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(sockets);
    let ws_url = format!("ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket");
    for i in 0..sockets {
        tokio::spawn(socket(
            ws_url.clone(),
            admin.clone(),
            arrivals.clone(),
            ready_tx.clone(),
        ));
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    for _ in 0..sockets {
        tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
            .await
            .expect("sockets connected in time");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = status_kib(pid, "VmRSS:");
    let mut cpu_before = 0.0;
    let mut own_cpu_before = 0.0;
    let started = Instant::now();
    let mut measured_from = started;
    let mut sent = Vec::with_capacity(EVENTS);
    let mut open: Option<String> = None;
    for k in 0..EVENTS {
        let next = started + TICK * k as u32;
        tokio::time::sleep_until(next.into()).await;
        if k == WARMUP {
            cpu_before = cpu_secs(pid).unwrap_or(0.0);
            own_cpu_before = cpu_secs(std::process::id()).unwrap_or(0.0);
        }
        let t0 = Instant::now();
        if k == WARMUP {
            measured_from = t0;
        }
        sent.push(t0);
        open = match open.take() {
            None => {
                let rec = post(
                    &http,
                    format!("{base}/api/v1/attendance/checkin"),
                    &emp,
                    json!({"location": {"latitude": 12.9, "longitude": 77.6}}),
                )
                .await;
                Some(
                    rec["_id"]
                        .as_str()
                        .unwrap_or_else(|| panic!("check-in failed: {rec}"))
                        .to_string(),
                )
            }
            Some(id) => {
                let resp = http
                    .put(format!("{base}/api/v1/attendance/{id}/checkout"))
                    .bearer_auth(&emp)
                    .json(&json!({"location": {"latitude": 12.9, "longitude": 77.6}}))
                    .send()
                    .await
                    .unwrap();
                assert!(resp.status().is_success(), "check-out failed");
                None
            }
        };
    }
    // Let the last events arrive.
    for _ in 0..100 {
        if arrivals.lock().await.len() == sockets {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let wall = measured_from.elapsed().as_secs_f64();
    let cpu = cpu_secs(pid).unwrap_or(0.0) - cpu_before;
    let own_cpu = cpu_secs(std::process::id()).unwrap_or(0.0) - own_cpu_before;
    let all = arrivals.lock().await;
    let mut lat: Vec<f64> = Vec::with_capacity(sockets * TICKS);
    let mut warmup: Vec<f64> = Vec::with_capacity(sockets * WARMUP);
    let mut missing = 0;
    for mine in all.iter() {
        missing += EVENTS - mine.len().max(WARMUP);
        for (k, at) in mine.iter().enumerate() {
            let ms = at.duration_since(sent[k]).as_secs_f64() * 1000.0;
            if k < WARMUP {
                warmup.push(ms);
            } else {
                lat.push(ms);
            }
        }
    }
    missing += (sockets - all.len()) * TICKS;
    lat.sort_by(|a, b| a.total_cmp(b));
    warmup.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| lat[((lat.len() - 1) as f64 * q) as usize];
    let warmup_p99 = warmup[((warmup.len() - 1) as f64 * 0.99) as usize];
    let per_conn_kib = (rss_idle.saturating_sub(rss_before)) as f64 / sockets as f64;
    let per_delivery_us = cpu / lat.len() as f64 * 1e6;
    // That price for every delivery at this size: each socket, every event.
    let price_share = sockets as f64 / TICK.as_secs_f64() * send_price_us / 1e6;
    let _ = std::fs::remove_dir_all(&dir);
    vec![format!(
        "| {sockets} | {} | {:.1} | {:.1} | {:.1} | {warmup_p99:.1} | {missing} | {:.0}% | {:.0}% | {:.1} KiB | {:.1} MiB | {per_delivery_us:.1} | {send_price_us:.1} ({:.0}%) |",
        lat.len(),
        p(0.5),
        p(0.99),
        lat[lat.len() - 1],
        cpu / wall * 100.0,
        own_cpu / wall * 100.0,
        per_conn_kib,
        rss_idle as f64 / 1024.0,
        price_share * 100.0
    )]
}

fn main() {
    // This process is the load generator: run it on core 1 (only the loopback price's
    // sending thread moves to core 0, before each size, while no server runs)
    // (the server is on core 0), by starting it again under taskset.
    if std::env::var_os("ROLLCALL_FANOUT_PINNED").is_none() {
        let me = std::env::current_exe().expect("own path");
        let status = Command::new("taskset")
            .args(["-c", "1"])
            .arg(me)
            .args(std::env::args().skip(1))
            .env("ROLLCALL_FANOUT_PINNED", "1")
            .status()
            .expect("taskset");
        std::process::exit(status.code().unwrap_or(1));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(generate());
}

async fn generate() {
    let sizes: Vec<usize> = std::env::var("ROLLCALL_FANOUT_SOCKETS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let mut rows = Vec::new();
    for n in sizes {
        // At most 2,000 connections (4,000 descriptors in this process).
        let send_price_us = tokio::task::spawn_blocking(move || loopback_send_micros(n.min(2000)))
            .await
            .expect("loopback measurement");
        rows.extend(run(n, send_price_us).await);
    }
    println!(
        "Socket.IO fan-out: one event every 100 ms to every admin socket, {WARMUP} warm-up events then {TICKS} measured"
    );
    println!("| sockets | deliveries | p50 ms | p99 ms | max ms | warm-up p99 ms | missed | server CPU (of one core) | load generator CPU (of one core) | server memory per idle socket | server RSS idle | server CPU per delivery, µs | loopback send, µs (share of a core at this size) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
