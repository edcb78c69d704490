#!/bin/sh
# Nightly backup of the PostgreSQL database, in pg_dump's custom format
# (compressed; pg_restore can restore all or part of it). Run from cron or a
# systemd timer as a user that may read the database, e.g.
#   15 2 * * *  postgres  /opt/capacity-match/deploy/backup.sh /var/backups/capacity-match
# Restore into a new, empty database (then point DATABASE_URL at it):
#   createdb capacity_match_restored
#   pg_restore --no-owner --exit-on-error --dbname capacity_match_restored FILE
# tests/deploy/test_backup.py does exactly this on every test run.
set -eu
target=${1:-/var/backups/capacity-match}
database=${DATABASE:-capacity_match}
keep_days=${KEEP_DAYS:-30}
mkdir -p "$target"
file="$target/$database-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file "$file.partial" "$database"
mv "$file.partial" "$file"
# Check the archive is readable before trusting it, then drop the old ones.
pg_restore --list "$file" >/dev/null
find "$target" -name "$database-*.dump" -mtime "+$keep_days" -delete
echo "$file"
