//! Property-based tests of hostile input: whatever a client puts in a query string or a write
//! body, the answer is never a 5xx, every 4xx is a problem document, and a refused write leaves
//! the database exactly as it was.
//!
//! The endpoints, their query parameters and the writable fields are read from the app's own
//! OpenAPI document, so a parameter or field added later is exercised without editing this
//! file. One TestApp (one fresh database) per property; the app runs on an actix system the
//! property drives case by case.

use crate::fixtures::{a_commitment, id_of, milestone};
use crate::helpers::{spawn_app, TestApp, TestResponse};
use actix_web::http::Method;
use base64::Engine;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

/// Cases per property: enough variety to find a 500, few enough to keep the suite quick.
const CASES: u32 = 96;

/// `text` percent-encoded as a query component (everything but unreserved ASCII).
fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Strings a hostile client sends as JSON text.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\u{0}".to_string()),
        Just("a\u{0}b".to_string()),
        Just("\u{200B}\u{200B}".to_string()),
        Just("\u{FEFF}".to_string()),
        Just("".to_string()),
        Just(" ".to_string()),
        Just("0000-01-01".to_string()),
        Just("-4713-01-01".to_string()),
        Just("9999-12-31".to_string()),
        Just("2020-02-30".to_string()),
        Just("0000-01-01T00:00:00Z".to_string()),
        Just("MEX".to_string()),
        Just("europe".to_string()),
        Just("assessment".to_string()),
        Just("mid_term_report".to_string()),
        Just("https://example.org/\u{0}".to_string()),
        Just("'; DROP TABLE countries;--".to_string()),
        (0usize..30_000).prop_map(|n| "x".repeat(n)),
        ".{0,12}",
    ]
}

/// Any JSON, leaning on the values that break parsers and databases.
fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(0_i64), Just(-1), Just(2_147_483_648), Just(i64::MAX)]
            .prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        hostile_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A query value, already encoded as it goes on the wire: mostly values known to have broken
/// something (so a case that names the right parameter meets them often), then random ones.
fn hostile_query_value() -> impl Strategy<Value = String> {
    let known_bad = prop_oneof![
        Just("%00".to_string()),
        Just("a%00b".to_string()),
        Just("%FF".to_string()),
        Just("%C3%28".to_string()),
        Just("%ED%A0%80".to_string()),
        Just("%".to_string()),
        Just("%zz".to_string()),
        Just("".to_string()),
        Just("-4713-01-01".to_string()),
        Just("-4714-11-24".to_string()),
        Just("-99999-01-01".to_string()),
        Just("0000-01-01".to_string()),
        Just("%2B10000-01-01".to_string()),
        Just("0000-01-01T00:00:00Z".to_string()),
        Just("%2B275760-09-13T00%3A00%3A00Z".to_string()),
        Just("99999999999".to_string()),
        Just("-99999999999".to_string()),
        Just("99999999999999999999".to_string()),
        Just("1,99999999999".to_string()),
    ];
    let plausible = prop_oneof![
        Just("true".to_string()),
        Just("MEX".to_string()),
        Just("country".to_string()),
        Just("mid_term_report".to_string()),
        Just("2020-01-01".to_string()),
        "-?[0-9]{1,25}",
        "-?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}",
        "[0-9a-z,\\-]{0,40}",
    ];
    let random = prop_oneof![
        (0usize..20_000).prop_map(|n| "a".repeat(n)),
        ".{0,16}".prop_map(|s| encode(&s)),
    ];
    // Forged cursors: random bytes, any JSON, and JSON of the right shape (the default sort,
    // or a random one) with values of any type.
    let cursors = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| base64(&b)),
        hostile_json().prop_map(|v| base64(v.to_string().as_bytes())),
        hostile_json()
            .prop_map(|v| base64(json!({"sort": "", "values": [v]}).to_string().as_bytes())),
        (
            "[a-z_,\\-]{0,12}",
            prop::collection::vec(hostile_json(), 0..4)
        )
            .prop_map(|(sort, values)| base64(
                json!({"sort": sort, "values": values})
                    .to_string()
                    .as_bytes()
            )),
    ];
    prop_oneof![4 => known_bad, 2 => plausible, 1 => random, 2 => cursors]
}

/// A query parameter: a known name (by index into the endpoint's list) or a hostile one.
#[derive(Debug, Clone)]
enum Name {
    Known(usize),
    Other(String),
}

