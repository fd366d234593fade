//! The analytics pages: closed without the token, charts and tables with it, CSV export.

mod common;

use common::{ADMIN_TOKEN, Server, seed_and_demo};
use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

#[tokio::test]
async fn analytics_pages_chart_counted_views() {
    for db in TestDb::all("analytics_pages_chart_counted_views").await {
        let id = seed_and_demo(&db).await;
        let srv = Server::start(&db, true).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let day_of_views = rongmei_app::search_log::shanghai_day(chrono::Utc::now());
        for (i, referer) in ["https://www.baidu.com/s?wd=x", "https://weibo.com/1", ""]
            .iter()
            .enumerate()
        {
            let mut req = http
                .get(format!("{}/articles/{id}", srv.base))
                .header("user-agent", BROWSER)
                .header("x-forwarded-for", format!("203.0.113.{}", 10 + i));
            if !referer.is_empty() {
                req = req.header("referer", *referer);
            }
            assert_eq!(req.send().await.unwrap().status(), 200);
        }
        // The counter writes them (and their daily rows) on its next flush.
        let store = db.store().await.unwrap();
        common::eventually("the three views are written", || async {
            store.view_counts(id).await.ok().flatten().map(|(v, _)| v) == Some(1774 + 3)
        })
        .await;
        store.close().await;

        let closed = http
            .get(format!("{}/admin/analytics", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(closed.status(), 401, "{}", db.label);
        let wrong = http
            .get(format!("{}/admin/analytics", srv.base))
            .bearer_auth("nope")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);

        // The token in the URL once sets a cookie and leads to the clean URL.
        let first = http
            .get(format!("{}/admin/analytics?token={ADMIN_TOKEN}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 303);
        let cookie = first.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let page = http
            .get(format!("{}/admin/analytics", srv.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("no-store")
        );
        let html = page.text().await.unwrap();
        let doc = Html::parse_document(&html);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert_eq!(
            doc.select(&Selector::parse("svg.chart").unwrap()).count(),
            1
        );
        let bars: Vec<String> = doc
            .select(&Selector::parse("svg.chart rect title").unwrap())
            .map(|t| t.text().collect())
            .collect();
        assert_eq!(bars.len(), 30, "a bar per day");
        // The views' day is the last bar, or the one before when Shanghai's midnight passed
        // while the test ran.
        let days_since =
            (rongmei_app::search_log::shanghai_day(chrono::Utc::now()) - day_of_views).num_days();
        let bar = usize::try_from(days_since)
            .ok()
            .and_then(|back| bars.len().checked_sub(1 + back))
            .map(|i| &bars[i]);
        assert!(
            bar.is_some_and(|b| b.ends_with("：3")),
            "the day of the views has the 3 counted views: {bar:?} in {bars:?}"
        );
        let top: Vec<String> = doc
            .select(&Selector::parse(".ranked li a").unwrap())
            .map(|a| a.text().collect())
            .collect();
        assert!(
            top.iter()
                .any(|t| t.starts_with("【主题教育】西安交大党委宣传部"))
        );
        let cells: String = doc
            .select(&Selector::parse("table.stats td").unwrap())
            .map(|t| t.text().collect::<String>())
            .collect();
        assert!(
            cells.contains("搜索引擎") && cells.contains("微博") && cells.contains("直接访问"),
            "{cells}"
        );

        let one = http
            .get(format!("{}/admin/analytics/articles/{id}", srv.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(one.status(), 200);
        let doc = Html::parse_document(&one.text().await.unwrap());
        assert_eq!(
            doc.select(&Selector::parse("svg.chart").unwrap()).count(),
            2,
            "daily and hourly charts"
        );
        let missing = http
            .get(format!("{}/admin/analytics/articles/abc", srv.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);

        let csv = http
            .get(format!("{}/admin/analytics/views.csv", srv.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "date,article_id,title,channel,views");
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines
                .iter()
                .skip(1)
                .all(|l| l.contains(&format!(",{id},")) && l.ends_with(",1"))
        );
        let bad = http
            .get(format!(
                "{}/admin/analytics/views.csv?from=yesterday",
                srv.base
            ))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        srv.stop().await;
        db.cleanup().await;
    }
}

/// A title a spreadsheet would run as a formula comes out of the CSV as text: a spreadsheet
/// (and a real CSV parser) reads `'=HYPERLINK(…)`, never a live formula.
#[tokio::test]
async fn csv_cells_that_look_like_formulas_are_text() {
    for db in TestDb::all("csv_cells_that_look_like_formulas_are_text").await {
        let store = db.store().await.unwrap();
        let line = serde_json::json!({
            "title": "=HYPERLINK(\"http://evil.example\",\"点我领奖\")",
            "published_at": "2024-09-08T09:30:00+08:00",
            "column": "校园要闻",
            "body": "正文第一段。",
        })
        .to_string();
        let parsed = rongmei_import::parse_jsonl(std::path::Path::new("x.jsonl"), &line).unwrap();
        let articles: Vec<_> = parsed.into_iter().map(|r| r.article).collect();
        store.import(&articles, &|_| {}).await.unwrap();
        let id = store.published(None, 1, 1).await.unwrap().items[0].id;
        store.close().await;
        let srv = Server::start(&db, true).await;
        let http = reqwest::Client::new();
        let r = http
            .get(format!("{}/articles/{id}", srv.base))
            .header("user-agent", BROWSER)
            .header("x-forwarded-for", "203.0.113.40")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let store = db.store().await.unwrap();
        common::eventually("the view is written", || async {
            store.view_counts(id).await.ok().flatten().map(|(v, _)| v) == Some(1)
        })
        .await;
        store.close().await;
        let text = http
            .get(format!("{}/admin/analytics/views.csv", srv.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let titles: Vec<String> = reader
            .records()
            .map(|r| r.expect("a valid CSV record")[2].to_string())
            .collect();
        assert_eq!(
            titles,
            vec!["'=HYPERLINK(\"http://evil.example\",\"点我领奖\")".to_string()],
            "{}",
            db.label
        );
        srv.stop().await;
        db.cleanup().await;
    }
}
