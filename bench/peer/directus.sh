#!/usr/bin/env bash
# The benchmark's peer engine: Directus 10.13 (npm) serving our tables over REST, read-only
# for the public role. See bench/peer/README.md.
#
#   bench/peer/directus.sh start DATABASE_URL PORT   install (cached) + bootstrap + start; prints the PID
#   bench/peer/directus.sh stop                      stop the instance this script started
#   bench/peer/directus.sh status                    print the PID if it runs (exit 1 if not)
#
# DATABASE_URL: postgres://user@%2Fsocket%2Fdir/dbname, postgres://user:pass@host:port/dbname,
# or postgres://user@/dbname?host=/socket/dir. Only the PID goes to stdout; progress to stderr.
#
# Environment (all optional):
#   DIRECTUS_DIR             install, logs and PID file        [/tmp/ogp-bench-directus]
#                            (not under /tmp/ogp-bench: bench/run.sh deletes that folder when it
#                            has no PostgreSQL cluster yet, and a reinstall takes minutes)
#   DIRECTUS_VERSION         exact npm version                 [10.13.4, the latest 10.13.x]
#   DIRECTUS_POOL_MAX        database connections at most      [16, as ogp-api's OGP_POOL_SIZE]
#   DIRECTUS_INCLUDE_SEARCH  1: also expose the tsvector `search` columns (ogp-api never returns them)
#   DIRECTUS_ADMIN_EMAIL / DIRECTUS_ADMIN_PASSWORD / DIRECTUS_ADMIN_TOKEN   bootstrap admin
set -euo pipefail

DIRECTUS_DIR=${DIRECTUS_DIR:-/tmp/ogp-bench-directus}
DIRECTUS_VERSION=${DIRECTUS_VERSION:-10.13.4}
DIRECTUS_POOL_MAX=${DIRECTUS_POOL_MAX:-16}
DIRECTUS_INCLUDE_SEARCH=${DIRECTUS_INCLUDE_SEARCH:-0}
ADMIN_EMAIL=${DIRECTUS_ADMIN_EMAIL:-admin@example.com}
ADMIN_PASSWORD=${DIRECTUS_ADMIN_PASSWORD:-ogp-bench-admin}
ADMIN_TOKEN=${DIRECTUS_ADMIN_TOKEN:-ogp-bench-admin-token}

PID_FILE="$DIRECTUS_DIR/directus.pid"
LOG_FILE="$DIRECTUS_DIR/directus.log"
ENV_FILE="$DIRECTUS_DIR/directus.env"
# The Directus CLI without the wrapper's update check (a registry request at every start).
RUN_JS="node_modules/@directus/api/dist/cli/run.js"

log() { printf 'directus.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

usage() {
    sed -n '5,7p' "$0" >&2
    exit 2
}

# --- install ---------------------------------------------------------------------------------

installed() {
    [[ -f "$DIRECTUS_DIR/node_modules/directus/package.json" ]] || return 1
    (cd "$DIRECTUS_DIR" && node -e '
        const v = require("./node_modules/directus/package.json").version;
        if (v !== process.argv[1]) process.exit(1);
        require("isolated-vm"); require("argon2");   // native modules Directus loads at start
    ' "$DIRECTUS_VERSION") >/dev/null 2>&1
}

install_directus() {
    mkdir -p "$DIRECTUS_DIR"
    exec 9>"$DIRECTUS_DIR/.install.lock"
    flock 9
    if installed; then
        exec 9>&-
        return 0
    fi
    log "installing directus@$DIRECTUS_VERSION into $DIRECTUS_DIR (log: $DIRECTUS_DIR/install.log)"
    local t0
    t0=$(now)
    [[ -f "$DIRECTUS_DIR/package.json" ]] ||
        printf '{ "name": "ogp-bench-directus", "private": true }\n' >"$DIRECTUS_DIR/package.json"
    # isolated-vm (imported at start by the extensions manager) and sqlite3 compile with node-gyp,
    # which would download node's headers from the internet: point it at the local ones.
    if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node.h ]]; then
        export npm_config_nodedir=/usr
    fi
    if ! (cd "$DIRECTUS_DIR" && npm install --no-audit --no-fund --save-exact \
        --update-notifier=false "directus@$DIRECTUS_VERSION") >"$DIRECTUS_DIR/install.log" 2>&1; then
        tail -n 30 "$DIRECTUS_DIR/install.log" >&2
        die "npm install failed (if node-gyp could not find headers: apt-get install nodejs, which ships /usr/include/node)"
    fi
    installed || die "directus@$DIRECTUS_VERSION installed but does not load; see $DIRECTUS_DIR/install.log"
    log "installed in $(since "$t0") s"
    exec 9>&-
}

