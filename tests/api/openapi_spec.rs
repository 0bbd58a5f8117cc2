//! The committed `openapi/openapi.json` is the contract: it must equal the spec the code
//! generates. `UPDATE_OPENAPI=1 cargo test` rewrites it.

use serde_json::Value;
use std::path::Path;

fn generated() -> String {
    let spec = ogp_api::app::openapi_spec();
    serde_json::to_string_pretty(&spec).expect("spec serializes") + "\n"
}

#[test]
fn committed_spec_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let generated = generated();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the spec the code generates; \
         run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit the result"
    );
}

fn spec() -> Value {
    serde_json::from_str(&generated()).unwrap()
}

#[test]
fn every_resource_operation_is_documented() {
    let spec = spec();
    let paths = spec["paths"].as_object().unwrap();
    for (collection, item) in [
        ("/api/v1/countries", "/api/v1/countries/{code}"),
        ("/api/v1/action-plans", "/api/v1/action-plans/{id}"),
        ("/api/v1/commitments", "/api/v1/commitments/{id}"),
        ("/api/v1/milestones", "/api/v1/milestones/{id}"),
        ("/api/v1/irm-findings", "/api/v1/irm-findings/{id}"),
    ] {
        assert!(paths[collection]["get"].is_object(), "{collection} GET");
        assert!(paths[collection]["post"].is_object(), "{collection} POST");
        for method in ["get", "patch", "delete"] {
            assert!(paths[item][method].is_object(), "{item} {method}");
        }
        let post = &paths[collection]["post"]["responses"];
        for status in ["201", "400", "409", "413", "415", "422"] {
            assert!(
                post[status].is_object(),
                "{collection} POST documents {status}"
            );
        }
        let patch = &paths[item]["patch"]["responses"];
        for status in ["200", "404", "412", "422"] {
            assert!(patch[status].is_object(), "{item} PATCH documents {status}");
        }
    }
    for alias in [
        "/api/v1/countries/{code}/action-plans",
        "/api/v1/action-plans/{id}/commitments",
        "/api/v1/action-plans/{id}/irm-findings",
        "/api/v1/commitments/{id}/milestones",
        "/api/v1/commitments/{id}/irm-findings",
    ] {
        assert!(paths[alias]["get"].is_object(), "alias {alias}");
    }
}

#[test]
fn every_enum_of_the_contract_is_in_the_spec() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let expect = |name: &str, values: &[&str]| {
        let listed: Vec<&str> = schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("schema {name} has no enum"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(listed, values, "{name}");
    };
    expect(
        "Region",
        &["africa_middle_east", "americas", "asia_pacific", "europe"],
    );
    expect(
        "MembershipStatus",
        &["active", "inactive", "under_review", "withdrawn"],
    );
    expect(
        "PlanStatus",
        &["draft", "submitted", "implementing", "completed"],
    );
    expect(
        "PublicInfluence",
        &[
            "no_consultation",
            "inform",
            "consult",
            "involve",
            "collaborate",
            "empower",
        ],
    );
    expect(
        "OgpValue",
        &[
            "access_to_information",
            "civic_participation",
            "public_accountability",
            "technology_and_innovation",
        ],
    );
    expect(
        "MilestoneStatus",
        &["not_started", "in_progress", "completed"],
    );
    expect(
        "Report",
        &[
            "progress_report",
            "mid_term_report",
            "end_of_term_report",
            "design_report",
            "implementation_report",
            "transitional_results_report",
            "co_creation_brief",
            "action_plan_review",
            "results_report",
        ],
    );
    expect(
        "FindingKind",
        &[
            "assessment",
            "process",
            "performance",
            "recommendation",
            "summary",
        ],
    );
    expect("Specificity", &["none", "low", "medium", "high"]);
    expect(
        "PotentialImpact",
        &["none", "minor", "moderate", "transformative"],
    );
    expect("PotentialForResults", &["unclear", "modest", "substantial"]);
    expect(
        "Completion",
        &[
            "no_evidence",
            "not_started",
            "limited",
            "substantial",
            "complete",
        ],
    );
    expect(
        "DidItOpenGovernment",
        &[
            "worsened",
            "did_not_change",
            "marginal",
            "major",
            "outstanding",
        ],
    );
    expect("EarlyResults", &["moderate", "significant", "outstanding"]);
    expect("VerdictBasis", &["published", "derived", "not_applicable"]);
}

#[test]
fn every_field_of_every_resource_is_described() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for name in [
        "Country",
        "ActionPlan",
        "Commitment",
        "Milestone",
        "IrmFinding",
        "Problem",
    ] {
        let properties = schemas[name]["properties"].as_object().unwrap();
        for (field, schema) in properties {
            let described = schema.get("description").is_some()
                || schema["oneOf"].as_array().is_some_and(|o| !o.is_empty());
            assert!(described, "{name}.{field} has no description");
        }
    }
}

/// Every operation of the spec, as (path, method, operation).
fn operations(spec: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    out
}

