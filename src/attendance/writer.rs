//! Group commit for the two hottest writes, check-in and check-out.
//!
//! Punches from concurrent requests wait in one queue. A few writer tasks each take
//! whatever is waiting (up to `MAX_BATCH`) and write it with one multi-row statement per
//! kind: one round trip and one commit for many punches, instead of one each. Nobody
//! waits for a timer: a batch is what arrived while the previous one was being written,
//! so at low load a batch is a single punch.
//!
//! SQLite gets one writer (it has one write lock anyway, and a single writer never waits
//! in the busy handler); PostgreSQL a few, so that batches overlap.
//!
//! A punch the batch statement did not write (its user already has an open record, is
//! missing or inactive, the record is not open, or a second punch for the same person in
//! the same batch) is then run alone with the single-row statement, whose answer says why.
//! If the batch statement fails as a whole, every punch in it is run alone.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot, Mutex};

use super::model::AttendanceRow;
use super::store::{self, CheckOut};
use crate::store::{Db, Engine};

/// The most punches of one kind in one statement.
const MAX_BATCH: usize = 128;
/// Punches waiting beyond this make the requests wait to queue (back-pressure).
const QUEUE: usize = 4096;

type Reply = oneshot::Sender<sqlx::Result<Option<AttendanceRow>>>;

struct CheckInPunch {
    org_id: String,
    row: AttendanceRow,
    minute: Option<i64>,
    reply: Reply,
}

struct CheckOutPunch {
    org_id: String,
    id: String,
    c: CheckOut,
    reply: Reply,
}

enum Punch {
    In(Box<CheckInPunch>),
    Out(CheckOutPunch),
}

impl Punch {
    fn answer(self, answer: sqlx::Result<Option<AttendanceRow>>) {
        let reply = match self {
            Punch::In(p) => p.reply,
            Punch::Out(p) => p.reply,
        };
        // The request may have gone (client disconnected); the write stands.
        let _ = reply.send(answer);
    }
}

/// The queue in front of the writer tasks; cheap to clone.
#[derive(Clone)]
pub struct PunchWriter {
    queue: mpsc::Sender<Punch>,
    counts: Arc<Counts>,
}

/// What the writers did, for `/metrics`: punches per statement is the batching.
#[derive(Default)]
struct Counts {
    statements: AtomicU64,
    batched: AtomicU64,
    alone: AtomicU64,
}

impl PunchWriter {
    /// Starts the writer tasks on the current runtime.
    pub fn start(db: Db) -> PunchWriter {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let counts = Arc::new(Counts::default());
        let writers = match db.engine() {
            Engine::Sqlite => 1,
            Engine::Postgres => 4,
        };
        for _ in 0..writers {
            tokio::spawn(write_loop(db.clone(), rx.clone(), counts.clone()));
        }
        PunchWriter { queue, counts }
    }

    /// Counters in the Prometheus text format.
    pub fn render_metrics(&self) -> String {
        let c = &self.counts;
        format!(
            "# HELP rollcall_punch_statements_total Batched check-in/check-out statements run.\n\
             # TYPE rollcall_punch_statements_total counter\n\
             rollcall_punch_statements_total {}\n\
             # HELP rollcall_punches_batched_total Punches written by a batched statement.\n\
             # TYPE rollcall_punches_batched_total counter\n\
             rollcall_punches_batched_total {}\n\
             # HELP rollcall_punches_alone_total Punches run alone after their batch (conflicts, refusals).\n\
             # TYPE rollcall_punches_alone_total counter\n\
             rollcall_punches_alone_total {}\n",
            c.statements.load(Ordering::Relaxed),
            c.batched.load(Ordering::Relaxed),
            c.alone.load(Ordering::Relaxed),
        )
    }

