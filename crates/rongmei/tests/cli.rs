//! The `rongmei` binary as a user runs it: import and serve, on SQLite and PostgreSQL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use rongmei_store::testing::TestDb;

mod common;
use common::{last_line, rongmei_on};

fn rongmei(data: &Path, db: &TestDb, args: &[&str]) -> Output {
    rongmei_on(data, &db.url, args)
}

/// Starts `rongmei ARGS` (a `serve`) and waits for it to say where it serves; answers the child
/// and that address.
fn start_serving(args: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rongmei"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rongmei");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while !line.starts_with("Rongmei is serving") {
        line.clear();
        assert!(
            out.read_line(&mut line).expect("read stdout") > 0,
            "server exited early"
        );
    }
    let base = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    (child, base)
}

#[tokio::test]
async fn import_seed_then_again() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/seed");
    for db in TestDb::all("import_seed_then_again").await {
        let data = tempfile::tempdir().unwrap();
        let out = rongmei(data.path(), &db, &["import", seed.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}: {}",
            db.label,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(last_line(&out), "imported 1, updated 0, skipped 0");
        let out = rongmei(data.path(), &db, &["import", seed.to_str().unwrap()]);
        assert_eq!(last_line(&out), "imported 0, updated 0, skipped 1");
        db.cleanup().await;
    }
}

