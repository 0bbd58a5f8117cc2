"""Checks every Directus path of directus_paths.py against SQL, on a running peer instance.

    bench/peer/directus.sh start "$DATABASE_URL" 18055
    python3 bench/peer/verify_directus.py --database-url "$DATABASE_URL" --port 18055

The scenario parameters come from bench/run.py (`scenario_parameters`). Each path is fetched as the
public role (no token); the rows it returns are compared with psql's. Exit 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import run  # noqa: E402  (bench/run.py: the scenario parameters)
from directus_paths import COMMITMENT_COLUMNS, paths  # noqa: E402


psql = run.psql


def ids(url, sql):
    out = psql(url, sql)
    return [int(x) for x in out.split()] if out else []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--port", type=int, default=18055)
    a = ap.parse_args()
    db, base = a.database_url, f"http://127.0.0.1:{a.port}"

    n = int(psql(db, "SELECT count(*) FROM commitments"))
    country, commitment, plan, deep_after, report = run.scenario_parameters(db, n)
    print(f"parameters: country={country} commitment={commitment} plan={plan} "
          f"deep_after={deep_after} report={report}")

    failures = 0
    for name, path in paths(country, commitment, plan, deep_after, report).items():
        if path is None:
            print(f"{name:32} not expressible")
            continue
        t0 = time.monotonic()
        with urllib.request.urlopen(base + path, timeout=300) as r:
            status, body = r.status, r.read()
        ms = (time.monotonic() - t0) * 1000
        if name == "CSV export of all commitments":
            rows = list(csv.reader(io.StringIO(body.decode())))
            got = sorted(int(row[0]) for row in rows[1:])
            want = ids(db, "SELECT id FROM commitments ORDER BY id")
            ok = rows[0] == list(COMMITMENT_COLUMNS) and got == want
            detail = f"{len(rows) - 1} rows, SQL {len(want)}; header = our columns: {rows[0] == list(COMMITMENT_COLUMNS)}"
        else:
            data = json.loads(body)["data"]
            if name == "GET one country":
                want = psql(db, f"SELECT name FROM countries WHERE code = '{country}'")
                ok = data["code"] == country and data["name"] == want and "search" not in data
                detail = f"1 row, code {data['code']}, {len(data)} fields"
            elif name == "GET one commitment":
                ok = int(data["id"]) == commitment and tuple(data) == COMMITMENT_COLUMNS
                detail = f"1 row, id {data['id']}, {len(data)} fields"
            elif name == "stats by country":
                sums = collections.Counter()
                for row in data:
                    sums[row["country_code"]] += int(row["commitments_count"])
                want = dict(
                    line.split("|") for line in psql(
                        db, "SELECT p.country_code, count(*) FROM commitments c JOIN action_plans p "
                            "ON p.id = c.action_plan_id GROUP BY 1").splitlines())
                ok = {k: int(v) for k, v in want.items()} == dict(sums)
                detail = (f"{len(data)} plan rows -> {len(sums)} countries, {sum(sums.values())} "
                          f"commitments; SQL {len(want)} countries")
            elif name == "irm-summary":
                got_c = [int(c["id"]) for c in data["commitments"]]
                got_f = [int(f["id"]) for f in data["irm_findings"]]
                want_c = ids(db, f"SELECT id FROM commitments WHERE action_plan_id = {plan} ORDER BY number")
                want_f = ids(db, f"SELECT id FROM irm_findings WHERE action_plan_id = {plan} "
                                 f"AND report = '{report}' ORDER BY id")
                ok = int(data["id"]) == plan and got_c == want_c and got_f == want_f
                detail = (f"plan {data['id']} + {len(got_c)} commitments (SQL {len(want_c)}) + "
                          f"{len(got_f)} findings (SQL {len(want_f)})")
            else:
                sql = {
                    "list 50 commitments of a plan":
                        f"SELECT id FROM commitments WHERE action_plan_id = {plan} ORDER BY id LIMIT 50",
                    "rating filter + sort":
                        "SELECT c.id FROM commitments c WHERE EXISTS (SELECT 1 FROM irm_findings f "
                        "WHERE f.commitment_id = c.id AND f.kind = 'assessment' AND "
                        "f.completion = 'complete') ORDER BY c.number DESC, c.id DESC LIMIT 50",
                    "page 10 000 deep":
                        f"SELECT id FROM commitments WHERE id > {deep_after} ORDER BY id LIMIT 50",
                }[name]
                got = [int(row["id"]) for row in data]
                want = ids(db, sql)
                ok = got == want and all(tuple(row) == COMMITMENT_COLUMNS for row in data)
                detail = f"{len(got)} rows, SQL {len(want)}, same ids in the same order: {got == want}"
        failures += not ok
        print(f"{name:32} {status} {'OK ' if ok else 'BAD'} {ms:8.1f} ms  {len(body):>9} B  {detail}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
