#!/usr/bin/env bash
# Lints the committed OpenAPI document (openapi/openapi.json, which a test keeps equal to the
# served one) with Redocly CLI's `recommended` rules and Spectral's `spectral:oas` ruleset.
# Fails on any error or warning; the rules switched off are in redocly.yaml and .spectral.yaml,
# each with its reason.
#
# The linters come from npm at pinned versions, installed once into a cache folder
# (OGP_LINT_CACHE, default target/spec-lint) so that CI does not fetch them on every run.
# Node.js and npm are installed with apt when missing (CI runs as root on Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."

# Redocly 1.34 runs on the Node.js 18 that Debian 12 packages (2.x needs Node 20.19+).
REDOCLY_VERSION=1.34.20
SPECTRAL_VERSION=6.16.3
cache="${OGP_LINT_CACHE:-$PWD/target/spec-lint}"
spec=openapi/openapi.json

if ! command -v npm >/dev/null; then
  echo "== installing Node.js and npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

stamp="$cache/.installed-$REDOCLY_VERSION-$SPECTRAL_VERSION"
if [ ! -e "$stamp" ]; then
  echo "== installing @redocly/cli@$REDOCLY_VERSION and @stoplight/spectral-cli@$SPECTRAL_VERSION into $cache"
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --no-save --loglevel=error \
    "@redocly/cli@$REDOCLY_VERSION" "@stoplight/spectral-cli@$SPECTRAL_VERSION" >/dev/null
  touch "$stamp"
fi
bin="$cache/node_modules/.bin"

status=0
echo "== Redocly (recommended; config redocly.yaml)"
# No telemetry from CI.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$bin/redocly" lint --config redocly.yaml --max-problems 1000 "$spec" || status=1

echo "== Spectral (spectral:oas; config .spectral.yaml)"
"$bin/spectral" lint --ruleset .spectral.yaml --fail-severity warn "$spec" || status=1

exit "$status"
