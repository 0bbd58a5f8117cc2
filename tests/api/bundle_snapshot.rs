//! A bundle export reads one snapshot: what is written while it streams is not in it, so a
//! bundle never holds a plan without its country or a commitment without its plan.

use crate::fixtures::{a_plan, commitment, country, id_of, milestone, plan};
use crate::helpers::spawn_app;
use actix_web::body::MessageBody;
use serde_json::Value;

#[actix_web::test]
async fn writes_during_a_bundle_export_are_not_in_it() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    // Enough bytes that the export waits for its reader in the commitments: the channel holds
    // 8 chunks of 32 KiB.
    for number in 1..=400 {
        let mut body = commitment(plan_id, number);
        body["description"] = Value::from("x".repeat(2000));
        app.create("/api/v1/commitments", &body).await;
    }
    let (status, mut body) = app
        .send_streaming(actix_web::test::TestRequest::get().uri("/api/v1/exports/bundle"))
        .await;
    assert_eq!(status, 200);
    let mut bytes = Vec::new();
    let first = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_next(cx))
        .await
        .expect("a first chunk")
        .expect("no error");
    bytes.extend_from_slice(&first);

    // Meanwhile: a new country with a plan and a commitment, and one more commitment in the
    // exported plan.
    app.create("/api/v1/countries", &country("GHA")).await;
    let other = id_of(&app.create("/api/v1/action-plans", &plan("GHA", 1)).await);
    app.create("/api/v1/commitments", &commitment(other, 1))
        .await;
    let late = id_of(
        &app.create("/api/v1/commitments", &commitment(plan_id, 401))
            .await,
    );
    // The commitments' query is running already; the milestones' one starts later. Without one
    // snapshot, this milestone would be exported without its commitment.
    app.create("/api/v1/milestones", &milestone(late, 1)).await;

    while let Some(chunk) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_next(cx)).await
    {
        bytes.extend_from_slice(&chunk.expect("no error"));
    }
    let bundle: Value = serde_json::from_slice(&bytes).expect("a whole bundle");
    let codes: Vec<&str> = bundle["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["MEX"]);
    assert_eq!(bundle["action_plans"].as_array().unwrap().len(), 1);
    assert_eq!(bundle["commitments"].as_array().unwrap().len(), 400);
    assert_eq!(bundle["milestones"].as_array().unwrap().len(), 0);
    // The next export has them all.
    let after = app.get("/api/v1/exports/bundle").await;
    assert_eq!(after.body["commitments"].as_array().unwrap().len(), 402);
    assert_eq!(after.body["milestones"].as_array().unwrap().len(), 1);
}
