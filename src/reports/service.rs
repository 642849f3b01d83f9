//! Rules for reports: who is counted on which days, and how the numbers add up.
//!
//! A person is expected on each working day (per `workingDays`, minus holidays) after
//! the day they joined (and on that day if they came in), until the day before they
//! were deleted, on days that have closed (before today); today counts once attended.
//! `absent` is expected days without attendance. Numbers use the organization's
//! current settings for the whole period.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::model::{hhmm, rate, Counts, Report, ReportRow, Summary};
use super::period::{weekday, Period, WorkCalendar};
use super::store::{self, Filter, Person, PersonTotals, Range};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::organizations::{self, Organization};

/// What every report of an organization is computed against.
pub struct Context {
    pub org: Organization,
    pub tz: Tz,
    pub today: NaiveDate,
    pub start_minute: i64,
}

pub async fn context(state: &AppState, org_id: &str) -> AppResult<Context> {
    let org = organizations::service::get(state, org_id).await?;
    let tz: Tz = org.settings.timezone.parse().unwrap_or(Tz::UTC);
    let today = state.clock.now().with_timezone(&tz).date_naive();
    let start_minute = organizations::service::parse_hhmm("", &org.settings.working_hours.start)
        .map(|t| chrono::Timelike::hour(&t) as i64 * 60 + chrono::Timelike::minute(&t) as i64)
        .unwrap_or(9 * 60);
    Ok(Context {
        org,
        tz,
        today,
        start_minute,
    })
}

/// The working days of `period` for this organization (its `workingDays`, minus holidays).
pub async fn calendar(state: &AppState, ctx: &Context, period: &Period) -> AppResult<WorkCalendar> {
    let holidays = store::holidays(&state.db, &ctx.org.id, period.from, period.to).await?;
    Ok(WorkCalendar::new(&ctx.org.settings.working_days, holidays))
}

pub fn week_start(ctx: &Context) -> chrono::Weekday {
    weekday(&ctx.org.settings.week_start).unwrap_or(chrono::Weekday::Mon)
}

/// The first instant of local `day`, in UTC milliseconds.
pub fn local_midnight_ms(tz: &Tz, day: NaiveDate) -> i64 {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc).timestamp_millis())
        // A midnight skipped by a DST change: the hour after it exists.
        .unwrap_or_else(|| (naive.and_utc() + chrono::Duration::hours(1)).timestamp_millis())
}

fn local_day(tz: &Tz, ms: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(tz)
        .date_naive()
}

/// When a person belonged to the organization, in its local days.
pub struct Membership {
    /// The day they joined. Like the absence job, a report expects them that day
    /// only if they came in (they may have joined after the day began).
    pub joined: NaiveDate,
    /// True when they came in on the day they joined.
    pub came_on_joining: bool,
    /// The day they were deleted, if they were; not expected from then on.
    pub left: Option<NaiveDate>,
}

impl Membership {
    /// Whether the person was expected on working day `d`.
    pub fn expects(&self, d: NaiveDate) -> bool {
        let joined = d > self.joined || (d == self.joined && self.came_on_joining);
        joined && self.left.is_none_or(|l| d < l)
    }
}

pub fn membership(ctx: &Context, person: &Person, came_on_joining: bool) -> Membership {
    Membership {
        joined: local_day(&ctx.tz, person.created_at),
        came_on_joining,
        left: person.deleted_at.map(|ms| local_day(&ctx.tz, ms)),
    }
}

/// Of `people`, those who joined within the period and came in that very day.
pub async fn came_on_joining(
    state: &AppState,
    ctx: &Context,
    period: &Period,
    people: &[Person],
) -> AppResult<HashSet<String>> {
    let joiners: Vec<(String, String)> = people
        .iter()
        .map(|p| (p.id.clone(), local_day(&ctx.tz, p.created_at)))
        .filter(|(_, d)| *d >= period.from && *d <= period.to)
        .map(|(id, d)| (id, d.format("%Y-%m-%d").to_string()))
        .collect();
    let found = store::attended_on(&state.db, &ctx.org.id, &joiners).await?;
    Ok(found.into_iter().collect())
}

