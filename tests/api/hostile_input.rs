//! Input a client controls that PostgreSQL cannot take, or that would be read otherwise than
//! meant, is refused with a clear 4xx problem before any SQL runs: NUL bytes, years outside
//! 1–9999, overflowing numbers, invalid UTF-8, duplicate JSON keys, invisible text, over-long
//! URIs. Each test is named after the behaviour it pins down.

use crate::fixtures::{a_commitment, country, id_of};
use crate::helpers::spawn_app;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use base64::Engine;
use serde_json::{json, Value};

/// Asserts a 400 problem whose detail names `parameter` (in backquotes).
#[track_caller]
fn assert_names(response: &crate::helpers::TestResponse, status: u16, parameter: &str) {
    response.assert_problem(status);
    let detail = response.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("`{parameter}`")),
        "the problem should name `{parameter}`: {detail}"
    );
}

fn cursor(state: Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(state.to_string())
}

#[actix_web::test]
async fn nul_in_a_path_key_is_a_404() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("MEX")).await;
    let before = app.snapshot().await;
    for path in [
        "/api/v1/countries/MEX%00",
        "/api/v1/countries/MEX%00/history",
        "/api/v1/countries/MEX%00/action-plans",
        "/api/v1/countries/%00",
        "/api/v1/countries/mex",
        "/api/v1/countries/MEXICO",
    ] {
        app.get(path).await.assert_problem(404);
    }
    app.patch("/api/v1/countries/MEX%00", &json!({"name": "M"}))
        .await
        .assert_problem(404);
    app.delete("/api/v1/countries/MEX%00")
        .await
        .assert_problem(404);
    assert_eq!(app.snapshot().await, before);
    // The real key still works.
    app.get("/api/v1/countries/MEX").await.assert_status(200);
}

#[actix_web::test]
async fn nul_in_a_cursor_value_is_a_400_naming_cursor() {
    let app = spawn_app().await;
    let forged = [
        (
            "/api/v1/countries",
            json!({"sort": "", "values": ["MEX\u{0}"]}),
        ),
        ("/api/v1/countries", json!({"sort": "", "values": [7]})),
        ("/api/v1/countries", json!({"sort": "", "values": [null]})),
        (
            "/api/v1/countries",
            json!({"sort": "", "values": [["MEX"]]}),
        ),
        ("/api/v1/commitments", json!({"sort": "", "values": ["1"]})),
        (
            "/api/v1/commitments",
            json!({"sort": "", "values": [1e300]}),
        ),
        (
            "/api/v1/commitments",
            json!({"sort": "start_date", "values": ["-4713-01-01", 1]}),
        ),
        (
            "/api/v1/commitments",
            json!({"sort": "start_date", "values": ["0000-01-01", 1]}),
        ),
        (
            "/api/v1/commitments",
            json!({"sort": "number", "values": [99999999999_i64, 1]}),
        ),
        (
            "/api/v1/commitments",
            json!({"sort": "title", "values": ["a\u{0}", 1]}),
        ),
        (
            "/api/v1/milestones",
            json!({"sort": "due_date", "values": [{"a": 1}, 1]}),
        ),
    ];
    for (list, state) in forged {
        let sort = state["sort"].as_str().unwrap().to_string();
        let sort = if sort.is_empty() {
            String::new()
        } else {
            format!("&sort={sort}")
        };
        let response = app
            .get(&format!("{list}?cursor={}{sort}", cursor(state.clone())))
            .await;
        assert_eq!(
            response.status.as_u16(),
            400,
            "{list} {state}: {}",
            response.text
        );
        assert_names(&response, 400, "cursor");
    }
}

#[actix_web::test]
async fn nul_in_any_query_value_is_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    let plan = {
        app.create("/api/v1/countries", &country("MEX")).await;
        id_of(
            &app.create("/api/v1/action-plans", &crate::fixtures::plan("MEX", 1))
                .await,
        )
    };
    for (path, parameter) in [
        ("/api/v1/commitments?q=water%00".to_string(), "q"),
        ("/api/v1/commitments?theme=Gender%00".to_string(), "theme"),
        ("/api/v1/commitments?sort=title%00".to_string(), "sort"),
        ("/api/v1/countries?region=%00".to_string(), "region"),
        ("/api/v1/countries?include=%00".to_string(), "include"),
        ("/api/v1/countries?format=json%00".to_string(), "format"),
        (
            "/api/v1/changes?resource=countries%00".to_string(),
            "resource",
        ),
        ("/api/v1/changes?after=1%00".to_string(), "after"),
        (
            "/api/v1/stats/commitments?group_by=country&theme=%00".to_string(),
            "theme",
        ),
        (
            "/api/v1/stats/commitments?group_by=country%00".to_string(),
            "group_by",
        ),
        (
            format!("/api/v1/action-plans/{plan}/irm-summary?report=mid_term_report%00"),
            "report",
        ),
        (
            format!("/api/v1/action-plans/{plan}/commitments?q=%00"),
            "q",
        ),
        (
            "/api/v1/milestones/1/history?limit=%00".to_string(),
            "limit",
        ),
    ] {
        assert_names(&app.get(&path).await, 400, parameter);
    }
}

