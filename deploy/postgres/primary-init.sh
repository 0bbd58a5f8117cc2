#!/bin/sh
# Primary, first start only: run by the postgres image from /docker-entrypoint-initdb.d
# (as the postgres user, against the temporary init server).
# Creates the replication role and lets it connect from the compose network.
set -e

: "${REPLICATION_USER:?}" "${REPLICATION_PASSWORD:?}" "${REPLICATION_SUBNET:?}"

# psql substitutes :"repl_user" / :'repl_password' (quoted identifier / literal) in stdin.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v repl_user="$REPLICATION_USER" -v repl_password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"repl_user" WITH REPLICATION LOGIN PASSWORD :'repl_password';
SQL

# pg_hba.conf is read when the real server starts, right after this script.
echo "host replication $REPLICATION_USER $REPLICATION_SUBNET scram-sha-256" >> "$PGDATA/pg_hba.conf"
