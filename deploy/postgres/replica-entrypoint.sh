#!/bin/sh
# Replica entrypoint. First start (empty data directory): clone the primary with
# pg_basebackup -R, which also writes standby.signal and primary_conninfo. Every start:
# hand over to the image's own entrypoint, which runs postgres as a hot standby.
set -eu

PGDATA="${PGDATA:-/var/lib/postgresql/data}"

# Started as root: fix the data directory's owner, then re-run this script as postgres.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec gosu postgres sh "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # depends_on already waits for the primary; this covers restarts of the primary.
  until pg_isready -q -h "$PRIMARY_HOST" -p 5432; do sleep 1; done
  echo "replica: cloning $PRIMARY_HOST into $PGDATA"
  # If this fails half-way the directory is not empty: `docker compose down -v` to retry.
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup \
    -h "$PRIMARY_HOST" -p 5432 -U "$REPLICATION_USER" \
    -D "$PGDATA" -X stream -R --checkpoint=fast
fi

exec docker-entrypoint.sh "$@"
