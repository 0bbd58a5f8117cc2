//! What every operation of the API shares, written into the spec over the whole document (so no
//! annotation can forget it): the caching, idempotency, request-id and rate-limit headers; the
//! 304 of conditional reads; who may call; and the schema rules a generated client relies on
//! (merge-patch bodies without defaults, create fields with a server default not required, pages
//! that `$ref` their item schema, a description for each enum value).
//!
//! It works on the spec as JSON: the rules are about the document's shape, which is plainer to
//! walk there than through utoipa's builder types.

use crate::vocab::Described;
use serde_json::{json, Map, Value};

/// Header parameters and response headers shared by many operations, in `components`.
fn shared_components(components: &mut Map<String, Value>) {
    let parameters = components
        .entry("parameters")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("components.parameters is an object");
    parameters.insert(
        "IfNoneMatch".into(),
        json!({
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "description": "An `ETag` this client holds: when it still names the current \
                representation, the answer is a 304 without a body (and costs no rate-limit budget).",
            "schema": {"type": "string"},
            "example": "W/\"0000000000000001\""
        }),
    );
    parameters.insert(
        "IdempotencyKey".into(),
        json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "1 to 255 visible ASCII characters chosen by the client (a UUID, say). \
                A retry with the same key and body within 24 hours gets the first success again \
                (with `Idempotent-Replayed: true`) and changes nothing twice; the same key with \
                another body is a 422, and a retry while the first is in flight a 409.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "example": "6f1c2a7e-4b1d-4e8a-9c3f-2d5b8e0a1f47"
        }),
    );
    parameters.insert(
        "Lang".into(),
        json!({
            "name": "lang",
            "in": "query",
            "required": false,
            "description": "Adds a label in this language next to every enum value: \
                `<field>_label` (`<field>_labels` for a list such as `ogp_values`), in JSON, in \
                NDJSON lines and as a CSV column after the value's. Wins over `Accept-Language`; \
                anything but `en`, `es` or `fr` is a 400. The labels, with where each wording \
                comes from, are listed by `/api/v1/vocabularies`.",
            "schema": {"type": "string", "enum": ["en", "es", "fr"]},
            "example": "es"
        }),
    );
    parameters.insert(
        "AcceptLanguage".into(),
        json!({
            "name": "Accept-Language",
            "in": "header",
            "required": false,
            "description": "Without `lang`, the labels' language (q-values honoured; English \
                when no supported language is asked for). The answer then says its language in \
                `Content-Language` and lists `Accept-Language` in `Vary`.",
            "schema": {"type": "string"},
            "example": "es-MX, es;q=0.9, en;q=0.5"
        }),
    );
    let headers = components
        .entry("headers")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("components.headers is an object");
    let integer = json!({"type": "integer", "minimum": 0});
    for (name, description, schema) in [
        (
            "X-Request-Id",
            "This request's id (the client's own when it sent a sane one), also in the server log \
             and in a problem's `request_id`.",
            json!({"type": "string"}),
        ),
        (
            "Content-Language",
            "The language of the labels (`en` when none were asked for).",
            json!({"type": "string", "enum": ["en", "es", "fr"]}),
        ),
        (
            "ETag",
            "The version of this representation, for `If-None-Match` (and `If-Match` on writes).",
            json!({"type": "string"}),
        ),
        (
            "Location",
            "The URL of the created resource.",
            json!({"type": "string", "format": "uri-reference"}),
        ),
        (
            "Idempotent-Replayed",
            "`true` when this is the stored answer to an earlier request with the same \
             `Idempotency-Key`.",
            json!({"type": "string", "enum": ["true"]}),
        ),
        (
            "RateLimit-Limit",
            "Requests of this kind (reads or writes) allowed per minute to this client (when the \
             server limits them).",
            integer.clone(),
        ),
        (
            "RateLimit-Remaining",
            "Requests left in the current budget.",
            integer.clone(),
        ),
        (
            "RateLimit-Reset",
            "Seconds until the budget is full again.",
            integer.clone(),
        ),
        (
            "Retry-After",
            "Seconds to wait before trying again.",
            json!({"type": "integer", "minimum": 1}),
        ),
        (
            "Link",
            "`<url>; rel=\"next\"` when another page follows.",
            json!({"type": "string"}),
        ),
    ] {
        headers.insert(
            name.into(),
            json!({"description": description, "schema": schema}),
        );
    }
}

fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

/// Adds `names` to a response's headers, as references (an existing inline one is replaced,
/// so each header is described once).
fn add_headers(response: &mut Value, names: &[&str]) {
    let Some(response) = response.as_object_mut() else {
        return;
    };
    if response.contains_key("$ref") {
        return;
    }
    let headers = response
        .entry("headers")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("headers is an object");
    for name in names {
        let existing = headers
            .keys()
            .find(|key| key.eq_ignore_ascii_case(name))
            .cloned();
        if let Some(existing) = existing {
            headers.remove(&existing);
        }
        headers.insert((*name).to_string(), header_ref(name));
    }
}

