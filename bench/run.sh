#!/usr/bin/env bash
# One command for the whole benchmark on a fresh machine:
#
#   bench/run.sh [realistic|large] [duration-seconds]
#
# Installs wrk (and, for the peer engine, Node/npm and a C++ compiler) when missing, builds the
# release binary and the static HTTP floor (examples/http_floor.rs), starts a private
# PostgreSQL in /tmp/ogp-bench (Unix socket only), migrates and loads the generated data set
# (bench/load.sh), runs bench/run.py (the API vs pgbench on the same SQL vs Directus, installed
# by bench/peer/directus.sh; then issue 16's floor, 256-connection and 304 tables), prints the
# tables, and stops the cluster.
# With DATABASE_URL set, that (already loaded) database is used instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-realistic}"
duration="${2:-10}"

peer="${BENCH_PEER:-directus}"   # BENCH_PEER=none skips the peer engine
need=()
command -v wrk >/dev/null || need+=(wrk)
if [ "$peer" = directus ]; then
  # Directus (npm) compiles native modules with node-gyp against the system's Node headers.
  command -v npm >/dev/null || need+=(nodejs npm)
  command -v g++ >/dev/null || need+=(g++ make)
fi
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The API and the static HTTP floor it is compared with (examples/http_floor.rs, issue 16).
cargo build --release --quiet --bin ogp-api --example http_floor
bin="$PWD/target/release/ogp-api"

# What runs at exit, last added first.
cleanup=()
on_exit() {
  for ((i = ${#cleanup[@]} - 1; i >= 0; i--)); do eval "${cleanup[i]}" || true; done
}
trap on_exit EXIT

# The kernel's sched_autogroup (a CPU group per session, on by default) made PostgreSQL's
# backends, idle while the read cache answers, wait up to 1 s for a core the API and wrk kept
# busy (`perf sched latency`: bench/README.md, "Scheduling"), whether or not they share a
# session. Off for the run when this script may write it (root), and put back after;
# BENCH_AUTOGROUP=keep leaves it as it is. run.py prints the state it ran with.
autogroup=/proc/sys/kernel/sched_autogroup_enabled
if [ "${BENCH_AUTOGROUP:-off}" = off ] && [ -w "$autogroup" ] && [ "$(cat "$autogroup")" = 1 ]; then
  echo 0 >"$autogroup"
  cleanup+=("echo 1 >$autogroup")
fi

if [ -z "${DATABASE_URL:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  dir="${BENCH_DIR:-/tmp/ogp-bench}"
  as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    "${as[@]}" "$pgbin/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 --locale=C -N >/dev/null
  fi
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/log" -w \
    -o "-k $dir -c listen_addresses= -c shared_buffers=512MB -c max_connections=200" start >/dev/null
  cleanup+=('"${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null')
  export DATABASE_URL="postgres://postgres@${dir//\//%2F}/ogp_bench_$scale"
  if ! psql "${DATABASE_URL%/*}/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = 'ogp_bench_$scale'" | grep -q 1; then
    psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE ogp_bench_$scale"
    "$bin" migrate >/dev/null
    time bash bench/load.sh "$scale"
  fi
fi
python3 bench/run.py --database-url "$DATABASE_URL" --bin "$bin" --duration "$duration" --peer "$peer" \
  --floor-bin "$PWD/target/release/examples/http_floor"
