#!/usr/bin/env bash
# `ogp-api export` and `ogp-api import` at scale (issue 13, "Numbers"):
#
#   flock /tmp/ogp-bench.lock bench/import_cli.sh [COUNTRIES]   # comma list (`MEX,GHA`); empty = all
#   STEPS=export bench/import_cli.sh ...                         # only the export (or `import`)
#
# 1. `ogp-api export` of the large-scale bench database (`ogp_bench_large`, see `bench/run.sh
#    large`) into a file: time, records/s, peak RSS (`/usr/bin/time -v`).
# 2. `ogp-api import` of that file into a new, empty, migrated database (`ogp_import_bench`,
#    dropped first): counts, time, records/s, peak RSS.
# 3. The same import again: records/s, peak RSS, and a check that it wrote nothing (no
#    change-feed entry, nothing created or updated).
# STEPS=check (with an exported bundle kept by KEEP_BUNDLE=1): the bundle with one byte of its
# `format` changed (restored after), imported: every record read and checked, nothing written,
# a 422 at the end: the rate of reading and checking alone, and the peak RSS of the import's
# key sets at the bundle's full size, without the hours PostgreSQL takes to insert it.
# Uses the PostgreSQL at /tmp/ogp-bench if it runs, else starts it (and stops it again); builds
# nothing: BIN (default target/release/ogp-api). The bundle is deleted at the end
# (KEEP_BUNDLE=1 keeps it in /tmp/ogp-import-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
countries="${1:-}"
steps="${STEPS:-export import}"
bin="${BIN:-$PWD/target/release/ogp-api}"
[ -x "$bin" ] || { echo "no $bin: cargo build --release --bin ogp-api" >&2; exit 1; }
dir=/tmp/ogp-bench
base="postgres://postgres@%2Ftmp%2Fogp-bench"
work=/tmp/ogp-import-bench
bundle="$work/bundle.json"
mkdir -p "$work"

if ! psql "$base/postgres" -Atc 'SELECT 1' >/dev/null 2>&1; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/log" -w \
    -o "-k $dir -c listen_addresses= -c shared_buffers=512MB -c max_connections=200" start >/dev/null
  trap '"${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null' EXIT
fi

# Runs the binary on database $1 with the rest as arguments under /usr/bin/time -v; its
# stdout goes to $work/out, its stderr (progress lines, then time's report) to $work/err.
timed() {
  local db="$1"; shift
  env DATABASE_URL="$base/$db" OGP_STATEMENT_TIMEOUT_MS=3600000 RUST_LOG=info \
    /usr/bin/time -v "$bin" "$@" >"$work/out" 2>"$work/err"
}
seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/err"; }
rss_mib() { awk '/Maximum resident set size/ {printf "%.1f", $NF / 1024}' "$work/err"; }

if [[ " $steps " == *" export "* ]]; then
  filter=()
  [ -n "$countries" ] && filter=(--country-code "$countries")
  echo "exporting ogp_bench_large${countries:+ ($countries)} ..."
  timed ogp_bench_large export "${filter[@]}" --output "$bundle" || { tail -n 30 "$work/err" >&2; exit 1; }
  records=$(sed -n 's/.*export: exporting done: \([0-9]*\) records.*/\1/p' "$work/err" | tail -n 1)
  python3 - "$records" "$(seconds)" "$(rss_mib)" "$(stat -c %s "$bundle")" <<'PY'
import sys
records, seconds, rss, size = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
print(f"export: {records:,} records, {size / 2**20:,.0f} MiB in {seconds:.1f} s = "
      f"{records / seconds:,.0f} records/s, peak RSS {rss} MiB")
PY
fi

if [[ " $steps " == *" import "* ]]; then
  psql "$base/postgres" -qc 'DROP DATABASE IF EXISTS ogp_import_bench' -c 'CREATE DATABASE ogp_import_bench'
  DATABASE_URL="$base/ogp_import_bench" "$bin" migrate >/dev/null 2>&1
  changes() { psql "$base/ogp_import_bench" -Atc 'SELECT count(*) FROM changes'; }
  import() {
    timed ogp_import_bench import "$bundle" || { tail -n 30 "$work/err" >&2; exit 1; }
    python3 - "$1" "$(seconds)" "$(rss_mib)" "$work/out" <<'PY'
import json, sys
label, seconds, rss, path = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
outcome = json.load(open(path))
counts = {n: c for n, c in outcome.items() if isinstance(c, dict)}
records = sum(c["created"] + c["updated"] + c["unchanged"] for c in counts.values())
written = sum(c["created"] + c["updated"] for c in counts.values())
print(f"{label}: {records:,} records in {seconds:.1f} s = {records / seconds:,.0f} records/s, "
      f"peak RSS {rss} MiB, {written:,} written")
for name, c in counts.items():
    print(f"  {name:13} created {c['created']:>9}  updated {c['updated']:>9}  unchanged {c['unchanged']:>9}")
PY
  }
  import "first import"
  before=$(changes)
  import "re-import (unchanged)"
  after=$(changes)
  if [ "$before" != "$after" ]; then
    echo "the re-import wrote: the change feed grew from $before to $after entries" >&2
    exit 1
  fi
  echo "re-import wrote nothing (change feed: $after entries before and after)"
fi
if [[ " $steps " == *" check "* ]]; then
  psql "$base/postgres" -qc 'DROP DATABASE IF EXISTS ogp_import_bench' -c 'CREATE DATABASE ogp_import_bench'
  DATABASE_URL="$base/ogp_import_bench" "$bin" migrate >/dev/null 2>&1
  [ "$(head -c 26 "$bundle")" = '{"format":"ogp-api.bundle"' ] || { echo "not an export: $bundle" >&2; exit 1; }
  printf 'X' | dd of="$bundle" bs=1 seek=24 conv=notrunc status=none
  trap 'printf e | dd of="$bundle" bs=1 seek=24 conv=notrunc status=none' EXIT
  if timed ogp_import_bench import "$bundle"; then echo "the check-only import succeeded" >&2; exit 1; fi
  printf e | dd of="$bundle" bs=1 seek=24 conv=notrunc status=none
  trap - EXIT
  grep -q "/format: must be" "$work/err" || { tail -n 30 "$work/err" >&2; exit 1; }
  total=$(sed -n 's/.*import: writing \([0-9]*\) records.*/\1/p' "$work/err" | head -n 1)
  python3 - "$total" "$(seconds)" "$(rss_mib)" "$(stat -c %s "$bundle")" <<'PY'
import sys
records, seconds, rss, size = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
print(f"check only: {records:,} records, {size / 2**20:,.0f} MiB read and checked in {seconds:.1f} s "
      f"= {records / seconds:,.0f} records/s, peak RSS {rss} MiB, nothing written")
PY
fi
[ -n "${KEEP_BUNDLE:-}" ] || rm -f "$bundle"
