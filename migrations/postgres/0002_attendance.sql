-- Attendance: records, geofenced sites, holidays, correction requests, idempotency keys
-- and the claims that let several servers share the scheduled jobs.
-- Instants are BIGINT UTC milliseconds; flags are BIGINT 0/1; locations are JSON text.

CREATE TABLE attendance (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    -- The user's name when the record was written (events and lists show it).
    user_name TEXT NOT NULL,
    -- The organization's local day, YYYY-MM-DD.
    date TEXT NOT NULL,
    check_in_time BIGINT,
    check_out_time BIGINT,
    -- Minutes after local midnight of the check-in, for average check-in times.
    check_in_minute BIGINT,
    status TEXT NOT NULL,
    check_in_location TEXT,
    check_out_location TEXT,
    working_hours BIGINT,
    is_late BIGINT NOT NULL DEFAULT 0,
    notes TEXT,
    site_id TEXT,
    auto_check_out BIGINT NOT NULL DEFAULT 0,
    corrected BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- At most one open record per user: concurrent check-ins race on this index.
CREATE UNIQUE INDEX attendance_open ON attendance (organization_id, user_id)
    WHERE check_in_time IS NOT NULL AND check_out_time IS NULL;
-- At most one absence per user and day, however many servers mark it.
CREATE UNIQUE INDEX attendance_absent ON attendance (organization_id, user_id, date)
    WHERE status = 'absent';
CREATE INDEX attendance_org_date ON attendance (organization_id, date);
CREATE INDEX attendance_user_date ON attendance (organization_id, user_id, date);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    address TEXT,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    radius_meters DOUBLE PRECISION NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sites_org ON sites (organization_id, name);

CREATE TABLE holidays (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    date TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX holidays_org_date ON holidays (organization_id, date);

CREATE TABLE attendance_corrections (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    attendance_id TEXT,
    date TEXT NOT NULL,
    check_in_time BIGINT,
    check_out_time BIGINT,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    review_note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX attendance_corrections_org ON attendance_corrections (organization_id, status, created_at);

-- Idempotency-Key answers, per user, kept 24 hours. `status` is NULL while the first
-- request is still running.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- A scheduled job's day of work for one organization, claimed before it is done, in
-- the same transaction, so several servers do it once.
CREATE TABLE job_runs (
    organization_id TEXT NOT NULL,
    job TEXT NOT NULL,
    day TEXT NOT NULL,
    ran_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, job, day)
);
