#!/bin/sh
# Backup for cron-based hosts (the earlier system's script name): the same code as the in-app schedule and
# `npm run backup` (dist/src/cli/tds-cli.js backup), with the service's .env and database resolution. It makes,
# verifies and records a backup in BACKUP_DIR and applies BACKUP_RETENTION_DAYS; the exit status is non-zero when the
# backup or its verification failed (cron mails the output). Set BACKUP_ENABLED=false for the service when cron does
# the scheduling instead, so the two do not both run.
#   crontab:  0 2 * * *  /opt/tds-core/scripts/backup_tds_database.sh >>/var/log/tds-backup.log 2>&1
# Extra arguments are passed on (none are needed). NODE may name the node binary (cron's PATH is short).
set -eu
cd "$(dirname "$0")/.."
NODE="${NODE:-node}"
# Rebuild dist/ when sources changed (a checkout with devDependencies); a production install runs dist/ as built.
if [ -x node_modules/.bin/swc ]; then
  "$NODE" scripts/build.mjs >/dev/null
fi
exec "$NODE" dist/src/cli/tds-cli.js backup "$@"
