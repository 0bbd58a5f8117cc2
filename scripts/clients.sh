#!/usr/bin/env bash
# Generated clients, as users make them: a TypeScript client (openapi-typescript +
# openapi-fetch, type-checked with tsc) and a Python client (openapi-python-client), both from
# the spec the server serves, each running its example (clients/*/example.*) against a live
# server with the demo data. A generator warning fails the run.
#
# Usage: scripts/clients.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port="${CLIENTS_PORT:-18432}"

if ! command -v npm >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check 'openapi-python-client==0.29.1'
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh
start_demo_server "$port" admin seed
curl -sf "http://127.0.0.1:$port/openapi.json" >"$work/openapi.json"
export OGP_URL="http://127.0.0.1:$port" OGP_KEY="$key"

# Fails when a generator said anything that looks like a warning.
no_warnings() {
  if grep -iE 'warn|error' "$1"; then
    echo "the generator warned (above)" >&2
    exit 1
  fi
}

echo "== TypeScript (openapi-typescript + openapi-fetch, tsc)"
(
  cd clients/typescript
  npm ci --no-audit --no-fund --loglevel=error
  OGP_SPEC="$work/openapi.json" npm run -s generate 2>&1 | tee "$work/ts.log"
  no_warnings "$work/ts.log"
  npm run -s build
  npm run -s example
)

echo "== Python (openapi-python-client)"
(
  cd "$work"
  openapi-python-client generate --path openapi.json --meta none \
    --config "$OLDPWD/clients/python/openapi-python-client.yml" \
    --output-path ogp_api_client 2>&1 | tee "$work/py.log"
  no_warnings "$work/py.log"
  PYTHONPATH="$work" python3 "$OLDPWD/clients/python/example.py"
)
