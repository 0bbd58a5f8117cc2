#!/usr/bin/env python3
"""Benchmark scenarios against ogp-api and against PostgreSQL itself (pgbench), in one run.

For each read scenario: wrk drives the API at a fixed concurrency and duration, and pgbench
runs the same SQL at the same concurrency: the limit. Prints req/s, p50 and p99 latency per
scenario and the ratio ours / pgbench, then the one-off measurements (deep page vs first page,
stats latency, CSV export rate and peak memory, idle and loaded RSS).

The peer engine, Directus 10.13 from npm (bench/peer/directus.sh installs, bootstraps and
starts it on the same database), serves each scenario through its closest REST query
(bench/peer/directus_paths.py) and is driven by the same wrk settings: ours / peer is printed
per scenario.

Usage: bench/run.py --database-url URL --bin target/release/ogp-api [--duration 10]
         [--connections 16] [--peer directus|none]
The database must hold a generated data set (bench/load.sh).
"""

import argparse
import base64
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

PORT = 18480
PEER_PORT = 18055
HERE = os.path.dirname(os.path.abspath(__file__))


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


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def reset_peak_rss(pid):
    """Resets the process's VmHWM to its current RSS (writing 5 to clear_refs, Linux >= 4.0);
    whether it could."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def machine_busy_seconds():
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as stat:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def process_seconds(pid):
    """CPU seconds (user + system) of one running process."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_seconds():
    """CPU seconds of this script's finished children (wrk, pgbench)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_split(work, server_pid=None):
    """Runs `work` (a wrk or pgbench run returning (rate, p50, p99)) and splits the machine's CPU
    time over it: the server process, the load client, and the rest (PostgreSQL's backends,
    plus whatever else ran). Returns the result and CPU microseconds per request of each."""
    before = (machine_busy_seconds(), process_seconds(server_pid) if server_pid else 0.0,
              children_seconds())
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    after = (machine_busy_seconds(), process_seconds(server_pid) if server_pid else 0.0,
             children_seconds())
    busy, server, client = (b - a for a, b in zip(before, after))
    requests = result[0] * elapsed
    per_request = {"server": server, "client": client, "database": busy - server - client}
    return result, {k: v / requests * 1e6 for k, v in per_request.items()}, busy / elapsed


def parse_latency(text):
    """wrk's latency value (e.g. 1.23ms, 850.00us, 1.20s) in milliseconds."""
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, connections, duration, headers=()):
    extra = [arg for header in headers for arg in ("-H", header)]
    out = run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *extra, url])
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


def timed_get(url, headers=None, timeout=600):
    request = urllib.request.Request(url, headers=headers or {})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - started, size


def scenario_parameters(db, commitments):
    """Which country, commitment, plan, deep-page key and report the scenarios use (also
    bench/peer/verify_directus.py): (country, commitment, plan, deep_after, summary_report)."""
    country = psql(db, "SELECT code FROM countries ORDER BY code LIMIT 1 OFFSET 7")
    # A plan with 50 commitments when there is one (the large scale), else the largest.
    plan = int(psql(db, "SELECT action_plan_id FROM commitments GROUP BY 1 "
                        "ORDER BY least(count(*), 50) DESC, 1 LIMIT 1"))
    deep_after = int(psql(db, "SELECT id FROM commitments ORDER BY id LIMIT 1 OFFSET "
                              f"{min(commitments - 100, 10_000 * 50)}"))
    summary_report = psql(db, f"SELECT report FROM irm_findings WHERE action_plan_id = {plan} "
                              "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1") or "end_of_term_report"
    return country, commitments // 3, plan, deep_after, summary_report