#[actix_web::test]
async fn dates_outside_years_1_to_9999_in_filters_are_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    let lists = [
        ("/api/v1/commitments?", "start_date_gte"),
        ("/api/v1/commitments?", "end_date_lte"),
        ("/api/v1/commitments?", "start_date"),
        ("/api/v1/milestones?", "due_date_lte"),
        ("/api/v1/milestones?", "completed_on_gte"),
        ("/api/v1/action-plans?", "submitted_on"),
        ("/api/v1/irm-findings?", "published_on_gte"),
        (
            "/api/v1/stats/commitments?group_by=theme&",
            "start_date_gte",
        ),
    ];
    for (list, parameter) in lists {
        for date in [
            "-4713-01-01",
            "-4714-12-31",
            "0000-01-01",
            "10000-01-01",
            "%2B2020-01-01",
        ] {
            let path = format!("{list}{parameter}={date}");
            let response = app.get(&path).await;
            assert_eq!(response.status.as_u16(), 400, "{path}: {}", response.text);
            assert_names(&response, 400, parameter);
        }
        app.get(&format!("{list}{parameter}=2020-01-01"))
            .await
            .assert_status(200);
    }
}

#[actix_web::test]
async fn overflowing_numbers_and_timestamps_in_filters_are_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (path, parameter) in [
        ("/api/v1/action-plans?start_year=99999999999", "start_year"),
        (
            "/api/v1/action-plans?start_year_gte=-99999999999",
            "start_year_gte",
        ),
        (
            "/api/v1/commitments?plan_start_year_lte=2147483648",
            "plan_start_year_lte",
        ),
        (
            "/api/v1/commitments?action_plan_id=99999999999999999999",
            "action_plan_id",
        ),
        ("/api/v1/commitments?number=1,2,99999999999", "number"),
        (
            "/api/v1/countries?updated_since=0000-01-01T00:00:00Z",
            "updated_since",
        ),
        (
            "/api/v1/countries?updated_since=9999-12-31T23:00:00-05:00",
            "updated_since",
        ),
        ("/api/v1/countries?limit=99999999999999999999", "limit"),
        ("/api/v1/changes?after=99999999999999999999", "after"),
        (
            "/api/v1/stats/commitments?group_by=country&plan_start_year=99999999999",
            "plan_start_year",
        ),
    ] {
        assert_names(&app.get(path).await, 400, parameter);
    }
}

#[actix_web::test]
async fn year_0_and_far_years_in_a_body_date_are_a_422_naming_the_field() {
    let app = spawn_app().await;
    let (plan, commitment) = a_commitment(&app).await;
    let before = app.snapshot().await;
    for date in ["0000-01-01", "-4713-01-01", "+2020-01-01", "10000-01-01"] {
        let response = app
            .post(
                "/api/v1/commitments",
                &json!({"action_plan_id": plan, "number": 5, "title": "T", "start_date": date}),
            )
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), ["start_date"], "{date}");
        let response = app
            .patch(
                &format!("/api/v1/commitments/{commitment}"),
                &json!({"end_date": date}),
            )
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), ["end_date"], "{date}");
    }
    assert_eq!(app.snapshot().await, before);
    // The edges of the range are fine, and read back as written.
    let created = app
        .create(
            "/api/v1/commitments",
            &json!({"action_plan_id": plan, "number": 6, "title": "T",
                    "start_date": "0001-01-01", "end_date": "9999-12-31"}),
        )
        .await;
    assert_eq!(created["start_date"], "0001-01-01");
    assert_eq!(created["end_date"], "9999-12-31");
}

#[actix_web::test]
async fn a_duplicate_json_key_is_a_422_naming_the_field_and_creates_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let response = app
        .raw(
            Method::POST,
            "/api/v1/countries",
            "application/json",
            r#"{"code":"ZZA","code":"ZZB","name":"Z","region":"europe"}"#,
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["code"]);
    assert_eq!(
        response.body["errors"][0]["message"],
        "given more than once"
    );
    // At depth too, and in a patch.
    app.create("/api/v1/countries", &country("MEX")).await;
    let before_patch = app.snapshot().await;
    let response = app
        .raw(
            Method::PATCH,
            "/api/v1/countries/MEX",
            "application/merge-patch+json",
            r#"{"name":"A","extra":{"x":1,"x":2}}"#,
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["extra.x"]);
    assert_eq!(app.snapshot().await, before_patch);
    // Malformed JSON stays a 400.
    app.raw(
        Method::POST,
        "/api/v1/countries",
        "application/json",
        r#"{"code":"ZZA","code":}"#,
    )
    .await
    .assert_problem(400);
    assert_ne!(app.snapshot().await, before);
}

