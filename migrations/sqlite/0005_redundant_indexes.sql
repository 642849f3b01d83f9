-- Two indexes were prefixes of wider ones added for reports: (organization_id, date) of
-- attendance_org_date_id and (organization_id, user_id, date) of attendance_report.
-- Every query they served is served by the wider index, and each index costs every
-- check-in and check-out a write.
DROP INDEX attendance_org_date;
DROP INDEX attendance_user_date;
