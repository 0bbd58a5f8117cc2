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
