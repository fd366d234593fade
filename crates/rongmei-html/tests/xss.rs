//! Every payload of fixtures/xss/payloads.txt, through every entry point.

mod common;

use common::{assert_safe, check_all};
use rongmei_core::body::escape_html;
use rongmei_html::audit::xss_payloads;
use rongmei_html::{allow_list_only, sanitize_text_field};

#[test]
fn payload_file_has_at_least_60_payloads() {
    let n = xss_payloads().count();
    assert!(n >= 60, "{n} payloads");
}

#[test]
fn every_payload_is_neutralised_as_body_html() {
    for (i, payload) in xss_payloads().enumerate() {
        check_all(&format!("payload {i}: {payload}"), payload);
    }
}

#[test]
fn the_allow_list_alone_holds() {
    for payload in xss_payloads() {
        assert_safe(payload, &allow_list_only(payload));
    }
}

#[test]
fn payloads_as_text_fields_stay_text() {
    for payload in xss_payloads() {
        let field = sanitize_text_field(payload);
        // Stored as text, escaped once by the renderer: nothing of it may parse as markup.
        let rendered = format!("<h1>{}</h1>", escape_html(&field));
        let doc = scraper::Html::parse_fragment(&rendered);
        let elements = doc.root_element().descendent_elements().count();
        assert_eq!(elements, 2, "{payload}: {rendered}");
        assert_eq!(
            field.matches('<').count(),
            payload.matches('<').count(),
            "the field must keep its text as typed, not escape it: {field}"
        );
    }
}

#[test]
fn known_vectors_lose_exactly_the_dangerous_part() {
    let clean = rongmei_html::sanitize_fragment(
        r#"<a href="https://ok.example/" target="_blank" onclick="x()">link</a>"#,
    );
    assert_eq!(
        clean,
        r#"<p><a href="https://ok.example/" rel="noopener noreferrer nofollow">link</a></p>"#
    );
    let clean = rongmei_html::sanitize_fragment(r#"<a href="jav&#x09;ascript:alert(1)">x</a>"#);
    assert_eq!(clean, "<p>x</p>");
    let clean =
        rongmei_html::sanitize_fragment("<p>a<script>alert(1)</script>b<style>p{}</style></p>");
    assert_eq!(clean, "<p>ab</p>");
}
