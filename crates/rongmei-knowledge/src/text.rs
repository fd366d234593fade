//! The article as the rules see it: one char array (title, newline, body), sentence bounds for
//! evidence, and masks for spans the guidelines exclude (《》 titles, quoted themes).

use std::collections::HashSet;

/// Evidence longer than this is cut to a window around the mention.
const EVIDENCE_MAX: usize = 120;
/// A quoted theme or slogan is short; longer quotes are reported speech.
const QUOTE_THEME_MAX: usize = 40;

pub(crate) struct Doc {
    pub chars: Vec<char>,
    /// The same text as a string, for automata that work on bytes.
    pub text: String,
    /// Char index of every byte offset of `text` (and of its end).
    pub byte_to_char: Vec<u32>,
    /// Whether each char is inside a 《》 title (names there are not mentions).
    pub in_book: Vec<bool>,
    /// For each char inside a quoted theme “…”, the (start, end) of the quoted content.
    pub quote: Vec<Option<(usize, usize)>>,
}

impl Doc {
    pub fn new(title: &str, body: &str) -> Self {
        let mut chars: Vec<char> = Vec::with_capacity(title.len() / 3 + body.len() / 3 + 2);
        chars.extend(title.chars());
        chars.push('\n');
        chars.extend(body.chars());
        let n = chars.len();
        let mut in_book = vec![false; n];
        let mut depth = 0usize;
        for (i, &c) in chars.iter().enumerate() {
            match c {
                '《' => depth += 1,
                '》' => depth = depth.saturating_sub(1),
                // A title never spans paragraphs; an unmatched 《 must not swallow the article.
                '\n' => depth = 0,
                _ => {}
            }
            in_book[i] = depth > 0 && c != '《';
        }
        let mut quote = vec![None; n];
        let mut open: Option<usize> = None;
        for i in 0..n {
            match chars[i] {
                '“' => open = Some(i + 1),
                '”' => {
                    // Reported speech (long, or whole sentences) is text like any other; only
                    // short quoted themes and titles hide the names in them.
                    if let Some(s) = open.take()
                        && i - s <= QUOTE_THEME_MAX
                        && !chars[s..i].iter().any(|c| matches!(c, '。' | '！' | '？'))
                    {
                        for q in quote.iter_mut().take(i).skip(s) {
                            *q = Some((s, i));
                        }
                    }
                }
                '\n' => open = None,
                _ => {}
            }
        }
        let text: String = chars.iter().collect();
        let mut byte_to_char = vec![0u32; text.len() + 1];
        for (ci, (bi, c)) in text.char_indices().enumerate() {
            for slot in byte_to_char.iter_mut().skip(bi).take(c.len_utf8()) {
                *slot = ci as u32;
            }
        }
        byte_to_char[text.len()] = chars.len() as u32;
        Doc {
            chars,
            text,
            byte_to_char,
            in_book,
            quote,
        }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn at(&self, i: usize) -> char {
        self.chars.get(i).copied().unwrap_or('\0')
    }

    pub fn slice(&self, s: usize, e: usize) -> String {
        let e = e.min(self.chars.len());
        let s = s.min(e);
        self.chars[s..e].iter().collect()
    }

    /// Whether `chars[i..]` starts with `word`.
    pub fn starts_with(&self, i: usize, word: &str) -> bool {
        (i..).zip(word.chars()).all(|(j, c)| self.at(j) == c)
    }

    /// Whether `chars[..e]` ends with `word`.
    pub fn ends_with(&self, e: usize, word: &str) -> bool {
        let n = word.chars().count();
        e >= n && self.starts_with(e - n, word)
    }

    /// A mention at `s..e` the guidelines do not count: inside a 《》 title, or inside a quoted
    /// theme unless the quotes hold exactly the name (or the name plus a suffix like 奖学金).
    pub fn excluded(&self, s: usize, e: usize) -> bool {
        if s >= e || e > self.len() {
            return true;
        }
        if self.in_book[s] {
            return true;
        }
        if let Some((qs, qe)) = self.quote[s] {
            return !(qs == s && qe == e);
        }
        false
    }

    /// The sentence around `pos` (split on 。！？ and newlines), at most 120 chars.
    pub fn evidence(&self, pos: usize, end: usize) -> String {
        let is_end = |c: char| matches!(c, '。' | '！' | '？' | '\n' | '!' | '?');
        let mut s = pos.min(self.len());
        while s > 0 && !is_end(self.chars[s - 1]) {
            s -= 1;
        }
        let mut e = end.min(self.len());
        while e < self.len() && !is_end(self.chars[e]) {
            e += 1;
        }
        if e < self.len() && self.chars[e] != '\n' {
            e += 1;
        }
        while s < e && self.chars[s].is_whitespace() {
            s += 1;
        }
        while e > s && self.chars[e - 1].is_whitespace() {
            e -= 1;
        }
        if e - s > EVIDENCE_MAX {
            // Keep the mention inside the window, as close to its centre as the sentence allows.
            let mid = (pos + end) / 2;
            let half = EVIDENCE_MAX / 2;
            let ws = mid.saturating_sub(half).max(s).min(e - EVIDENCE_MAX);
            return self.slice(ws, ws + EVIDENCE_MAX);
        }
        self.slice(s, e)
    }

    /// Every start index of `needle` (non-overlapping scan is not needed: names are short).
    pub fn find_all(&self, needle: &[char]) -> Vec<usize> {
        let mut out = Vec::new();
        if needle.is_empty() || needle.len() > self.len() {
            return out;
        }
        for i in 0..=self.len() - needle.len() {
            if self.chars[i] == needle[0] && self.chars[i..i + needle.len()] == *needle {
                out.push(i);
            }
        }
        out
    }
}

pub(crate) fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Punctuation that closes a phrase.
pub(crate) fn is_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | '（'
            | '）'
            | '('
            | ')'
            | '【'
            | '】'
            | '['
            | ']'
            | '“'
            | '”'
            | '"'
            | '‘'
            | '’'
            | '《'
            | '》'
            | '\n'
            | ' '
            | '\u{3000}'
            | '\t'
            | '—'
            | '-'
            | '…'
            | '·'
            | '•'
            | '/'
            | '|'
    )
}