    /// Inserts `row` as a check-in; answers it with the user's name filled in, or `None`
    /// when the user is not a live, active member. A second open record for the user is
    /// the unique violation of `attendance_open`.
    pub async fn check_in(
        &self,
        org_id: &str,
        row: AttendanceRow,
        minute: Option<i64>,
    ) -> sqlx::Result<Option<AttendanceRow>> {
        let (reply, answer) = oneshot::channel();
        self.send(Punch::In(Box::new(CheckInPunch {
            org_id: org_id.to_string(),
            row,
            minute,
            reply,
        })))
        .await?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }

    /// Closes the open record `id` per `c`; `None` when there is no such open record the
    /// caller may close.
    pub async fn check_out(
        &self,
        org_id: &str,
        id: &str,
        c: CheckOut,
    ) -> sqlx::Result<Option<AttendanceRow>> {
        let (reply, answer) = oneshot::channel();
        self.send(Punch::Out(CheckOutPunch {
            org_id: org_id.to_string(),
            id: id.to_string(),
            c,
            reply,
        }))
        .await?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }

    async fn send(&self, punch: Punch) -> sqlx::Result<()> {
        self.queue
            .send(punch)
            .await
            .map_err(|_| sqlx::Error::PoolClosed)
    }
}

/// How long a writer keeps its connection with nothing to write. Keeping it while busy
/// keeps its page cache warm (on SQLite another connection's cache is invalidated by
/// every commit it did not make); giving it back when idle lets the pool close.
const HOLD: Duration = Duration::from_millis(100);

