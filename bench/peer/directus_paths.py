"""The benchmark scenarios as Directus 10.13 REST queries (path + query string, no host).

Directus is started by bench/peer/directus.sh, which grants the public role read access and
declares the O2M sides commitments.irm_findings, action_plans.commitments and
action_plans.irm_findings. Because those alias fields are readable, `fields=*` on commitments or
action_plans would also return the alias arrays (one more query each): so the queries below
name the columns, the same ones ogp-api returns (every column but the tsvector `search`).

Differences that remain in every response: Directus wraps the payload in {"data": ...}, returns
bigint columns (id, action_plan_id, commitment_id) as JSON strings, and sends no ETag on JSON.

Usage from the harness:
    from bench.peer.directus_paths import paths   (or sys.path.insert + import directus_paths)
    paths(country, commitment, plan, deep_after, summary_report)["GET one commitment"]
`python3 bench/peer/directus_paths.py ARG 1666 8 2500 end_of_term_report` prints them.
"""

from __future__ import annotations

import json
import sys
from urllib.parse import quote

ACTION_PLAN_COLUMNS = (
    "id", "country_code", "number", "title", "start_year", "end_year", "status", "submitted_on",
    "public_influence", "multistakeholder_forum", "source_url", "created_at", "updated_at",
    "version",
)
COMMITMENT_COLUMNS = (
    "id", "action_plan_id", "number", "reference", "title", "description", "theme",
    "lead_institution", "ogp_values", "start_date", "end_date", "created_at", "updated_at",
    "version", "withdrawn",
)
FINDING_COLUMNS = (
    "id", "action_plan_id", "commitment_id", "report", "kind", "title", "body", "position",
    "published_on", "source_url", "specificity", "relevance", "potential_impact",
    "potential_for_results", "completion", "did_it_open_government", "well_designed",
    "well_designed_basis", "starred", "starred_basis", "no_public_engagement", "irm_not_engaged",
    "no_progress_on_any_commitment", "acted_contrary_to_process", "created_at", "updated_at",
    "version", "verifiable", "open_government_lens", "early_results", "potentially_starred",
    "potentially_starred_basis", "promising", "promising_basis", "late_action_plan",
    "iap2_minimum_not_met", "no_online_repository", "co_creation_minimum_not_met",
    "acted_contrary_to_process_basis",
)


def _query(params: list[tuple[str, str | int]]) -> str:
    # Brackets percent-encoded (wrk, curl without -g and urllib all take that); commas,
    # parentheses and * kept readable.
    safe = ",()*._-"
    return "&".join(f"{quote(k, safe=safe)}={quote(str(v), safe=safe)}" for k, v in params)


def _fields(columns, prefix: str = "") -> str:
    return ",".join(prefix + c for c in columns)


def paths(country: str, commitment: int, plan: int, deep_after: int,
          summary_report: str) -> dict[str, str | None]:
    commitment_fields = ("fields", _fields(COMMITMENT_COLUMNS))
    return {
        # countries has no alias field: * is exactly its columns (without `search`).
        "GET one country": f"/items/countries/{quote(country)}",
        "GET one commitment": f"/items/commitments/{commitment}?" + _query([commitment_fields]),
        "list 50 commitments of a plan": "/items/commitments?" + _query([
            commitment_fields,
            ("filter[action_plan_id][_eq]", plan),
            ("sort", "id"),
            ("limit", 50),
        ]),
        "list 50, fields=id,title": "/items/commitments?" + _query([
            ("fields", "id,title"),
            ("filter[action_plan_id][_eq]", plan),
            ("sort", "id"),
            ("limit", 50),
        ]),
        # One _some object with both conditions: EXISTS on one and the same finding row, as ours.
        # Needs the O2M commitments.irm_findings (directus.sh declares it: the database's FK is
        # composite, which Directus does not read).
        "rating filter + sort": "/items/commitments?" + _query([
            commitment_fields,
            ("filter[irm_findings][_some][kind][_eq]", "assessment"),
            ("filter[irm_findings][_some][completion][_eq]", "complete"),
            ("sort", "-number,-id"),
            ("limit", 50),
        ]),
        # Keyset, like our cursor: no OFFSET.
        "page 10 000 deep": "/items/commitments?" + _query([
            commitment_fields,
            ("filter[id][_gt]", deep_after),
            ("sort", "id"),
            ("limit", 50),
        ]),
        # One call through the O2M sides action_plans.commitments / action_plans.irm_findings:
        # the plan, all its commitments by number, and its findings of that report by id, i.e.
        # the three queries of our irm-summary. Ours then shapes them (verdicts per commitment,
        # process verdict, narratives); Directus returns them raw, nested in the plan.
        "irm-summary": f"/items/action_plans/{plan}?" + _query([
            ("fields", ",".join([
                _fields(ACTION_PLAN_COLUMNS),
                _fields(COMMITMENT_COLUMNS, "commitments."),
                _fields(FINDING_COLUMNS, "irm_findings."),
            ])),
            ("deep[commitments][_sort]", "number"),
            ("deep[commitments][_limit]", -1),
            ("deep[irm_findings][_filter][report][_eq]", summary_report),
            ("deep[irm_findings][_sort]", "id"),
            ("deep[irm_findings][_limit]", -1),
        ]),
        # Not expressible as one grouped count: Directus 10.13 cannot group by a related field
        # (groupBy[]=action_plan_id.country_code builds invalid SQL, "GROUP BY
        # commitments.action_plan_id.country_code", HTTP 500). Closest single call: every plan
        # with its country and its number of commitments (a count subquery per plan); the
        # client sums per country_code (≈ 400 rows at the realistic scale). Ours also counts
        # assessed / well-designed / starred commitments per country, which this does not.
        "stats by country": "/items/action_plans?" + _query([
            ("fields", "country_code,count(commitments)"),
            ("limit", -1),
        ]),
        # Whole table, same columns; Directus builds the whole result in memory before sending.
        "CSV export of all commitments": "/items/commitments?" + _query([
            commitment_fields,
            ("limit", -1),
            ("export", "csv"),
        ]),
    }


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit("usage: directus_paths.py COUNTRY COMMITMENT PLAN DEEP_AFTER SUMMARY_REPORT")
    c, cm, p, d, r = sys.argv[1:]
    print(json.dumps(paths(c, int(cm), int(p), int(d), r), indent=2))
