#!/usr/bin/env python3
"""Latency of `/commitments/groups` at the large scale (1 M commitments): grouping by country
and by completion, unfiltered (the kept rollup) and filtered (every commitment read), each
timed over several sequential requests after a warm-up; prints p50 / max per request against
the issue's target (300 ms), and each statement's EXPLAIN ANALYZE time.

Usage (hold the bench lock, the database loaded by bench/load.sh large):
  flock /tmp/ogp-bench.lock bench/groups.py \
      --database-url postgres://postgres@%2Ftmp%2Fogp-bench/ogp_bench_large \
      --bin target/release/ogp-api [--runs 7]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request

PORT = 18481
TARGET_MS = 300

REQUESTS = [
    ("by country", "group_by=country_code"),
    ("by completion", "group_by=completion"),
    ("by country and completion", "group_by=country_code,completion"),
    ("by country, plans from 2016", "group_by=country_code&plan_start_year_gte=2016"),
    ("by completion, one theme", "group_by=completion&theme=Open%20Data"),
    ("by completion in a report", "group_by=completion&report=end_of_term_report"),
    ("by theme, filtered by q", "group_by=theme&q=procurement"),
]


def get(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--bin", default="target/release/ogp-api")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = dict(os.environ, DATABASE_URL=args.database_url, OGP_BIND=f"127.0.0.1:{PORT}",
               OGP_RATE_LIMIT_READS="0", RUST_LOG="warn", OGP_STATEMENT_TIMEOUT_MS="600000")
    server = subprocess.Popen([args.bin, "serve"], env=env)
    base = f"http://127.0.0.1:{PORT}/api/v1/commitments/groups?"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        commitments = subprocess.run(
            ["psql", args.database_url, "-Atc", "SELECT count(*) FROM commitments"],
            capture_output=True, text=True, check=True).stdout.strip()
        print(f"{commitments} commitments; {args.runs} sequential requests each after one "
              f"warm-up; target {TARGET_MS} ms")
        print(f"{'grouping':38} {'groups':>7} {'p50 ms':>8} {'max ms':>8}  target")
        for name, query in REQUESTS:
            _, body = get(base + query)  # warm-up (and the statement prepared)
            groups = body.count(b'"count"')
            times = [get(base + query)[0] for _ in range(args.runs)]
            p50 = statistics.median(times)
            verdict = "ok" if p50 <= TARGET_MS else "OVER"
            print(f"{name:38} {groups:>7} {p50:>8.1f} {max(times):>8.1f}  {verdict}")
            sys.stdout.flush()
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
