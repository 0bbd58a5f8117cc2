#!/usr/bin/env bash
# Bundle import speed (issue 13, "Numbers"):
#
#   bench/import.sh [COUNTRIES]      # COUNTRIES: comma list of codes (`MEX,GHA`); empty = all
#
# Exports the bundle of the large-scale bench database (`ogp_bench_large`, loaded by
# `bench/run.sh large`) from a release server, imports it into a new, empty, migrated database
# (`ogp_import_bench` on the same PostgreSQL, dropped first), then imports it again unchanged.
# For each import it prints the counts, the wall time, records/s and the server's peak RSS
# (VmHWM, reset between the two), and checks that the re-import wrote nothing (no change-feed
# entry). Until `ogp-api import` exists, the import goes through `POST /api/v1/imports` with
# OGP_IMPORT_BODY_LIMIT raised to the bundle's size, so the peak includes the HTTP body and the
# parsed document. Uses the PostgreSQL at /tmp/ogp-bench if it runs, else starts it as
# bench/run.sh does (and stops it again); builds nothing: BIN (default target/release/ogp-api).
set -euo pipefail
cd "$(dirname "$0")/.."
countries="${1:-}"
bin="${BIN:-$PWD/target/release/ogp-api}"
[ -x "$bin" ] || { echo "no $bin: cargo build --release --bin ogp-api" >&2; exit 1; }
dir=/tmp/ogp-bench
base="postgres://postgres@%2Ftmp%2Fogp-bench"
work=/tmp/ogp-import-bench
port="${BENCH_IMPORT_PORT:-18093}"
mkdir -p "$work"

if ! psql "$base/postgres" -Atc 'SELECT 1' >/dev/null 2>&1; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/log" -w \
    -o "-k $dir -c listen_addresses= -c shared_buffers=512MB -c max_connections=200" start >/dev/null
  trap '"${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null' EXIT
fi

server=""
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=""
}
trap 'stop_server' ERR
# Starts a release server on database $1 with the extra environment in the rest.
start_server() {
  local db="$1"; shift
  env DATABASE_URL="$base/$db" OGP_BIND="127.0.0.1:$port" OGP_RATE_LIMIT_READS=0 \
    OGP_RATE_LIMIT_WRITES=0 OGP_STATEMENT_TIMEOUT_MS=3600000 OGP_BODY_TIMEOUT_MS=3600000 \
    OGP_EXPORT_SEND_TIMEOUT_MS=3600000 RUST_LOG=warn "$@" "$bin" serve >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start: $(cat "$work/server.log")" >&2
  exit 1
}

query=""
[ -n "$countries" ] && query="?country_code=$countries"
echo "exporting ogp_bench_large${query:+ ($query)} ..."
start_server ogp_bench_large
t0=$(date +%s.%N)
curl -sf -o "$work/bundle.json" "http://127.0.0.1:$port/api/v1/exports/bundle$query"
t1=$(date +%s.%N)
stop_server
bytes=$(stat -c %s "$work/bundle.json")
printf 'export: %d bytes in %.1f s\n' "$bytes" "$(echo "$t1 - $t0" | bc)"

psql "$base/postgres" -qc 'DROP DATABASE IF EXISTS ogp_import_bench' -c 'CREATE DATABASE ogp_import_bench'
DATABASE_URL="$base/ogp_import_bench" "$bin" migrate >/dev/null 2>&1
key=$(DATABASE_URL="$base/ogp_import_bench" "$bin" keys create --name bench --role admin 2>/dev/null)
start_server ogp_import_bench OGP_IMPORT_BODY_LIMIT=$((bytes + 1048576))

# The server's CPU time so far (user + system), in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
changes() { psql "$base/ogp_import_bench" -Atc 'SELECT count(*) FROM changes'; }
# One import: prints its counts, time, rate and the server's peak RSS during it.
import() {
  local label="$1"
  echo 5 > "/proc/$server/clear_refs"   # resets VmHWM to the current RSS
  local t0 t1 cpu0 cpu1
  cpu0=$(cpu)
  t0=$(date +%s.%N)
  curl -sf -o "$work/outcome.json" -X POST -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' --data-binary "@$work/bundle.json" \
    "http://127.0.0.1:$port/api/v1/imports"
  t1=$(date +%s.%N)
  cpu1=$(cpu)
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  python3 - "$label" "$t0" "$t1" "$hwm" "$work/outcome.json" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" <<'EOF'
import json, sys
label, t0, t1, hwm, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
cpu = int(sys.argv[6]) / int(sys.argv[7])
outcome = json.load(open(path))
records = sum(sum(c[k] for k in ("created", "updated", "unchanged"))
              for name, c in outcome.items() if isinstance(c, dict))
seconds = t1 - t0
print(f"{label}: {records} records in {seconds:.1f} s = {records / seconds:,.0f} records/s, "
      f"server peak RSS {hwm / 1024:.0f} MiB, server CPU {cpu:.1f} s (the rest: PostgreSQL, I/O)")
for name, c in outcome.items():
    if isinstance(c, dict):
        print(f"  {name:13} created {c['created']:>8}  updated {c['updated']:>8}  "
              f"unchanged {c['unchanged']:>8}")
EOF
}

import "first import"
before=$(changes)
import "re-import (unchanged)"
after=$(changes)
stop_server
if [ "$before" != "$after" ]; then
  echo "the re-import wrote: the change feed grew from $before to $after entries" >&2
  exit 1
fi
echo "re-import wrote nothing (change feed: $after entries before and after)"