fn query_name() -> impl Strategy<Value = Name> {
    prop_oneof![
        8 => any::<usize>().prop_map(Name::Known),
        1 => prop_oneof![
            Just("%00".to_string()),
            Just("%FF".to_string()),
            Just("a%5B%5D".to_string()),
            Just("".to_string()),
            "[a-z_]{1,12}",
        ]
        .prop_map(Name::Other),
    ]
}

/// `[(name, value, repeated)]`, sent to every endpoint (a known name picks a different
/// parameter on each).
fn query_case() -> impl Strategy<Value = Vec<(Name, String, bool)>> {
    // Mostly one parameter: the first refusal ends a request, so a lone hostile value is the
    // one that gets checked.
    prop_oneof![3 => Just(1usize), 1 => 0usize..5].prop_flat_map(|n| {
        prop::collection::vec(
            (
                query_name(),
                hostile_query_value(),
                prop::bool::weighted(0.1),
            ),
            n,
        )
    })
}

#[track_caller]
fn check_answer(label: &str, response: &TestResponse) -> Result<(), TestCaseError> {
    prop_assert!(
        !response.status.is_server_error(),
        "{label}: {} {}",
        response.status,
        response.text
    );
    if response.status.is_client_error() {
        prop_assert_eq!(
            response.header("content-type"),
            Some("application/problem+json"),
            "{}: {}",
            label,
            response.text
        );
        prop_assert_eq!(&response.body["status"], &json!(response.status.as_u16()));
    }
    Ok(())
}

/// Every GET endpoint with a list-like answer (collections, read aliases, history, views,
/// the feed), with its path keys filled in, and its query parameters.
fn list_endpoints(spec: &Value, plan: i64, commitment: i64) -> Vec<(String, Vec<String>)> {
    let mut endpoints = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let parameters: Vec<String> = get["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if parameters.is_empty() {
            continue; // an item read: no query to attack
        }
        let id = if path.starts_with("/api/v1/action-plans") {
            plan
        } else {
            commitment
        };
        let path = path
            .replace("{code}", "MEX")
            .replace("{id}", &id.to_string());
        endpoints.push((path, parameters));
    }
    endpoints
}

/// Runs `property` on `CASES` inputs of `strategy` (the property drives the app itself).
fn run<S: Strategy>(strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(failure) = runner.run(&strategy, property) {
        panic!("{failure}");
    }
}

#[test]
fn no_query_string_reaches_a_500_and_every_4xx_is_a_problem() {
    let system = actix_web::rt::System::new();
    let (app, endpoints): (TestApp, Vec<(String, Vec<String>)>) = system.block_on(async {
        let app = spawn_app().await;
        let (plan, commitment) = a_commitment(&app).await;
        app.create("/api/v1/milestones", &milestone(commitment, 1))
            .await;
        let spec = app.get("/openapi.json").await.body;
        let endpoints = list_endpoints(&spec, plan, commitment);
        (app, endpoints)
    });
    assert!(endpoints.len() >= 15, "{endpoints:?}");
    run(query_case(), |pairs| {
        for (path, parameters) in &endpoints {
            let mut query = Vec::new();
            for (name, value, repeated) in &pairs {
                let name = match name {
                    Name::Known(i) => &parameters[i % parameters.len()],
                    Name::Other(name) => name,
                };
                query.push(format!("{name}={value}"));
                if *repeated {
                    query.push(format!("{name}={value}"));
                }
            }
            let uri = format!("{path}?{}", query.join("&"));
            let response = system.block_on(app.get(&uri));
            check_answer(&uri, &response)?;
        }
        Ok(())
    });
}

/// One write target: method, path, and a valid body to start from.
struct Target {
    method: Method,
    path: String,
    base: Value,
    fields: Vec<String>,
}

/// A mutation of a write body.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set a known field (by index) to a value.
    Set(usize, Value),
    /// Remove a known field.
    Remove(usize),
    /// Add an unknown field.
    Add(String, Value),
    /// Give a known field twice, the first time with this value (in the raw text).
    Duplicate(usize, Value),
    /// Nest the body under this many arrays in a known field.
    Deep(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), hostile_json()).prop_map(|(i, v)| Mutation::Set(i, v)),
        1 => any::<usize>().prop_map(Mutation::Remove),
        1 => ("[a-z_]{1,10}", hostile_json()).prop_map(|(k, v)| Mutation::Add(k, v)),
        2 => (any::<usize>(), hostile_json()).prop_map(|(i, v)| Mutation::Duplicate(i, v)),
        1 => (any::<usize>(), 1usize..400).prop_map(|(i, d)| Mutation::Deep(i, d)),
    ]
}

