-- Record exports page through a period in (date, id) order: this index lets each page
-- start where the last one ended instead of re-reading the day.
CREATE INDEX attendance_org_date_id ON attendance (organization_id, date, id);
