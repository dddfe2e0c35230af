-- Runs once, as the superuser, when the data directory is empty. The passwords come from the container's environment
-- (docker-compose.yml), read with psql's \getenv; an unset one leaves the placeholder and fails the script.
\getenv owner_password POSTGRES_OWNER_PASSWORD
\getenv service_password POSTGRES_SERVICE_PASSWORD

-- Runs the migrations and owns every schema and table.
CREATE ROLE controlplane_owner LOGIN PASSWORD :'owner_password';
-- The services' role: owns nothing, holds only what the migrations grant it, so it cannot drop the audit triggers.
CREATE ROLE controlplane LOGIN PASSWORD :'service_password';

CREATE DATABASE controlplane OWNER controlplane_owner;
REVOKE ALL ON DATABASE controlplane FROM PUBLIC;
GRANT CONNECT ON DATABASE controlplane TO controlplane;
