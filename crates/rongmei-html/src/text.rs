//! Plain-text clean-up shared by single-line fields and the text inside HTML.

/// Cleans a single-line plain field (title, tag, byline, caption, comment): drops control and
/// invisible formatting characters, turns every kind of whitespace into one ASCII space, trims.
///
/// The result is still plain text: it is stored as TEXT and escaped when rendered, so escaping
/// here would show `&amp;` to readers.
pub fn sanitize_text_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    out.truncate(out.trim_end_matches(' ').len());
    out
}

/// Appends `s` to `out` with whitespace collapsed against what `out` already ends with, so text
/// split over several DOM nodes collapses as if it were one string. Never starts `out` with a
/// space.
pub(crate) fn push_collapsed(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !is_invisible(c) {
            out.push(c);
        }
    }
}

/// Characters that carry no text but can hide or reorder it: C0/C1 controls, zero-width spaces
/// and byte-order marks (WeChat and Word sprinkle these), and the bidi overrides that make a
/// title read differently from what is stored ("Trojan Source"). ZWJ/ZWNJ stay: emoji and some
/// scripts need them.
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFF9}'..='\u{FFFB}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_and_trims_without_escaping() {
        assert_eq!(
            sanitize_text_field("  \u{3000}标题\t<b> & \"引号\"\r\n\u{200B}第二行  "),
            "标题 <b> & \"引号\" 第二行"
        );
        assert_eq!(sanitize_text_field("a\u{0}b\u{7}c\u{202E}d"), "abcd");
        assert_eq!(sanitize_text_field("\u{a0}\u{a0}"), "");
        assert_eq!(sanitize_text_field("👩\u{200D}💻"), "👩\u{200D}💻");
    }
}
