#!/bin/bash
# Restores a dump written by backup.sh into Folio's database. The restore procedure in charts/folio/README.md
# runs it in a Job made from the backup CronJob; the chart tests run it against a real PostgreSQL.
#
# Usage: restore.sh [DUMP]   (default: the newest folio-*.dump in BACKUP_DIR)
# Environment: PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (libpq); BACKUP_DIR (default /backups).
#
# Every object in the dump is dropped and recreated, in one transaction: either the whole dump is restored or
# nothing changes. Objects that are not in the dump (tables of a newer migration) are left alone, so restore
# into the schema version the dump was taken from, or into an empty database. Stop the API, the worker and the
# cleanup job first, so nothing writes while the data is replaced.
set -euo pipefail

dir=${BACKUP_DIR:-/backups}
file=${1:-}
if [ -z "$file" ]; then
  file=$(find "$dir" -maxdepth 1 -type f -name 'folio-*.dump' | sort -r | head -n 1)
  if [ -z "$file" ]; then
    echo "restore: no folio-*.dump in $dir" >&2
    exit 1
  fi
fi
if [ ! -f "$file" ]; then
  echo "restore: $file does not exist" >&2
  exit 1
fi

pg_restore --list "$file" >/dev/null
echo "restore: restoring $file into database ${PGDATABASE:-?} on ${PGHOST:-?}:${PGPORT:-5432}"
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="${PGDATABASE:?PGDATABASE must name the database}" "$file"
echo "restore: done"
