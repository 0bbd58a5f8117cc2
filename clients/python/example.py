"""What a data script does with ogp-api, through a client generated from the served spec
(openapi-python-client). CI runs it against a live server with the demo data:
`OGP_URL` (e.g. http://127.0.0.1:18432) and `OGP_KEY` (an admin key); the generated package
`ogp_api_client` must be importable (scripts/clients.sh generates it next to this file).
"""

import csv
import io
import os
import time

from ogp_api_client import AuthenticatedClient, Client
from ogp_api_client.api.commitments import list_commitments
from ogp_api_client.api.countries import (
    create_country,
    delete_country,
    get_country,
    update_country,
)
from ogp_api_client.models import CountryPatch, NewCountry, Problem
from ogp_api_client.types import UNSET

BASE = os.environ.get("OGP_URL", "http://127.0.0.1:8080")
KEY = os.environ.get("OGP_KEY", "")
public = Client(base_url=BASE)
editor = AuthenticatedClient(base_url=BASE, token=KEY)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"failed: {what}")
    print(f"ok: {what}")


# 1. A filtered list, followed to its last page; arrays go out as repeated keys.
seen, total, cursor = 0, None, UNSET
while True:
    page = list_commitments.sync(
        client=public, country_code=["MEX", "GHA"], limit=1, include_total=True, cursor=cursor
    )
    assert not isinstance(page, Problem) and page is not None, page
    seen += len(page.items)
    total = page.total
    if not page.next_cursor:
        break
    cursor = page.next_cursor
check(seen == total and seen > 1, f"followed {seen} commitments to the last page")

# 2. A repeated GET with the ETag is a 304.
first = get_country.sync_detailed("MEX", client=public)
etag = first.headers.get("etag", "")
check(first.status_code == 200 and etag != "", "got Mexico with its ETag")
again = get_country.sync_detailed("MEX", client=public, if_none_match=etag)
check(again.status_code == 304, "the same GET with If-None-Match is a 304")

# 3. A create with an Idempotency-Key; the retry replays it.
kenya = NewCountry.from_dict(
    {"code": "KEN", "name": "Kenya", "region": "africa_middle_east", "member_since": 2011}
)
retry_key = f"example-{time.time_ns()}"
created = create_country.sync_detailed(client=editor, body=kenya, idempotency_key=retry_key)
check(created.status_code == 201, "created Kenya")
replayed = create_country.sync_detailed(client=editor, body=kenya, idempotency_key=retry_key)
check(
    replayed.status_code == 201 and replayed.headers.get("idempotent-replayed") == "true",
    "the retry is replayed, nothing created twice",
)

# 4. A PATCH with If-Match, then the same stale one: 412.
current = created.headers["etag"]
patch = CountryPatch.from_dict({"membership_status": "inactive"})
patched = update_country.sync_detailed("KEN", client=editor, body=patch, if_match=current)
check(patched.status_code == 200, "patched with If-Match")
stale = update_country.sync_detailed("KEN", client=editor, body=patch, if_match=current)
check(stale.status_code == 412, "a stale If-Match is a 412")

# 5. A 422, read as a problem document.
invalid = create_country.sync_detailed(
    client=editor,
    body=NewCountry.from_dict({"code": "kenya", "name": "x", "region": "africa_middle_east"}),
)
problem = invalid.parsed
check(
    invalid.status_code == 422
    and isinstance(problem, Problem)
    and any(e.field == "code" for e in (problem.errors or [])),
    "a bad body is a 422 naming its fields",
)

# 6. A delete.
deleted = delete_country.sync_detailed("KEN", client=editor)
check(deleted.status_code == 204, "deleted Kenya")

# 7. A CSV export (pandas would read the same bytes with `pd.read_csv`).
export = public.get_httpx_client().get(
    "/api/v1/commitments", params={"format": "csv", "country_code": ["MEX"]}
)
rows = list(csv.DictReader(io.StringIO(export.text)))
check(export.status_code == 200 and len(rows) > 0 and "title" in rows[0], f"exported {len(rows)} rows as CSV")
