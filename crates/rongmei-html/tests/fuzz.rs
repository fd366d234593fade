//! Random HTML-ish input from a grammar of tags, attributes and payload fragments: the output
//! must be safe, allowed-only and stable, and bodies must survive render and back.
//!
//! 512 cases by default so `cargo test` stays fast; `PROPTEST_CASES=20000` for a longer run.

mod common;

use common::check_all;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

const TAGS: &[&str] = &[
    "p",
    "br",
    "h1",
    "h2",
    "h3",
    "h5",
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
    "caption",
    "section",
    "div",
    "span",
    "font",
    "o:p",
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "mtext",
    "mglyph",
    "form",
    "input",
    "meta",
    "link",
    "base",
    "noscript",
    "template",
    "textarea",
    "title",
    "xmp",
    "noembed",
    "select",
    "option",
    "details",
    "video",
    "source",
    "marquee",
    "foreignObject",
    "desc",
    "animate",
    "set",
    "annotation-xml",
    "frameset",
    "body",
    "html",
    "head",
    "plaintext",
];

const ATTRS: &[&str] = &[
    "href",
    "src",
    "data-src",
    "alt",
    "title",
    "width",
    "height",
    "colspan",
    "rowspan",
    "style",
    "class",
    "id",
    "onerror",
    "onload",
    "onclick",
    "ONMOUSEOVER",
    "target",
    "rel",
    "srcdoc",
    "action",
    "formaction",
    "xlink:href",
    "xmlns",
    "background",
    "srcset",
    "data",
    "encoding",
    "attributeName",
    "to",
    "values",
    "is",
    "lang",
];

const VALUES: &[&str] = &[
    "https://news.example.edu.cn/a.html",
    "http://x.example/p.jpg",
    "/media/2024/a.jpg",
    "/media/../etc",
    "//evil.example/x.js",
    "a.jpg",
    "mailto:a@b.example",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml;base64,PHN2Zz4=",
    "\"><script>alert(1)</script>",
    "' onerror='alert(1)",
    "x onerror=alert(1)",
    "font-weight:bold",
    "display:none",
    "expression(alert(1))",
    "background:url(javascript:alert(1))",
    "text/html",
    "MsoNormal",
    "MsoTitle",
    "100",
    "2",
    "_blank",
    "</style><img src=x onerror=alert(1)>",
    "",
];

const TEXT: &[&str] = &[
    "新闻",
    "凝聚合力 创新路径",
    "。",
    " ",
    "\n",
    "\t",
    "&nbsp;",
    "&amp;",
    "&lt;script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "<",
    ">",
    "\"",
    "'",
    "&",
    "\u{0}",
    "\u{200B}",
    "\u{202E}",
    "\u{3000}",
    "<!--",
    "-->",
    "<!-- c -->",
    "<![CDATA[",
    "]]>",
    "<!--[if gte mso 9]><xml></xml><![endif]-->",
    "<![if !supportLists]>",
    "<![endif]>",
    "</",
    "<?xml ?>",
    "<!DOCTYPE html>",
    "alert(1)",
    "{{constructor.constructor('alert(1)')()}}",
];

fn attribute() -> impl Strategy<Value = String> {
    (
        prop::sample::select(ATTRS),
        prop::sample::select(VALUES),
        0..4u8,
    )
        .prop_map(|(name, value, quoting)| match quoting {
            0 => format!(" {name}=\"{}\"", value.replace('"', "&quot;")),
            1 => format!(" {name}='{value}'"),
            2 => format!(" {name}={value}"),
            _ => format!(" {name}"),
        })
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (prop::sample::select(TAGS), prop::collection::vec(attribute(), 0..4), any::<bool>())
            .prop_map(|(tag, attrs, self_close)| {
                format!("<{tag}{}{}>", attrs.concat(), if self_close { "/" } else { "" })
            }),
        2 => prop::sample::select(TAGS).prop_map(|tag| format!("</{tag}>")),
        3 => prop::sample::select(TEXT).prop_map(str::to_string),
        1 => prop::sample::select(rongmei_html::audit::xss_payloads().collect::<Vec<_>>())
            .prop_map(str::to_string),
    ]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    })]

    #[test]
    fn random_html_is_safe_stable_and_round_trips(tokens in prop::collection::vec(token(), 0..40)) {
        let input = tokens.concat();
        check_all(&input, &input);
    }
}
