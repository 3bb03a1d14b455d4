#!/bin/bash
# Dumps Folio's database into the backups volume and keeps the newest BACKUP_KEEP dumps.
#
# Run nightly by the backup CronJob (templates/jobs/backup.yaml, from a ConfigMap) with the postgres image, and
# by the chart tests (tests/charts) against a real PostgreSQL, so the script that is tested is the one that runs.
#
# Usage: backup.sh
# Environment: PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (and any other libpq variable, e.g. PGSSLMODE);
#   BACKUP_DIR (default /backups), BACKUP_KEEP (default 7), BACKUP_WAIT_SECONDS (default 60: how long to wait for the
#   database to accept connections before giving up).
# Output: BACKUP_DIR/folio-YYYYMMDDTHHMMSSZ.dump, pg_dump's custom format (compressed; pg_restore can restore one
#   table or the whole database). Exits non-zero, leaving no partial file, when anything fails.
set -euo pipefail

dir=${BACKUP_DIR:-/backups}
keep=${BACKUP_KEEP:-7}
wait_seconds=${BACKUP_WAIT_SECONDS:-60}
if ! [[ $keep =~ ^[1-9][0-9]*$ ]]; then
  echo "backup: BACKUP_KEEP must be a positive whole number (is '$keep')" >&2
  exit 2
fi
if ! [[ $wait_seconds =~ ^[0-9]+$ ]]; then
  echo "backup: BACKUP_WAIT_SECONDS must be a whole number of seconds (is '$wait_seconds')" >&2
  exit 2
fi

# Wait for the database first: a run must not fail because PostgreSQL is restarting or moving to another node, or
# because this new pod's NetworkPolicy rules are not in force yet (some policy engines program them a moment after
# the pod starts; the first connection is then refused). pg_isready asks without logging in.
deadline=$((SECONDS + wait_seconds))
until pg_isready --quiet --timeout=5; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "backup: the database at ${PGHOST:-?}:${PGPORT:-5432} did not accept connections within ${wait_seconds} s" >&2
    exit 1
  fi
  sleep 2
done

name="folio-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$dir/.$name.partial"
trap 'rm -f "$partial"' EXIT

echo "backup: dumping database ${PGDATABASE:-?} on ${PGHOST:-?}:${PGPORT:-5432} to $dir/$name"
pg_dump --format=custom --no-owner --no-privileges --file="$partial"
# A dump that pg_restore cannot read is not a backup: check the archive's table of contents before keeping it.
pg_restore --list "$partial" >/dev/null
# The final name appears only once the file is complete (a rename within one filesystem is atomic).
mv "$partial" "$dir/$name"
echo "backup: wrote $name ($(du -h "$dir/$name" | cut -f1))"

# Names sort by time, so everything after the newest $keep is older.
mapfile -t old < <(find "$dir" -maxdepth 1 -type f -name 'folio-*.dump' -printf '%f\n' | sort -r | tail -n +$((keep + 1)))
for file in "${old[@]}"; do
  rm -f -- "${dir:?}/$file"
  echo "backup: deleted $file (keeping the newest $keep)"
done
