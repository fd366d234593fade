//! `rongmei export site` as a user runs it: once, again (writing nothing), with a bad live
//! server address, and `--watch` following new articles.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rongmei_store::testing::TestDb;

mod common;
use common::{last_line, rongmei_on};

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

#[tokio::test]
async fn the_command_exports_the_site_and_a_second_run_writes_nothing() {
    for db in TestDb::all("export_site_command").await {
        let data = tempfile::tempdir().unwrap();
        let seed = fixtures().join("seed");
        let out = rongmei_on(data.path(), &db.url, &["import", seed.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let site = data.path().join("site");
        let args = [
            "--base-url",
            "https://news.example.edu.cn",
            "export",
            "site",
            site.to_str().unwrap(),
            "--api-base",
            "https://cms.example.edu.cn/",
            "--list-changes",
        ];
        let out = rongmei_on(data.path(), &db.url, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("wrote index.html"), "{stdout}");
        assert!(last_line(&out).starts_with("exported "), "{stdout}");
        assert!(last_line(&out).contains("every page"), "{stdout}");
        let page = std::fs::read_to_string(site.join("articles/1/index.html")).expect("page");
        assert!(page.contains("https://cms.example.edu.cn/api/v1/articles/1/views"));
        assert!(
            page.contains(
                "<link rel=\"canonical\" href=\"https://news.example.edu.cn/articles/1\">"
            )
        );
        assert!(site.join(".rongmei-nginx.conf").exists());

        let out = rongmei_on(data.path(), &db.url, &args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("wrote "), "{}: {stdout}", db.label);
        assert!(
            last_line(&out).contains(" 0 written, 0 deleted"),
            "{stdout}"
        );

        let out = rongmei_on(
            data.path(),
            &db.url,
            &[
                "export",
                "site",
                site.to_str().unwrap(),
                "--api-base",
                "cms",
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--api-base cms"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn watch_exports_new_articles_as_they_come() {
    for db in TestDb::all("export_site_watch").await {
        let data = tempfile::tempdir().unwrap();
        let seed = fixtures().join("seed");
        let out = rongmei_on(data.path(), &db.url, &["import", seed.to_str().unwrap()]);
        assert!(out.status.success());
        let site = data.path().join("site");
        let mut child = Command::new(env!("CARGO_BIN_EXE_rongmei"))
            .arg("--data")
            .arg(data.path())
            .args(["export", "site", site.to_str().unwrap(), "--watch"])
            .env("RONGMEI_DATABASE_URL", &db.url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the watch");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        lines.read_line(&mut line).expect("first run");
        assert!(line.starts_with("exported "), "{line}");
        let demo = fixtures().join("demo/demo.jsonl");
        let out = rongmei_on(data.path(), &db.url, &["import", demo.to_str().unwrap()]);
        assert!(out.status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        while !site.join("articles/13/index.html").exists() {
            assert!(
                Instant::now() < deadline,
                "{}: the watch never exported the new articles",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        db.cleanup().await;
    }
}