fn add_parameter(operation: &mut Map<String, Value>, component: &str, name: &str) {
    let parameters = operation
        .entry("parameters")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .expect("parameters is an array");
    parameters.retain(|p| !(p["in"] == "header" && p["name"].as_str() == Some(name)));
    parameters.push(json!({"$ref": format!("#/components/parameters/{component}")}));
}

/// Whether a GET answers `If-None-Match` with a 304: every one whose 200 carries an `ETag`.
/// (The bundle export streams and has none.)
fn is_conditional(operation: &Map<String, Value>) -> bool {
    operation.get("responses").is_some_and(|r| {
        r["200"]["headers"]
            .as_object()
            .is_some_and(|headers| headers.keys().any(|k| k.eq_ignore_ascii_case("etag")))
    })
}

fn operation_conventions(method: &str, operation: &mut Map<String, Value>) {
    let read = method == "get";
    if read {
        // Public: `[{}]` (generated clients then take an unauthenticated client). A key may
        // still be sent (the security scheme's description says what it changes), and a server
        // with `OGP_READ_REQUIRES_KEY=true` wants one: the published spec describes the default.
        operation.insert("security".into(), json!([{}]));
        if is_conditional(operation) {
            add_parameter(operation, "IfNoneMatch", "If-None-Match");
            let responses = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
                .expect("a conditional GET has responses");
            responses.insert(
                "304".into(),
                json!({"description": "Not modified: `If-None-Match` names the current `ETag`."}),
            );
        }
    }
    if method == "post" {
        add_parameter(operation, "IdempotencyKey", "Idempotency-Key");
    }
    let exports = operation["parameters"].as_array().is_some_and(|p| {
        p.iter()
            .any(|p| p["name"] == "format" && p["in"] == "query")
    });
    if read && exports {
        let text = operation
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let text = format!("{text}\n\n{EXPORTS}").trim_start().to_string();
        operation.insert("description".into(), Value::String(text));
    }
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        add_headers(response, &["X-Request-Id"]);
        let success = status.starts_with('2') || status == "304";
        if success {
            add_headers(
                response,
                &["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
            );
        }
        if status == "429" || status == "503" {
            add_headers(response, &["Retry-After"]);
        }
        if status == "429" {
            add_headers(
                response,
                &["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
            );
        }
        let has = |name: &str| {
            response["headers"]
                .as_object()
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case(name)))
        };
        let (etag, location, link) = (has("ETag"), has("Location"), has("Link"));
        if etag || status == "304" {
            add_headers(response, &["ETag"]);
        }
        if location {
            add_headers(response, &["Location"]);
        }
        if link {
            add_headers(response, &["Link"]);
        }
        if method == "post" && success {
            add_headers(response, &["Idempotent-Replayed"]);
        }
    }
}

/// A resource's GET takes `lang` and `Accept-Language` (`crate::localize`): a bad `lang` is a
/// 400, and every answer says its `Content-Language`.
fn label_conventions(operation: &mut Map<String, Value>) {
    let parameters = operation
        .entry("parameters")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .expect("parameters is an array");
    parameters.push(json!({"$ref": "#/components/parameters/Lang"}));
    parameters.push(json!({"$ref": "#/components/parameters/AcceptLanguage"}));
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    responses.entry("400").or_insert_with(|| {
        json!({
            "description": "`lang` is not `en`, `es` or `fr`.",
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}
            }}
        })
    });
    if let Some(ok) = responses.get_mut("200") {
        add_headers(ok, &["Content-Language"]);
    }
}

/// Schema rules: a `*Patch` has no `default` (a client would send it, or make the field
/// required); a body field with a server default is optional; a `Page_X` refers to `X`.
fn schema_conventions(schemas: &mut Map<String, Value>) {
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in &names {
        let schema = schemas.get_mut(name).expect("listed");
        if name.ends_with("Patch") {
            // The create body's whole example is no example of a patch (it would resend the key).
            schema.as_object_mut().map(|s| s.remove("example"));
            if let Some(properties) = schema["properties"].as_object_mut() {
                for property in properties.values_mut() {
                    if let Some(property) = property.as_object_mut() {
                        property.remove("default");
                    }
                }
            }
        }
        // A body field with a server default is optional (`New*`, and the PUT bodies made from
        // them); response schemas have no defaults.
        {
            let defaulted: Vec<String> = schema["properties"]
                .as_object()
                .map(|p| {
                    p.iter()
                        .filter(|(_, v)| v.get("default").is_some())
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
                required.retain(|r| !defaulted.iter().any(|d| r == d));
            }
            // The default itself is said in words: generators read a `default` in a component
            // schema as "the server always fills this", making the field required in request
            // bodies too (openapi-typescript's `defaultNonNullable`, on by default).
            if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                for field in &defaulted {
                    let Some(property) = properties.get_mut(field).and_then(Value::as_object_mut)
                    else {
                        continue;
                    };
                    let Some(default) = property.remove("default") else {
                        continue;
                    };
                    let description = property
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let lower = description.to_ascii_lowercase();
                    if !(lower.contains("when not given") || lower.contains("default")) {
                        let said = format!("{description} Default when not given: `{default}`.");
                        property.insert("description".into(), Value::String(said.trim().into()));
                    }
                }
            }
        }
        if let Some(item) = name.strip_prefix("Page_") {
            if names.iter().any(|n| n == item) {
                schema["properties"]["items"]["items"] =
                    json!({"$ref": format!("#/components/schemas/{item}")});
            }
        }
    }
}

