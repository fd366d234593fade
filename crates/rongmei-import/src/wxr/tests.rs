use std::io::Cursor;
use std::path::{Path, PathBuf};

use super::*;

fn wxr(items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>http://news.example.edu.cn</wp:base_site_url>
<wp:author><wp:author_login>wang</wp:author_login><wp:author_display_name><![CDATA[王记者]]></wp:author_display_name></wp:author>
<wp:category><wp:category_nicename>campus</wp:category_nicename><wp:category_parent>news</wp:category_parent><wp:cat_name><![CDATA[校园动态]]></wp:cat_name></wp:category>
<wp:category><wp:category_nicename>news</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[新闻]]></wp:cat_name></wp:category>
{items}
</channel>
</rss>
"#
    )
}

fn post(id: u32, status: &str, content: &str) -> String {
    format!(
        r#"<item>
<title>第{id}篇 &amp; 测试</title>
<link>http://news.example.edu.cn/?p={id}</link>
<dc:creator><![CDATA[wang]]></dc:creator>
<content:encoded><![CDATA[{content}]]></content:encoded>
<excerpt:encoded><![CDATA[摘要{id}]]></excerpt:encoded>
<wp:post_id>{id}</wp:post_id>
<wp:post_date><![CDATA[2023-06-01 22:05:00]]></wp:post_date>
<wp:post_date_gmt><![CDATA[2023-06-01 14:05:00]]></wp:post_date_gmt>
<wp:status><![CDATA[{status}]]></wp:status>
<wp:post_type><![CDATA[post]]></wp:post_type>
<category domain="category" nicename="campus"><![CDATA[校园动态]]></category>
<category domain="post_tag" nicename="t1"><![CDATA[迎新]]></category>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[90]]></wp:meta_value></wp:postmeta>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[好]]></wp:comment_content></wp:comment>
</item>"#
    )
}

const ATTACHMENT: &str = r#"<item><title>cover</title><wp:post_id>90</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status><wp:attachment_url>http://news.example.edu.cn/wp-content/uploads/2023/06/cover.jpg</wp:attachment_url></item>"#;

fn parse(text: &str) -> Result<WxrImport, ImportError> {
    parse_wxr(Path::new("site.xml"), Cursor::new(text.as_bytes().to_vec()))
}

#[test]
fn a_published_post_keeps_title_time_column_tags_author_excerpt_cover_and_comments() {
    let text = wxr(&format!(
        "{}\n{}\n{}\n{ATTACHMENT}",
        post(1, "publish", "第一段\n\n第二段"),
        post(2, "draft", "草稿"),
        post(3, "trash", "回收站")
    ));
    let out = parse(&text).expect("parses");
    assert_eq!(out.records.len(), 2, "the published post and the draft");
    let r = &out.records[0];
    let a = &r.article;
    assert_eq!(a.title, "第1篇 & 测试");
    assert_eq!(
        a.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2023-06-01T22:05:00+08:00")
    );
    assert_eq!(a.column.as_deref(), Some("校园动态"));
    assert_eq!(a.tags, ["迎新"]);
    assert_eq!(a.bylines[0].name, "王记者");
    assert_eq!(a.summary.as_deref(), Some("摘要1"));
    assert_eq!(
        a.source_id.as_deref(),
        Some("wxr:http://news.example.edu.cn:1")
    );
    assert_eq!(
        a.body.first_image(),
        Some("http://news.example.edu.cn/wp-content/uploads/2023/06/cover.jpg")
    );
    let paragraphs: Vec<_> = a
        .body
        .blocks
        .iter()
        .filter(|b| matches!(b, rongmei_core::Block::Paragraph { .. }))
        .collect();
    assert_eq!(paragraphs.len(), 2, "{:?}", a.body.blocks);
    assert_eq!(a.column_parents, ["新闻"], "the category's parent");
    assert_eq!(a.status, rongmei_core::ArticleStatus::Published);
    assert_eq!(
        a.extra["wordpress"]["comments"][0]["wp:comment_content"],
        "好"
    );
    assert_eq!(out.report.items["post/draft"], 1);
    assert_eq!(out.report.items["post/trash"], 1);
    assert_eq!(out.report.items["attachment/inherit"], 1);
    assert_eq!(out.report.comments, 3);
    assert_eq!(out.report.wxr_version.as_deref(), Some("1.2"));
    assert!(r.line > 1, "the item's line: {}", r.line);
    assert_eq!(
        out.records[1].article.status,
        rongmei_core::ArticleStatus::Draft
    );
    assert_eq!(out.report.permalinks.len(), 1, "only published posts move");
}