# --- configuration ---------------------------------------------------------------------------

# Writes $ENV_FILE: every Directus setting, shell-quoted, from DATABASE_URL and PORT.
write_env() {
    local url=$1 port=$2
    python3 - "$url" >"$ENV_FILE.tmp" <<'PY' || { rm -f "$ENV_FILE.tmp"; die "cannot parse DATABASE_URL"; }
import shlex, sys
from urllib.parse import urlsplit, unquote, parse_qs

u = urlsplit(sys.argv[1])
if u.scheme not in ("postgres", "postgresql"):
    sys.exit("DATABASE_URL must start with postgres:// or postgresql://")
query = {k: v[-1] for k, v in parse_qs(u.query).items()}
userinfo, _, hostport = u.netloc.rpartition("@")
user, _, password = userinfo.partition(":")
host, port = hostport, ""
if hostport.startswith("["):  # [IPv6]:port
    host, _, rest = hostport[1:].partition("]")
    port = rest.lstrip(":")
elif ":" in hostport:
    host, _, port = hostport.rpartition(":")
out = {
    # host may be a percent-encoded socket directory; libpq's ?host= wins, as in libpq
    "DB_HOST": query.get("host") or unquote(host) or "/var/run/postgresql",
    "DB_PORT": query.get("port") or port or "5432",
    "DB_DATABASE": unquote(u.path.lstrip("/")) or query.get("dbname", ""),
    "DB_USER": unquote(user) or query.get("user") or "postgres",
}
if "password" in query or ":" in userinfo:
    out["DB_PASSWORD"] = query.get("password") or unquote(password)
if not out["DB_DATABASE"]:
    sys.exit("DATABASE_URL has no database name")
if not out["DB_PORT"].isdigit():
    sys.exit("DATABASE_URL has a bad port")
for k, v in out.items():
    print(f"{k}={shlex.quote(v)}")
PY
    {
        cat <<EOF
# Written by bench/peer/directus.sh: the settings Directus runs with (process environment).
DB_CLIENT=pg
DB_POOL__MIN=2
DB_POOL__MAX=$DIRECTUS_POOL_MAX
DB_EXCLUDE_TABLES=spatial_ref_sys,sysdiagrams,__diesel_schema_migrations,api_keys,changes,idempotency_keys,commitment_facts,commitment_rollup
HOST=127.0.0.1
PORT=$port
PUBLIC_URL=http://127.0.0.1:$port
KEY=ogp-bench-directus-key
SECRET=ogp-bench-directus-secret
ADMIN_EMAIL=$(printf '%q' "$ADMIN_EMAIL")
ADMIN_PASSWORD=$(printf '%q' "$ADMIN_PASSWORD")
ADMIN_TOKEN=$(printf '%q' "$ADMIN_TOKEN")
NODE_ENV=production
CACHE_ENABLED=false
CACHE_SCHEMA=true
CACHE_PERMISSIONS=true
RATE_LIMITER_ENABLED=false
RATE_LIMITER_GLOBAL_ENABLED=false
PRESSURE_LIMITER_ENABLED=false
LOG_LEVEL=warn
LOG_STYLE=raw
TELEMETRY=false
SERVE_APP=false
WEBSOCKETS_ENABLED=false
EXTENSIONS_AUTO_RELOAD=false
QUERY_LIMIT_DEFAULT=100
CONFIG_PATH=$DIRECTUS_DIR/no-such-config.env
EOF
        cat "$ENV_FILE.tmp"
    } >"$ENV_FILE"
    rm -f "$ENV_FILE.tmp" "$DIRECTUS_DIR/no-such-config.env"
}