/// Describes each value of the enum schemas named in `enums`: as `x-enumDescriptions` (value →
/// meaning, which Redocly renders) and as a list under the schema's description (which every
/// viewer shows).
fn describe_enums(schemas: &mut Map<String, Value>, enums: &[Described]) {
    for (name, values, descriptions) in enums {
        // An enum only a query parameter uses (`level`) is referenced by name from the
        // parameter (`listing::docs::scalar_schema`) but reaches the components through no
        // model: it is added here, so that every reference resolves.
        let schema = schemas
            .entry(*name)
            .or_insert_with(|| json!({"type": "string", "enum": values}));
        let Some(schema) = schema.as_object_mut() else {
            continue;
        };
        let mut map = Map::new();
        let mut list = String::new();
        for (value, description) in values.iter().zip(descriptions.iter()) {
            let description = description.split_whitespace().collect::<Vec<_>>().join(" ");
            list.push_str(&format!("\n- `{value}`: {description}"));
            map.insert((*value).to_string(), Value::String(description));
        }
        let text = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        schema.insert(
            "description".into(),
            Value::String(format!("{text}\n{list}")),
        );
        schema.insert("x-enumDescriptions".into(), Value::Object(map));
    }
}

/// What a list's description says about its exports, which its 200 does not list as media
/// types (docs/design-notes.md, "The spec types a list's 200 as its JSON page").
const EXPORTS: &str = "**Exports.** `format=csv` (or `Accept: text/csv`) answers the matching \
    rows as `text/csv` (RFC 4180, a header row, arrays joined with `;`), `format=ndjson` (or \
    `Accept: application/x-ndjson`) as `application/x-ndjson`, one JSON object a line, \
    unpaginated (`limit` then caps the rows), with `Content-Disposition: attachment`. The 200 \
    above types only the JSON page, so that generated clients read it without narrowing; fetch \
    exports as plain files (e.g. `pandas.read_csv(url)`).";

/// Applies the conventions to `spec` (the document as JSON), with `enums` the meaning of each
/// enum value. (Writes get the API-key scheme in `crate::openapi::finish`.)
pub fn apply(spec: &mut Value, enums: &[Described]) {
    let components = spec
        .as_object_mut()
        .expect("the spec is an object")
        .entry("components")
        .or_insert_with(|| json!({}));
    shared_components(components.as_object_mut().expect("components is an object"));
    if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
        schema_conventions(schemas);
        describe_enums(schemas, enums);
        add_examples(schemas);
    }
    if let Some(paths) = spec["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let labelled = crate::labels::fields::collection_of(path).is_some();
            for (method, operation) in item.iter_mut() {
                if let Some(operation) = operation.as_object_mut() {
                    if labelled && method == "get" {
                        label_conventions(operation);
                    }
                    operation_conventions(method, operation);
                }
            }
        }
    }
}

/// Whole examples for the bodies whose types cannot carry one in code (patches, views, the
/// bundle, the problem document): real answers of the server over the demo data
/// (`examples.json`); each `XListItem` gets `X`'s example and each `Page_X` a page of its
/// item's. Spectral checks every example against its schema (`oas3-valid-schema-example`).
fn add_examples(schemas: &mut Map<String, Value>) {
    let examples: Map<String, Value> =
        serde_json::from_str(include_str!("examples.json")).expect("examples.json is an object");
    for (name, example) in examples {
        if let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
            schema.insert("example".into(), example);
        }
    }
    // A list item (an item GET's body too, with `include`) without children or parents
    // embedded is its resource: the resource's example.
    let items: Vec<(String, Value)> = schemas
        .iter()
        .filter(|(_, schema)| schema.get("example").is_none())
        .filter_map(|(name, _)| {
            let base = name.strip_suffix("ListItem")?;
            Some((name.clone(), schemas.get(base)?.get("example")?.clone()))
        })
        .collect();
    for (name, example) in items {
        if let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
            schema.insert("example".into(), example);
        }
    }
    let pages: Vec<(String, Value)> = schemas
        .keys()
        .filter_map(|name| {
            let item = name.strip_prefix("Page_")?;
            let base = item.strip_suffix("ListItem").unwrap_or(item);
            let example = [item, base]
                .iter()
                .find_map(|n| schemas.get(*n).and_then(|s| s.get("example")).cloned())?;
            Some((
                name.clone(),
                json!({"items": [example], "next_cursor": null}),
            ))
        })
        .collect();
    for (name, example) in pages {
        if let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
            schema.insert("example".into(), example);
        }
    }
}
