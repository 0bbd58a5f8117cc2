#!/usr/bin/env python3
"""Benchmark scenarios against ogp-api and against PostgreSQL itself (pgbench), in one run.

For each read scenario: wrk drives the API at a fixed concurrency and duration, and pgbench
runs the same SQL at the same concurrency: the limit. Prints req/s, p50 and p99 latency per
scenario and the ratio ours / pgbench, then the one-off measurements (deep page vs first page,
stats latency, CSV export rate and peak memory, idle and loaded RSS).

The peer engine (Directus, from npm) is not set up by this harness yet: its column is printed as
"n/a" (see bench/README.md).

Usage: bench/run.py --database-url URL --bin target/release/ogp-api [--duration 10]
         [--connections 16]
The database must hold a generated data set (bench/load.sh).
"""

import argparse
import base64
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

PORT = 18480


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def psql(url, sql):
    return run(["psql", url, "-Atc", sql]).strip()


def cursor(values, sort=""):
    raw = json.dumps({"sort": sort, "values": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def parse_latency(text):
    """wrk's latency value (e.g. 1.23ms, 850.00us, 1.20s) in milliseconds."""
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, connections, duration):
    out = run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = parse_latency(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = parse_latency(re.search(r"\s99%\s+(\S+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} non-2xx responses")
    return rps, p50, p99


def pgbench(url, sql, connections, duration):
    with tempfile.TemporaryDirectory() as work:
        script = os.path.join(work, "scenario.sql")
        with open(script, "w") as f:
            f.write(sql)
        out = run(
            ["pgbench", "-n", "-M", "prepared", "-f", script, "-c", str(connections), "-j", "2",
             "-T", str(duration), "-l", "--log-prefix", os.path.join(work, "log"), url],
            cwd=work,
        )
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
        latencies = []
        for name in os.listdir(work):
            if name.startswith("log"):
                with open(os.path.join(work, name)) as log:
                    latencies += [int(line.split()[2]) / 1000.0 for line in log]
        latencies.sort()
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[int(len(latencies) * 0.99)]
        return tps, p50, p99


def timed_get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--bin", default="target/release/ogp-api")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    db, c, d = args.database_url, args.connections, args.duration

    counts = psql(db, "SELECT (SELECT count(*) FROM commitments) || ' ' || (SELECT count(*) FROM milestones)"
                      " || ' ' || (SELECT count(*) FROM irm_findings)")
    commitments = int(counts.split()[0])
    country = psql(db, "SELECT code FROM countries ORDER BY code LIMIT 1 OFFSET 7")
    plan = int(psql(db, "SELECT action_plan_id FROM commitments GROUP BY 1 HAVING count(*) >= 50 "
                        "ORDER BY 1 LIMIT 1"))
    commitment = commitments // 3
    deep_after = int(psql(db, "SELECT id FROM commitments ORDER BY id LIMIT 1 OFFSET "
                              f"{min(commitments - 100, 10_000 * 50)}"))
    summary_report = psql(db, f"SELECT report FROM irm_findings WHERE action_plan_id = {plan} "
                              "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1") or "end_of_term_report"

    env = dict(os.environ, DATABASE_URL=db, OGP_BIND=f"127.0.0.1:{PORT}", OGP_RATE_LIMIT_READS="0",
               OGP_RATE_LIMIT_WRITES="0", RUST_LOG="warn", OGP_STATEMENT_TIMEOUT_MS="600000")
    server = subprocess.Popen([args.bin, "serve"], env=env)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        time.sleep(1)
        idle_rss = rss_kib(server.pid)

        scenarios = [
            ("GET one country", f"/api/v1/countries/{country}",
             f"SELECT * FROM countries WHERE code = '{country}';"),
            ("GET one commitment", f"/api/v1/commitments/{commitment}",
             f"SELECT * FROM commitments WHERE id = {commitment};"),
            ("list 50 commitments of a plan", f"/api/v1/action-plans/{plan}/commitments",
             f"SELECT EXISTS (SELECT 1 FROM action_plans WHERE id = {plan});\n"
             f"SELECT c.*, NULL::real AS search_rank FROM commitments c WHERE c.action_plan_id = {plan} "
             "ORDER BY c.id LIMIT 51;"),
            ("rating filter + sort", "/api/v1/commitments?completion=complete&sort=-number",
             "SELECT c.*, NULL::real AS search_rank FROM commitments c WHERE EXISTS (SELECT 1 FROM "
             "irm_findings f WHERE f.commitment_id = c.id AND f.kind = 'assessment' AND "
             "f.completion = 'complete') ORDER BY c.number DESC, c.id DESC LIMIT 51;"),
            ("page 10 000 deep", f"/api/v1/commitments?cursor={cursor([deep_after])}",
             f"SELECT c.*, NULL::real AS search_rank FROM commitments c WHERE (c.id) > ({deep_after}) "
             "ORDER BY c.id LIMIT 51;"),
            ("irm-summary", f"/api/v1/action-plans/{plan}/irm-summary?report={summary_report}",
             f"SELECT * FROM action_plans WHERE id = {plan};\n"
             f"SELECT * FROM commitments WHERE action_plan_id = {plan} ORDER BY action_plan_id, number;\n"
             f"SELECT * FROM irm_findings WHERE action_plan_id = {plan} AND report = '{summary_report}' "
             "ORDER BY id;"),
        ]
        rows = []
        peak_loaded_rss = 0
        for name, path, sql in scenarios:
            ours = wrk(base + path, c, d)
            peak_loaded_rss = max(peak_loaded_rss, rss_kib(server.pid))
            limit = pgbench(db, sql, c, d)
            rows.append((name, ours, limit))

        first_page = wrk(base + "/api/v1/commitments", c, d)
        stats_times = [timed_get(base + "/api/v1/stats/commitments?group_by=country")[0] for _ in range(5)]
        export_seconds, export_bytes = timed_get(base + "/api/v1/commitments?format=csv")
        export_rss_peak = rss_kib(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=60)

    print(f"\nData: {counts.split()[0]} commitments, {counts.split()[1]} milestones, "
          f"{counts.split()[2]} IRM findings; wrk/pgbench: {c} connections, {d} s each; "
          f"{os.cpu_count()} cores")
    print(f"{'scenario':32} {'ours req/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'pgbench tps':>12} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'ours/pgbench':>13} {'peer':>6}")
    for name, (rps, p50, p99), (tps, lp50, lp99) in rows:
        print(f"{name:32} {rps:11.0f} {p50:8.2f} {p99:8.2f} {tps:12.0f} {lp50:8.2f} {lp99:8.2f} "
              f"{rps / tps:13.2f} {'n/a':>6}")
    deep = next(r for r in rows if r[0] == "page 10 000 deep")[1]
    print(f"\npage 10 000 p50 {deep[1]:.2f} ms vs page 1 p50 {first_page[1]:.2f} ms: "
          f"ratio {deep[1] / first_page[1]:.2f} (target <= 1.2)")
    print(f"stats by country over {commitments} commitments: median "
          f"{statistics.median(stats_times) * 1000:.0f} ms, max {max(stats_times) * 1000:.0f} ms "
          "(target <= 300 ms)")
    print(f"CSV export of {commitments} commitments: {export_seconds:.1f} s, "
          f"{commitments / export_seconds:,.0f} rows/s, {export_bytes / 1e6:.0f} MB "
          "(target >= 200k rows/s)")
    print(f"RSS: idle {idle_rss / 1024:.1f} MiB, under load {peak_loaded_rss / 1024:.1f} MiB, "
          f"peak over the run (incl. export) {export_rss_peak / 1024:.1f} MiB "
          "(targets: idle <= 20, load <= 100, export <= 64)")


if __name__ == "__main__":
    sys.exit(main())
