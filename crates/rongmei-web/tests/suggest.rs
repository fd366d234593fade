//! Search that finds what readers mean, over HTTP: pinyin queries, "did you mean", and the
//! suggestions offered as readers type (titles, people, tags), on both databases.

use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::Value;

mod common;

use common::{Server, eventually, get_json, get_text, search, seed_and_demo};

async fn suggest(http: &reqwest::Client, base: &str, typed: &str) -> Vec<Value> {
    let resp = http
        .get(format!("{base}/api/v1/search/suggest"))
        .query(&[("q", typed)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{typed}");
    match resp.json::<Value>().await.unwrap() {
        Value::Array(items) => items,
        other => panic!("{typed}: an array, not {other}"),
    }
}

#[tokio::test]
async fn pinyin_finds_the_seed_and_a_typo_is_answered_with_what_was_meant() {
    for db in TestDb::all("search_pinyin").await {
        seed_and_demo(&db).await;
        let srv = Server::start(&db, false).await;
        let http = reqwest::Client::new();
        let b = &srv.base;
        eventually("the index answers", || async {
            search(&http, b, "端木怡雯").await["total"].as_u64() > Some(0)
        })
        .await;
        let seed = search(&http, b, "端木怡雯").await["hits"][0]["id"].clone();
        for q in ["xiqian jingshen", "xiqianjingshen"] {
            let v = search(&http, b, q).await;
            let hits = v["hits"].as_array().unwrap();
            let top3: Vec<&Value> = hits.iter().take(3).collect();
            assert!(
                top3.iter().any(|h| h["id"] == seed),
                "{}: {q} → {v}",
                db.label
            );
            let hit = hits.iter().find(|h| h["id"] == seed).unwrap();
            assert_eq!(hit["match"], "partial", "{}: {q}", db.label);
            assert_eq!(hit["pinyin"], true, "{}: {q}", db.label);
            assert_eq!(v["did_you_mean"], "西迁精神", "{}: {q}", db.label);
            assert_eq!(v["full_total"], 0, "{}: {q}", db.label);
        }
        let v = search(&http, b, "西迁精深").await;
        assert_eq!(v["did_you_mean"], "西迁精神", "{}: {v}", db.label);
        assert_eq!(
            search(&http, b, "西迁精神").await["did_you_mean"],
            Value::Null,
            "{}",
            db.label
        );

        // The page marks pinyin matches and offers what was meant as a link.
        let url =
            reqwest::Url::parse_with_params(&format!("{b}/search"), [("q", "xiqian jingshen")])
                .expect("search URL");
        let page = get_text(&http, url).await;
        let doc = Html::parse_document(&page);
        let meant = Selector::parse(".did-you-mean a").unwrap();
        let link = doc.select(&meant).next().expect("a did-you-mean link");
        assert_eq!(link.text().collect::<String>(), "西迁精神", "{}", db.label);
        let href = link.value().attr("href").unwrap();
        let there = http.get(format!("{b}{href}")).send().await.unwrap();
        assert_eq!(there.status(), 200, "{}: {href}", db.label);
        let badge = Selector::parse(".hit-partial .badge").unwrap();
        assert!(
            doc.select(&badge)
                .any(|n| n.text().collect::<String>() == "拼音匹配"),
            "{}: pinyin matches are marked",
            db.label
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn suggestions_come_from_titles_people_and_tags_in_chinese_pinyin_or_initials() {
    for db in TestDb::all("search_suggest").await {
        seed_and_demo(&db).await;
        let srv = Server::start(&db, false).await;
        let http = reqwest::Client::new();
        let b = &srv.base;
        // The seed's 【主题教育】 label is a tag; its title starts with it.
        eventually("the tag 主题教育 is suggested", || async {
            suggest(&http, b, "主题")
                .await
                .iter()
                .any(|s| s["kind"] == "tag" && s["text"] == "主题教育")
        })
        .await;
        for typed in ["zhuti", "ztjy", "主题"] {
            let got = suggest(&http, b, typed).await;
            assert!(got.len() <= 10, "{}: {typed}: at most ten", db.label);
            assert!(
                got.iter().any(|s| s["text"] == "主题教育"),
                "{}: {typed} → {got:?}",
                db.label
            );
            for s in &got {
                assert!(
                    ["query", "person", "tag", "title"].contains(&s["kind"].as_str().unwrap()),
                    "{}: {s}",
                    db.label
                );
            }
        }
        // A title leads to its article.
        let titles: Vec<Value> = suggest(&http, b, "主题")
            .await
            .into_iter()
            .filter(|s| s["kind"] == "title")
            .collect();
        let url = titles
            .first()
            .and_then(|t| t["url"].as_str())
            .unwrap_or_else(|| panic!("{}: a title with its url", db.label));
        let page = http.get(format!("{b}{url}")).send().await.unwrap();
        assert_eq!(page.status(), 200, "{}: {url}", db.label);
        // People come from the names found in the articles (成进 is in the seed).
        eventually("成进 is suggested by his name in pinyin", || async {
            suggest(&http, b, "chengjin")
                .await
                .iter()
                .any(|s| s["kind"] == "person" && s["text"] == "成进")
        })
        .await;
        // Nothing typed, nothing known, or too long: an empty list, never an error.
        for typed in ["", "   ", "量子纠缠态", &"西".repeat(300)] {
            assert!(suggest(&http, b, typed).await.is_empty(), "{}", db.label);
        }
        let v = get_json(&http, format!("{b}/api/v1/search/suggest")).await;
        assert_eq!(v, Value::Array(Vec::new()), "{}: no q at all", db.label);
        srv.stop().await;
        db.cleanup().await;
    }
}
