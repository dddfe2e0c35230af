-- The services append the time index with the records (AuditStore), under the append lock.
GRANT SELECT, INSERT, UPDATE ON audit_time_index TO ${app_role};
