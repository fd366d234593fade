//! The OpenAPI description: a reviewed snapshot (any change to an endpoint, a type or an error
//! shows as a diff to accept with `cargo insta review`), valid for `openapi-spec-validator`, and
//! true of the running server as `schemathesis` finds by fuzzing every operation.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::{STAFF, Server, add_users, client, get_text, seed_and_demo, sign_in};
use rongmei_store::testing::TestDb;
use serde_json::Value;

fn description() -> Value {
    serde_json::to_value(rongmei_web::routes::api_description()).expect("JSON")
}

#[test]
fn the_description_is_the_reviewed_snapshot() {
    insta::assert_json_snapshot!("description", description());
}

#[test]
fn every_operation_is_described_with_its_errors() {
    let doc = description();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().expect("path item") {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            operations.insert(format!("{} {path}", method.to_uppercase()));
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|c| c.starts_with('2')),
                "{method} {path}: no success described"
            );
            assert!(
                responses
                    .keys()
                    .any(|c| c.starts_with('4') || c.starts_with('5')),
                "{method} {path}: no error described"
            );
            assert!(op["operationId"].is_string(), "{method} {path}");
        }
    }
    for must in [
        "GET /api/v1/articles/{id}",
        "POST /api/v1/articles/{id}/actions",
        "POST /api/v1/media",
        "POST /api/v1/webhooks",
        "GET /api/v1/webhooks/{id}/deliveries",
        "POST /api/v1/webhooks/{id}/deliveries/{delivery}/replay",
        "GET /api/v1/articles/{id}/renderings/wechat",
        "GET /api/v1/articles/{id}/renderings/weibo",
        "GET /api/v1/articles/{id}/entities",
        "POST /api/v1/articles/{id}/entities",
        "GET /api/v1/entities",
        "POST /api/v1/entities",
        "GET /api/v1/entities/{kind}/{name}",
        "GET /api/v1/search/suggest",
    ] {
        assert!(operations.contains(must), "{must} is not described");
    }
    assert_eq!(operations.len(), 44, "{operations:#?}");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

fn have(program: &str, probe: &[&str]) -> bool {
    Command::new(program)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_served_description_passes_the_validator_and_the_fuzzer() {
    let db = TestDb::sqlite().await;
    seed_and_demo(&db).await;
    add_users(&db, STAFF).await;
    let server = Server::start(&db, false).await;
    let http = client();
    let url = format!("{}/api/openapi.json", server.base);
    let served: Value = serde_json::from_str(&get_text(&http, &url).await).expect("JSON");
    assert_eq!(served, description(), "the server serves the described API");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&served).expect("JSON")).expect("write");
    if have("python3", &["-c", "import openapi_spec_validator"]) {
        let out = Command::new("python3")
            .args(["-m", "openapi_spec_validator"])
            .arg(&file)
            .output()
            .expect("run openapi-spec-validator");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "openapi-spec-validator: {}",
            said.chars().take(1500).collect::<String>()
        );
    } else {
        common::tool_missing(
            "openapi-spec-validator check skipped: the Python package is not installed",
        );
    }

    // The newsroom's documentation page renders the same description, with no script at all.
    let reporter = sign_in(&http, &server.base, "reporter").await;
    let resp = http
        .get(format!("{}/newsroom/api", server.base))
        .bearer_auth(&reporter)
        .send()
        .await
        .expect("docs page");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.expect("html");
    let dom = scraper::Html::parse_document(&html);
    let ops = scraper::Selector::parse("article.api-op").expect("selector");
    assert_eq!(dom.select(&ops).count(), 44, "one block per operation");
    assert!(html.contains("/api/v1/webhooks/{id}/deliveries/{delivery}/replay"));
    let scripts = scraper::Selector::parse("script").expect("selector");
    assert_eq!(dom.select(&scripts).count(), 0, "no script on the page");

    if !have("st", &["--version"]) {
        common::tool_missing("schemathesis check skipped: `st` is not installed");
        server.stop().await;
        return;
    }
    let admin = sign_in(&http, &server.base, "admin").await;
    let report = dir.path().join("report.json");
    // Every check, as an admin (so the newsroom's operations are reached), bounded in time.
    // Left out: signing in and out (the fuzzer would end its own session) and creating webhooks
    // (a fuzzed public host name would be looked up and, were it real, sent to).
    // Run in the temporary folder: schemathesis keeps a cache where it runs.
    let fuzz = || {
        let out = Command::new("st")
            .current_dir(dir.path())
            .args(["run", &url, "--url", &server.base, "--checks", "all"])
            .args(["--phases", "examples,coverage,fuzzing", "--max-time", "40"])
            .args(["--seed", "20261203", "--workers", "2"])
            .args(["--exclude-path", "/api/v1/session"])
            .args(["--exclude-operation-id", "create_webhook"])
            .args(["-H", &format!("Authorization: Bearer {admin}")])
            .args(["--report", "json", "--report-json-path"])
            .arg(&report)
            .output()
            .expect("run schemathesis");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let report: Value = serde_json::from_slice(&std::fs::read(&report).unwrap_or_else(|_| {
            panic!("no report: {text}{}", String::from_utf8_lossy(&out.stderr))
        }))
        .expect("report JSON");
        (text, report)
    };
    let (mut text, mut report) = fuzz();
    // The tool itself sometimes fails inside Python on a loaded machine (CPython 3.11's
    // "AST constructor recursion depth mismatch" in hypothesis): one more run settles it, and an
    // error our server causes happens again.
    if report["errors"] != Value::Array(vec![]) {
        println!(
            "schemathesis reported errors; running once more:\n{}",
            report["errors"]
        );
        (text, report) = fuzz();
    }
    // 44 operations less the three of /api/v1/session and create_webhook.
    assert_eq!(report["operations"]["tested"], 40, "{text}");
    assert_eq!(report["errors"], Value::Array(vec![]), "{text}");
    // Tolerated, and printed: a valid-looking request refused by a rule no schema can state
    // (an unknown column, a webhook target inside the network: ST202), and a value outside the
    // described range taken anyway (ST201). Anything else — a server error, a status, content
    // type, header or body the description does not promise, a wrong answer to an undescribed
    // method — fails.
    let mut found = Vec::new();
    for f in report["failures"].as_array().expect("failures") {
        let code = f["code"].as_str().unwrap_or_default();
        println!("schemathesis {code} {}: {}", f["title"], f["operations"]);
        if !["ST201", "ST202"].contains(&code) {
            found.push(format!("{code} {} on {}", f["title"], f["operations"]));
        }
    }
    assert!(found.is_empty(), "{found:#?}\n{text}");
    server.stop().await;
}