load_env() {
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
}

bootstrap() {
    log "bootstrapping against $DB_DATABASE (log: $DIRECTUS_DIR/bootstrap.log)"
    local t0
    t0=$(now)
    # Installs the directus_* system tables and the admin user on first run, migrates otherwise.
    if ! (cd "$DIRECTUS_DIR" && LOG_LEVEL=info node "$RUN_JS" bootstrap) >"$DIRECTUS_DIR/bootstrap.log" 2>&1; then
        tail -n 30 "$DIRECTUS_DIR/bootstrap.log" >&2
        die "directus bootstrap failed"
    fi
    log "bootstrap done in $(since "$t0") s"
}

# Relation metadata that the database's foreign keys do not give Directus. Written straight into
# directus_relations because POST/PATCH /relations would also (re)create a foreign key constraint
# in our schema:
# - irm_findings.commitment_id -> commitments: the real FK is the composite
#   (commitment_id, action_plan_id) -> commitments (id, action_plan_id), which Directus's schema
#   inspector skips (it reads single-column FKs only). Its O2M side is commitments.irm_findings.
# - commitments.action_plan_id / irm_findings.action_plan_id -> action_plans: the FKs exist; the
#   rows only name their O2M sides, action_plans.commitments and action_plans.irm_findings.
relations_sql() {
    psql -X -q -v ON_ERROR_STOP=1 "$1" >/dev/null <<'SQL'
INSERT INTO directus_relations (many_collection, many_field, one_collection, one_field)
SELECT v.mc, v.mf, v.oc, v.of
  FROM (VALUES ('irm_findings', 'commitment_id', 'commitments', 'irm_findings'),
               ('commitments', 'action_plan_id', 'action_plans', 'commitments'),
               ('irm_findings', 'action_plan_id', 'action_plans', 'irm_findings')) AS v(mc, mf, oc, of)
 WHERE NOT EXISTS (SELECT 1 FROM directus_relations r
                    WHERE r.many_collection = v.mc AND r.many_field = v.mf);
SQL
}

# Through the REST API, as the admin: the O2M alias fields, and the public role's read
# permissions on our five tables: every column but the tsvector ones (unless
# DIRECTUS_INCLUDE_SEARCH=1), plus the alias fields, which filters and deep reads need. So
# `fields=*` on commitments and action_plans includes the alias arrays: directus_paths.py names
# the columns instead.
configure_api() {
    python3 - "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" \
        "$DIRECTUS_INCLUDE_SEARCH" <<'PY'
import json, sys, urllib.error, urllib.parse, urllib.request

base, token, email, password, include_search = sys.argv[1:6]
TABLES = ["countries", "action_plans", "commitments", "milestones", "irm_findings"]
ALIASES = [("commitments", "irm_findings"), ("action_plans", "commitments"), ("action_plans", "irm_findings")]


def call(method, path, body=None, auth=True):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if auth:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


status, _ = call("GET", "/users/me")
if status != 200:  # a database bootstrapped earlier with another static token: log in instead
    status, body = call("POST", "/auth/login", {"email": email, "password": password}, auth=False)
    if status != 200:
        sys.exit(f"cannot authenticate as the Directus admin: {status} {body}")
    token = body["data"]["access_token"]

for collection, alias in ALIASES:
    if call("GET", f"/fields/{collection}/{alias}")[0] != 200:
        status, body = call("POST", f"/fields/{collection}",
                            {"field": alias, "type": "alias",
                             "meta": {"special": ["o2m"], "interface": "list-o2m"}})
        if status != 200:
            sys.exit(f"cannot create alias field {collection}.{alias}: {status} {body}")

for table in TABLES:
    status, body = call("GET", f"/fields/{table}")
    if status != 200:
        sys.exit(f"Directus does not see table {table}: {status} {body}")
    # Alias (O2M) fields must be readable for filters and deep reads through them; they have no
    # schema. Columns: all but tsvector ones unless asked.
    fields = [f["field"] for f in body["data"]
              if f.get("schema") is None
              or include_search == "1" or f["schema"].get("data_type") != "tsvector"]
    q = urllib.parse.urlencode({"filter[role][_null]": "true", "filter[collection][_eq]": table,
                                "filter[action][_eq]": "read", "fields": "id"})
    existing = call("GET", "/permissions?" + q)[1]["data"]
    payload = {"role": None, "collection": table, "action": "read", "fields": fields,
               "permissions": {}, "validation": {}}
    if existing:
        status, body = call("PATCH", f"/permissions/{existing[0]['id']}", payload)
    else:
        status, body = call("POST", "/permissions", payload)
    if status not in (200, 204):
        sys.exit(f"cannot grant public read on {table}: {status} {body}")

for table in TABLES:  # as the public role now
    status, body = call("GET", f"/items/{table}?limit=1", auth=False)
    if status != 200:
        sys.exit(f"public read of {table} fails: {status} {body}")
PY
}

