-- What the services' role (${app_role}) may do, granted again whenever this script or the role changes (a repeatable
-- migration's checksum covers its placeholders). It owns nothing: the owner runs the migrations.
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${app_role};
-- Read by a service that only checks its store is up to date (admin.database.migrate=false).
GRANT SELECT ON flyway_schema_history TO ${app_role};
GRANT SELECT, INSERT, UPDATE ON projector_positions TO ${app_role};
GRANT SELECT, INSERT ON projector_dead_letters TO ${app_role};
