//! Two nodes on one database behave as one site: a dictionary saved on one blocks on the other
//! within two seconds, an article published on one is found by the other's search within five,
//! and (on PostgreSQL, the multi-node backend) an image uploaded on one is served by the other,
//! original and thumbnails alike.

use std::time::{Duration, Instant};

use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{
    STAFF, Server, add_users, client, get_auth, get_json, post_json, review_and_publish, sign_in,
};

/// A photo-sized JPEG, so that both thumbnail widths are made.
fn jpeg_bytes() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1200, 800, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode JPEG");
    out.into_inner()
}

async fn get_bytes(http: &reqwest::Client, url: &str) -> (u16, Vec<u8>) {
    let resp = http.get(url).send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn a_dictionary_saved_on_one_node_blocks_on_the_other_within_two_seconds() {
    for db in TestDb::all("a_dictionary_saved_on_one_node_blocks_on_the_other").await {
        add_users(&db, STAFF).await;
        let a = Server::start(&db, false).await;
        let b = Server::start(&db, false).await;
        let http = client();
        let admin = sign_in(&http, &a.base, "admin").await;
        let reporter = sign_in(&http, &b.base, "reporter").await;
        let checks_url = format!("{}/api/v1/checks", b.base);
        let check = || {
            post_json(
                &http,
                &checks_url,
                Some(&reporter),
                json!({"title": "节点共享词出现在标题里", "body": "<p>正文</p>"}),
            )
        };
        let (s, v) = check().await;
        assert_eq!((s, &v["blocks"]), (200, &json!(false)), "{v}");

        // Members read it as text in the file format; only admins replace it.
        let url = format!("{}/api/v1/dictionaries/sensitive", a.base);
        let resp = http.get(&url).bearer_auth(&reporter).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let mut text = resp.text().await.unwrap();
        text.push_str("\n节点共享词\tblock\t两节点测试\n");
        let put = |token: &str, body: String| http.put(&url).bearer_auth(token).body(body).send();
        assert_eq!(put(&reporter, text.clone()).await.unwrap().status(), 403);
        let bad = format!("{text}坏行\tmaybe\n");
        let resp = put(&admin, bad.clone()).await.unwrap();
        assert_eq!(resp.status(), 422);
        let v: Value = resp.json().await.unwrap();
        let bad_line = bad.lines().count();
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("sensitive.txt:{bad_line}:")),
            "the 422 names the line: {v}"
        );
        let unknown = format!("{}/api/v1/dictionaries/nonsense", a.base);
        let (s, _) = get_auth(&http, &unknown, &admin).await;
        assert_eq!(s, 404);

        let resp = put(&admin, text).await.unwrap();
        assert_eq!(resp.status(), 200);
        let saved: Value = resp.json().await.unwrap();
        assert_eq!(
            (saved["added"].as_u64(), saved["removed"].as_u64()),
            (Some(1), Some(0))
        );
        let saved_at = Instant::now();
        loop {
            let (_, v) = check().await;
            if v["blocks"] == json!(true) {
                break;
            }
            assert!(
                saved_at.elapsed() < Duration::from_secs(2),
                "{}: node B still lets the new block word through after 2 s",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // The change is in the audit log, with who made it and what it changed.
        let (s, v) = get_auth(&http, &format!("{}/api/v1/audit", b.base), &admin).await;
        assert_eq!(s, 200);
        let line = v
            .as_array()
            .and_then(|e| e.iter().find(|l| l["what"] == "dictionary_saved"))
            .unwrap_or_else(|| panic!("no dictionary_saved line: {v}"));
        assert_eq!(line["who"], "admin");
        assert_eq!(line["detail"]["dictionary"], "sensitive");
        assert_eq!(line["detail"]["added"], 1);
        a.stop().await;
        b.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_article_published_on_one_node_is_found_on_the_other_and_images_follow() {
    for db in TestDb::all("an_article_published_on_one_node_is_found_on_the_other").await {
        add_users(&db, STAFF).await;
        let a = Server::start(&db, false).await;
        let b = Server::start(&db, false).await;
        let http = client();
        let shares_media = db.label == "postgres";

        let reporter = sign_in(&http, &a.base, "reporter").await;
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(jpeg_bytes()).file_name("photo.jpg"),
        );
        let resp = http
            .post(format!("{}/api/v1/media", a.base))
            .bearer_auth(&reporter)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let image: Value = resp.json().await.unwrap();
        let mut urls = vec![image["original_url"].as_str().unwrap().to_string()];
        for t in image["thumbnails"].as_array().unwrap() {
            urls.push(t["url"].as_str().unwrap().to_string());
        }
        assert_eq!(urls.len(), 3, "original and two thumbnails: {image}");

        let (s, v) = post_json(
            &http,
            &format!("{}/api/v1/articles", a.base),
            Some(&reporter),
            json!({"title": "跨节点检索测试稿件", "column": "news",
                   "body": format!("<p>两个节点共用一个数据库。</p><figure><img src=\"{}\" alt=\"\"></figure>", image["url"].as_str().unwrap())}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        review_and_publish(&http, &a.base, id).await;
        let published = Instant::now();
        loop {
            let v = get_json(&http, format!("{}/api/v1/search?q=跨节点检索", b.base)).await;
            if v["hits"]
                .as_array()
                .is_some_and(|h| h.iter().any(|h| h["id"] == id))
            {
                break;
            }
            assert!(
                published.elapsed() < Duration::from_secs(5),
                "{}: node B's search does not find the article after 5 s",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        if shares_media {
            for url in &urls {
                let (sa, on_a) = get_bytes(&http, &format!("{}{url}", a.base)).await;
                let (sb, on_b) = get_bytes(&http, &format!("{}{url}", b.base)).await;
                assert_eq!((sa, sb), (200, 200), "{url} on both nodes");
                assert_eq!(on_a, on_b, "{url}: the same bytes on both nodes");
            }
            // B kept its copy: the file is now in its own media folder.
            let relative = urls[0].trim_start_matches("/media/");
            assert!(b.data_dir().join("media").join(relative).is_file());
            let (s, _) = get_bytes(&http, &format!("{}/media/ab/abababab.jpg", b.base)).await;
            assert_eq!(s, 404, "a name no node stored");
        } else {
            println!(
                "sqlite: media sharing skipped (a SQLite site is one node with one data folder)"
            );
        }
        a.stop().await;
        b.stop().await;
        db.cleanup().await;
    }
}
