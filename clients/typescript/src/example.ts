// What a frontend or a script does with ogp-api, through a client generated from the served
// spec (openapi-typescript types + openapi-fetch). CI runs it against a live server with the
// demo data: `OGP_URL` (e.g. http://127.0.0.1:18432) and `OGP_KEY` (an admin key).
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const baseUrl = process.env.OGP_URL ?? "http://127.0.0.1:8080";
const key = process.env.OGP_KEY ?? "";
const client = createClient<paths>({ baseUrl });
const auth = { Authorization: `Bearer ${key}` };

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`failed: ${what}`);
  }
  console.log(`ok: ${what}`);
}

// 1. A filtered list, followed to its last page; arrays go out as repeated keys.
let cursor: string | undefined;
let seen = 0;
let total: number | undefined;
do {
  const { data, error } = await client.GET("/api/v1/commitments", {
    params: {
      query: { country_code: ["MEX", "GHA"], limit: 1, include_total: true, cursor },
    },
  });
  if (error || !data) throw new Error(`list failed: ${JSON.stringify(error)}`);
  seen += data.items.length;
  total = data.total ?? undefined;
  cursor = data.next_cursor ?? undefined;
} while (cursor);
check(total !== undefined && seen === total && seen > 1, `followed ${seen} commitments to the last page`);

// 2. A repeated GET with the ETag is a 304.
const first = await client.GET("/api/v1/countries/{code}", { params: { path: { code: "MEX" } } });
const etag = first.response.headers.get("etag") ?? "";
check(first.data?.code === "MEX" && etag !== "", "got Mexico with its ETag");
const again = await client.GET("/api/v1/countries/{code}", {
  params: { path: { code: "MEX" }, header: { "If-None-Match": etag } },
});
check(again.response.status === 304, "the same GET with If-None-Match is a 304");

// 3. A create with an Idempotency-Key; the retry replays it.
const body = { code: "KEN", name: "Kenya", region: "africa_middle_east" as const, member_since: 2011 };
const idempotency = { ...auth, "Idempotency-Key": `example-${Date.now()}` };
const created = await client.POST("/api/v1/countries", { body, headers: idempotency });
check(created.response.status === 201 && created.data?.version === 1, "created Kenya");
const replayed = await client.POST("/api/v1/countries", { body, headers: idempotency });
check(
  replayed.response.status === 201 && replayed.response.headers.get("idempotent-replayed") === "true",
  "the retry is replayed, nothing created twice",
);

// 4. A PATCH with If-Match, then the same stale one: 412.
const current = created.response.headers.get("etag") ?? "";
const patched = await client.PATCH("/api/v1/countries/{code}", {
  params: { path: { code: "KEN" } },
  body: { membership_status: "inactive" },
  headers: { ...auth, "If-Match": current },
});
check(patched.data?.version === 2, "patched with If-Match");
const stale = await client.PATCH("/api/v1/countries/{code}", {
  params: { path: { code: "KEN" } },
  body: { membership_status: "active" },
  headers: { ...auth, "If-Match": current },
});
check(stale.response.status === 412, "a stale If-Match is a 412");

// 5. A 422, read as a problem document.
const invalid = await client.POST("/api/v1/countries", {
  body: { code: "kenya", name: "", region: "africa_middle_east" },
  headers: auth,
});
const problem = invalid.error as { status?: number; errors?: { field: string }[] } | undefined;
check(
  invalid.response.status === 422 && (problem?.errors ?? []).some((e) => e.field === "code"),
  "a bad body is a 422 naming its fields",
);

// 6. A delete.
const deleted = await client.DELETE("/api/v1/countries/{code}", {
  params: { path: { code: "KEN" } },
  headers: auth,
});
check(deleted.response.status === 204, "deleted Kenya");

// 7. A CSV export.
const csv = await client.GET("/api/v1/commitments", {
  params: { query: { format: "csv", country_code: ["MEX"] } },
  parseAs: "text",
});
const lines = (csv.data as unknown as string).trim().split("\n");
check(csv.response.status === 200 && lines.length > 1 && (lines[0] ?? "").startsWith("id,"), `exported ${lines.length - 1} rows as CSV`);
