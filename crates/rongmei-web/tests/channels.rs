//! The people's channels from the newsroom: an article past 终审 as a WeChat draft and as a
//! Weibo post, through the API and the newsroom page, on SQLite and PostgreSQL.

mod common;

use common::{STAFF, Server, add_users, client, get_auth, post_json, seed_and_demo, sign_in};
use rongmei_render::channels::{WEIBO_MAX, weibo_length};
use rongmei_store::testing::TestDb;
use scraper::{ElementRef, Html};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_article_past_final_review_renders_for_wechat_and_weibo() {
    for db in TestDb::all("channels").await {
        let seed = seed_and_demo(&db).await;
        add_users(&db, STAFF).await;
        let server = Server::start(&db, false).await;
        let b = &server.base;
        let http = client();
        let reporter = sign_in(&http, b, "reporter").await;

        let (s, w) = get_auth(
            &http,
            &format!("{b}/api/v1/articles/{seed}/renderings/wechat"),
            &reporter,
        )
        .await;
        assert_eq!(s, 200, "{}: {w}", db.label);
        for key in [
            "title",
            "digest",
            "author",
            "content_html",
            "images",
            "source_url",
        ] {
            assert!(w.get(key).is_some(), "{key}: {w}");
        }
        assert!(w["title"].as_str().expect("title").chars().count() <= 32);
        assert!(w["digest"].as_str().expect("digest").chars().count() <= 128);
        assert!(w["author"].as_str().expect("author").chars().count() <= 16);
        assert_eq!(w["source_url"], format!("{b}/articles/{seed}"));
        let html = w["content_html"].as_str().expect("html");
        assert!(html.chars().count() < 20_000);
        let doc = Html::parse_fragment(html);
        for el in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let v = el.value();
            assert!(!["style", "script"].contains(&v.name()), "{html}");
            assert!(
                v.attr("class").is_none() && v.attr("id").is_none(),
                "{html}"
            );
        }
        assert!(
            doc.root_element()
                .text()
                .collect::<String>()
                .contains("凝聚合力")
        );

        let (s, wb) = get_auth(
            &http,
            &format!("{b}/api/v1/articles/{seed}/renderings/weibo"),
            &reporter,
        )
        .await;
        assert_eq!(s, 200, "{wb}");
        let text = wb["text"].as_str().expect("text");
        assert!(weibo_length(text) <= WEIBO_MAX, "{text}");
        assert!(text.ends_with(&format!("{b}/articles/{seed}")), "{text}");

        // The editor's own title, within WeChat's 32 characters.
        let (s, w) = get_auth(
            &http,
            &format!("{b}/api/v1/articles/{seed}/renderings/wechat?title=%E8%87%AA%E5%AE%9A%E6%A0%87%E9%A2%98"),
            &reporter,
        )
        .await;
        assert_eq!((s, w["title"].as_str()), (200, Some("自定标题")));
        let long = "长".repeat(33);
        let (s, e) = get_auth(
            &http,
            &format!("{b}/api/v1/articles/{seed}/renderings/wechat?title={long}"),
            &reporter,
        )
        .await;
        assert_eq!(s, 422, "{e}");

        // A draft is not ready; nobody signed in gets nothing.
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "草稿", "column": "news", "body": "<p>一段。</p>"}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let draft = v["id"].as_i64().expect("id");
        let (s, e) = get_auth(
            &http,
            &format!("{b}/api/v1/articles/{draft}/renderings/weibo"),
            &reporter,
        )
        .await;
        assert_eq!(s, 409, "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("终审"),
            "{e}"
        );
        let anonymous = http
            .get(format!("{b}/api/v1/articles/{seed}/renderings/wechat"))
            .send()
            .await
            .expect("get");
        assert_eq!(anonymous.status(), 401);

        // The newsroom page shows both and offers the copy button.
        let page = http
            .get(format!("{b}/newsroom/articles/{seed}/channels"))
            .bearer_auth(&reporter)
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
        let page = page.text().await.expect("text");
        for part in [
            "id=\"wechat-preview\"",
            "id=\"copy-wechat\"",
            "id=\"weibo-text\"",
            "凝聚合力",
        ] {
            assert!(page.contains(part), "{part}");
        }
        // Pictures come in versions WeChat takes: under 1 MB in the body, a cover of 64 KB.
        let mut seed_n = 11u32;
        let noise = image::RgbImage::from_fn(1400, 900, |_, _| {
            seed_n = seed_n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([(seed_n >> 16) as u8, (seed_n >> 8) as u8, seed_n as u8])
        });
        let mut png = std::io::Cursor::new(Vec::new());
        noise
            .write_to(&mut png, image::ImageFormat::Png)
            .expect("png");
        let url = common::upload_image(&http, b, &reporter, png.into_inner()).await;
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "带图的稿件", "column": "news", "body": format!("<p>一段。</p><figure><img src=\"{url}\" alt=\"\"></figure>")}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let pictured = v["id"].as_i64().expect("id");
        common::review_and_publish(&http, b, pictured).await;
        let (s, w) = get_auth(
            &http,
            &format!("{b}/api/v1/articles/{pictured}/renderings/wechat"),
            &reporter,
        )
        .await;
        assert_eq!(s, 200, "{w}");
        let cover = w["cover"].as_str().expect("cover");
        assert!(cover.ends_with("-wxcover.jpg"), "{cover}");
        let bytes = http
            .get(cover)
            .send()
            .await
            .expect("cover")
            .bytes()
            .await
            .expect("bytes");
        assert!(
            bytes.len() <= 64 * 1024 && bytes.starts_with(&[0xFF, 0xD8]),
            "{} bytes",
            bytes.len()
        );
        for img in w["images"].as_array().expect("images") {
            let bytes = http
                .get(img.as_str().expect("url"))
                .send()
                .await
                .expect("img")
                .bytes()
                .await
                .expect("bytes");
            assert!(bytes.len() < 1024 * 1024, "{img}: {} bytes", bytes.len());
            assert!(
                bytes.starts_with(&[0xFF, 0xD8]) || bytes.starts_with(&[0x89, b'P', b'N', b'G']),
                "{img}"
            );
        }
        server.stop().await;
        db.cleanup().await;
    }
}
