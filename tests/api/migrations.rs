use crate::fixtures::country;
use crate::helpers::spawn_app;
use diesel_async::RunQueryDsl;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

async fn table_count(app: &crate::helpers::TestApp) -> i64 {
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    let row: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM pg_tables WHERE schemaname = 'public' \
         AND tablename <> '__diesel_schema_migrations'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    row.count
}

#[actix_web::test]
async fn migrations_run_down_and_up_again_cleanly() {
    let app = spawn_app().await;
    assert_eq!(table_count(&app).await, 12);
    let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    let reverted = ogp_api::db::revert_all_migrations(&app.url).await.unwrap();
    assert_eq!(reverted.len(), on_disk);
    assert_eq!(table_count(&app).await, 0, "down.sql leaves nothing behind");
    let applied = ogp_api::db::run_migrations(&app.url).await.unwrap();
    assert_eq!(applied.len(), on_disk);
    assert_eq!(table_count(&app).await, 12);
    // The schema works again (its key table too: the old key went with the old tables).
    let key = app
        .key_with_role("after-remigration", ogp_api::auth::Role::Editor)
        .await;
    let request = actix_web::test::TestRequest::post()
        .uri("/api/v1/countries")
        .insert_header(("Authorization", format!("Bearer {key}")))
        .set_json(country("KEN"));
    app.send(request).await.assert_status(201);
}
