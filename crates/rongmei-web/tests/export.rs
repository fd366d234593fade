//! The static export (`rongmei export site`) served by a real nginx on loopback: every link and
//! picture in every exported file resolves, the seed's page reads as on the live site, opening
//! it in headless Chromium counts one view on the live server, and the next run after an edit
//! writes only the files that show the article (and deletes a retracted one).
//!
//! Needs `/usr/sbin/nginx` (and Chromium with chromedriver for the view count); `../shared/corpus`
//! adds 2,950 real articles when present. Each says so when it is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rongmei_app::{App, Config, Overrides};
use rongmei_export::{ExportOptions, ExportReport};
use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::{Value, json};

mod common;
#[path = "browser/driver.rs"]
mod driver;

use common::{
    STAFF, Server, act, add_users, client, get_json, get_text, post_json, put_json,
    review_and_publish, seed_and_demo, sign_in, upload_image,
};

const NGINX: &str = "/usr/sbin/nginx";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// nginx serving an export folder with the settings the export wrote; stopped on drop.
struct Nginx {
    child: Child,
    _work: tempfile::TempDir,
}

impl Nginx {
    async fn start(site: &Path, port: u16) -> Nginx {
        let work = tempfile::tempdir().expect("nginx folder");
        let w = work.path().display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nuser root;\npid {w}/nginx.pid;\nerror_log {w}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n include /etc/nginx/mime.types;\n access_log off;\n\
             client_body_temp_path {w}/body; proxy_temp_path {w}/proxy; fastcgi_temp_path {w}/fastcgi;\n\
             uwsgi_temp_path {w}/uwsgi; scgi_temp_path {w}/scgi;\n\
             server {{ listen 127.0.0.1:{port}; include {}/.rongmei-nginx.conf; }}\n}}\n",
            site.display()
        );
        let path = work.path().join("nginx.conf");
        std::fs::write(&path, conf).expect("write nginx.conf");
        let child = Command::new(NGINX)
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(work.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(work.path().join("error.log")).unwrap_or_default()
            );
            tokio::time::sleep(POLL).await;
        }
        Nginx { child, _work: work }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the export as `rongmei export site DIR --api-base LIVE` does, on the live server's data.
async fn export(
    db: &TestDb,
    data: &Path,
    base_url: &str,
    api_base: &str,
    dir: &Path,
) -> ExportReport {
    let index_dir = tempfile::tempdir().expect("index dir");
    let index = rongmei_search::SearchIndex::open(&rongmei_search::SearchConfig {
        index_dir: index_dir.path().join("index"),
        user_dict: None,
        aliases: None,
    })
    .expect("scratch index");
    let config = Config::with(&Overrides {
        data: Some(data.to_path_buf()),
        base_url: Some(base_url.to_string()),
        ..Overrides::default()
    })
    .expect("config");
    let app = App::open(config, db.store().await.expect("store"), Arc::new(index))
        .await
        .expect("app");
    let options = ExportOptions {
        dir: dir.to_path_buf(),
        api_base: Some(api_base.to_string()),
        full: false,
    };
    let report = rongmei_export::export_site(&app, &options)
        .await
        .expect("export");
    app.stopping().cancel();
    report
}

fn corpus() -> Option<PathBuf> {
    rongmei_testkit::shared("corpus/articles.jsonl")
}

/// Every file of the export, folder-relative, without the export's own dotfiles.
fn exported_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

