//! Knowledge: the seed's people (with roles), organisations and dates are extracted after import
//! without anyone asking; `/people/成进` lists the seed; another written form of an organisation
//! leads to its page; search narrows to articles mentioning an entity; editors' corrections
//! outlive a full re-extraction, a rejected name never comes back on that article, and a merge
//! makes both written forms lead to one page. On SQLite and PostgreSQL.

mod common;

use std::time::{Duration, Instant};

use common::{STAFF, Server, add_users, client, get_json, post_json, seed_and_demo, sign_in};
use rongmei_app::{App, Config, Overrides};
use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

/// The article's entities once extraction has read it (it runs beside the requests).
async fn entities_of(http: &reqwest::Client, base: &str, id: i64) -> Value {
    let started = Instant::now();
    loop {
        let v = get_json(http, format!("{base}/api/v1/articles/{id}/entities")).await;
        if v["people"].as_array().is_some_and(|p| !p.is_empty()) {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "article {id} was never extracted: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn names(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    x["name"]
                        .as_str()
                        .or(x["date"].as_str())
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn person<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v["people"]
        .as_array()?
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
}

/// Hrefs of the links in an HTML page, parsed.
fn hrefs(html: &str, selector: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_seeds_people_organisations_and_dates_are_on_its_pages_and_in_the_api() {
    for db in TestDb::all("knowledge_seed").await {
        let seed = seed_and_demo(&db).await;
        let server = Server::start(&db, false).await;
        let b = &server.base;
        let http = client();
        let e = entities_of(&http, b, seed).await;

        let cj = person(&e, "成进").unwrap_or_else(|| panic!("成进 missing: {e}"));
        let roles: Vec<&str> = cj["roles"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for role in ["西安交大党委常委", "党委宣传部部长"] {
            assert!(
                roles.contains(&role),
                "{}: 成进's roles {roles:?}",
                db.label
            );
        }
        let orgs = names(&e, "organizations");
        for form in ["西安交通大学", "西安交大", "交大"] {
            assert!(
                orgs.iter().any(|o| o == form),
                "{}: {form} not in {orgs:?}",
                db.label
            );
        }
        // Every written form of the university leads to one entity.
        for o in e["organizations"].as_array().into_iter().flatten() {
            if ["西安交通大学", "西安交大", "交大"].contains(&o["name"].as_str().unwrap_or(""))
            {
                assert_eq!(o["entity"], "西安交通大学", "{}: {o}", db.label);
            }
        }
        let dates = names(&e, "dates");
        for d in ["2023-05-23", "2023-05-26", "2023-05-31"] {
            assert!(
                dates.iter().any(|x| x == d),
                "{}: {d} not in {dates:?}",
                db.label
            );
        }

        // /people/成进 lists the seed; its roles show.
        let page = http
            .get(format!("{b}/people/{}", enc("成进")))
            .send()
            .await
            .expect("person page");
        assert_eq!(page.status(), 200, "{}", db.label);
        let html = page.text().await.expect("html");
        assert!(
            hrefs(&html, ".entity-articles a").contains(&format!("/articles/{seed}")),
            "{}: the seed is not listed on /people/成进",
            db.label
        );
        assert!(
            html.contains("党委宣传部部长"),
            "{}: roles not shown",
            db.label
        );

        // Another written form leads to the entity's page.
        let r = http
            .get(format!("{b}/organizations/{}", enc("西安交大")))
            .send()
            .await
            .expect("alias page");
        assert_eq!(r.status(), 308, "{}", db.label);
        assert_eq!(
            r.headers()["location"],
            format!("/organizations/{}", enc("西安交通大学")).as_str()
        );

        // The article page links to the people it mentions.
        let article = http
            .get(format!("{b}/articles/{seed}"))
            .send()
            .await
            .expect("article")
            .text()
            .await
            .expect("html");
        assert!(
            hrefs(&article, "aside.entities a").contains(&format!("/people/{}", enc("成进"))),
            "{}: no entity block on the article page",
            db.label
        );

        // Search narrows to articles mentioning 成进 and 同济大学.
        let hits = get_json(
            &http,
            format!(
                "{b}/api/v1/search?q={}&person={}&organization={}",
                enc("主题教育"),
                enc("成进"),
                enc("同济大学")
            ),
        )
        .await;
        let ids: Vec<i64> = hits["hits"]
            .as_array()
            .map(|h| h.iter().filter_map(|x| x["id"].as_i64()).collect())
            .unwrap_or_default();
        assert_eq!(ids, [seed], "{}: {hits}", db.label);
        let none = get_json(
            &http,
            format!(
                "{b}/api/v1/search?q={}&person={}",
                enc("主题教育"),
                enc("无此人")
            ),
        )
        .await;
        assert_eq!(none["total"], 0, "{}: {none}", db.label);

        // The list and detail endpoints.
        let list = get_json(
            &http,
            format!("{b}/api/v1/entities?kind=person&q={}", enc("成")),
        )
        .await;
        assert!(
            list["items"]
                .as_array()
                .is_some_and(|i| i.iter().any(|x| x["name"] == "成进")),
            "{}: {list}",
            db.label
        );
        let detail = get_json(
            &http,
            format!("{b}/api/v1/entities/organization/{}", enc("交大")),
        )
        .await;
        assert_eq!(detail["name"], "西安交通大学", "{}: {detail}", db.label);
        assert!(
            detail["articles"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["id"] == seed)),
            "{}: {detail}",
            db.label
        );
        let bad = http
            .get(format!("{b}/api/v1/entities?kind=thing"))
            .send()
            .await
            .expect("bad kind");
        assert_eq!(bad.status(), 400, "{}", db.label);
        let missing = http
            .get(format!("{b}/people/{}", enc("无此人")))
            .send()
            .await
            .expect("unknown person");
        assert_eq!(missing.status(), 404, "{}", db.label);

        server.stop().await;
        db.cleanup().await;
    }
}

/// A second node over the same database reads the whole archive again, as
/// `rongmei knowledge extract --all` does.
async fn full_re_extraction(db: &TestDb) {
    let store = db.store().await.expect("store");
    let data = tempfile::tempdir().expect("data");
    let config = Config::with(&Overrides {
        data: Some(data.path().to_path_buf()),
        ..Overrides::default()
    })
    .expect("config");
    let index =
        rongmei_app::app::open_search_at(&config.data, data.path().join("index")).expect("index");
    let app = App::open(config, store.clone(), index).await.expect("app");
    app.forget_knowledge().await.expect("forget");
    assert!(app.knowledge_backlog_len().await.expect("backlog") > 0);
    let n = app.extract_backlog(&|_| {}).await.expect("extract");
    assert!(n > 0);
    assert_eq!(app.knowledge_backlog_len().await.expect("backlog"), 0);
    store.close().await;
    drop(data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn editor_corrections_survive_a_full_re_extraction() {
    for db in TestDb::all("knowledge_curation").await {
        let seed = seed_and_demo(&db).await;
        add_users(&db, STAFF).await;
        let server = Server::start(&db, false).await;
        let b = &server.base;
        let http = client();
        let before = entities_of(&http, b, seed).await;
        assert!(person(&before, "张玥").is_some(), "{}: {before}", db.label);
        let url = format!("{b}/api/v1/articles/{seed}/entities");

        // Reporters do not curate.
        let reporter = sign_in(&http, b, "reporter").await;
        let (s, v) = post_json(
            &http,
            &url,
            Some(&reporter),
            json!({"kind": "person", "name": "张玥", "action": "reject"}),
        )
        .await;
        assert_eq!(s, 403, "{}: {v}", db.label);

        let r1 = sign_in(&http, b, "r1").await;
        let correct = |body: Value| {
            let (http, url, r1) = (http.clone(), url.clone(), r1.clone());
            async move { post_json(&http, &url, Some(&r1), body).await }
        };
        let (s, v) = correct(json!({"kind": "person", "name": "张玥", "action": "reject"})).await;
        assert_eq!(s, 200, "{}: {v}", db.label);
        assert!(
            person(&v["entities"], "张玥").is_none(),
            "{}: {v}",
            db.label
        );
        let (s, v) = correct(
            json!({"kind": "person", "name": "王小明", "action": "add", "roles": "通讯员"}),
        )
        .await;
        assert_eq!(s, 200, "{}: {v}", db.label);
        let (s, v) = correct(json!({"kind": "person", "name": "", "action": "add"})).await;
        assert_eq!(s, 422, "{}: an empty name is refused: {v}", db.label);
        let (s, v) = correct(json!({"kind": "thing", "name": "x", "action": "add"})).await;
        assert_eq!(s, 422, "{}: {v}", db.label);

        // Merge two organisations: both written forms lead to one page.
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/entities"),
            Some(&r1),
            json!({"kind": "organization", "name": "同济大学党委", "action": "merge", "to": "同济大学"}),
        )
        .await;
        assert_eq!(s, 200, "{}: {v}", db.label);
        assert_eq!(v["name"], "同济大学");
        let r = http
            .get(format!("{b}/organizations/{}", enc("同济大学党委")))
            .send()
            .await
            .expect("merged form");
        assert_eq!(r.status(), 308, "{}", db.label);
        assert_eq!(
            r.headers()["location"],
            format!("/organizations/{}", enc("同济大学")).as_str()
        );

        full_re_extraction(&db).await;

        let after = get_json(&http, &url).await;
        assert!(
            person(&after, "张玥").is_none(),
            "{}: a rejected name came back: {after}",
            db.label
        );
        let added = person(&after, "王小明").unwrap_or_else(|| panic!("{}: {after}", db.label));
        assert_eq!(added["roles"], json!(["通讯员"]));
        assert!(person(&after, "成进").is_some(), "{}: {after}", db.label);
        let merged = after["organizations"]
            .as_array()
            .and_then(|o| o.iter().find(|x| x["name"] == "同济大学党委"))
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(merged["entity"], "同济大学", "{}: {after}", db.label);

        // A name added by an editor is recognised in a later article, which the rules alone
        // would not find (no head word); retracting that article takes it off the entity.
        let (s, v) =
            correct(json!({"kind": "organization", "name": "海创汇", "action": "add"})).await;
        assert_eq!(s, 200, "{}: {v}", db.label);
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "校企合作签约", "column": "news", "body": "<p>海创汇与学校签约，共建创新平台。</p>"}),
        )
        .await;
        assert_eq!(s, 201, "{}: {v}", db.label);
        let later = v["id"].as_i64().expect("id");
        common::review_and_publish(&http, b, later).await;
        let started = Instant::now();
        loop {
            let v = get_json(&http, format!("{b}/api/v1/articles/{later}/entities")).await;
            if names(&v, "organizations").iter().any(|o| o == "海创汇") {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{}: the added name is not recognised in a later article: {v}",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let entity_articles = |v: &Value| -> Vec<i64> {
            v["articles"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["id"].as_i64()).collect())
                .unwrap_or_default()
        };
        let detail_url = format!("{b}/api/v1/entities/organization/{}", enc("海创汇"));
        let d = get_json(&http, &detail_url).await;
        assert!(entity_articles(&d).contains(&later), "{}: {d}", db.label);
        let chief = sign_in(&http, b, "chief").await;
        let (s, v) = common::act(&http, b, &chief, later, "retract", Some("撤稿测试")).await;
        assert_eq!(s, 200, "{}: {v}", db.label);
        let d = get_json(&http, &detail_url).await;
        assert!(
            !entity_articles(&d).contains(&later),
            "{}: a retracted article still counts: {d}",
            db.label
        );

        // The audit log has every correction.
        let admin = sign_in(&http, b, "admin").await;
        let log =
            common::get_auth(&http, &format!("{b}/api/v1/audit?article={seed}"), &admin).await;
        let text = log.1.to_string();
        assert!(text.contains("entity_correct"), "{}: {text}", db.label);

        server.stop().await;
        db.cleanup().await;
    }
}
