-- The services' role (${app_role}) reads and writes the projectors' bookkeeping; it owns nothing.
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${app_role};
GRANT SELECT, INSERT, UPDATE ON projector_positions TO ${app_role};
GRANT SELECT, INSERT ON projector_dead_letters TO ${app_role};