/// `--log-format json`: every log line on standard error is one JSON object.
#[tokio::test]
async fn json_logs_are_one_object_a_line() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/seed");
    let db = TestDb::sqlite().await;
    let data = tempfile::tempdir().unwrap();
    let out = rongmei(
        data.path(),
        &db,
        &["--log-format", "json", "import", seed.to_str().unwrap()],
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|v| v["fields"]["message"] == "import committed" && v["level"] == "INFO"),
        "{err}"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn a_broken_file_imports_nothing_and_names_the_line() {
    for db in TestDb::all("a_broken_file_imports_nothing_and_names_the_line").await {
        let data = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jsonl"), "{\"title\":\"好\",\"body\":\"一段。\"}\n{\"title\":\"坏\",\"body\":\"x\",\"views\":\"多\"}\n").unwrap();
        std::fs::write(dir.path().join("b.txt"), "标题: 也好\n正文内容:\n一段。\n").unwrap();
        let out = rongmei(data.path(), &db, &["import", dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", db.label);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("a.jsonl:2:"), "names file and line: {err}");
        // Malformed UTF-8 is an error with a line, not a panic.
        std::fs::write(
            dir.path().join("a.jsonl"),
            b"{\"title\":\"ok\",\"body\":\"b\"}\n\xff\xfe\n",
        )
        .unwrap();
        let out = rongmei(data.path(), &db, &["import", dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("a.jsonl:2: not valid UTF-8"));
        let store = db.store().await.unwrap();
        assert_eq!(store.count_articles().await.unwrap(), 0, "nothing written");
        store.close().await;
        let out = rongmei(data.path(), &db, &["import", "/no/such/path"]);
        assert_eq!(out.status.code(), Some(1));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn corpus_imports_every_article_once() {
    let Some(corpus) = rongmei_testkit::shared("corpus/articles.jsonl") else {
        return;
    };
    for db in TestDb::all("corpus_imports_every_article_once").await {
        let data = tempfile::tempdir().unwrap();
        let out = rongmei(data.path(), &db, &["import", corpus.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            last_line(&out),
            "imported 2950, updated 0, skipped 0",
            "{}",
            db.label
        );
        let out = rongmei(data.path(), &db, &["import", corpus.to_str().unwrap()]);
        assert_eq!(last_line(&out), "imported 0, updated 0, skipped 2950");
        // The same with one broken line: nothing more is written.
        let broken = data.path().join("broken.jsonl");
        let mut text = std::fs::read_to_string(&corpus)
            .unwrap()
            .replace("\"source_id\": \"", "\"source_id\": \"copy-");
        text.insert_str(text.find('\n').unwrap() + 1, "{\"title\": \"半截\n");
        std::fs::write(&broken, text).unwrap();
        let out = rongmei(data.path(), &db, &["import", broken.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("broken.jsonl:2:"));
        let store = db.store().await.unwrap();
        assert_eq!(store.count_articles().await.unwrap(), 2950);
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn serve_demo_opens_a_site_with_the_seed() {
    for db in TestDb::all("serve_demo_opens_a_site_with_the_seed").await {
        let data = tempfile::tempdir().unwrap();
        let (mut child, base) = start_serving(
            &[
                "--data",
                data.path().to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "serve",
                "--demo",
            ],
            &[("RONGMEI_DATABASE_URL", db.url.as_str())],
        );
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        assert_eq!(
            http.get(format!("{base}/healthz"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            "ok"
        );
        let list: serde_json::Value = http
            .get(format!("{base}/api/v1/articles?per_page=100"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 13, "{}: seed + 12 demo articles", db.label);
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["views"] == 1774 && a["published_at"] == "2023-06-01T22:05:00+08:00")
        );
        let home = http.get(&base).send().await.unwrap();
        assert_eq!(home.status(), 200);
        // The demo opens the newsroom with one account per role.
        let session = http
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({"login": "chief", "password": "rongmei-demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(session.status(), 200);
        // Like a balancer, wait for readiness (the first index is built) before searching.
        let started = std::time::Instant::now();
        while http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .map_or(true, |r| r.status() != 200)
        {
            assert!(started.elapsed() < Duration::from_secs(60), "never ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // `reindex` beside a running server makes it rebuild beside the index it answers from;
        // searches keep answering, from the old index and then from the new one.
        let dir = data.path().to_path_buf();
        let url = db.url.clone();
        let reindex = tokio::task::spawn_blocking(move || rongmei_on(&dir, &url, &["reindex"]));
        let mut searches = 0;
        while !reindex.is_finished() {
            let v: serde_json::Value = http
                .get(format!("{base}/api/v1/search?q=主题教育"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                v["total"].as_u64().unwrap_or(0) >= 1,
                "search answered during the rebuild: {v}"
            );
            searches += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let out = reindex.await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(stdout.contains("rebuilt with 13 articles"), "{stdout}");
        assert_eq!(last_line(&out), "1 node(s) rebuilt their search index");
        assert!(
            searches > 10,
            "searched {searches} times during the rebuild"
        );
        assert!(
            data.path().join("search-index.current").is_file()
                && !data.path().join("search-index").exists(),
            "the new index is in use and the old one removed"
        );
        // SIGTERM stops it cleanly.
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        let status = child.wait().unwrap();
        assert!(status.success(), "graceful stop: {status:?}");
        // With no node running, asking the nodes to rebuild says so at once.
        let out = rongmei(data.path(), &db, &["reindex", "--nodes"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("no node is running"),
            "{err}"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin() {
    use std::io::Write;
    for db in TestDb::all("user_add_reads_the_password_from_stdin").await {
        let data = tempfile::tempdir().unwrap();
        let add = |login: &str, role: &str, password: &str| {
            let mut child = Command::new(env!("CARGO_BIN_EXE_rongmei"))
                .arg("--data")
                .arg(data.path())
                .args(["user", "add", login, "--role", role, "--name", "张编辑"])
                .env("RONGMEI_DATABASE_URL", &db.url)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
            child.wait_with_output().unwrap()
        };
        let out = add("zhang", "chief", "a long passphrase");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            last_line(&out),
            "added user zhang (张编辑) with roles chief"
        );
        let again = add("zhang", "chief", "a long passphrase");
        assert_eq!(again.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&again.stderr).contains("已被使用"));
        let bad_role = add("li", "editor", "a long passphrase");
        assert_eq!(bad_role.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&bad_role.stderr).contains("未知角色"));
        let short = add("li", "reporter", "short");
        assert_eq!(short.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&short.stderr).contains("至少 8"));

        let store = db.store().await.unwrap();
        let (user, hash) = store.user_for_login("zhang").await.unwrap().unwrap();
        assert_eq!(user.name, "张编辑");
        assert!(
            hash.starts_with("$argon2id$"),
            "argon2id hash, not the password"
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// `serve` with a config file, an environment variable and a flag: the flag beats the
/// environment, which beats the file; the configured base URL starts the canonical link and the
/// API's `url` whatever `Host` the request carried.
#[tokio::test]
async fn serve_reads_flags_over_environment_over_file() {
    let db = TestDb::sqlite().await;
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("rongmei.toml");
    std::fs::write(
        &config,
        "base_url = \"https://file.example\"\nsite_name = \"文件里的站名\"\n",
    )
    .unwrap();
    let (mut child, base) = start_serving(
        &[
            "--config",
            config.to_str().unwrap(),
            "--data",
            data.path().to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--base-url",
            "https://news.example.edu.cn",
            "serve",
            "--demo",
        ],
        &[
            ("RONGMEI_DATABASE_URL", db.url.as_str()),
            ("RONGMEI_SITE_NAME", "环境里的站名"),
        ],
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let list: serde_json::Value = http
        .get(format!("{base}/api/v1/articles?per_page=1"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_i64().expect("an article");
    assert_eq!(
        list["items"][0]["url"],
        format!("https://news.example.edu.cn/articles/{id}")
    );
    let page = http
        .get(format!("{base}/articles/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!(
            "<link rel=\"canonical\" href=\"https://news.example.edu.cn/articles/{id}\">"
        )),
        "canonical link"
    );
    assert!(page.contains("环境里的站名"), "the environment's site name");
    assert!(!page.contains("文件里的站名"));
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    assert!(child.wait().unwrap().success());

    // A bad value is refused before anything starts, naming the setting.
    let out = Command::new(env!("CARGO_BIN_EXE_rongmei"))
        .args([
            "--data",
            data.path().to_str().unwrap(),
            "--base-url",
            "news.example.edu.cn",
            "serve",
        ])
        .env("RONGMEI_DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("base_url"), "{err}");
    db.cleanup().await;
}
