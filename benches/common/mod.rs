//! Helpers shared by the benchmarks. Each benchmark compiles this module on its own
//! and uses part of it.
#![allow(dead_code)]

/// A fixed-offset zone in which it is about noon now, so the load runs inside the
/// organization's working day whenever it is started. (Once a day has closed, a
/// check-in takes the slower path that first clears that day's absence: a run at
/// 20:00 UTC in a UTC organization measured that path, 6,000 req/s, not this one.)
pub fn noon_zone() -> String {
    use chrono::Timelike;
    // -11..=12 hours east of UTC; the Etc/GMT zones are named with the opposite sign.
    let east = 12 - chrono::Utc::now().hour() as i32;
    match east {
        0 => "Etc/GMT".to_string(),
        _ => format!("Etc/GMT{:+}", -east),
    }
}

/// A field of `/proc/<pid>/status` in KiB ("VmRSS:", "VmHWM:"); 0 when unreadable.
pub fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds (user + system) a process has used, from `/proc/<pid>/stat`.
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at state, field 3.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
