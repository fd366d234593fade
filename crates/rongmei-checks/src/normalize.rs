//! The matching copy of a text: variants that writers, paste-ins and evasions produce are folded
//! together so one dictionary entry catches them, while every character keeps a pointer back to
//! the original so a hit can be shown where the editor typed it.

use rongmei_core::body::is_cjk;

/// A normalised copy of a text and, for each of its bytes, the char index in the original text of
/// the char that byte came from.
#[derive(Debug, Clone)]
pub(crate) struct Normalized {
    pub text: String,
    origin: Vec<usize>,
}

impl Normalized {
    /// The original char span of the normalised byte range `start..end`, which must lie on char
    /// boundaries of `text` (Aho-Corasick matches of UTF-8 patterns do). Zero-width characters and
    /// spaces that were dropped from the middle of a match belong to the span, so the editor
    /// highlights exactly what has to be retyped.
    pub fn original_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end {
            return None;
        }
        let first = *self.origin.get(start)?;
        let last = *self.origin.get(end - 1)?;
        Some((first, last + 1))
    }
}

/// Characters that render as nothing: pasted from WeChat or inserted on purpose to split a word.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{2060}')
}

/// Full-width ASCII to half-width and ASCII to lower case: one character in, one out, so offsets
/// stay a simple per-char mapping.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    };
    c.to_ascii_lowercase()
}

pub(crate) fn normalize(s: &str) -> Normalized {
    let mut text = String::with_capacity(s.len());
    let mut origin = Vec::with_capacity(s.len());
    let mut prev_kept_cjk = false;
    for (i, (byte, c)) in s.char_indices().enumerate() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() && prev_kept_cjk && next_visible_is_cjk(&s[byte + c.len_utf8()..]) {
            // Chinese has no spaces between words, so a space between two hanzi is either layout
            // noise or an attempt to split a word past a filter; either way it must not hide it.
            continue;
        }
        let f = fold(c);
        text.push(f);
        origin.resize(text.len(), i);
        prev_kept_cjk = is_cjk(f);
    }
    Normalized { text, origin }
}

fn next_visible_is_cjk(rest: &str) -> bool {
    rest.chars()
        .find(|c| !c.is_whitespace() && !is_invisible(*c))
        .is_some_and(is_cjk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_drops_invisible_and_cjk_spaces() {
        assert_eq!(normalize("ＡＢＣ１２３").text, "abc123");
        assert_eq!(normalize("Hello World").text, "hello world");
        assert_eq!(normalize("其\u{200B}它").text, "其它");
        assert_eq!(normalize("其\u{FEFF}\u{2060}\u{200D}它").text, "其它");
        assert_eq!(normalize("其 它").text, "其它");
        assert_eq!(normalize("其\u{3000} \t它").text, "其它");
        assert_eq!(normalize("其 \u{200B} 它").text, "其它");
        // Spaces next to Latin text are real word separators and stay.
        assert_eq!(normalize("用 CMS 写").text, "用 cms 写");
        assert_eq!(normalize("a b").text, "a b");
        assert_eq!(normalize("，").text, ",");
    }

    #[test]
    fn spans_map_back_to_original_chars() {
        let src = "一二 其\u{200B} 它三";
        let n = normalize(src);
        assert_eq!(n.text, "一二其它三");
        let b = n.text.find("其它").unwrap_or(0);
        let (s, e) = n.original_span(b, b + "其它".len()).unwrap_or((0, 0));
        let orig: String = src.chars().skip(s).take(e - s).collect();
        assert_eq!(orig, "其\u{200B} 它");
        assert_eq!((s, e), (3, 7));
    }

    #[test]
    fn full_width_span_maps_one_to_one() {
        let src = "说ＦＵＣＫ了";
        let n = normalize(src);
        let b = n.text.find("fuck").unwrap_or(0);
        assert_eq!(n.original_span(b, b + 4), Some((1, 5)));
    }

    #[test]
    fn empty_range_has_no_span() {
        assert_eq!(normalize("abc").original_span(1, 1), None);
        assert_eq!(normalize("abc").original_span(2, 9), None);
    }
}