/// Every address of this site in every exported file: attributes of the HTML pages (parsed),
/// and absolute URLs in feeds and sitemaps.
fn internal_links(dir: &Path, base: &str) -> BTreeSet<String> {
    let attrs =
        Selector::parse("a[href], link[href], img[src], img[srcset], script[src], form[action]")
            .expect("css");
    let mut out = BTreeSet::new();
    let mut add = |raw: &str| {
        let raw = raw.trim();
        let path = if let Some(rest) = raw.strip_prefix(base) {
            if !rest.is_empty() && !rest.starts_with('/') {
                return;
            }
            rest.to_string()
        } else if raw.starts_with('/') && !raw.starts_with("//") {
            raw.to_string()
        } else {
            return;
        };
        let path = path.split('#').next().unwrap_or_default();
        out.insert(if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        });
    };
    for file in exported_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        match file.extension().and_then(|e| e.to_str()) {
            Some("html") => {
                let doc = Html::parse_document(&text);
                for el in doc.select(&attrs) {
                    let v = el.value();
                    for name in ["href", "src", "action"] {
                        if let Some(u) = v.attr(name) {
                            add(u);
                        }
                    }
                    if let Some(set) = v.attr("srcset") {
                        for candidate in set.split(',') {
                            add(candidate.split_whitespace().next().unwrap_or_default());
                        }
                    }
                }
            }
            Some("xml" | "json") => {
                let mut rest = text.as_str();
                while let Some(at) = rest.find(base) {
                    let tail = &rest[at..];
                    let end = tail
                        .find(|c: char| c.is_whitespace() || "\"'<>\\".contains(c))
                        .unwrap_or(tail.len());
                    // Feeds carry HTML escaped: an attribute's quote is `&quot;` there.
                    let url = &tail[..end];
                    let url = url.split("&quot;").next().unwrap_or(url);
                    add(&url.replace("&amp;", "&"));
                    rest = &tail[end..];
                }
            }
            _ => {}
        }
    }
    out
}

/// The paragraphs of an article page's body.
fn paragraphs(html: &str) -> (String, String, Vec<String>) {
    let doc = Html::parse_document(html);
    let one = |css: &str| {
        doc.select(&Selector::parse(css).expect("css"))
            .next()
            .map(|e| e.text().collect::<String>().trim().to_string())
            .unwrap_or_default()
    };
    let ps = doc
        .select(&Selector::parse(".body p").expect("css"))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    (one("h1.title"), one(".date time"), ps)
}

/// Opens `url` in headless Chromium and waits for the page's script to show a number.
async fn open_in_chromium(url: &str) -> Option<String> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        return None;
    }
    let artifacts = driver::artifacts_dir();
    std::fs::create_dir_all(&artifacts).expect("artifacts");
    let mut chromedriver = driver::Driver::start(&artifacts.join("export-chromedriver.log")).await;
    let mut caps = driver::capabilities();
    // A headless browser says so in its User-Agent and would count as a robot: this one plays
    // a reader.
    caps["goog:chromeOptions"]["args"]
        .as_array_mut()
        .expect("args")
        .extend([
            json!("--user-agent=Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"),
        ]);
    let http = reqwest::Client::new();
    let session: Value = http
        .post(format!("{}/session", chromedriver.url()))
        .json(&json!({"capabilities": {"alwaysMatch": caps}}))
        .send()
        .await
        .expect("new session")
        .json()
        .await
        .expect("session json");
    let id = session["value"]["sessionId"]
        .as_str()
        .expect("session id")
        .to_string();
    chromedriver.session = Some(id.clone());
    let wd = format!("{}/session/{id}", chromedriver.url());
    http.post(format!("{wd}/url"))
        .json(&json!({"url": url}))
        .send()
        .await
        .expect("navigate");
    let deadline = Instant::now() + WAIT;
    loop {
        let v: Value = http
            .post(format!("{wd}/execute/sync"))
            .json(&json!({"script": "var e = document.querySelector('.view-count'); return e ? e.textContent : null;", "args": []}))
            .send()
            .await
            .expect("script")
            .json()
            .await
            .expect("script json");
        if let Some(t) = v["value"].as_str()
            && t.trim().parse::<i64>().is_ok()
        {
            let shot: Value = http
                .get(format!("{wd}/screenshot"))
                .send()
                .await
                .expect("screenshot")
                .json()
                .await
                .expect("json");
            if let Some(b64) = shot["value"].as_str() {
                use base64::Engine;
                if let Ok(png) = base64::engine::general_purpose::STANDARD.decode(b64) {
                    let _ = std::fs::write(artifacts.join("export-static-article.png"), png);
                }
            }
            return Some(t.trim().to_string());
        }
        assert!(
            Instant::now() < deadline,
            "the static page never showed its count: {v}"
        );
        tokio::time::sleep(POLL).await;
    }
}