#[test]
fn statuses_carry_over_and_the_rest_is_left_behind() {
    use rongmei_core::ArticleStatus as S;
    let text = wxr(&[
        "publish",
        "future",
        "draft",
        "pending",
        "private",
        "trash",
        "auto-draft",
        "inherit",
    ]
    .iter()
    .enumerate()
    .map(|(i, s)| post(i as u32 + 1, s, "正文"))
    .collect::<Vec<_>>()
    .join("\n"));
    let out = parse(&text).expect("parses");
    let got: Vec<S> = out.records.iter().map(|r| r.article.status).collect();
    assert_eq!(
        got,
        [S::Published, S::Scheduled, S::Draft, S::Submitted, S::Draft]
    );
    assert_eq!(out.report.imported(), 5);
    assert!(
        out.report.warnings.iter().any(|w| w.contains("私密文章")),
        "{:?}",
        out.report.warnings
    );
}

#[test]
fn the_second_pass_gives_what_one_pass_gives_with_attachments_after_their_posts() {
    // The attachment comes last: a post's cover is found all the same.
    let text = wxr(&format!(
        "{}\n{}\n{ATTACHMENT}",
        post(1, "publish", "一"),
        post(2, "draft", "二")
    ));
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("site.xml");
    std::fs::write(&path, &text).expect("write");
    let export = scan_wxr(&path).expect("scans");
    assert_eq!(export.posts, 2);
    let mut streamed = Vec::new();
    let report = export
        .read(&mut |r| {
            streamed.push(r.article);
            true
        })
        .expect("reads");
    let whole = parse(&text).expect("parses");
    let whole: Vec<_> = whole.records.into_iter().map(|r| r.article).collect();
    assert_eq!(streamed, whole);
    assert!(
        streamed[0]
            .body
            .first_image()
            .is_some_and(|s| s.ends_with("cover.jpg"))
    );
    assert_eq!(report.permalinks.len(), 1);
    // Told to stop, it stops.
    let mut n = 0;
    export
        .read(&mut |_| {
            n += 1;
            false
        })
        .expect("stops");
    assert_eq!(n, 1);
}

#[test]
fn a_caption_becomes_an_image_with_its_caption() {
    let content = r#"[caption id="attachment_5" align="aligncenter" width="300"]<img src="http://news.example.edu.cn/a.jpg" alt="" width="300" /> 说明文字[/caption]"#;
    let out = parse(&wxr(&post(1, "publish", content))).expect("parses");
    let caption = out.records[0]
        .article
        .body
        .blocks
        .iter()
        .find_map(|b| match b {
            rongmei_core::Block::Image { src, caption, .. } if src.ends_with("/a.jpg") => {
                caption.clone()
            }
            _ => None,
        });
    assert_eq!(caption.as_deref(), Some("说明文字"));
}

#[test]
fn a_block_editor_post_keeps_its_paragraphs_without_comments() {
    let content = "<!-- wp:paragraph -->\n<p>一段</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>二段</p>\n<!-- /wp:paragraph -->";
    let out = parse(&wxr(&post(1, "publish", content))).expect("parses");
    let body = &out.records[0].article.body;
    assert_eq!(body.to_text(), "一段\n二段");
    assert!(!body.to_html().contains("wp:"));
}

