use crate::fixtures::{a_plan, commitment, country};
use crate::helpers::spawn_app;
use std::collections::HashSet;

#[actix_web::test]
async fn pages_cover_every_row_once_in_order() {
    let app = spawn_app().await;
    let mut codes: Vec<String> = (0..23)
        .map(|i| {
            format!(
                "A{}{}",
                (b'A' + (i / 26) as u8) as char,
                (b'A' + (i % 26) as u8) as char
            )
        })
        .collect();
    for code in &codes {
        app.create("/api/v1/countries", &country(code)).await;
    }
    codes.sort();
    let mut seen = Vec::new();
    let mut url = "/api/v1/countries?limit=5".to_string();
    let mut pages = 0;
    loop {
        let response = app.get(&url).await;
        response.assert_status(200);
        pages += 1;
        let items = response.body["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(
            items
                .iter()
                .map(|c| c["code"].as_str().unwrap().to_string()),
        );
        match response.body["next_cursor"].as_str() {
            Some(cursor) => {
                let link = response
                    .header("link")
                    .expect("Link header on a non-final page");
                assert!(link.ends_with("rel=\"next\""), "{link}");
                assert!(link.contains(cursor), "{link}");
                assert!(
                    link.contains("limit=5"),
                    "keeps the other parameters: {link}"
                );
                url = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen, codes);
}

#[actix_web::test]
async fn rows_inserted_while_paging_never_shift_a_page() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    for n in 1..=12 {
        app.create("/api/v1/commitments", &commitment(plan_id, n))
            .await;
    }
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut next_number = 100;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/commitments?limit=4&cursor={c}"),
            None => "/api/v1/commitments?limit=4".to_string(),
        };
        let response = app.get(&url).await;
        for item in response.body["items"].as_array().unwrap() {
            assert!(
                seen.insert(item["id"].as_i64().unwrap()),
                "row repeated: {item}"
            );
        }
        // A concurrent writer adds a row between every two pages.
        app.create("/api/v1/commitments", &commitment(plan_id, next_number))
            .await;
        next_number += 1;
        match response.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(next_number < 200, "paging never ends");
    }
    let originals: Vec<i64> = {
        let all = app.get("/api/v1/commitments?limit=200").await;
        all.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["number"].as_i64().unwrap() <= 12)
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(originals.len(), 12);
    assert!(
        originals.iter().all(|id| seen.contains(id)),
        "an original row was missed"
    );
}

#[actix_web::test]
async fn limit_outside_1_to_200_is_a_400() {
    let app = spawn_app().await;
    for limit in ["0", "201", "-5", "ten", ""] {
        app.get(&format!("/api/v1/countries?limit={limit}"))
            .await
            .assert_problem(400);
    }
    app.get("/api/v1/countries?limit=200")
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn a_cursor_not_made_by_the_list_is_a_400() {
    let app = spawn_app().await;
    for cursor in ["garbage", "eyJhZnRlciI6InRleHQifQ", "%00"] {
        app.get(&format!("/api/v1/action-plans?cursor={cursor}"))
            .await
            .assert_problem(400);
    }
}
