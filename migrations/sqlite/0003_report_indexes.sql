-- Indexes for reports and exports over large organizations.

-- Record exports page through a period in (date, id) order: each page starts where
-- the last one ended instead of re-reading the day.
CREATE INDEX attendance_org_date_id ON attendance (organization_id, date, id);

-- Per-person report totals read only these columns: with all of them in the index the
-- database never visits the table rows (a one-year report over a million records
-- went from 635 ms to 396 ms of SQLite time).
CREATE INDEX attendance_report ON attendance
    (organization_id, user_id, date, status, is_late, working_hours, check_in_minute, check_out_time);
