//! Scheduled work: marking absences for closed days and automatic check-out. One loop
//! per server calls `run_due` every `JOB_INTERVAL_SECS`; the database decides who does
//! each piece of work, so several servers can run the loop and every day is done once.
//! Tests call `run_due` directly at chosen instants.

pub mod absence;
pub mod auto_checkout;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::app::AppState;
use crate::shutdown::ShutdownSignal;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Organization-days this server closed (claimed and processed).
    pub days_closed: u64,
    pub absences_marked: u64,
    pub auto_checked_out: u64,
}

/// Does every piece of work that is due at `now`. Safe to call again, or on several
/// servers at once.
pub async fn run_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let orgs: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, settings, created_at FROM organizations ORDER BY id")
            .fetch_all(state.db.pool())
            .await?;
    for (org_id, settings, created_at) in orgs {
        let rules = crate::attendance::service::rules_of(&settings);
        // Check-outs first, so a day closes with its records complete.
        report.auto_checked_out += auto_checkout::run(state, &org_id, &rules, now).await?;
        let (days, marked) = absence::run(state, &org_id, &rules, created_at, now).await?;
        report.days_closed += days;
        report.absences_marked += marked;
    }
    crate::attendance::idempotency::purge(state, now.timestamp_millis()).await?;
    Ok(report)
}

/// Runs `run_due` now and then every `every` until `stop`.
pub fn spawn(
    state: AppState,
    every: Duration,
    stop: ShutdownSignal,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stopped = Box::pin(stop.wait());
        loop {
            match run_due(&state, state.clock.now()).await {
                Ok(r) if r != Report::default() => tracing::info!(
                    days_closed = r.days_closed,
                    absences_marked = r.absences_marked,
                    auto_checked_out = r.auto_checked_out,
                    "scheduled jobs ran"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "scheduled jobs failed; retrying next tick"),
            }
            tokio::select! {
                _ = &mut stopped => break,
                _ = tokio::time::sleep(every) => {}
            }
        }
    })
}
