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
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh
start_demo_server "$port" editor

schemathesis --config-file schemathesis.toml run "http://127.0.0.1:$port/openapi.json" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --header "Authorization: Bearer $key" \
  --max-examples "$examples" \
  --seed 20261129 \
  --generation-deterministic \
  --workers 2 \
  --request-timeout 10
