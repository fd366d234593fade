//! Checks shared by the integration tests.

#![allow(dead_code)]

use rongmei_core::Body;
use rongmei_html::audit::find_unsafe;
use rongmei_html::{body_from_html, sanitize_fragment};
use scraper::{Html, Node};

/// Tags and attributes the sanitiser may output: the allow-list, written out again so a change
/// to the sanitiser's list has to change this one too.
const ALLOWED: &[(&str, &[&str])] = &[
    ("p", &[]),
    ("br", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("strong", &[]),
    ("b", &[]),
    ("em", &[]),
    ("i", &[]),
    ("u", &[]),
    ("s", &[]),
    ("sub", &[]),
    ("sup", &[]),
    ("a", &["href", "title", "rel"]),
    ("ul", &[]),
    ("ol", &[]),
    ("li", &[]),
    ("blockquote", &[]),
    ("figure", &[]),
    ("figcaption", &[]),
    ("img", &["src", "alt", "width", "height"]),
    ("table", &[]),
    ("thead", &[]),
    ("tbody", &[]),
    ("tr", &[]),
    ("th", &["colspan", "rowspan"]),
    ("td", &["colspan", "rowspan"]),
];

pub fn assert_safe(context: &str, html: &str) {
    let found = find_unsafe(html);
    assert!(
        found.is_empty(),
        "{context}: unsafe markup {found:?} in\n{html}"
    );
}

/// Sanitiser output holds only allowed tags and attributes, links carry the fixed `rel`, and
/// image sources are web or media-library URLs.
pub fn assert_allowed_only(context: &str, html: &str) {
    let doc = Html::parse_fragment(html);
    for node in doc.root_element().descendants().skip(1) {
        let Node::Element(el) = node.value() else {
            continue;
        };
        let Some((_, attrs)) = ALLOWED.iter().find(|(t, _)| *t == el.name()) else {
            panic!("{context}: tag <{}> in\n{html}", el.name());
        };
        for (name, value) in el.attrs() {
            assert!(
                attrs.contains(&name),
                "{context}: attribute {name} on <{}> in\n{html}",
                el.name()
            );
            if name == "rel" {
                assert_eq!(value, "noopener noreferrer nofollow", "{context}");
            }
            if el.name() == "img" && name == "src" {
                assert!(
                    value.starts_with("http://")
                        || value.starts_with("https://")
                        || value.starts_with("/media/"),
                    "{context}: img src {value:?}"
                );
            }
        }
        if el.name() == "a" {
            assert_eq!(
                el.attr("rel"),
                Some("noopener noreferrer nofollow"),
                "{context}"
            );
        }
    }
}

/// Everything the crate promises for one input: sanitiser output is safe, allowed-only and
/// stable; the body built from it renders safe HTML that builds the same body again.
pub fn check_all(context: &str, input: &str) -> Body {
    let clean = sanitize_fragment(input);
    assert_safe(context, &clean);
    assert_allowed_only(context, &clean);
    assert_eq!(
        sanitize_fragment(&clean),
        clean,
        "{context}: sanitising twice changed the output of {input:?}"
    );

    let body = body_from_html(input);
    // Splitting into blocks loses no text (images' alt text is an attribute, not text). Input
    // without tags is plain text, taken literally, so its entities are not HTML's to decode.
    let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let clean_text: String = Html::parse_fragment(&clean).root_element().text().collect();
    if input.contains('<') {
        assert_eq!(
            visible(&body.to_text()),
            visible(&clean_text),
            "{context}: text lost between {clean:?} and {body:?}"
        );
    }
    let rendered = body.to_html();
    assert_safe(context, &rendered);
    let again = sanitize_fragment(&rendered);
    assert_eq!(
        sanitize_fragment(&again),
        again,
        "{context}: rendered body not stable"
    );
    assert_eq!(
        body_from_html(&rendered),
        body,
        "{context}: body changed through to_html of {input:?}"
    );
    body
}