def stats_sql():
    """The statement ogp-api runs for /stats/commitments?group_by=country with no filter."""
    def count(condition=None):
        if condition is None:
            return "sum(a.commitments)::bigint"
        return f"coalesce(sum(a.commitments) FILTER (WHERE {condition}), 0)::bigint"

    def distribution(column, values):
        return "jsonb_build_object(" + ", ".join(
            f"'{v}', {count(f'{column} = {chr(39)}{v}{chr(39)}')}" for v in values) + ")"

    def verdict(column):
        return (f"jsonb_build_object('true', {count(column)}, 'false', {count(f'{column} = false')}, "
                f"'unknown', {count(f'a.assessed AND {column} IS NULL AND {column}_basis IS DISTINCT FROM ' + chr(39) + 'not_applicable' + chr(39))}, "
                f"'not_applicable', {count(f'{column}_basis = ' + chr(39) + 'not_applicable' + chr(39))})")

    completion = ["no_evidence", "not_started", "limited", "substantial", "complete"]
    impact = ["none", "minor", "moderate", "transformative"]
    potential = ["unclear", "modest", "substantial"]
    dig = ["worsened", "did_not_change", "marginal", "major", "outstanding"]
    early = ["moderate", "significant", "outstanding"]
    return (f"SELECT a.country_code AS group_text, NULL::bigint AS group_id, {count()} AS commitments, "
            f"{count('a.assessed')} AS assessed, {count('a.well_designed')} AS well_designed, "
            f"{count('a.starred')} AS starred, {count('a.promising')} AS promising, "
            f"jsonb_build_object('well_designed', {verdict('a.well_designed')}, "
            f"'starred', {verdict('a.starred')}, 'promising', {verdict('a.promising')}) AS verdicts, "
            f"{distribution('a.completion', completion)} AS completion, "
            f"{distribution('a.potential_impact', impact)} AS potential_impact, "
            f"{distribution('a.potential_for_results', potential)} AS potential_for_results, "
            f"{distribution('a.did_it_open_government', dig)} AS did_it_open_government, "
            f"{distribution('a.early_results', early)} AS early_results "
            "FROM commitment_rollup a GROUP BY 1, 2 HAVING sum(a.commitments) > 0 ORDER BY 1, 2;")


