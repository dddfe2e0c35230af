/** SQL stores for SQLite (embedded default) and PostgreSQL (production): connections, one writer, migrations. */
package dev.controlplane.jdbcstore;