/// The body text after `mutations`.
fn mutated(target: &Target, mutations: &[Mutation]) -> String {
    let mut body: Map<String, Value> = target.base.as_object().cloned().unwrap_or_default();
    let field = |i: usize| target.fields[i % target.fields.len()].clone();
    let mut prefix = Vec::new();
    for mutation in mutations {
        match mutation {
            Mutation::Set(i, value) => {
                body.insert(field(*i), value.clone());
            }
            Mutation::Remove(i) => {
                body.remove(&field(*i));
            }
            Mutation::Add(key, value) => {
                body.insert(key.clone(), value.clone());
            }
            Mutation::Duplicate(i, value) => {
                prefix.push(format!("{}:{value}", Value::from(field(*i))));
            }
            Mutation::Deep(i, depth) => {
                let text = format!("{}{}", "[".repeat(*depth), "]".repeat(*depth));
                prefix.push(format!("{}:{text}", Value::from(field(*i))));
            }
        }
    }
    let text = Value::Object(body).to_string();
    if prefix.is_empty() {
        return text;
    }
    // Raw members go first, so the later (valid) ones would win in a last-wins parser.
    let rest = text.strip_prefix('{').unwrap_or("}");
    let separator = if rest == "}" { "" } else { "," };
    format!("{{{}{separator}{rest}", prefix.join(","))
}

#[test]
fn no_write_body_reaches_a_500_and_a_refused_write_changes_nothing() {
    let system = actix_web::rt::System::new();
    let (app, targets): (TestApp, Vec<Target>) = system.block_on(async {
        let app = spawn_app().await;
        let (plan, commitment) = a_commitment(&app).await;
        let milestone_id =
            id_of(&app.create("/api/v1/milestones", &milestone(commitment, 1)).await);
        let finding_body = json!({"action_plan_id": plan, "commitment_id": commitment,
                                  "report": "mid_term_report", "kind": "assessment"});
        let finding = id_of(&app.create("/api/v1/irm-findings", &finding_body).await);
        let spec = app.get("/openapi.json").await.body;
        let fields = |schema: &str| -> Vec<String> {
            spec["components"]["schemas"][schema]["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        let mut targets = Vec::new();
        for (collection, item, schema, base) in [
            ("countries", "MEX".to_string(), "NewCountry", crate::fixtures::country("ZZA")),
            ("action-plans", plan.to_string(), "NewActionPlan", crate::fixtures::plan("MEX", 7)),
            ("commitments", commitment.to_string(), "NewCommitment", crate::fixtures::commitment(plan, 7)),
            ("milestones", milestone_id.to_string(), "NewMilestone", milestone(commitment, 7)),
            ("irm-findings", finding.to_string(), "NewIrmFinding",
             json!({"action_plan_id": plan, "report": "end_of_term_report", "kind": "summary", "body": "S"})),
        ] {
            let fields = fields(schema);
            assert!(!fields.is_empty(), "{schema} has no properties in the spec");
            targets.push(Target {
                method: Method::POST,
                path: format!("/api/v1/{collection}"),
                base: base.clone(),
                fields: fields.clone(),
            });
            targets.push(Target {
                method: Method::PATCH,
                path: format!("/api/v1/{collection}/{item}"),
                base: json!({}),
                fields,
            });
        }
        (app, targets)
    });
    let strategy = (any::<usize>(), prop::collection::vec(mutation(), 1..4));
    run(strategy, |(target, mutations)| {
        let target = &targets[target % targets.len()];
        let body = mutated(target, &mutations);
        let content_type = if target.method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        let label = format!("{} {} {:.300}", target.method, target.path, body);
        let (before, response, after) = system.block_on(async {
            let before = app.snapshot().await;
            let response = app
                .raw(target.method.clone(), &target.path, content_type, &body)
                .await;
            let after = app.snapshot().await;
            (before, response, after)
        });
        check_answer(&label, &response)?;
        if response.status.is_client_error() {
            prop_assert!(
                before == after,
                "{label}: a refused write changed the database"
            );
        }
        Ok(())
    });
}