# --- process ---------------------------------------------------------------------------------

running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid=$(<"$PID_FILE")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    # Ours only: the PID must still be a Directus started from $RUN_JS.
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "cli/run.js start"; then
        echo "$pid"
        return 0
    fi
    return 1
}

stop() {
    local pid
    if ! pid=$(running_pid); then
        rm -f "$PID_FILE"
        log "not running"
        return 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "PID $pid ignored SIGTERM for 20 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    log "stopped PID $pid"
}

start() {
    local url=$1
    PORT=$2
    [[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number"
    command -v node >/dev/null || die "node is not installed"
    command -v psql >/dev/null || die "psql is not installed"
    if running_pid >/dev/null; then
        log "an instance started earlier is still running; stopping it first"
        stop
    fi
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then
        die "something already answers on 127.0.0.1:$PORT"
    fi

    install_directus
    # Its default upload and extension folders, relative to the working directory: present, so
    # that it does not warn about them at every start.
    mkdir -p "$DIRECTUS_DIR/uploads" "$DIRECTUS_DIR/extensions"
    write_env "$url" "$PORT"
    load_env
    bootstrap
    relations_sql "$url"

    local t0 pid
    t0=$(now)
    printf '\n==== %s start on port %s, database %s\n' "$(date -Is)" "$PORT" "$DB_DATABASE" >>"$LOG_FILE"
    cd "$DIRECTUS_DIR"
    nohup node "$RUN_JS" start >>"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    for _ in $(seq 1 600); do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$LOG_FILE" >&2
            rm -f "$PID_FILE"
            die "directus exited during start-up; see $LOG_FILE"
        fi
        if [[ "$(curl -s --max-time 2 "http://127.0.0.1:$PORT/server/ping" || true)" == pong ]]; then
            break
        fi
        sleep 0.2
    done
    [[ "$(curl -s --max-time 2 "http://127.0.0.1:$PORT/server/ping" || true)" == pong ]] ||
        { stop; die "directus did not answer within 120 s; see $LOG_FILE"; }
    log "answering after $(since "$t0") s"
    if ! configure_api; then
        stop
        die "configuring directus failed"
    fi
    log "ready on http://127.0.0.1:$PORT (PID $pid, log $LOG_FILE, settings $ENV_FILE)"
    echo "$pid"
}

case "${1:-}" in
    start)
        [[ $# -eq 3 ]] || usage
        start "$2" "$3"
        ;;
    stop) stop ;;
    status)
        running_pid || exit 1
        ;;
    *) usage ;;
esac