async fn write_loop(db: Db, rx: Arc<Mutex<mpsc::Receiver<Punch>>>, counts: Arc<Counts>) {
    let mut batch = Vec::with_capacity(2 * MAX_BATCH);
    let mut conn: Option<PoolConnection<Any>> = None;
    loop {
        {
            let mut rx = rx.lock().await;
            let first = if conn.is_some() {
                match tokio::time::timeout(HOLD, rx.recv()).await {
                    Ok(first) => first,
                    Err(_) => {
                        conn = None;
                        rx.recv().await
                    }
                }
            } else {
                rx.recv().await
            };
            match first {
                Some(p) => batch.push(p),
                None => return,
            }
            while batch.len() < 2 * MAX_BATCH {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
        }
        let batch = split(std::mem::take(&mut batch));
        if conn.is_none() || db.pool().is_closed() {
            conn = match db.pool().acquire().await {
                Ok(c) => Some(c),
                Err(e) => {
                    batch.fail(&e);
                    continue;
                }
            };
        }
        if let Some(c) = conn.as_mut() {
            if !write(db.engine(), c, batch, &counts).await {
                // The connection may be what failed: take a fresh one next time.
                conn = None;
            }
        }
    }
}

/// A batch's punches split by kind, each kind at most `MAX_BATCH` long; the rest (and
/// second punches for the same person or record) wait for `write_alone`.
struct Split {
    ins: Vec<CheckInPunch>,
    outs: Vec<CheckOutPunch>,
    alone: Vec<Punch>,
}

fn split(batch: Vec<Punch>) -> Split {
    let mut s = Split {
        ins: Vec::new(),
        outs: Vec::new(),
        alone: Vec::new(),
    };
    let mut people = HashSet::new();
    let mut records = HashSet::new();
    for p in batch {
        match p {
            Punch::In(p)
                if s.ins.len() < MAX_BATCH
                    && people.insert((p.org_id.clone(), p.row.user_id.clone())) =>
            {
                s.ins.push(*p)
            }
            Punch::Out(p) if s.outs.len() < MAX_BATCH && records.insert(p.id.clone()) => {
                s.outs.push(p)
            }
            other => s.alone.push(other),
        }
    }
    s
}

/// Batches are padded to a power of two so each kind has a handful of statement texts,
/// each prepared once per connection.
fn size_class(n: usize) -> usize {
    n.next_power_of_two()
}

/// Writes a batch; false when the batch statements failed as a whole.
async fn write(engine: Engine, conn: &mut AnyConnection, batch: Split, counts: &Counts) -> bool {
    let Split {
        ins,
        outs,
        mut alone,
    } = batch;
    let healthy = match write_batch(engine, conn, &ins, &outs, counts).await {
        Ok((mut names, mut closed)) => {
            counts
                .batched
                .fetch_add((names.len() + closed.len()) as u64, Ordering::Relaxed);
            for p in ins {
                match names.remove(&p.row.id) {
                    Some(written) => {
                        let _ = p.reply.send(Ok(Some(written.fill(p.row))));
                    }
                    None => alone.push(Punch::In(Box::new(p))),
                }
            }
            for p in outs {
                match closed.remove(&p.id) {
                    Some(row) => {
                        let _ = p.reply.send(Ok(Some(row)));
                    }
                    None => alone.push(Punch::Out(p)),
                }
            }
            true
        }
        Err(e) => {
            // Nothing of the batch was written (it was one transaction).
            tracing::warn!(error = %e, "batched punches failed; writing them one by one");
            alone.extend(ins.into_iter().map(|p| Punch::In(Box::new(p))));
            alone.extend(outs.into_iter().map(Punch::Out));
            false
        }
    };
    counts
        .alone
        .fetch_add(alone.len() as u64, Ordering::Relaxed);
    for punch in alone {
        write_alone(conn, punch).await;
    }
    healthy
}

/// Check-ins written (id → what the insert settled) and records closed (id → record).
type Written = (
    HashMap<String, store::CheckedIn>,
    HashMap<String, AttendanceRow>,
);

/// The batch's two statements, in one transaction when there are both (one commit,
/// and pages both touch are written to the log once).
async fn write_batch(
    engine: Engine,
    conn: &mut AnyConnection,
    ins: &[CheckInPunch],
    outs: &[CheckOutPunch],
    counts: &Counts,
) -> sqlx::Result<Written> {
    if ins.is_empty() || outs.is_empty() {
        return statements(engine, conn, ins, outs, counts).await;
    }
    let mut tx = conn.begin().await?;
    let written = statements(engine, &mut tx, ins, outs, counts).await?;
    tx.commit().await?;
    Ok(written)
}

async fn statements(
    engine: Engine,
    conn: &mut AnyConnection,
    ins: &[CheckInPunch],
    outs: &[CheckOutPunch],
    counts: &Counts,
) -> sqlx::Result<Written> {
    let mut names = HashMap::new();
    if !ins.is_empty() {
        let rows: Vec<_> = ins
            .iter()
            .map(|p| (p.org_id.as_str(), &p.row, p.minute))
            .collect();
        counts.statements.fetch_add(1, Ordering::Relaxed);
        names = store::insert_check_ins(conn, engine, &rows, size_class(rows.len()))
            .await?
            .into_iter()
            .collect();
    }
    let mut closed = HashMap::new();
    if !outs.is_empty() {
        let rows: Vec<_> = outs
            .iter()
            .map(|p| (p.org_id.as_str(), p.id.as_str(), &p.c))
            .collect();
        counts.statements.fetch_add(1, Ordering::Relaxed);
        closed = store::check_outs(conn, engine, &rows, size_class(rows.len()))
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
    }
    Ok((names, closed))
}

/// One punch with the single-row statement, whose answer (a unique violation, no row)
/// tells the caller why nothing was written.
async fn write_alone(conn: &mut AnyConnection, punch: Punch) {
    let answer = match &punch {
        Punch::In(p) => store::insert_check_in(conn, &p.org_id, &p.row, p.minute)
            .await
            .map(|written| written.map(|w| w.fill(p.row.clone()))),
        Punch::Out(p) => store::check_out(conn, &p.org_id, &p.id, &p.c).await,
    };
    punch.answer(answer);
}

impl Split {
    /// The pool could not give a connection: every punch gets that error.
    fn fail(self, e: &sqlx::Error) {
        let error = || {
            Err(sqlx::Error::Protocol(format!(
                "no database connection: {e}"
            )))
        };
        for p in self.ins {
            Punch::In(Box::new(p)).answer(error());
        }
        for p in self.outs {
            Punch::Out(p).answer(error());
        }
        for p in self.alone {
            p.answer(error());
        }
    }
}
