#!/bin/bash
# Checks that the backups volume can take a backup: writes a file as the backup's user, reads it back, removes it,
# and prints who wrote it and how much space is free.
#
# Run by the backup-check Job (templates/jobs/backup-check.yaml) at every install and upgrade, with the backup
# CronJob's image, user and volume, and by the chart tests. A volume the backups cannot use then fails the release
# at once rather than the first nightly backup; and the Job is the backups claim's first consumer, so a claim of
# a WaitForFirstConsumer storage class binds during the install and `helm --wait` can finish (ADR 0017).
#
# Usage: backup-check.sh
# Environment: BACKUP_DIR (default /backups).
# Exits 0 when a file could be written, read back and removed; 2 when the directory is missing or not writable
# (a setting: the backup CronJob's Job does not retry exit 2, and neither does this one).
set -euo pipefail

dir=${BACKUP_DIR:-/backups}
user="uid $(id -u) gid $(id -g)"
if [[ ! -d $dir ]]; then
  echo "backup-check: $dir is not a directory: is the backups volume mounted there?" >&2
  exit 2
fi

# A hidden name that backup.sh's retention (folio-*.dump) and restore.sh (the newest folio-*.dump) never match.
if ! probe=$(mktemp "$dir/.backup-check.XXXXXX" 2>/dev/null); then
  echo "backup-check: cannot create a file in $dir as $user; the volume must be writable by the backup's user" \
    "(fsGroup, or the storage's own permissions)" >&2
  exit 2
fi
trap 'rm -f -- "$probe"' EXIT

# 1 MiB, so that a volume that is full, or that accepts a create but not a write, fails here too.
size=1048576
if ! head -c "$size" /dev/zero >"$probe" 2>/dev/null || [[ $(wc -c <"$probe") -ne $size ]]; then
  echo "backup-check: cannot write $size bytes to $dir as $user (is the volume full?)" >&2
  exit 2
fi
if ! rm -- "$probe" 2>/dev/null; then
  echo "backup-check: cannot remove a file from $dir as $user, so old dumps could not be deleted either" >&2
  exit 2
fi

space=$(df -Pk "$dir" | awk 'NR == 2 { printf "%d MiB free of %d MiB", $4 / 1024, $2 / 1024 }')
dumps=$(find "$dir" -maxdepth 1 -type f -name 'folio-*.dump' | wc -l)
echo "backup-check: $dir is writable by $user; $space; $dumps dump(s) there"