async fn views(http: &reqwest::Client, live: &str, id: i64) -> i64 {
    get_json(http, format!("{live}/api/v1/articles/{id}")).await["views"]
        .as_i64()
        .expect("views")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_static_export_is_the_site_on_nginx_and_keeps_counting() {
    if !Path::new(NGINX).exists() {
        common::tool_missing(
            "static export test skipped: nginx not installed (apt-get install nginx)",
        );
        return;
    }
    for db in TestDb::all("static_export").await {
        let seed = seed_and_demo(&db).await;
        match corpus() {
            Some(path) => {
                let text = std::fs::read_to_string(&path).expect("corpus");
                let records = rongmei_import::parse_jsonl(&path, &text).expect("corpus parses");
                let store = db.store().await.expect("store");
                let all: Vec<_> = records.into_iter().map(|r| r.article).collect();
                store.import(&all, &|_| {}).await.expect("import corpus");
                store.close().await;
            }
            None => println!("static export: the demo articles only"),
        }
        add_users(&db, STAFF).await;
        let server = Server::start(&db, false).await;
        let live = server.base.clone();
        let http = client();
        // A story with a picture, newest of all: on the home page's 图片新闻 and in a special
        // with the seed.
        let reporter = sign_in(&http, &live, "reporter").await;
        let picture = upload_image(&http, &live, &reporter, common::png_bytes()).await;
        let (s, v) = post_json(
            &http,
            &format!("{live}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "静态站点上线", "column": "news", "body": format!("<p>新闻网有了静态副本。</p><figure><img src=\"{picture}\" alt=\"上线现场\"><figcaption>上线现场</figcaption></figure><p>第二段。</p>")}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let fresh = v["id"].as_i64().expect("id");
        review_and_publish(&http, &live, fresh).await;
        let chief = sign_in(&http, &live, "chief").await;
        let (s, v) = put_json(
            &http,
            &format!("{live}/api/v1/specials/jing-tai"),
            &chief,
            json!({"name": "静态站点", "description": "上线专题", "featured": true, "articles": [fresh, seed]}),
        )
        .await;
        assert!((200..300).contains(&s), "{s} {v}");

        let port = driver::free_port();
        let site = format!("http://127.0.0.1:{port}");
        let out = tempfile::tempdir().expect("export dir");
        let dir = out.path().join("site");
        let first = export(&db, server.data_dir(), &site, &live, &dir).await;
        assert!(first.full, "{}: the first run renders every page", db.label);
        assert!(first.media_missing.is_empty(), "{:?}", first.media_missing);
        assert!(first.media_copied >= 1, "the picture is copied");
        let _nginx = Nginx::start(&dir, port).await;

        // Every internal link and picture of every exported file resolves on nginx.
        let links = internal_links(&dir, &site);
        assert!(links.len() > 20, "{} links", links.len());
        let broken: Vec<String> = {
            let mut tasks = tokio::task::JoinSet::new();
            let links: Vec<String> = links.iter().cloned().collect();
            for part in links.chunks(links.len().div_ceil(8)) {
                let (http, site, part) = (http.clone(), site.clone(), part.to_vec());
                tasks.spawn(async move {
                    let mut bad = Vec::new();
                    for path in part {
                        let r = http
                            .get(format!("{site}{path}"))
                            .send()
                            .await
                            .expect("nginx");
                        if r.status() != 200 {
                            bad.push(format!("{path} → {}", r.status()));
                        }
                    }
                    bad
                });
            }
            tasks.join_all().await.into_iter().flatten().collect()
        };
        assert!(broken.is_empty(), "{}: broken links: {broken:?}", db.label);
        println!(
            "{}: {} internal links checked on nginx",
            db.label,
            links.len()
        );

        // The seed reads as on the live site.
        let static_seed = get_text(&http, format!("{site}/articles/{seed}")).await;
        let live_seed = get_text(&http, format!("{live}/articles/{seed}")).await;
        let (title, date, body) = paragraphs(&static_seed);
        assert_eq!((title.clone(), date.clone(), body.clone()), {
            let (t, d, b) = paragraphs(&live_seed);
            (t, d, b)
        });
        assert!(
            title.starts_with("【主题教育】西安交大党委宣传部"),
            "{title}"
        );
        assert!(date.starts_with("2023-"), "{date}");
        assert!(body.len() >= 5, "{body:?}");
        for path in ["/search", "/specials/jing-tai", "/feed.xml", "/robots.txt"] {
            let r = http
                .get(format!("{site}{path}"))
                .send()
                .await
                .expect("nginx");
            assert_eq!(r.status(), 200, "{path}");
        }
        let missing = http
            .get(format!("{site}/articles/999999999"))
            .send()
            .await
            .expect("nginx");
        assert_eq!(missing.status(), 404);
        assert!(
            missing
                .text()
                .await
                .unwrap_or_default()
                .contains("页面不存在")
        );

        // Opening the static page in a browser counts one view on the live server.
        let before = views(&http, &live, seed).await;
        match open_in_chromium(&format!("{site}/articles/{seed}")).await {
            Some(shown) => {
                assert_eq!(
                    shown,
                    (before + 1).to_string(),
                    "the page shows the live count"
                );
                let deadline = Instant::now() + WAIT;
                while views(&http, &live, seed).await != before + 1 {
                    assert!(Instant::now() < deadline, "the view never reached the API");
                    tokio::time::sleep(POLL).await;
                }
            }
            None => println!(
                "static export: Chromium absent: the view count in a browser is not checked"
            ),
        }

        // A run with nothing changed writes nothing.
        let again = export(&db, server.data_dir(), &site, &live, &dir).await;
        assert!(!again.full);
        assert_eq!(again.written, Vec::<String>::new(), "{}", db.label);
        assert_eq!(again.deleted, Vec::<String>::new());

        // An edit: the article's page, the listings and feeds that show it, one sitemap.
        let (s, v) = put_json(
            &http,
            &format!("{live}/api/v1/articles/{fresh}"),
            &chief,
            json!({"title": "静态站点正式上线"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let edited = export(&db, server.data_dir(), &site, &live, &dir).await;
        let allowed: BTreeSet<String> = [
            format!("articles/{fresh}/index.html"),
            "index.html".into(),
            "columns/news/index.html".into(),
            "feed.xml".into(),
            "atom.xml".into(),
            "feed.json".into(),
            "columns/news/feed.xml".into(),
            "columns/news/atom.xml".into(),
            "columns/news/feed.json".into(),
            "specials/jing-tai/index.html".into(),
            "specials/jing-tai/feed.xml".into(),
            "specials/jing-tai/atom.xml".into(),
            "specials/jing-tai/feed.json".into(),
            "sitemap.xml".into(),
            "sitemaps/1.xml".into(),
            "sitemap-news.xml".into(),
        ]
        .into_iter()
        .collect();
        // Its older neighbour names it ("上一篇").
        let older = Html::parse_document(&static_page(&dir, fresh))
            .select(&Selector::parse("a[rel=next]").expect("css"))
            .next()
            .and_then(|a| a.value().attr("href").map(str::to_string));
        let mut allowed = allowed;
        if let Some(href) = older {
            allowed.insert(format!("{}/index.html", href.trim_start_matches('/')));
        }
        let written: BTreeSet<String> = edited.written.iter().cloned().collect();
        assert!(
            written.is_subset(&allowed),
            "{}: wrote more than the edit touches: {:?}",
            db.label,
            written.difference(&allowed).collect::<Vec<_>>()
        );
        for needed in [
            format!("articles/{fresh}/index.html"),
            "index.html".into(),
            "feed.xml".into(),
        ] {
            assert!(
                written.contains(&needed),
                "{needed} not written: {written:?}"
            );
        }
        assert!(
            std::fs::read_to_string(dir.join(format!("articles/{fresh}/index.html")))
                .expect("page")
                .contains("静态站点正式上线")
        );

        // A retraction takes the page and the picture only it showed off the static site.
        let (s, v) = act(&http, &live, &chief, fresh, "retract", Some("测试撤稿")).await;
        assert_eq!(s, 200, "{v}");
        let retracted = export(&db, server.data_dir(), &site, &live, &dir).await;
        assert!(
            retracted
                .deleted
                .contains(&format!("articles/{fresh}/index.html")),
            "{:?}",
            retracted.deleted
        );
        assert!(
            retracted.deleted.iter().any(|p| p.starts_with("media/")),
            "{:?}",
            retracted.deleted
        );
        let gone = http
            .get(format!("{site}/articles/{fresh}"))
            .send()
            .await
            .expect("nginx");
        assert_eq!(gone.status(), 404);
        let special = get_text(&http, format!("{site}/specials/jing-tai")).await;
        assert!(!special.contains("静态站点正式上线") && special.contains("主题教育"));

        server.stop().await;
        db.cleanup().await;
    }
}

fn static_page(dir: &Path, id: i64) -> String {
    std::fs::read_to_string(dir.join(format!("articles/{id}/index.html"))).expect("static page")
}

/// Listing pages are paths (`/columns/{slug}/page/2`), so a static copy has a file for each;
/// the old `?page=2` still answers the same page.
#[tokio::test]
async fn a_columns_later_pages_are_paths() {
    let db = TestDb::sqlite().await;
    let lines: String = (1..=45)
        .map(|n| {
            format!(
                "{}\n",
                json!({"title": format!("分页测试第{n}篇"), "column": "分页", "published_at": format!("2024-01-{:02}T08:00:00+08:00", n % 28 + 1), "body": "一段。", "source_id": format!("page-{n}")})
            )
        })
        .collect();
    let records = rongmei_import::parse_jsonl(Path::new("pages.jsonl"), &lines).expect("parse");
    let store = db.store().await.expect("store");
    let all: Vec<_> = records.into_iter().map(|r| r.article).collect();
    store.import(&all, &|_| {}).await.expect("import");
    let slug = store
        .list_columns()
        .await
        .expect("columns")
        .into_iter()
        .find(|c| c.name == "分页")
        .expect("column")
        .slug;
    store.close().await;
    let server = Server::start(&db, false).await;
    let http = client();
    let b = &server.base;
    let next = |html: &str| {
        Html::parse_document(html)
            .select(&Selector::parse(".pager a[rel=next]").expect("css"))
            .next()
            .and_then(|a| a.value().attr("href").map(str::to_string))
    };
    let first = get_text(&http, format!("{b}/columns/{slug}")).await;
    assert_eq!(
        next(&first).as_deref(),
        Some(format!("/columns/{slug}/page/2").as_str())
    );
    let second = get_text(&http, format!("{b}/columns/{slug}/page/2")).await;
    assert!(second.contains("第 2 / 3 页"), "{second}");
    assert_eq!(
        next(&second).as_deref(),
        Some(format!("/columns/{slug}/page/3").as_str())
    );
    let old = get_text(&http, format!("{b}/columns/{slug}?page=2")).await;
    assert_eq!(old, second, "the old address answers the same page");
    server.stop().await;
    db.cleanup().await;
}

/// A static page on another host counts its view here: the browser's preflight is answered and
/// the answer may be read by any origin (no cookies go with it).
#[tokio::test]
async fn a_static_page_on_another_host_may_count_its_view() {
    let db = TestDb::sqlite().await;
    let seed = seed_and_demo(&db).await;
    let server = Server::start(&db, false).await;
    let http = client();
    let b = &server.base;
    let url = format!("{b}/api/v1/articles/{seed}/views");
    let pre = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://static.example.edu.cn")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert!(pre.status().is_success(), "{}", pre.status());
    let allowed = |r: &reqwest::Response, h: &str| {
        r.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    assert_eq!(allowed(&pre, "access-control-allow-origin"), "*");
    assert!(allowed(&pre, "access-control-allow-methods").contains("post"));
    assert!(allowed(&pre, "access-control-allow-headers").contains("content-type"));
    let page = get_text(&http, format!("{b}/articles/{seed}")).await;
    let token = Html::parse_document(&page)
        .select(&Selector::parse("article[data-view-token]").expect("css"))
        .next()
        .and_then(|a| a.value().attr("data-view-token").map(str::to_string))
        .expect("token");
    let counted = http
        .post(&url)
        .header("origin", "https://static.example.edu.cn")
        .header("user-agent", "Mozilla/5.0 (static reader) Chrome/131.0")
        .json(&json!({"token": token}))
        .send()
        .await
        .expect("count");
    assert_eq!(counted.status(), 200);
    assert_eq!(allowed(&counted, "access-control-allow-origin"), "*");
    let v: Value = counted.json().await.expect("json");
    assert!(v["views"].as_i64().is_some_and(|n| n > 1774), "{v}");
    server.stop().await;
    db.cleanup().await;
}