fn has_header_parameter(spec: &Value, operation: &Value, name: &str) -> bool {
    operation["parameters"]
        .as_array()
        .is_some_and(|parameters| {
            parameters.iter().any(|p| {
                let p = match p["$ref"].as_str() {
                    Some(r) => &spec["components"]["parameters"][r.rsplit('/').next().unwrap()],
                    None => p,
                };
                p["in"] == "header" && p["name"] == name
            })
        })
}

#[test]
fn every_conditional_get_documents_304_and_if_none_match() {
    let spec = spec();
    let mut checked = 0;
    for (path, method, operation) in operations(&spec) {
        if method != "get" {
            continue;
        }
        // The bundle export streams the corpus as it reads it: no ETag, so no 304.
        if path == "/api/v1/exports/bundle" {
            assert!(operation["responses"]["304"].is_null(), "{path}");
            continue;
        }
        assert!(
            operation["responses"]["304"].is_object(),
            "GET {path} documents 304"
        );
        assert!(
            has_header_parameter(&spec, &operation, "If-None-Match"),
            "GET {path} takes If-None-Match"
        );
        assert!(
            operation["responses"]["200"]["headers"]["ETag"].is_object(),
            "GET {path} answers an ETag"
        );
        checked += 1;
    }
    let gets = operations(&spec).iter().filter(|o| o.1 == "get").count();
    assert_eq!(checked, gets - 1, "every GET but the bundle export");
    assert!(checked >= 20, "only {checked} GETs");
}

#[test]
fn every_operation_has_a_description_security_and_request_id() {
    let spec = spec();
    for (path, method, operation) in operations(&spec) {
        let description = operation["description"].as_str().unwrap_or_default();
        assert!(
            !description.trim().is_empty(),
            "{method} {path} has a description"
        );
        if method == "get" {
            assert_eq!(
                operation["security"],
                serde_json::json!([{}]),
                "{method} {path} is public"
            );
        } else {
            assert_eq!(
                operation["security"],
                serde_json::json!([{"api_key": []}]),
                "{method} {path} needs the key"
            );
        }
        for (status, response) in operation["responses"].as_object().unwrap() {
            assert!(
                response["headers"]["X-Request-Id"].is_object(),
                "{method} {path} {status} documents X-Request-Id"
            );
            if status == "429" || status == "503" {
                assert!(
                    response["headers"]["Retry-After"].is_object(),
                    "{method} {path} {status} documents Retry-After"
                );
            }
        }
        if method == "post" {
            assert!(
                has_header_parameter(&spec, &operation, "Idempotency-Key"),
                "POST {path} takes Idempotency-Key"
            );
        }
        if method == "post" || method == "put" {
            if let Some(created) = operation["responses"]["201"].as_object() {
                assert!(
                    created["headers"]["Location"].is_object(),
                    "{method} {path} 201 documents Location"
                );
            }
        }
    }
}

#[test]
fn patches_have_no_defaults_and_defaulted_create_fields_are_optional() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut patches = 0;
    for (name, schema) in schemas {
        let properties = schema["properties"].as_object();
        if name.ends_with("Patch") {
            patches += 1;
            assert!(schema["required"].is_null(), "{name} requires nothing");
            for (field, property) in properties.unwrap() {
                assert!(
                    property.get("default").is_none(),
                    "{name}.{field} has no default"
                );
            }
        }
        if name.starts_with("New") {
            // A server default is said in words, not as `default` (which generators read as
            // "always present" and so make required in request bodies too).
            for (field, property) in properties.unwrap() {
                assert!(
                    property.get("default").is_none(),
                    "{name}.{field}: its default is in its description"
                );
            }
        }
    }
    assert_eq!(patches, 6);
    let new_country = &schemas["NewCountry"];
    assert_eq!(
        new_country["required"],
        serde_json::json!(["code", "name", "region"])
    );
    let status = new_country["properties"]["membership_status"]["description"]
        .as_str()
        .unwrap();
    assert!(status.contains("`active` when not given"), "{status}");
    let values = schemas["NewCommitment"]["properties"]["ogp_values"]["description"]
        .as_str()
        .unwrap();
    assert!(values.contains("when not given"), "{values}");
    let required = schemas["NewCommitment"]["required"].as_array().unwrap();
    assert!(!required
        .iter()
        .any(|r| r == "ogp_values" || r == "withdrawn"));
}

