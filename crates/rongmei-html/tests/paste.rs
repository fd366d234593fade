//! Pastes from Microsoft Word and from a WeChat article keep their text, headings, bold, links
//! and images, and lose everything else.

mod common;

use common::check_all;
use rongmei_core::Block;
use rongmei_html::{body_from_html, sanitize_fragment};

const WORD: &str = include_str!("fixtures/word.html");
const WECHAT: &str = include_str!("fixtures/wechat.html");

fn p(text: &str) -> Block {
    Block::Paragraph { text: text.into() }
}
fn h(level: u8, text: &str) -> Block {
    Block::Heading {
        level,
        text: text.into(),
    }
}
fn html(html: &str) -> Block {
    Block::Html { html: html.into() }
}

fn assert_no_office_or_wechat_residue(clean: &str) {
    for residue in [
        "Mso", "mso-", "o:p", "<span", "<section", "style", "class", "file:", "data-src",
        "<script", "alert", "&nbsp;", "target", "<!--", "<meta", "<link", "<xml", "data:",
        "\u{200B}",
    ] {
        assert!(!clean.contains(residue), "{residue:?} left in\n{clean}");
    }
}

#[test]
fn word_paste_keeps_headings_bold_links_and_drops_the_rest() {
    let clean = sanitize_fragment(WORD);
    assert_no_office_or_wechat_residue(&clean);
    assert!(
        clean.contains("<h2>2024年新闻宣传工作会议召开</h2>"),
        "{clean}"
    );
    assert!(clean.contains("<b>新闻宣传工作会议</b>"), "{clean}");

    let body = check_all("word", WORD);
    assert_eq!(
        body.blocks,
        vec![
            h(2, "2024年新闻宣传工作会议召开"),
            html(
                "<p>5月23日下午，学校<b>新闻宣传工作会议</b>在行政楼召开。会议由党委宣传部部长主持。</p>"
            ),
            h(2, "一、总结成绩"),
            html(
                "<p>会议指出，过去一年全校新闻宣传工作成效显著，详见<a href=\"https://news.example.edu.cn/info/1002/12345.htm\" rel=\"noopener noreferrer nofollow\">学校新闻网</a>。</p>"
            ),
            // Word's list number stays as text; the bullet span's &nbsp; padding collapses.
            p("1. 坚持正确舆论导向；"),
            h(2, "二、部署任务"),
            // The picture was a local file: (clip_image002.jpg) no reader could load.
            html("<p><i>（摄影：张三）</i></p>"),
        ]
    );
}

#[test]
fn wechat_paste_keeps_paragraphs_bold_links_and_the_real_image() {
    let clean = sanitize_fragment(WECHAT);
    assert_no_office_or_wechat_residue(&clean);
    assert!(
        clean.contains(
            "<img src=\"https://mmbiz.qpic.cn/mmbiz_jpg/AbCdEf123/640?wx_fmt=jpeg&amp;from=appmsg\" alt=\"图片\">"
        ),
        "{clean}"
    );
    // The <p><br></p> spacers are gone: no empty paragraph anywhere.
    assert!(
        !clean.contains("<p></p>") && !clean.contains("<br>"),
        "{clean}"
    );

    let body = check_all("wechat", WECHAT);
    assert_eq!(
        body.blocks,
        vec![
            html("<p><strong>凝心聚力谱新篇</strong></p>"),
            // font-weight:bold spans become <strong>; &nbsp; becomes a plain space.
            html(
                "<p>6月18日，<strong>第十届校园文化节</strong>在体育馆开幕。来自全校的 3000 余名师生参加。</p>"
            ),
            Block::Image {
                src: "https://mmbiz.qpic.cn/mmbiz_jpg/AbCdEf123/640?wx_fmt=jpeg&from=appmsg".into(),
                alt: "图片".into(),
                caption: None,
            },
            p("开幕式现场"),
            html(
                "<p>校党委书记在致辞中表示，文化节是<a href=\"https://mp.weixin.qq.com/s/AbCdEfGhIj\" rel=\"noopener noreferrer nofollow\">校园文化建设</a>的重要载体。</p>"
            ),
            p("活动将持续一个月。"),
            p("文字：李四 摄影：王五"),
        ]
    );
}

#[test]
fn pastes_are_stable_through_render_and_back() {
    for (name, src) in [("word", WORD), ("wechat", WECHAT)] {
        let body = body_from_html(src);
        let rendered = body.to_html();
        assert_eq!(body_from_html(&rendered), body, "{name}");
        let clean = sanitize_fragment(&rendered);
        assert_eq!(sanitize_fragment(&clean), clean, "{name}");
    }
}