/// Days a person was expected in during the period: closed days, and today once attended.
fn expected_days(
    ctx: &Context,
    working: &[NaiveDate],
    member: &Membership,
    attended_today: bool,
) -> i64 {
    working
        .iter()
        .filter(|d| member.expects(**d))
        .filter(|d| **d < ctx.today || (**d == ctx.today && attended_today))
        .count() as i64
}

fn counts(expected: i64, t: &PersonTotals) -> Counts {
    let attended_expected = t.attended_working.min(expected);
    Counts {
        working_days: expected,
        present: t.attended,
        late: t.late,
        early: t.early,
        absent: (expected - attended_expected).max(0),
        on_leave: 0,
        attendance_rate: rate(attended_expected, expected),
    }
}

pub async fn report(
    state: &AppState,
    ctx: &Context,
    period: Period,
    filter: &Filter,
) -> AppResult<Report> {
    let from_ms = local_midnight_ms(&ctx.tz, period.from);
    let to_ms = local_midnight_ms(&ctx.tz, period.to.succ_opt().unwrap_or(period.to));
    let calendar = calendar(state, ctx, &period).await?;
    let working = calendar.working_days(&period);
    let off_days: Vec<NaiveDate> = period.days().filter(|d| !calendar.is_working(*d)).collect();
    let range = Range {
        from: period.from,
        to: period.to,
        today: ctx.today,
        off_days: &off_days,
        start_minute: ctx.start_minute,
    };
    // The two big reads are independent: on two pool connections they run side by
    // side (the per-person totals are most of a report's database time).
    let (people, totals) = tokio::try_join!(
        store::people(&state.db, &ctx.org.id, filter, from_ms, to_ms),
        store::totals_per_person(&state.db, &ctx.org.id, filter, &range),
    )?;
    let totals: HashMap<String, PersonTotals> =
        totals.into_iter().map(|t| (t.user_id.clone(), t)).collect();
    let came = came_on_joining(state, ctx, &period, &people).await?;
    let empty = PersonTotals::default();
    let mut rows = Vec::with_capacity(people.len());
    let (mut sum, mut minutes, mut closed) = (Counts::default(), 0i64, 0i64);
    let mut attended_expected_total = 0;
    for p in people {
        let t = totals.get(&p.id).unwrap_or(&empty);
        // Someone deactivated who did not come in is not counted at all.
        if p.is_active == 0 && t.attended == 0 {
            continue;
        }
        let member = membership(ctx, &p, came.contains(&p.id));
        let expected = expected_days(ctx, &working, &member, t.attended_today == 1);
        let c = counts(expected, t);
        sum.working_days += c.working_days;
        sum.present += c.present;
        sum.late += c.late;
        sum.early += c.early;
        sum.absent += c.absent;
        attended_expected_total += c.working_days - c.absent;
        minutes += t.minutes;
        closed += t.closed_records;
        rows.push(ReportRow {
            user_id: p.id,
            name: p.name,
            email: p.email,
            department: p.department,
            role: p.role,
            counts: c,
            working_minutes: t.minutes,
            average_check_in_time: (t.check_ins > 0)
                .then(|| hhmm(t.check_in_minutes / t.check_ins)),
            late_minutes: t.late_minutes,
        });
    }
    sum.attendance_rate = rate(attended_expected_total, sum.working_days);
    Ok(Report {
        timezone: ctx.org.settings.timezone.clone(),
        summary: Summary {
            users: rows.len() as i64,
            counts: sum,
            average_working_minutes: if closed > 0 { minutes / closed } else { 0 },
        },
        period,
        rows,
    })
}

/// The report's people filter from query parameters, checked.
pub fn filter(
    role: Option<&str>,
    department: Option<String>,
    user_id: Option<String>,
) -> AppResult<Filter> {
    let roles = match role {
        None => vec!["employee".to_string(), "student".to_string()],
        Some(r) => match crate::users::Role::parse(r) {
            Some(role) => vec![role.as_str().to_string()],
            None => {
                return Err(AppError::validation(
                    "role",
                    "must be one of admin, employee, student",
                ))
            }
        },
    };
    if let Some(u) = &user_id {
        if !crate::id::is_valid(u) {
            return Err(AppError::validation("userId", "must be a user id"));
        }
    }
    Ok(Filter {
        roles,
        department: department.filter(|d| !d.trim().is_empty()),
        user_id,
    })
}
