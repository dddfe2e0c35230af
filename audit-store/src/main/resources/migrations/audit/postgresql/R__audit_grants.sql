-- The services append audit records and read them, nothing else: no UPDATE, DELETE or TRUNCATE (the triggers refuse
-- those to the owner too), and the time index only to read (the database keeps it, audit_index_times).
GRANT SELECT, INSERT ON audit_records TO ${app_role};
GRANT SELECT ON audit_time_index TO ${app_role};
-- A rebuild appends what the live store lacked; the owner gives it its ids at the switch.
GRANT SELECT, INSERT ON audit_strays TO ${app_role};