/// A word list file: words separated by whitespace, `#` lines are comments.
pub(crate) fn words(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split_whitespace())
}

/// A char list file: every CJK char outside comment lines.
pub(crate) fn char_set(data: &str) -> HashSet<char> {
    data.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.chars())
        .filter(|c| is_cjk(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_the_sentence() {
        let d = Doc::new("标题", "第一句。成进表示，要坚持。第三句");
        let p = d.find_all(&['成', '进'])[0];
        assert_eq!(d.evidence(p, p + 2), "成进表示，要坚持。");
    }

    #[test]
    fn long_sentence_is_trimmed_around_mention() {
        let body = format!("{}张三{}", "啊".repeat(300), "哦".repeat(300));
        let d = Doc::new("", &body);
        let p = d.find_all(&['张', '三'])[0];
        let ev = d.evidence(p, p + 2);
        assert_eq!(ev.chars().count(), 120);
        assert!(ev.contains("张三"));
    }

    #[test]
    fn book_titles_and_quoted_themes_are_excluded() {
        let d = Doc::new("", "学习《中国青年报》和“讲中国故事”以及“中国青年报”");
        let hits = d.find_all(&['中', '国']);
        assert!(d.excluded(hits[0], hits[0] + 5));
        assert!(d.excluded(hits[1], hits[1] + 2));
        assert!(!d.excluded(hits[2], hits[2] + 5));
    }

    #[test]
    fn unmatched_brackets_do_not_panic() {
        let d = Doc::new("《", "“未闭合《标题\n下一段”》");
        assert!(!d.excluded(d.len() - 3, d.len() - 2));
        let _ = d.evidence(0, d.len());
        let _ = d.evidence(d.len(), d.len());
    }
}
