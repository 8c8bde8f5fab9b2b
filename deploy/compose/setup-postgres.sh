#!/bin/sh
# One-shot schema job (temporalio/admin-tools): both databases, persistence and SQL advanced visibility, from the
# schema files the image ships. Safe to run again: existing databases and schema versions are left alone.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u "$POSTGRES_USER" "$@"; }
for db in temporal temporal_visibility; do
  part=temporal
  [ "$db" = temporal_visibility ] && part=visibility
  tool --db "$db" create-database 2>/dev/null || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db is versioned already"
  tool --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$part/versioned"
done
echo 'schema ready'
