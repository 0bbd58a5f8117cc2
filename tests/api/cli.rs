//! `ogp-api import` and `ogp-api export` (src/bundle/cli/): the binary run against a test
//! database (`DATABASE_URL`), its output compared with the HTTP export, its errors and its
//! SIGINT handling checked against the database itself.

use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const EXPORT: &str = "/api/v1/exports/bundle";

/// The binary, on `app`'s database, logging at `info` (the plain progress lines).
fn ogp(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ogp-api"));
    command
        .env("DATABASE_URL", &app.url)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// A folder of its own for a test's files.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ogp-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn created(outcome: &Value) -> u64 {
    [
        "countries",
        "local_members",
        "action_plans",
        "commitments",
        "milestones",
        "irm_findings",
    ]
    .iter()
    .map(|c| outcome[c]["created"].as_u64().unwrap())
    .sum()
}

#[actix_web::test]
async fn an_export_into_a_fifo_writes_into_it_and_leaves_it_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let source = spawn_app().await;
    ogp_api::seed::load_demo(&source.pool).await.unwrap();
    let http = source.get(EXPORT).await.text;
    // `--output /dev/null` renamed a finished file over the device; a FIFO stands for any
    // target that is not a regular file (without risking the machine's /dev/null).
    let dir = scratch();
    let fifo = dir.join("bundle.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reading = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run(ogp(&source).args(["export", "--output"]).arg(&fifo));
    assert!(out.status.success(), "{}", stderr(&out));
    // Checked before joining the reader: a replaced FIFO would never be opened for writing.
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    assert_eq!(reading.join().unwrap(), http);
    assert!(!dir.join("bundle.fifo.partial").exists());
}