#[test]
fn damage_is_a_warning_and_a_cut_file_is_refused_with_its_line() {
    // A split `]]>`, a forbidden control character, bytes that are not UTF-8, an unknown entity.
    let mut bytes = wxr(&post(1, "publish", "代码 a]]]]><![CDATA[>b 与\u{8}退格"))
        .replace("<title>第1篇", "<title>第1篇&nbsp;")
        .into_bytes();
    let at = bytes
        .windows(3)
        .position(|w| w == &"摘要".as_bytes()[..3])
        .expect("excerpt");
    bytes.splice(at..at, [0xff, 0xfe]);
    let out = parse_wxr(Path::new("site.xml"), Cursor::new(bytes)).expect("damage is not fatal");
    let a = &out.records[0].article;
    assert!(a.body.to_text().contains("a]]>b"), "{}", a.body.to_text());
    assert!(!a.body.to_text().contains('\u{8}'));
    assert!(out.report.warnings.len() >= 3, "{:?}", out.report.warnings);
    assert!(
        out.report
            .warnings
            .iter()
            .all(|w| w.starts_with("site.xml:"))
    );

    let whole = wxr(&format!(
        "{}\n{}",
        post(1, "publish", "一"),
        post(2, "publish", "二")
    ));
    let cut = &whole[..whole.find("<wp:post_id>2").expect("second post")];
    let err = parse(cut).expect_err("truncated");
    let msg = err.to_string();
    let lines = cut.lines().count();
    assert!(msg.starts_with("site.xml:"), "{msg}");
    let line: usize = msg
        .split(':')
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("line");
    assert!(
        line + 1 >= lines && line <= lines + 1,
        "{msg} vs {lines} lines"
    );
}

fn fixture(name: &str) -> Option<PathBuf> {
    rongmei_testkit::shared(&format!("fixtures/wxr/{name}"))
}

#[test]
fn the_real_chinese_blog_imports_every_published_post() {
    let Some(path) = fixture("everet-org_zh-blog_wordpress.xml") else {
        return;
    };
    let file = std::io::BufReader::new(std::fs::File::open(&path).expect("open"));
    let out = parse_wxr(&path, file).expect("parses");
    let published = out.report.items.get("post/publish").copied().unwrap_or(0);
    assert!(published > 50, "{:?}", out.report.items);
    // Six drafts and a private post come along as drafts.
    assert_eq!(out.records.len(), published + 7);
    assert_eq!(
        out.report.items.values().sum::<usize>(),
        104 + 4 + 321 + 11,
        "{:?}",
        out.report.items
    );
    for r in out
        .records
        .iter()
        .filter(|r| r.article.status == rongmei_core::ArticleStatus::Published)
    {
        let a = &r.article;
        assert!(!a.title.is_empty());
        let t = a.published_at.expect("dated");
        assert_eq!(t.offset().local_minus_utc(), 8 * 3600, "{}", a.title);
        assert!(a.column.is_some(), "{}", a.title);
        assert!(!a.bylines.is_empty());
    }
    assert_eq!(published, 97);
    // One post checked field by field against the export.
    let a = &out
        .records
        .iter()
        .find(|r| r.article.title == "python自动下载人人所有好友的相册")
        .expect("the first published post")
        .article;
    assert_eq!(
        a.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2012-01-18T20:09:27+08:00")
    );
    assert_eq!(a.column.as_deref(), Some("我的代码"));
    assert_eq!(a.tags, ["Python"]);
    assert_eq!(a.bylines[0].name, "Stupid ET");
}

#[test]
fn the_wordpress_importer_fixtures_parse() {
    for name in [
        "wordpress-importer_small-export.xml",
        "wordpress-importer_wxr-utf-8-challenges.xml",
    ] {
        let Some(path) = fixture(name) else { continue };
        let file = std::io::BufReader::new(std::fs::File::open(&path).expect("open"));
        let out = parse_wxr(&path, file).expect(name);
        assert!(!out.records.is_empty(), "{name}: {:?}", out.report.items);
        for r in &out.records {
            assert!(!r.article.body.to_html().contains("<!-- wp:"), "{name}");
        }
        if name.contains("small") {
            let child = out
                .records
                .iter()
                .find(|r| r.article.title == "Foo-child")
                .expect("Foo-child");
            assert_eq!(
                child.article.column_parents,
                ["Bar"],
                "foo-bar is under bar"
            );
        }
    }
}
