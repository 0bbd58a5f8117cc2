#!/usr/bin/env bash
# Property-based API testing: schemathesis (from PyPI) generates requests from the served
# OpenAPI document for every operation, with an editor key, and fails on any check it reports
# (server errors, responses that do not match the spec, undocumented status codes, …).
#
# Usage: scripts/schemathesis.sh [max-examples per operation, default 30]
# Runs the debug binary on its embedded PostgreSQL in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-30}"
port="${SCHEMATHESIS_PORT:-18431}"

if ! command -v schemathesis >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'schemathesis==4.*'
fi
cargo build --quiet --bin ogp-api
bin="$PWD/target/debug/ogp-api"

work="$(mktemp -d /tmp/ogp-schemathesis.XXXXXX)"
chmod 755 "$work" # as root, the embedded cluster runs as `postgres`, which must reach it
export OGP_DATA_DIR="$work/data" OGP_BIND="127.0.0.1:$port" OGP_SEED_DEMO=true \
  OGP_RATE_LIMIT_READS=0 OGP_RATE_LIMIT_WRITES=0 RUST_LOG=warn
key="$("$bin" keys create --name schemathesis --role editor 2>/dev/null)"

"$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.2
done

schemathesis --config-file schemathesis.toml run "http://127.0.0.1:$port/openapi.json" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --header "Authorization: Bearer $key" \
  --max-examples "$examples" \
  --seed 20261129 \
  --generation-deterministic \
  --workers 2 \
  --request-timeout 10