#[actix_web::test]
async fn cli_import_then_export_round_trips_byte_identical_with_the_http_export() {
    let source = spawn_app().await;
    ogp_api::seed::load_demo(&source.pool).await.unwrap();
    let http = source.get(EXPORT).await;
    http.assert_status(200);
    let http = http.text;

    // `export` to standard output and to a file: the HTTP export's bytes.
    let out = run(ogp(&source).arg("export"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8(out.stdout.clone()).unwrap(), http);
    assert!(
        stderr(&out).contains("export: exporting done: 37 records"),
        "{}",
        stderr(&out)
    );
    let dir = scratch();
    let file = dir.join("corpus.json");
    let out = run(ogp(&source).args(["export", "--output"]).arg(&file));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), http);
    assert!(!dir.join("corpus.json.partial").exists());
    // The filters are the HTTP export's.
    let out = run(ogp(&source).args(["export", "--country-code", "GHA"]));
    assert_eq!(
        String::from_utf8(out.stdout.clone()).unwrap(),
        source.get(&format!("{EXPORT}?country_code=GHA")).await.text
    );
    let out = run(ogp(&source).args(["export", "--country-code", "gha"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`gha` is not a country code"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    // Into an empty database, gzip-compressed: first a dry run (nothing written) ...
    let target = spawn_app().await;
    let empty = target.snapshot().await;
    let gz = dir.join("corpus.json.gz");
    std::fs::write(&gz, gzip(http.as_bytes())).unwrap();
    let out = run(ogp(&target).args(["import", "--dry-run"]).arg(&gz));
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["dry_run"], true);
    assert_eq!(created(&outcome), 37);
    assert_eq!(target.snapshot().await, empty);

    // ... then for real: the database now exports the same bytes, over HTTP and the CLI.
    let out = run(ogp(&target).arg("import").arg(&gz));
    assert!(out.status.success(), "{}", stderr(&out));
    let line = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(line.lines().count(), 1, "one JSON line: {line}");
    let outcome: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(outcome["dry_run"], false);
    assert_eq!(created(&outcome), 37);
    assert!(
        stderr(&out).contains("import: writing done: 37/37 records"),
        "{}",
        stderr(&out)
    );
    assert_eq!(target.get(EXPORT).await.text, http);
    let out = run(ogp(&target).arg("export"));
    assert_eq!(String::from_utf8(out.stdout.clone()).unwrap(), http);

    // Again from standard input: nothing changes.
    let before = target.snapshot().await;
    let mut child = ogp(&target)
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(http.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created(&outcome), 0);
    assert_eq!(outcome["irm_findings"]["unchanged"], 21);
    assert_eq!(target.snapshot().await, before);
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn a_cli_import_of_an_invalid_bundle_lists_every_error_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let dir = scratch();
    let file = dir.join("bad.json");
    let bundle = json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "CHL", "name": "Chile", "region": "americas", "member_since": 2011}],
        "action_plans": [{"country_code": "CHL", "number": 1, "title": "Plan 1",
                          "start_year": 2016, "end_year": 2018, "status": "implementing"}],
        "commitments": [
            {"country_code": "CHL", "plan_number": 1, "number": 1, "title": "Open contracting"},
            {"country_code": "CHL", "plan_number": 1, "number": 2}
        ]
    });
    std::fs::write(&file, bundle.to_string()).unwrap();
    let out = run(ogp(&app).arg("import").arg(&file));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error: 422"), "{err}");
    assert!(err.contains("\n  /commitments/1/title: "), "{err}");
    assert_eq!(app.snapshot().await, before);

    let out = run(ogp(&app).args(["import", "/nonexistent/bundle.json"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot open `/nonexistent/bundle.json`"));
    std::fs::write(&file, b"{\"format\": ").unwrap();
    let out = run(ogp(&app).arg("import").arg(&file));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not valid JSON"),
        "{}",
        stderr(&out)
    );
    assert_eq!(app.snapshot().await, before);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A bundle of one country, `plans` plans of `per_plan` commitments, each with a milestone.
fn large_bundle(plans: i32, per_plan: i32) -> Value {
    let mut commitments = Vec::new();
    let mut milestones = Vec::new();
    for plan in 1..=plans {
        for number in 1..=per_plan {
            commitments.push(
                json!({"country_code": "NZL", "plan_number": plan, "number": number,
                                    "title": format!("Commitment {number} of plan {plan}")}),
            );
            milestones.push(json!({"country_code": "NZL", "plan_number": plan,
                                   "commitment_number": number, "position": 1,
                                   "title": "Publish the data"}));
        }
    }
    json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "NZL", "name": "New Zealand", "region": "asia_pacific",
                       "member_since": 2013}],
        "action_plans": (1..=plans).map(|n| json!({"country_code": "NZL", "number": n,
            "title": format!("Plan {n}"), "start_year": 2016, "end_year": 2018,
            "status": "implementing"})).collect::<Vec<_>>(),
        "commitments": commitments,
        "milestones": milestones
    })
}

#[actix_web::test]
async fn sigint_during_a_cli_import_leaves_the_database_as_it_was() {
    let app = spawn_app().await;
    ogp_api::seed::load_demo(&app.pool).await.unwrap();
    let before = app.snapshot().await;
    let dir = scratch();
    let file = dir.join("large.json");
    // 40 041 records: long enough to be caught while writing.
    std::fs::write(&file, large_bundle(40, 500).to_string()).unwrap();

    let mut child = ogp(&app)
        .arg("import")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    // Inside the transaction: the write phase has begun.
    for line in lines.by_ref() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("import: writing 40041 records") {
            break;
        }
    }
    assert!(log.contains("import: writing"), "{log}");
    // SAFETY: signals the child this test spawned, by its id.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(30),
            "the import did not stop within 30 s of SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    for line in lines {
        log.push_str(&line.unwrap());
        log.push('\n');
    }
    assert_eq!(status.code(), Some(130), "{log}");
    assert!(
        log.contains("interrupted by SIGINT: the import's transaction was not committed"),
        "{log}"
    );
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert_eq!(stdout, "", "no summary for an import that did not happen");
    assert_eq!(app.snapshot().await, before);
    std::fs::remove_dir_all(dir).unwrap();
}