#[actix_web::test]
async fn the_history_of_an_item_that_never_existed_is_a_404() {
    let app = spawn_app().await;
    let (_, commitment) = a_commitment(&app).await;
    for path in [
        "/api/v1/commitments/-1/history",
        "/api/v1/commitments/0/history",
        "/api/v1/commitments/424242/history",
        "/api/v1/countries/MEX%00/history",
        "/api/v1/countries/ZZZ/history",
        "/api/v1/milestones/1/history",
        "/api/v1/irm-findings/1/history?after=5",
    ] {
        app.get(path).await.assert_problem(404);
    }
    // A deleted item still has its history.
    app.delete(&format!("/api/v1/commitments/{commitment}"))
        .await
        .assert_status(204);
    let history = app
        .get(&format!("/api/v1/commitments/{commitment}/history"))
        .await;
    history.assert_status(200);
    assert_eq!(history.body["items"].as_array().map(Vec::len), Some(2));
    // Past its end, an existing history is an empty page, not a 404.
    app.get(&format!(
        "/api/v1/commitments/{commitment}/history?after=999999"
    ))
    .await
    .assert_status(200);
    app.get("/api/v1/countries/MEX/history")
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn invalid_utf8_in_a_query_value_is_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (path, parameter) in [
        ("/api/v1/commitments?q=%FF", "q"),
        ("/api/v1/commitments?theme=%C3%28", "theme"),
        ("/api/v1/countries?sort=%E2%82", "sort"),
        ("/api/v1/changes?resource=%C0%AF", "resource"),
        (
            "/api/v1/stats/commitments?group_by=country&q=%ED%A0%80",
            "q",
        ),
    ] {
        assert_names(&app.get(path).await, 400, parameter);
    }
    // A bad parameter *name* is refused too, and valid UTF-8 passes.
    app.get("/api/v1/commitments?%FF=1")
        .await
        .assert_problem(400);
    app.get("/api/v1/commitments?q=caf%C3%A9")
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn a_422_lists_at_most_100_errors_and_counts_the_rest() {
    let app = spawn_app().await;
    let mut body = serde_json::Map::new();
    for i in 0..15_000 {
        body.insert(format!("f{i}"), Value::from(i));
    }
    let response = app
        .send(
            app.authed(
                TestRequest::post()
                    .uri("/api/v1/countries")
                    .set_json(Value::Object(body)),
            ),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.body["errors"].as_array().map(Vec::len), Some(100));
    let detail = response.body["detail"].as_str().unwrap();
    assert!(detail.contains("left out"), "{detail}");
    assert!(
        response.text.len() < 64 * 1024,
        "{} bytes",
        response.text.len()
    );
}

#[actix_web::test]
async fn text_without_a_visible_character_is_a_422_and_visible_text_is_stored_as_sent() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    for name in [
        "\u{200B}\u{200B}",
        "\u{FEFF}",
        "\u{00AD}\u{2060}\u{2064}",
        "\u{180E} \u{034F}",
        "\u{FE0F}\u{200D}",
    ] {
        let mut body = country("ZZA");
        body["name"] = Value::from(name);
        let response = app.post("/api/v1/countries", &body).await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), ["name"], "{name:?}");
        assert_eq!(
            response.body["errors"][0]["message"],
            "must contain a visible character"
        );
    }
    assert_eq!(app.snapshot().await, before);
    let mut body = country("ZZA");
    body["name"] = Value::from("\u{200B}Zed\u{200B}");
    let created = app.create("/api/v1/countries", &body).await;
    assert_eq!(created["name"], "\u{200B}Zed\u{200B}");
}

#[actix_web::test]
async fn an_over_long_uri_is_a_414_problem() {
    let app = spawn_app().await;
    let long = format!("/api/v1/commitments?theme={}", "a".repeat(20_000));
    let response = app.get(&long).await;
    response.assert_problem(414);
    let long_path = format!("/api/v1/countries/{}", "A".repeat(17_000));
    app.get(&long_path).await.assert_problem(414);
    // Just under the cap is served as usual.
    let fits = format!("/api/v1/commitments?theme={}", "a".repeat(15_000));
    app.get(&fits).await.assert_status(200);
}
