//! The review workflow end to end, through the pages a person uses: a reporter writes an article
//! in the rich editor (heading from the toolbar, an uploaded picture), a first reviewer rejects
//! it with a comment, the reporter reads the comment, edits and resubmits, the two reviewers and
//! the chief approve, the chief publishes; the public page shows the heading and the picture,
//! and the site search finds it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::json;

use crate::page::Browser;

const TITLE: &str = "【校园】浏览器验收：融媒体中心新编辑器开始试运行";
/// A word of the title that no other article has, for the site search.
const SEARCH_WORD: &str = "浏览器验收";
pub const COLUMN: &str = "学术科研";
const HEADING: &str = "编辑器能做什么";
const PARA1: &str = "本报讯 融媒体中心今天启用新的稿件编辑器，记者可以直接在网页上排版。";
const PARA2: &str = "编辑器支持小标题、加粗、链接和图片，粘贴的内容由服务器统一清理。";
const EDIT: &str = "试运行时间为六月一日至六月三十日。";
const REJECT_COMMENT: &str = "请补充试运行的起止时间。";

/// Runs the workflow; returns the published article's id.
pub async fn scenario(b: &mut Browser, png: PathBuf) -> i64 {
    // 1. The reporter signs in and writes the article in the rich editor.
    b.login("reporter", "login").await;
    b.goto("/newsroom/articles/new").await;
    let rich = b.wait_visible("#rich").await;
    assert!(
        !b.wait_css("#body")
            .await
            .is_displayed()
            .await
            .expect("shown?"),
        "the plain textarea gives way to the rich editor once editor.js runs"
    );
    b.wait_css("#title")
        .await
        .send_keys(TITLE)
        .await
        .expect("type the title");
    // No column is chosen for the reporter: the select starts at its placeholder.
    b.wait_js(
        "a new article starts without a column",
        "var s = document.querySelector('#column'); \
         return s.required && s.value === '' && s.options[s.selectedIndex].text === '请选择栏目';",
    )
    .await;
    b.wait_css("#column")
        .await
        .select_by_label(COLUMN)
        .await
        .expect("choose the column");
    rich.click().await.expect("focus the editor");
    rich.send_keys(HEADING).await.expect("type the heading");
    b.click("#tool-heading").await;
    b.wait_js(
        "the first line becomes a 小标题 (h2)",
        &format!(
            "var h = document.querySelector('#rich h2'); return !!h && h.textContent === {};",
            json!(HEADING)
        ),
    )
    .await;
    rich.send_keys(&Key::Enter.to_string())
        .await
        .expect("new line");
    b.click(".toolbar button[data-cmd=p]").await;
    rich.send_keys(&format!("{PARA1}{}{PARA2}", char::from(Key::Enter)))
        .await
        .expect("type the paragraphs");
    let input = b.wait_css("#image-input").await;
    input
        .send_keys(png.to_str().expect("UTF-8 path"))
        .await
        .expect("choose the picture");
    b.wait_css("#rich figure img").await;
    b.wait_js(
        "the uploaded picture shows in the editor",
        "var i = document.querySelector('#rich figure img'); \
         return !!i && i.getAttribute('src').indexOf('/media/') === 0 && i.complete && i.naturalWidth > 0;",
    )
    .await;
    let upload = b.text(".upload-status").await;
    assert_eq!(upload, "已插入图片");
    // The caption is the reporter's to write, not the file's name.
    b.wait_js(
        "the new picture's caption is empty, with a 图片说明 placeholder",
        "var c = document.querySelector('#rich figure figcaption'); \
         return !!c && c.textContent === '' && c.getAttribute('data-placeholder') === '图片说明';",
    )
    .await;
    b.shot("editor").await;
    b.click("#save").await;
    let p = b
        .wait_path("the article's page after saving", |p| {
            p.starts_with("/newsroom/articles/") && !p.starts_with("/newsroom/articles/new")
        })
        .await;
    let id: i64 = p
        .trim_start_matches("/newsroom/articles/")
        .split(['?', '/', '#'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an article id in {p}"));
    b.wait_css("#notice").await;
    assert_eq!(b.text(".nr-article h1").await, TITLE);
    assert_eq!(b.text(".nr-body .body h2").await, HEADING);
    let body = b.text(".nr-body .body").await;
    assert!(body.contains(PARA1) && body.contains(PARA2), "{body}");
    b.wait_css(".nr-body .body img").await;
    b.shot("saved").await;

    // 2. The reporter submits.
    b.act(id, "submit", None, "submitted", "submitted").await;
    b.logout().await;

    // 3. The first reviewer rejects it with a comment.
    b.login("reviewer1", "login-reviewer1").await;
    b.act(id, "reject", Some(REJECT_COMMENT), "draft", "rejected")
        .await;
    b.logout().await;

    // 4. The reporter reads the comment, edits, saves and submits again.
    b.login("reporter", "login-reporter-again").await;
    b.open_article(id).await;
    let timeline = b.text("#timeline").await;
    assert!(
        timeline.contains(REJECT_COMMENT),
        "the rejection comment is in the timeline: {timeline}"
    );
    b.shot("comment-seen").await;
    b.click("#edit-link").await;
    b.wait_path("the editor", |p| {
        p == format!("/newsroom/articles/{id}/edit")
    })
    .await;
    b.wait_visible("#rich").await;
    b.wait_css("#rich h2").await;
    b.wait_css("#rich figure img").await;
    let para = b.wait_css("#rich p:nth-of-type(2)").await;
    assert_eq!(para.text().await.expect("paragraph text"), PARA2);
    para.click().await.expect("into the second paragraph");
    para.send_keys(&format!("{}{EDIT}", char::from(Key::End)))
        .await
        .expect("type the change");
    b.wait_js(
        "the change is in the editor",
        &format!(
            "return document.querySelector('#rich').textContent.indexOf({}) >= 0;",
            json!(EDIT)
        ),
    )
    .await;
    b.shot("edited").await;
    b.click("#save").await;
    b.wait_path("the article's page after saving the edit", |p| {
        p == format!("/newsroom/articles/{id}?saved=1")
    })
    .await;
    let body = b.text(".nr-body .body").await;
    assert!(body.contains(&format!("{PARA2}{EDIT}")), "{body}");
    b.act(id, "submit", None, "submitted", "resubmitted").await;
    b.logout().await;

    // 5. Three approvals and publication.
    b.login("reviewer1", "login-reviewer1-again").await;
    b.act(id, "approve", None, "first_passed", "first-approval")
        .await;
    b.logout().await;
    b.login("reviewer2", "login-reviewer2").await;
    b.act(id, "approve", None, "second_passed", "second-approval")
        .await;
    b.logout().await;
    b.login("chief", "login-chief").await;
    b.act(id, "approve", None, "approved", "final-approval")
        .await;
    b.act(id, "publish", None, "published", "published").await;
    b.wait_css("#public-link").await;
    b.logout().await;

    // 6. The public page.
    b.goto(&format!("/articles/{id}")).await;
    assert_eq!(b.text("h1.title").await, TITLE);
    assert_eq!(b.text(".body h2").await, HEADING);
    let body = b.text(".body").await;
    assert!(body.contains(PARA1), "{body}");
    assert!(body.contains(&format!("{PARA2}{EDIT}")), "{body}");
    let src = b
        .wait_css(".body img")
        .await
        .attr("src")
        .await
        .expect("img src")
        .unwrap_or_default();
    assert!(
        src.starts_with("/media/"),
        "picture served from /media/: {src}"
    );
    b.wait_js(
        "the picture loads on the public page",
        "var i = document.querySelector('.body img'); return !!i && i.complete && i.naturalWidth > 0;",
    )
    .await;
    b.shot("public").await;

    // 7. The site search (the header's search box) finds it; the index catches up within ~1 s.
    let q = b.wait_css("header form.search input[name=q]").await;
    q.send_keys(&format!("{SEARCH_WORD}{}", char::from(Key::Enter)))
        .await
        .expect("search");
    b.wait_path("the search page", |p| p.starts_with("/search?"))
        .await;
    let hit = format!("a.hit-title[href='/articles/{id}']");
    let deadline = Instant::now() + Duration::from_secs(5);
    while b.c.find(Locator::Css(&hit)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "search for {SEARCH_WORD} does not list article {id} after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        b.c.refresh().await.expect("reload the search");
    }
    b.shot("search").await;
    id
}