#[test]
fn pages_refer_to_their_item_schemas_and_lists_type_their_200_as_json() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut pages = 0;
    for (name, schema) in schemas {
        if let Some(item) = name.strip_prefix("Page_") {
            pages += 1;
            assert_eq!(
                schema["properties"]["items"]["items"]["$ref"],
                format!("#/components/schemas/{item}"),
                "{name}"
            );
        }
    }
    assert_eq!(pages, 6);
    // Enum schemas appear once, in components: no schema inlines an enum of the vocabulary.
    fn enums_listing(value: &Value, wanted: &str) -> usize {
        match value {
            Value::Object(map) => {
                let here = map
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.iter().any(|v| v == wanted));
                usize::from(here)
                    + map
                        .values()
                        .map(|v| enums_listing(v, wanted))
                        .sum::<usize>()
            }
            Value::Array(items) => items.iter().map(|v| enums_listing(v, wanted)).sum(),
            _ => 0,
        }
    }
    let schemas_json = &spec["components"]["schemas"];
    assert_eq!(enums_listing(schemas_json, "africa_middle_east"), 1);
    assert_eq!(enums_listing(schemas_json, "transformative"), 1);
    // Filters on a vocabulary refer to its schema too (one generated type per enum).
    assert_eq!(enums_listing(&spec["paths"], "africa_middle_east"), 0);
    assert_eq!(enums_listing(&spec["paths"], "transformative"), 0);
    for (path, method, operation) in operations(&spec) {
        let Some(content) = operation["responses"]["200"]["content"].as_object() else {
            continue;
        };
        if content.contains_key("application/json") {
            assert_eq!(
                content.len(),
                1,
                "{method} {path}: the 200 offers only JSON (exports are described)"
            );
        }
    }
}

#[test]
fn every_enum_value_is_described_and_examples_are_real() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        let Some(values) = schema["enum"].as_array() else {
            continue;
        };
        for value in values {
            let value = value.as_str().unwrap();
            let description = schema["x-enumDescriptions"][value]
                .as_str()
                .unwrap_or_default();
            assert!(!description.is_empty(), "{name} `{value}` is described");
        }
    }
    // Mexico is in the Americas: the example must not let a viewer invent another region.
    for name in ["Country", "NewCountry"] {
        let example = &schemas[name]["example"];
        assert_eq!(example["name"], "Mexico", "{name}");
        assert_eq!(example["region"], "americas", "{name}");
    }
    assert_eq!(schemas["NewActionPlan"]["example"]["country_code"], "MEX");
    // A patch's example changes a field, never the key.
    let patch = &schemas["CountryPatch"]["example"];
    assert!(patch.is_object() && patch.get("code").is_none(), "{patch}");
}

#[test]
fn every_request_and_response_body_has_an_example() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut bodies = 0;
    for (path, method, operation) in operations(&spec) {
        let mut contents: Vec<&serde_json::Value> = Vec::new();
        if let Some(content) = operation["requestBody"]["content"].as_object() {
            contents.extend(content.values());
        }
        for response in operation["responses"].as_object().unwrap().values() {
            if let Some(content) = response["content"].as_object() {
                contents.extend(content.values());
            }
        }
        for content in contents {
            let Some(reference) = content["schema"]["$ref"].as_str() else {
                continue;
            };
            let name = reference.rsplit('/').next().unwrap();
            bodies += 1;
            assert!(
                schemas[name].get("example").is_some(),
                "{method} {path}: `{name}` has an example"
            );
        }
    }
    assert!(bodies > 50, "{bodies} bodies checked");
}

#[test]
fn stats_declare_only_the_parameters_they_accept() {
    let spec = spec();
    let operation = &spec["paths"]["/api/v1/stats/commitments"]["get"];
    let names: Vec<&str> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(names.contains(&"group_by") && names.contains(&"country_code"));
    for refused in [
        "limit",
        "cursor",
        "sort",
        "include",
        "include_total",
        "format",
    ] {
        assert!(!names.contains(&refused), "stats do not list `{refused}`");
    }
    let group = &spec["components"]["schemas"]["CommitmentStats"]["properties"]["group"];
    assert_eq!(
        group["type"],
        serde_json::json!(["string", "integer", "null"])
    );
}

#[test]
fn swagger_ui_does_not_prefill_limit() {
    let spec = spec();
    for (path, method, operation) in operations(&spec) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["name"] == "limit" {
                let schema = &parameter["schema"];
                for key in ["default", "example", "examples"] {
                    assert!(
                        schema.get(key).is_none() && parameter.get(key).is_none(),
                        "{method} {path}: `limit` has no {key}"
                    );
                }
            }
        }
    }
}

/// Every `$ref` of the spec names something the spec holds (a parameter's enum once pointed
/// at a schema no model brought into the components: generated clients and linters fail on
/// it).
#[test]
fn every_reference_resolves() {
    fn walk(value: &Value, refs: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    refs.push(target.clone());
                }
                map.values().for_each(|v| walk(v, refs));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
            _ => {}
        }
    }
    let spec = spec();
    let mut refs = Vec::new();
    walk(&spec, &mut refs);
    assert!(!refs.is_empty());
    let unresolved: Vec<&String> = refs
        .iter()
        .filter(|target| {
            let pointer = target.strip_prefix('#').unwrap_or("not a local reference");
            spec.pointer(pointer).is_none()
        })
        .collect();
    assert!(unresolved.is_empty(), "unresolved: {unresolved:?}");
}
