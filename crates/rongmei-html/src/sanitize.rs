//! The allow-list: the security boundary every piece of HTML passes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

use crate::paste;
use crate::urls::{href_allowed, img_src_allowed, small_number};

pub(crate) const TAGS: &[&str] = &[
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// Removed together with everything inside: their content is code, styling or a nested document,
/// never article text. The paste clean-up drops these too; listing them here keeps the boundary
/// safe on its own.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript",
    "noembed", "noframes", "xmp", "textarea", "title", "select", "frameset", "applet",
];

pub(crate) const LINK_REL: &str = "noopener noreferrer nofollow";

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(allow_list);

/// The allow-list every fragment passes; relative URLs pass through as they are.
fn allow_list() -> Builder<'static> {
    let mut b = Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "title"])),
            ("img", HashSet::from(["src", "alt", "width", "height"])),
            // Word tables merge cells; without the spans the columns no longer line up.
            ("td", HashSet::from(["colspan", "rowspan"])),
            ("th", HashSet::from(["colspan", "rowspan"])),
        ]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    b
}

/// Narrower than ammonia's scheme list: images only from the web or our own media folder, sizes
/// only as plain numbers.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let ok = match (element, attribute) {
        ("a", "href") => href_allowed(value),
        ("img", "src") => img_src_allowed(value),
        ("img", "width" | "height") => small_number(value, 5),
        ("td" | "th", "colspan" | "rowspan") => small_number(value, 3),
        _ => true,
    };
    ok.then_some(Cow::Borrowed(value))
}

/// Sanitises an HTML fragment from any source (editor, API, importer, a paste from Word or
/// WeChat) into the allowed subset. The result is stable: sanitising it again returns it
/// unchanged.
pub fn sanitize_fragment(html: &str) -> String {
    SANITIZER.clean(&paste::normalize(html)).to_string()
}

/// The allow-list alone, for tests that check the boundary holds without the clean-up's help.
#[doc(hidden)]
pub fn allow_list_only(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Makes every relative `href` and `src` in sanitised HTML absolute against the site's base
/// URL: what leaves the site — the API, feeds, exports, other platforms — must not depend on
/// being read at our address. Built once per base; the allow-list has no `srcset`, so that needs
/// no rewriting.
pub struct Absolutizer(Builder<'static>);

impl Absolutizer {
    pub fn new(base: &url::Url) -> Absolutizer {
        let mut b = allow_list();
        b.url_relative(UrlRelative::RewriteWithBase(base.clone()));
        Absolutizer(b)
    }

    pub fn apply(&self, html: &str) -> String {
        self.0.clean(html).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_become_absolute_and_nothing_else_changes() {
        let base = url::Url::parse("https://news.example.edu.cn/").unwrap();
        let html = "<p><a href=\"/articles/7\">上一篇</a> <a href=\"https://x.example/\">外链</a></p>\
                    <figure><img src=\"/media/ab/abc.jpg\" alt=\"会场\"></figure>";
        let out = Absolutizer::new(&base).apply(html);
        assert!(
            out.contains("href=\"https://news.example.edu.cn/articles/7\""),
            "{out}"
        );
        assert!(
            out.contains("src=\"https://news.example.edu.cn/media/ab/abc.jpg\""),
            "{out}"
        );
        assert!(out.contains("href=\"https://x.example/\""), "{out}");
        assert!(
            out.contains("上一篇") && out.contains("alt=\"会场\""),
            "{out}"
        );
    }

    // The tests below go through `allow_list_only`: the boundary must hold on its own, as if the
    // paste clean-up had let everything through.

    const REL: &str = "rel=\"noopener noreferrer nofollow\"";

    #[test]
    fn the_allow_list_keeps_allowed_markup_exactly() {
        let html = "<h2>西安交通大学举行2024届毕业典礼</h2>\
                    <p>校长在典礼上致辞，<strong>8000余名</strong>毕业生参加。</p>\
                    <blockquote><p>青春由磨砺而出彩。</p></blockquote>";
        assert_eq!(allow_list_only(html), html);
    }

    #[test]
    fn a_link_keeps_only_a_safe_target() {
        assert_eq!(
            allow_list_only(
                r#"<a href="https://www.xjtu.edu.cn/" title="西安交通大学">交大主页</a>"#
            ),
            format!(
                r#"<a href="https://www.xjtu.edu.cn/" title="西安交通大学" {REL}>交大主页</a>"#
            )
        );
        // An empty target reloads the page the reader is on: the link loses it, the text stays.
        for href in ["", "   "] {
            assert_eq!(
                allow_list_only(&format!(r#"<a href="{href}">阅读原文</a>"#)),
                format!("<a {REL}>阅读原文</a>"),
                "{href:?}"
            );
        }
    }

    #[test]
    fn images_come_only_from_the_web_or_the_media_library() {
        for src in [
            "https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg",
            "/media/2024/05/graduation.jpg",
        ] {
            let html = format!(r#"<img src="{src}" alt="毕业典礼现场">"#);
            assert_eq!(allow_list_only(&html), html);
        }
        for src in [
            // Another site's tracker, protocol-relative so it passes as a relative URL.
            "//evil.example/track.gif",
            // A same-origin endpoint loaded by every reader's browser.
            "/api/v1/articles/7/retract",
            // Word's local file, which no reader has.
            "clip_image002.jpg",
            "mailto:news@xjtu.edu.cn",
        ] {
            assert_eq!(
                allow_list_only(&format!(r#"<img src="{src}" alt="毕业典礼现场">"#)),
                r#"<img alt="毕业典礼现场">"#,
                "{src}"
            );
        }
    }

    #[test]
    fn image_sizes_are_plain_numbers_of_at_most_five_digits() {
        let html = r#"<img src="/media/a.jpg" alt="会场" width="640" height="480">"#;
        assert_eq!(allow_list_only(html), html);
        for (width, height) in [("100%", "auto"), ("999999", "-1"), ("640px", "")] {
            assert_eq!(
                allow_list_only(&format!(
                    r#"<img src="/media/a.jpg" alt="会场" width="{width}" height="{height}">"#
                )),
                r#"<img src="/media/a.jpg" alt="会场">"#,
                "{width} {height}"
            );
        }
    }

    #[test]
    fn table_spans_are_plain_numbers_of_at_most_three_digits() {
        let table = |attrs: &str| {
            allow_list_only(&format!(
                "<table><tbody><tr><th{attrs}>学院</th><td{attrs}>录取人数</td></tr></tbody></table>"
            ))
        };
        assert_eq!(
            table(r#" colspan="2" rowspan="120""#),
            r#"<table><tbody><tr><th colspan="2" rowspan="120">学院</th><td colspan="2" rowspan="120">录取人数</td></tr></tbody></table>"#
        );
        for attrs in [
            r#" colspan="1000""#,
            r#" rowspan="-1""#,
            r#" colspan="2;x""#,
        ] {
            assert_eq!(
                table(attrs),
                "<table><tbody><tr><th>学院</th><td>录取人数</td></tr></tbody></table>",
                "{attrs}"
            );
        }
    }
}