def start_peer(db):
    """Starts Directus on the database (installing it the first time); returns its paths module."""
    script = os.path.join(HERE, "peer", "directus.sh")
    started = time.perf_counter()
    subprocess.run(["bash", script, "start", db, str(PEER_PORT)], check=True,
                   stdout=subprocess.PIPE, text=True)
    print(f"peer: Directus started in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    sys.path.insert(0, os.path.join(HERE, "peer"))
    import directus_paths
    return directus_paths


def stop_peer():
    subprocess.run(["bash", os.path.join(HERE, "peer", "directus.sh"), "stop"], check=False)


# --- Issue 16: the HTTP floor and each middleware layer's cost, 256 connections with the pool's
# wait, 304s against 200s. New functions only (h-json edits the scenarios above).

FLOOR_PORT = 18490
# The layers examples/http_floor.rs adds one at a time, outermost first, as src/app.rs stacks them.
FLOOR_LAYERS = ["none: the floor", "+ compression", "+ request context", "+ HEAD as GET", "+ CORS",
                "+ authorization", "+ rate limit (off)", "+ request target", "+ idempotency",
                "+ read routing", "+ localization"]


def wrk_counted(url, connections, duration, headers=()):
    """wrk like `wrk`, but failures are counted instead of fatal: (req/s, p50 ms, p99 ms,
    socket errors, non-2xx/3xx responses, requests)."""
    extra = [arg for header in headers for arg in ("-H", header)]
    out = run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *extra, url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = parse_latency(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = parse_latency(re.search(r"\s99%\s+(\S+)", out).group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(map(int, sockets.groups())) if sockets else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, p50, p99, socket_errors, int(non2xx.group(1)) if non2xx else 0, requests


def pool_wait_scrape(base, pool="primary"):
    """`ogp_api_db_pool_wait_seconds{pool}` from /metrics: ({le: cumulative count}, sum, count)."""
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    buckets, total, count = {}, 0.0, 0
    for line in text.splitlines():
        match = re.match(r"ogp_api_db_pool_wait_seconds(_bucket|_sum|_count)\{([^}]*)\} (\S+)", line)
        if not match or f'pool="{pool}"' not in match.group(2):
            continue
        kind, labels, value = match.groups()
        if kind == "_bucket":
            le = re.search(r'le="([^"]+)"', labels).group(1)
            buckets[float("inf") if le == "+Inf" else float(le)] = float(value)
        elif kind == "_sum":
            total = float(value)
        else:
            count = int(float(value))
    return buckets, total, count


def pool_wait_between(before, after):
    """Mean and approximate p99 (linear within the histogram bucket) of the waits between two
    scrapes, in ms, and how many there were."""
    count = after[2] - before[2]
    if count <= 0:
        return 0.0, 0.0, 0
    mean = (after[1] - before[1]) / count * 1000
    target, previous_le, previous_cum = 0.99 * count, 0.0, 0.0
    for le in sorted(after[0]):
        cum = after[0][le] - before[0].get(le, 0.0)
        if cum >= target:
            if le == float("inf"):
                return mean, previous_le * 1000, count  # beyond the last bound: a lower bound
            share = (target - previous_cum) / (cum - previous_cum) if cum > previous_cum else 1.0
            return mean, (previous_le + (le - previous_le) * share) * 1000, count
        previous_le, previous_cum = le, cum
    return mean, previous_le * 1000, count


def cache_lookups(base):
    """The read cache's lookups so far, by outcome (`ogp_api_read_cache_lookups_total`)."""
    text = urllib.request.urlopen(base + "/metrics", timeout=60).read().decode()
    return {m.group(1): float(m.group(2)) for m in re.finditer(
        r'^ogp_api_read_cache_lookups_total\{outcome="(\w+)"\} (\S+)$', text, re.M)}


def lookups_between(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in ("hit", "miss", "waited", "off")}


def autogroup():
    """The kernel's sched_autogroup during the run: on, PostgreSQL's idle backends waited up to
    a second for a core under the cache-on rows' load (bench/README.md, "Scheduling")."""
    try:
        with open("/proc/sys/kernel/sched_autogroup_enabled") as f:
            return "sched_autogroup " + ("on" if f.read().strip() == "1" else "off")
    except OSError:
        return "no sched_autogroup"


def floor_rows(floor_bin, base, path, server_pid, c, d):
    """GET one through the API, and its body from the static floor with 0..10 of the API's
    middleware layers, with the same wrk settings: [(label, (rps, p50, p99), API us/req)]."""
    body = urllib.request.urlopen(base + path, timeout=10).read()
    rows = []
    with tempfile.NamedTemporaryFile(suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        for layers, label in enumerate(FLOOR_LAYERS):
            floor = subprocess.Popen([floor_bin, "--body", body_file.name, "--bind",
                                      f"127.0.0.1:{FLOOR_PORT}", "--layers", str(layers)])
            url = f"http://127.0.0.1:{FLOOR_PORT}{path}"
            try:
                for _ in range(100):
                    try:
                        answered = urllib.request.urlopen(url, timeout=1).read()
                        break
                    except Exception:
                        time.sleep(0.1)
                else:
                    raise SystemExit(f"the floor server (--layers {layers}) did not answer")
                if answered != body:
                    raise SystemExit(f"the floor (--layers {layers}) answers other bytes than GET one")
                result, split, _ = cpu_split(lambda: wrk(url, c, d), floor.pid)
                rows.append((label, result, split["server"]))
            finally:
                floor.terminate()
                floor.wait(timeout=30)
    # The API right after, so that both sides of the ratio see the same machine.
    result, split, _ = cpu_split(lambda: wrk(base + path, c, d), server_pid)
    rows.append(("the API: GET one country", result, split["server"]))
    return rows, len(body)


def many_clients_rows(base, paths, d, connections=256):
    """Each path with `connections` keep-alive connections, and the primary pool's waits over
    the run: [(name, wrk_counted result, (mean ms, p99 ms, waits))]."""
    rows = []
    for name, path in paths:
        before = pool_wait_scrape(base)
        result = wrk_counted(base + path, connections, d)
        rows.append((name, result, pool_wait_between(before, pool_wait_scrape(base))))
    return rows


def conditional_rows(base, paths, server_pid, c, d):
    """Each path's full 200 against the 304 its ETag earns (`If-None-Match`), back to back:
    [(name, 200 result, 200 API us/req, 304 result, 304 API us/req)]."""
    import urllib.error
    rows = []
    for name, path, connections in paths:
        etag = urllib.request.urlopen(base + path, timeout=60).headers["ETag"]
        if not etag:
            raise SystemExit(f"{path}: no ETag")
        try:
            status = urllib.request.urlopen(urllib.request.Request(
                base + path, headers={"If-None-Match": etag}), timeout=60).status
        except urllib.error.HTTPError as answer:
            status = answer.code
        if status != 304:
            raise SystemExit(f"{path} with If-None-Match: {etag} answered {status}, not 304")
        # Failures are counted, not fatal. The pause lets requests still running after the
        # previous wrk run (it closes its connections mid-request) finish first.
        time.sleep(2)
        full, full_split, _ = cpu_split(
            lambda: wrk_counted(base + path, connections, d), server_pid)
        time.sleep(2)
        # wrk counts a 304 as a success (only statuses above 399 are "Non-2xx or 3xx").
        cond, cond_split, _ = cpu_split(
            lambda: wrk_counted(base + path, connections, d, [f"If-None-Match: {etag}"]),
            server_pid)
        rows.append((name, full, full_split["server"], cond, cond_split["server"]))
    return rows


def start_server(bin_path, env, base):
    """Starts `ogp-api serve` with `env` and waits until `base` is ready."""
    server = subprocess.Popen([bin_path, "serve"], env=env)
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/readyz", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    time.sleep(1)
    return server


def cache_off_rows(bin_path, env, scenarios, c, d):
    """The same build with its read cache off (OGP_READ_CACHE_BYTES=0), in this run, on the
    scenarios the cache answers from memory: [(name, result, CPU split)], and the 304-vs-200
    rows of the data-version ETags (a 304 then costs one statement, src/data_version.rs)."""
    port = PORT + 1
    base = f"http://127.0.0.1:{port}"
    server = start_server(bin_path, dict(env, OGP_BIND=f"127.0.0.1:{port}",
                                         OGP_READ_CACHE_BYTES="0"), base)
    try:
        rows = []
        for name, path in scenarios:
            result, split, _ = cpu_split(lambda: wrk(base + path, c, d), server.pid)
            rows.append((name, result, split))
        conditional = conditional_rows(base, [(name, path, c) for name, path in scenarios
                                              if name.startswith("list")], server.pid, c, d)
        # The one-off figures whose target is about the query (the cache answers them from
        # memory): page 1's latency for the deep page's ratio, and the stats' latency.
        first_page = wrk(base + "/api/v1/commitments", c, d)
        stats_times = [timed_get(base + "/api/v1/stats/commitments?group_by=country")[0]
                       for _ in range(5)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    return rows, conditional, first_page, stats_times


def brotli_offered(base, path):
    """The Content-Encoding of `path`'s answer to `Accept-Encoding: br` (None: unencoded)."""
    response = urllib.request.urlopen(urllib.request.Request(
        base + path, headers={"Accept-Encoding": "br"}), timeout=60)
    return response.headers.get("Content-Encoding")


def issue16_rows(floor_bin, base, server_pid, country, plan, summary_report, c, d):
    """Everything issue 16 adds to the run (printed by `print_issue16`)."""
    one = f"/api/v1/countries/{country}"
    list50 = f"/api/v1/action-plans/{plan}/commitments"
    floor = None
    if floor_bin and os.path.exists(floor_bin):
        floor = floor_rows(floor_bin, base, one, server_pid, c, d)
        print("done: HTTP floor and middleware layers", file=sys.stderr)
    else:
        print(f"no floor binary at {floor_bin}: the HTTP floor is skipped", file=sys.stderr)
    many = many_clients_rows(base, [("GET one country", one), ("list 50 commitments", list50)], d)
    print("done: 256 connections", file=sys.stderr)
    # Stats by country at the large scale takes ~0.3 s of a core per request: 16 at once on two
    # cores pass wrk's 2 s timeout and the pool's 2 s wait, so it runs with 4 connections.
    conditional = conditional_rows(base, [
        ("list 50 commitments", list50, c),
        ("irm-summary", f"/api/v1/action-plans/{plan}/irm-summary?report={summary_report}", c),
        ("stats by country", "/api/v1/stats/commitments?group_by=country", min(c, 4)),
    ], server_pid, c, d)
    print("done: 304s", file=sys.stderr)
    return floor, many, conditional, brotli_offered(base, list50)


def print_issue16(results, c, d):
    floor, many, conditional, brotli = results
    if floor:
        rows, size = floor
        print(f"\nThe HTTP floor (examples/http_floor.rs: the same {size} bytes as GET one, no "
              "database) and the API's middleware layers added one at a time, outermost first; "
              f"wrk {c} connections, {d} s each")
        print(f"{'layers':34} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'API us/req':>10} "
              f"{'+us/req':>8} {'vs floor':>8}")
        floor_rps, previous = rows[0][1][0], None
        for label, (rps, p50, p99), us in rows:
            delta = f"{us - previous:8.1f}" if previous is not None else f"{'':>8}"
            print(f"{label:34} {rps:8.0f} {p50:7.2f} {p99:7.2f} {us:10.1f} {delta} "
                  f"{rps / floor_rps:8.2f}")
            previous = us
        print(f"GET one / the floor: {rows[-1][1][0] / floor_rps:.2f} (target >= 0.5 with a read "
              "cache); the last row's +us/req is the router, handler, pool and query over all layers")
    print("\n256 concurrent keep-alive connections (wrk -t2 -c256); pool wait = "
          "ogp_api_db_pool_wait_seconds{pool=\"primary\"} over the run (p99 interpolated)")
    print(f"{'scenario':22} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'p99/p50':>7} {'errors':>7} "
          f"{'non-2xx':>7} {'waits':>8} {'wait mean ms':>12} {'wait p99 ms':>11}")
    for name, (rps, p50, p99, socket_errors, non2xx, _), (mean, wait_p99, waits) in many:
        print(f"{name:22} {rps:8.0f} {p50:7.2f} {p99:7.2f} {p99 / p50:7.1f} {socket_errors:7d} "
              f"{non2xx:7d} {waits:8d} {mean:12.2f} {wait_p99:11.2f}")
    print("targets: p99/p50 <= 5, errors and non-2xx 0")
    print(f"\nConditional requests: the 200 against the 304 of If-None-Match with its ETag; wrk {c} "
          f"connections ({min(c, 4)} for stats), {d} s each")
    print(f"{'scenario':22} {'200 req/s':>9} {'p50 ms':>7} {'API us':>7} {'errors':>6} "
          f"{'304 req/s':>9} {'p50 ms':>7} {'API us':>7} {'errors':>6} {'304/200':>7}")
    for name, full, full_us, cond, cond_us in conditional:
        print(f"{name:22} {full[0]:9.0f} {full[1]:7.2f} {full_us:7.0f} {full[3] + full[4]:6d} "
              f"{cond[0]:9.0f} {cond[1]:7.2f} {cond_us:7.0f} {cond[3] + cond[4]:6d} "
              f"{cond[0] / full[0]:7.2f}")
    print("errors: socket errors and non-2xx/3xx responses (503s when the pool's 2 s wait ran out)")
    print("target: 304/200 >= 3")
    print(f"Brotli: Accept-Encoding: br is answered {'with ' + brotli if brotli else 'unencoded'} "
          "(br is not offered: src/compression.rs)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--bin", default="target/release/ogp-api")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--peer", choices=["directus", "none"], default="directus")
    parser.add_argument("--floor-bin", default="target/release/examples/http_floor",
                        help="the HTTP floor server (examples/http_floor.rs); skipped when missing")
    parser.add_argument("--peer-export-timeout", type=int, default=300,
                        help="seconds the peer's CSV export may take before it is given up")
    args = parser.parse_args()
    db, c, d = args.database_url, args.connections, args.duration

    def columns(table, alias=""):
        """The columns the API reads from `table`: all but the stored search document."""
        names = psql(db, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                         f"information_schema.columns WHERE table_name = '{table}' "
                         "AND table_schema = 'public' AND column_name <> 'search'").split(",")
        return ", ".join(alias + name for name in names)

    commitment_columns = columns("commitments", "c.")

    # Every list and view reads the data version first (its ETag, src/data_version.rs).
    version = "SELECT version, epoch::text AS epoch FROM data_version;\n"
    counts = psql(db, "SELECT (SELECT count(*) FROM commitments) || ' ' || (SELECT count(*) FROM milestones)"
                      " || ' ' || (SELECT count(*) FROM irm_findings)")
    commitments = int(counts.split()[0])
    country, commitment, plan, deep_after, summary_report = scenario_parameters(db, commitments)

    peer_paths, peer_pid = {}, None
    if args.peer == "directus":
        peer_paths = start_peer(db).paths(country, commitment, plan, deep_after, summary_report)
        peer_pid = int(run(["bash", os.path.join(HERE, "peer", "directus.sh"), "status"]).split()[0])
    peer_base = f"http://127.0.0.1:{PEER_PORT}"

    env = dict(os.environ, DATABASE_URL=db, OGP_BIND=f"127.0.0.1:{PORT}", OGP_RATE_LIMIT_READS="0",
               OGP_RATE_LIMIT_WRITES="0", RUST_LOG="warn", OGP_STATEMENT_TIMEOUT_MS="600000")
    base = f"http://127.0.0.1:{PORT}"
    server = start_server(args.bin, env, base)
    try:
        idle_rss = rss_kib(server.pid)

        scenarios = [
            ("GET one country", f"/api/v1/countries/{country}",
             f"SELECT {columns('countries')} FROM countries WHERE code = '{country}';"),
            ("GET one commitment", f"/api/v1/commitments/{commitment}",
             f"SELECT {columns('commitments')} FROM commitments WHERE id = {commitment};"),
            ("list 50 commitments of a plan", f"/api/v1/action-plans/{plan}/commitments",
             version + f"SELECT EXISTS (SELECT 1 FROM action_plans WHERE id = {plan});\n"
             f"SELECT {commitment_columns}, NULL::real AS search_rank FROM commitments c "
             f"WHERE c.action_plan_id = {plan} ORDER BY c.id LIMIT 51;"),
            # The same page with `fields=id,title`: the SQL reads two columns (issue 15), and
            # PostgreSQL writes each item's JSON (src/listing/raw.rs, issue 16).
            ("list 50, fields=id,title", f"/api/v1/action-plans/{plan}/commitments?fields=id,title",
             version + f"SELECT EXISTS (SELECT 1 FROM action_plans WHERE id = {plan});\n"
             "SELECT row_to_json(_item)::text AS item, NULL::text AS hidden_sort, "
             "NULL::real AS search_rank, NULL::text AS sort_values FROM commitments c "
             "CROSS JOIN LATERAL (SELECT c.id AS id, c.title AS title) _item "
             f"WHERE c.action_plan_id = {plan} ORDER BY c.id LIMIT 51;"),
            ("rating filter + sort", "/api/v1/commitments?completion=complete&sort=-number",
             version + f"SELECT {commitment_columns}, NULL::real AS search_rank FROM commitments c WHERE EXISTS "
             "(SELECT 1 FROM irm_findings f WHERE f.commitment_id = c.id AND f.kind = 'assessment' "
             "AND f.completion = 'complete') ORDER BY c.number DESC, c.id DESC LIMIT 51;"),
            ("page 10 000 deep", f"/api/v1/commitments?cursor={cursor([deep_after])}",
             version + f"SELECT {commitment_columns}, NULL::real AS search_rank FROM commitments c "
             f"WHERE (c.id) > ({deep_after}) ORDER BY c.id LIMIT 51;"),
            ("irm-summary", f"/api/v1/action-plans/{plan}/irm-summary?report={summary_report}",
             version + f"SELECT {columns('action_plans')} FROM action_plans WHERE id = {plan};\n"
             f"SELECT {columns('commitments')} FROM commitments WHERE action_plan_id = {plan} "
             "ORDER BY action_plan_id, number;\n"
             f"SELECT {columns('irm_findings')} FROM irm_findings WHERE action_plan_id = {plan} "
             f"AND report = '{summary_report}' ORDER BY id;"),
            ("stats by country", "/api/v1/stats/commitments?group_by=country", version + stats_sql()),
        ]
        rows = []
        peak_loaded_rss = 0
        cpu = []
        lookups = []
        for name, path, sql in scenarios:
            lookups_before = cache_lookups(base)
            ours, ours_cpu, ours_cores = cpu_split(lambda: wrk(base + path, c, d), server.pid)
            lookups.append((name, lookups_between(lookups_before, cache_lookups(base))))
            peak_loaded_rss = max(peak_loaded_rss, rss_kib(server.pid))
            peer_path = peer_paths.get(name)
            peer, peer_cpu = None, None
            if peer_path:
                peer, peer_cpu, _ = cpu_split(lambda: wrk(peer_base + peer_path, c, d), peer_pid)
            limit, limit_cpu, limit_cores = cpu_split(lambda: pgbench(db, sql, c, d))
            rows.append((name, ours, limit, peer))
            cpu.append((name, ours_cpu, ours_cores, limit_cpu, limit_cores, peer_cpu))
            print(f"done: {name}", file=sys.stderr)

        # Compression's cost: list-50 with each coding against none, in this same run.
        list_path = base + f"/api/v1/action-plans/{plan}/commitments"
        compression = []
        for coding in ["identity", "gzip", "zstd"]:
            result, split, _ = cpu_split(
                lambda: wrk(list_path, c, d, [f"Accept-Encoding: {coding}"]), server.pid)
            size = len(urllib.request.urlopen(urllib.request.Request(
                list_path, headers={"Accept-Encoding": coding}), timeout=60).read())
            compression.append((coding, result, split, size))

        first_page = wrk(base + "/api/v1/commitments", c, d)
        stats_times = [timed_get(base + "/api/v1/stats/commitments?group_by=country")[0] for _ in range(5)]
        peak_before_export = rss_kib(server.pid, "VmHWM")
        # The export's own peak (its target): the peak so far is reset first (Linux >= 4.0),
        # so compression's encoders under 16 connections just before do not count in it.
        export_own_peak = reset_peak_rss(server.pid)
        busy_before, api_before = machine_busy_seconds(), process_seconds(server.pid)
        export_seconds, export_bytes = timed_get(base + "/api/v1/commitments?format=csv")
        export_api_cpu = process_seconds(server.pid) - api_before
        export_rest_cpu = machine_busy_seconds() - busy_before - export_api_cpu
        export_rss_peak = rss_kib(server.pid, "VmHWM")
        if export_own_peak:
            export_own_peak = export_rss_peak
            export_rss_peak = max(export_rss_peak, peak_before_export)
        peer_export = None
        if peer_paths.get("CSV export of all commitments"):
            try:
                peer_export = timed_get(peer_base + peer_paths["CSV export of all commitments"],
                                        timeout=args.peer_export_timeout)
            except Exception as error:  # a timeout or the peer giving up: reported, not fatal
                peer_export = error
        issue16 = issue16_rows(args.floor_bin, base, server.pid, country, plan, summary_report, c, d)
    finally:
        server.terminate()
        server.wait(timeout=60)
    # The rows the read cache answers from memory, again with the cache off, in this same run.
    cached = ["GET one country", "GET one commitment", "list 50 commitments of a plan",
              "page 10 000 deep"]
    cache_off = None
    if env.get("OGP_READ_CACHE_BYTES", "") != "0":
        cache_off = cache_off_rows(args.bin, env, [(name, path) for name, path, _ in scenarios
                                                   if name in cached], c, d)
        print("done: cache off", file=sys.stderr)
        if args.peer == "directus":
            stop_peer()

    print(f"\nData: {counts.split()[0]} commitments, {counts.split()[1]} milestones, "
          f"{counts.split()[2]} IRM findings; wrk/pgbench: {c} connections, {d} s each; "
          f"{os.cpu_count()} cores; {autogroup()}")
    print(f"{'scenario':30} {'ours req/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'pgbench tps':>11} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'ours/pgbench':>12} {'peer req/s':>10} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'ours/peer':>9}")
    for name, (rps, p50, p99), (tps, lp50, lp99), peer in rows:
        peer_text = f"{'n/a':>10} {'':>8} {'':>8} {'n/a':>9}"
        if peer:
            peer_text = f"{peer[0]:10.1f} {peer[1]:8.1f} {peer[2]:8.1f} {rps / peer[0]:9.0f}"
        print(f"{name:30} {rps:10.0f} {p50:7.2f} {p99:7.2f} {tps:11.0f} {lp50:7.2f} {lp99:7.2f} "
              f"{rps / tps:12.2f} {peer_text}")
    print("\nCompression of list-50 (Accept-Encoding; actix-http's levels: gzip 1, zstd 3)")
    print(f"{'coding':10} {'req/s':>8} {'vs none':>8} {'p50 ms':>7} {'p99 ms':>7} {'API us/req':>10} "
          f"{'bytes':>8} {'ratio':>6}")
    plain_rps, plain_size = compression[0][1][0], compression[0][3]
    for coding, (rps, p50, p99), split, size in compression:
        print(f"{coding:10} {rps:8.0f} {rps / plain_rps:8.2f} {p50:7.2f} {p99:7.2f} "
              f"{split['server']:10.0f} {size:8d} {plain_size / size:6.1f}")
    print("\nCPU per request, in microseconds (all processes share the same cores): ours = the API "
          "process, PostgreSQL (the rest of the machine's busy time), wrk; pgbench = PostgreSQL, "
          "pgbench; peer = Directus, PostgreSQL, wrk")
    print(f"{'scenario':30} {'API':>7} {'PG':>7} {'wrk':>7} {'cores':>6} | {'PG':>7} {'pgbench':>7} "
          f"{'cores':>6} | {'peer':>8} {'PG':>7} {'wrk':>7}")
    for name, ours_cpu, ours_cores, limit_cpu, limit_cores, peer_cpu in cpu:
        peer_text = ""
        if peer_cpu:
            peer_text = (f"{peer_cpu['server']:8.0f} {peer_cpu['database']:7.0f} "
                         f"{peer_cpu['client']:7.0f}")
        print(f"{name:30} {ours_cpu['server']:7.0f} {ours_cpu['database']:7.0f} "
              f"{ours_cpu['client']:7.0f} {ours_cores:6.2f} | {limit_cpu['database']:7.0f} "
              f"{limit_cpu['client']:7.0f} {limit_cores:6.2f} | {peer_text}")
    deep = next(r for r in rows if r[0] == "page 10 000 deep")[1]
    print(f"\npage 10 000 p50 {deep[1]:.2f} ms vs page 1 p50 {first_page[1]:.2f} ms: "
          f"ratio {deep[1] / first_page[1]:.2f} (target <= 1.2)")
    print(f"stats by country over {commitments} commitments: median "
          f"{statistics.median(stats_times) * 1000:.0f} ms, max {max(stats_times) * 1000:.0f} ms "
          "(target <= 300 ms)")
    print(f"CSV export of {commitments} commitments: {export_seconds:.1f} s, "
          f"{commitments / export_seconds:,.0f} rows/s, {export_bytes / 1e6:.0f} MB "
          "(target >= 200k rows/s)")
    print(f"  CPU during the export: API {export_api_cpu:.1f} s, PostgreSQL and the reading client "
          f"{export_rest_cpu:.1f} s, over {export_seconds:.1f} s")
    if isinstance(peer_export, tuple):
        print(f"peer CSV export: {peer_export[0]:.1f} s, {commitments / peer_export[0]:,.0f} rows/s, "
              f"{peer_export[1] / 1e6:.0f} MB; ours/peer {peer_export[0] / export_seconds:.1f}")
    elif peer_export is not None:
        print(f"peer CSV export: failed or longer than {args.peer_export_timeout} s ({peer_export})")
    print(f"RSS: idle {idle_rss / 1024:.1f} MiB, under load {peak_loaded_rss / 1024:.1f} MiB, "
          f"peak over the run (incl. export) {export_rss_peak / 1024:.1f} MiB "
          "(targets: idle <= 20, load <= 100, export <= 64)")
    if export_own_peak:
        print(f"  the CSV export's own peak (VmHWM reset just before it): "
              f"{export_own_peak / 1024:.1f} MiB (target <= 64)")
    print_issue16(issue16, c, d)
    print_cache_off(cache_off, rows, cpu, lookups)


def print_cache_off(cache_off, rows, cpu, lookups):
    """The read cache's effect: the main rows (cache on, the default) against the same
    scenarios served by the same build with OGP_READ_CACHE_BYTES=0, both against pgbench."""
    if cache_off is None:
        print("\nRead cache: off in this whole run (OGP_READ_CACHE_BYTES=0)")
        return
    off_rows, conditional, first_page, stats_times = cache_off
    print("\nThe read cache's lookups during each main row: hit, miss (computed), waited (for a "
          "concurrent miss of the same answer), off (no version confirmed within the bound: "
          "answered by the database)")
    print(f"{'scenario':30} {'hit':>9} {'miss':>6} {'waited':>6} {'off':>6}")
    for name, counts in lookups:
        print(f"{name:30} {counts['hit']:9.0f} {counts['miss']:6.0f} {counts['waited']:6.0f} "
              f"{counts['off']:6.0f}")
    print("\nRead cache (src/read_cache/): the tables above ran with it on (the default); the same "
          "scenarios with OGP_READ_CACHE_BYTES=0, same run")
    print(f"{'scenario':30} {'on req/s':>9} {'off req/s':>9} {'on/off':>7} {'on/pgb':>7} "
          f"{'off/pgb':>7} {'on API us':>9} {'off API us':>10} {'off PG us':>9}")
    for name, (off_rps, _, _), off_split in off_rows:
        on_rps, tps = next((r[1][0], r[2][0]) for r in rows if r[0] == name)
        on_api = next(x[1]["server"] for x in cpu if x[0] == name)
        print(f"{name:30} {on_rps:9.0f} {off_rps:9.0f} {on_rps / off_rps:7.2f} {on_rps / tps:7.2f} "
              f"{off_rps / tps:7.2f} {on_api:9.0f} {off_split['server']:10.0f} "
              f"{off_split['database']:9.0f}")
    for name, full, full_api, cond, cond_api in conditional:
        print(f"cache off, {name}: 200 {full[0]:.0f} req/s ({full_api:.0f} API us), 304 "
              f"{cond[0]:.0f} req/s ({cond_api:.0f} API us): 304/200 {cond[0] / full[0]:.2f} "
              "(target >= 3)")
    deep = next(r for r in off_rows if r[0] == "page 10 000 deep")[1]
    print(f"cache off, page 10 000 p50 {deep[1]:.2f} ms vs page 1 p50 {first_page[1]:.2f} ms: "
          f"ratio {deep[1] / first_page[1]:.2f} (target <= 1.2)")
    print(f"cache off, stats by country: median {statistics.median(stats_times) * 1000:.0f} ms, "
          f"max {max(stats_times) * 1000:.0f} ms (target <= 300 ms)")


if __name__ == "__main__":
    sys.exit(main())
