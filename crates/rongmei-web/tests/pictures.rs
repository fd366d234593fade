//! 图片新闻: the home page opens with the latest published articles that have a picture, each a
//! link with a small version for phones (`srcset`), later ones loaded lazily; a site without
//! pictures shows no empty strip.

mod common;

use common::{
    STAFF, Server, add_users, client, get_text, post_json, review_and_publish, sign_in,
    upload_image,
};
use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::json;

/// A photo wider than the display width, so both smaller versions are made.
fn wide_png(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(1200, 800, |x, y| {
        image::Rgb([(x / 5) as u8, (y / 4) as u8, shade])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// A story through review to publication.
async fn publish(http: &reqwest::Client, b: &str, token: &str, title: &str, body: String) {
    let (s, v) = post_json(
        http,
        &format!("{b}/api/v1/articles"),
        Some(token),
        json!({"title": title, "column": "news", "body": body}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    review_and_publish(http, b, v["id"].as_i64().expect("id")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_home_page_opens_with_picture_news() {
    for db in TestDb::all("picture_news").await {
        add_users(&db, STAFF).await;
        let server = Server::start(&db, false).await;
        let b = &server.base;
        let http = client();
        let home = get_text(&http, format!("{b}/")).await;
        assert!(!home.contains("图片新闻"), "no strip without pictures");

        let reporter = sign_in(&http, b, "reporter").await;
        for (n, title) in ["第一条图片新闻", "第二条图片新闻"].iter().enumerate() {
            let url = upload_image(&http, b, &reporter, wide_png(n as u8 * 90)).await;
            let body = format!("<p>导语。</p><figure><img src=\"{url}\" alt=\"\"></figure>");
            publish(&http, b, &reporter, title, body).await;
        }
        // One without a picture stays out of the strip.
        publish(
            &http,
            b,
            &reporter,
            "没有图片的新闻",
            "<p>只有文字。</p>".into(),
        )
        .await;

        let home = get_text(&http, format!("{b}/")).await;
        let doc = Html::parse_document(&home);
        let items = Selector::parse(".pictures li").expect("css");
        let imgs = Selector::parse(".pictures li img").expect("css");
        let found: Vec<String> = doc
            .select(&items)
            .map(|li| li.text().collect::<String>().trim().to_string())
            .collect();
        assert_eq!(
            found,
            ["第二条图片新闻", "第一条图片新闻"],
            "{}: newest first",
            db.label
        );
        let imgs: Vec<_> = doc.select(&imgs).collect();
        assert_eq!(
            imgs[0].value().attr("loading"),
            None,
            "the first is wanted at once"
        );
        assert_eq!(imgs[1].value().attr("loading"), Some("lazy"));
        for img in &imgs {
            let set = img.value().attr("srcset").expect("srcset");
            let urls: Vec<&str> = set
                .split(", ")
                .map(|c| c.split(' ').next().unwrap_or(""))
                .collect();
            assert!(set.contains(" 320w") && set.contains(" 960w"), "{set}");
            for u in urls {
                let r = http.get(format!("{b}{u}")).send().await.expect("picture");
                assert_eq!(r.status(), 200, "{u}");
            }
        }
        server.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_editor_chooses_the_cover_among_the_pictures() {
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let server = Server::start(&db, false).await;
    let b = &server.base;
    let http = client();
    let reporter = sign_in(&http, b, "reporter").await;
    let first = upload_image(&http, b, &reporter, wide_png(10)).await;
    let second = upload_image(&http, b, &reporter, wide_png(200)).await;
    let body = format!(
        "<p>导语。</p><figure><img src=\"{first}\" alt=\"\"></figure><figure><img src=\"{second}\" alt=\"\"></figure>"
    );
    // Not a picture of the article: refused, naming the field.
    let (s, e) = post_json(
        &http,
        &format!("{b}/api/v1/articles"),
        Some(&reporter),
        json!({"title": "封面", "column": "news", "body": body, "cover": "https://elsewhere.example.com/x.jpg"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["details"]["field"], "cover");
    let (s, v) = post_json(
        &http,
        &format!("{b}/api/v1/articles"),
        Some(&reporter),
        json!({"title": "第二张图做封面", "column": "news", "body": body, "cover": second}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_i64().expect("id");
    // The editor shows the choice.
    let editor = http
        .get(format!("{b}/newsroom/articles/{id}/edit"))
        .bearer_auth(&reporter)
        .send()
        .await
        .expect("editor")
        .text()
        .await
        .expect("text");
    assert!(
        editor.contains(&format!("<option value=\"{second}\" selected>")),
        "{editor}"
    );
    review_and_publish(&http, b, id).await;
    let home = get_text(&http, format!("{b}/")).await;
    let doc = Html::parse_document(&home);
    let img = Selector::parse(".pictures li img").expect("css");
    let src = doc
        .select(&img)
        .next()
        .and_then(|i| i.value().attr("src"))
        .unwrap_or("");
    assert_eq!(src, second, "the chosen cover leads 图片新闻");
    let api: serde_json::Value = http
        .get(format!("{b}/api/v1/articles/{id}"))
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    assert_eq!(api["image"], format!("{b}{second}"));
    server.stop().await;
    db.cleanup().await;
}
