use std::path::Path;

use chrono::Utc;
use rongmei_core::column::Column;
use rongmei_core::{ArticleStatus, Body, Byline};
use scraper::{ElementRef, Html};

use super::*;

const SEED: &str = include_str!("../../../../fixtures/seed/000_110ea0537603b210.txt");

fn links() -> Links {
    Links::new("https://news.example.edu.cn").expect("links")
}

fn article(title: &str, body: Body, summary: &str) -> Article {
    Article {
        id: 42,
        title: title.into(),
        label: None,
        column: Column {
            id: 1,
            slug: "news".into(),
            name: "新闻".into(),
            parent_id: None,
        },
        tags: vec![],
        bylines: vec![
            Byline {
                role: "文字".into(),
                name: "王记者".into(),
            },
            Byline {
                role: "摄影".into(),
                name: "李四".into(),
            },
        ],
        published_at: None,
        summary: summary.into(),
        cover: body.first_image().map(str::to_string),
        body,
        views: 0,
        status: ArticleStatus::Approved,
        source_id: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

/// Every picture as it is stored, made absolute.
fn same(src: &str, _: WechatUse) -> String {
    links().absolute(src)
}

fn seed() -> Article {
    let a = rongmei_import::parse_txt(Path::new("seed.txt"), SEED).expect("seed");
    let summary = a.effective_summary();
    article(&a.title, a.body, &summary)
}

/// The text of every element in document order, and no element styled any other way.
fn check_wechat_html(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let name = el.value().name();
        assert!(
            !["style", "script", "link"].contains(&name),
            "<{name}> in {html}"
        );
        assert!(el.value().attr("class").is_none(), "class in {html}");
        assert!(el.value().attr("id").is_none(), "id in {html}");
    }
    doc.root_element().text().collect()
}

#[test]
fn the_seed_for_wechat_keeps_every_paragraph_in_order_within_the_limits() {
    let a = seed();
    let r = wechat(&a, &links(), "新闻网", None, &same);
    let text = check_wechat_html(&r.content_html);
    let mut at = 0;
    for b in &a.body.blocks {
        let (Block::Paragraph { text: p } | Block::Heading { text: p, .. }) = b else {
            continue;
        };
        let found = text[at..]
            .find(p.as_str())
            .unwrap_or_else(|| panic!("{p} missing or out of order"));
        at += found + p.len();
    }
    assert!(r.title.chars().count() <= WECHAT_TITLE_MAX, "{}", r.title);
    assert!(r.digest.chars().count() <= WECHAT_DIGEST_MAX);
    assert!(!r.digest.is_empty());
    assert_eq!(r.author, "王记者");
    assert!(r.content_html.chars().count() < WECHAT_CONTENT_MAX);
    assert!(r.content_html.starts_with("<section style="));
    assert_eq!(r.source_url, "https://news.example.edu.cn/articles/42");
}

#[test]
fn headings_bold_links_captions_and_nested_lists_survive_and_every_image_is_listed() {
    let mut body = Body::default();
    body.blocks.push(Block::Heading {
        level: 2,
        text: "小标题".into(),
    });
    body.blocks.push(Block::Html {
        html: rongmei_html::sanitize_fragment(
            r#"<p>有<strong>加粗</strong>和<a href="https://www.example.edu.cn/x">链接</a>。</p><ul><li>甲<ul><li>乙<ul><li>丙</li></ul></li></ul></li></ul><p><img src="/media/b.png" alt=""></p>"#,
        ),
    });
    body.blocks.push(Block::Image {
        src: "/media/a.jpg".into(),
        alt: "".into(),
        caption: Some("图片说明文字".into()),
    });
    let r = wechat(
        &article("测试", body, "摘要。"),
        &links(),
        "新闻网",
        None,
        &same,
    );
    let text = check_wechat_html(&r.content_html);
    for part in [
        "小标题",
        "加粗",
        "链接",
        "甲",
        "乙",
        "丙",
        "图片说明文字",
        "文字：王记者",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert!(r.content_html.contains("<h2 style="));
    assert!(r.content_html.contains("<strong style="));
    assert_eq!(
        r.content_html.matches("<ul").count(),
        2,
        "two levels at most"
    );
    assert_eq!(
        r.images,
        [
            "https://news.example.edu.cn/media/b.png",
            "https://news.example.edu.cn/media/a.jpg"
        ]
    );
}

#[test]
fn a_long_article_ends_where_wechat_stops_and_sends_the_reader_on() {
    let text: String = "这是一段很长的新闻正文，用来测试微信内容的长度限制。".repeat(20);
    let body = Body::from_plain_text(&vec![text; 200].join("\n"));
    let r = wechat(
        &article("长文", body, "摘要。"),
        &links(),
        "新闻网",
        None,
        &same,
    );
    assert!(r.content_html.chars().count() < WECHAT_CONTENT_MAX);
    assert!(r.content_html.contains(READ_ON));
    check_wechat_html(&r.content_html);
}

#[test]
fn titles_are_shortened_on_a_boundary_and_the_editor_may_choose_one() {
    let long = "西安交通大学召开2024年宣传思想文化工作会议，部署新一年重点任务并表彰先进集体和个人";
    let short = shorten(long, 32);
    assert!(short.chars().count() <= 32, "{short}");
    assert_eq!(short, "西安交通大学召开2024年宣传思想文化工作会议…");
    assert_eq!(
        shorten("Rongmei newsroom release notes for version 2024", 20),
        "Rongmei newsroom…"
    );
    let r = wechat(
        &article(long, Body::default(), ""),
        &links(),
        "新闻网",
        Some("编辑定的标题"),
        &same,
    );
    assert_eq!(r.title, "编辑定的标题");
}

#[test]
fn the_seed_on_weibo_counts_at_most_140_and_ends_with_its_address() {
    let r = weibo(&seed(), &links());
    println!("{}", r.text);
    assert!(
        weibo_length(&r.text) <= WEIBO_MAX,
        "{} counts {}",
        r.text,
        weibo_length(&r.text)
    );
    assert!(
        r.text.ends_with("https://news.example.edu.cn/articles/42"),
        "{}",
        r.text
    );
    assert!(r.text.starts_with("【主题教育】"), "{}", r.text);
    assert!(!r.text.contains('#'));
    // The summary is cut after a sentence.
    let before_link = r
        .text
        .trim_end_matches("https://news.example.edu.cn/articles/42")
        .trim_end();
    assert!(
        before_link.ends_with(['。', '！', '？', '】', '…']),
        "{before_link}"
    );
    assert!(
        !before_link.ends_with("党…"),
        "cut after a clause: {before_link}"
    );
}

#[test]
fn weibo_counts_chinese_as_one_ascii_as_half_and_links_as_short_links() {
    assert_eq!(weibo_length("新闻"), 2.0);
    assert_eq!(weibo_length("abcd"), 2.0);
    assert_eq!(weibo_length("abc"), 2.0, "rounded up");
    assert_eq!(
        weibo_length("看 https://news.example.edu.cn/articles/123456789"),
        (1.0 + 0.5 + WEIBO_LINK_WEIGHT).ceil()
    );
}
