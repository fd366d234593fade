//! Checks that HTML carries nothing executable, for tests here and in the crates that render
//! user content (pages, feeds, API), plus the shared list of XSS payloads they feed in.

use scraper::{Html, Node};

use crate::urls::has_script_scheme;

/// The XSS payloads of `fixtures/xss/payloads.txt` at the repository root: one a line, `#` lines
/// are comments. Compiled in so that every crate's tests use the same list without finding the
/// repository root at run time.
pub const XSS_PAYLOADS_FILE: &str = include_str!("../../../fixtures/xss/payloads.txt");

pub fn xss_payloads() -> impl Iterator<Item = &'static str> {
    XSS_PAYLOADS_FILE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Elements that must never come out of the sanitiser: they run code, load documents or change
/// how the page around them is read.
pub const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "form", "meta", "link", "base", "template", "noscript", "textarea", "input", "button",
];

/// Attributes whose value is a URL a browser may load or navigate to.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "lowsrc",
    "dynsrc",
    "ping",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeMarkup {
    #[error("forbidden element <{0}>")]
    Element(String),
    #[error("event handler attribute {attribute} on <{element}>")]
    EventHandler { element: String, attribute: String },
    #[error("style attribute on <{0}>")]
    Style(String),
    #[error("srcdoc attribute on <{0}>")]
    Srcdoc(String),
    #[error("script URL in {attribute}={value:?} on <{element}>")]
    ScriptUrl {
        element: String,
        attribute: String,
        value: String,
    },
}

/// Everything executable in an HTML fragment, as a browser would parse it. Empty means safe by
/// this crate's rules: no forbidden element, no `on*` handler, no `style`, no `srcdoc`, and no
/// URL attribute starting (whitespace and case aside) with `javascript:`, `vbscript:` or
/// `data:`.
pub fn find_unsafe(html: &str) -> Vec<UnsafeMarkup> {
    let doc = Html::parse_fragment(html);
    let mut found = Vec::new();
    for node in doc.root_element().descendants().skip(1) {
        let Node::Element(el) = node.value() else {
            continue;
        };
        let name = el.name().to_string();
        if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
            found.push(UnsafeMarkup::Element(name.clone()));
        }
        for (attr, value) in el.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") {
                found.push(UnsafeMarkup::EventHandler {
                    element: name.clone(),
                    attribute: attr,
                });
            } else if attr == "style" {
                found.push(UnsafeMarkup::Style(name.clone()));
            } else if attr == "srcdoc" {
                found.push(UnsafeMarkup::Srcdoc(name.clone()));
            } else if URL_ATTRIBUTES.contains(&attr.as_str()) && has_script_scheme(value) {
                found.push(UnsafeMarkup::ScriptUrl {
                    element: name.clone(),
                    attribute: attr,
                    value: value.to_string(),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_should() {
        assert!(find_unsafe("<p><a href=\"/x\">x</a><img src=\"/media/a.jpg\"></p>").is_empty());
        let found = find_unsafe(
            "<script>1</script><img src=x onerror=alert(1)><a href=' JaVa\tScRiPt:x'>a</a><p style=x>",
        );
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(
            find_unsafe("<svg><a xlink:href=\"data:text/html,x\"></a></svg>").len(),
            2
        );
    }

    #[test]
    fn payload_list_is_long_and_plain() {
        let n = xss_payloads().count();
        assert!(n >= 60, "only {n} payloads");
        assert!(xss_payloads().all(|p| !p.contains('\r')));
    }
}
