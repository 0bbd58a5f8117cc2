# Sourced (not run) by the scripts that test a live server (schemathesis.sh, clients.sh):
# `start_demo_server PORT ROLE [seed]` builds the debug binary and serves it on 127.0.0.1:PORT
# from an embedded PostgreSQL in a temporary folder (with the demo data when `seed` is given),
# with rate limits off; it sets `bin`, `work` (the folder) and `key` (an API key of ROLE), and
# stops the server and removes the folder when the calling script exits.

start_demo_server() {
  local port="$1" role="$2" seed="${3:-}"
  cargo build --quiet --bin ogp-api
  bin="$PWD/target/debug/ogp-api"
  work="$(mktemp -d /tmp/ogp-demo.XXXXXX)"
  chmod 755 "$work" # as root, the embedded cluster runs as `postgres`, which must reach it
  export OGP_DATA_DIR="$work/data" OGP_BIND="127.0.0.1:$port" OGP_SEED_DEMO=true \
    OGP_RATE_LIMIT_READS=0 OGP_RATE_LIMIT_WRITES=0 RUST_LOG=warn
  key="$("$bin" keys create --name "demo-$role" --role "$role" 2>/dev/null)"
  if [ "$seed" = seed ]; then
    "$bin" seed >/dev/null 2>&1
  fi
  "$bin" serve >"$work/server.log" 2>&1 &
  demo_server=$!
  trap stop_demo_server EXIT
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return 0
    sleep 0.2
  done
  echo "the server on port $port did not become ready:" >&2
  cat "$work/server.log" >&2
  return 1
}

stop_demo_server() {
  kill -TERM "$demo_server" 2>/dev/null || true
  wait "$demo_server" 2>/dev/null || true
  rm -rf "$work"
}
