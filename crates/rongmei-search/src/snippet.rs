//! Highlighting and snippets over the stored text.
//!
//! tantivy's SnippetGenerator marks single tokens, which with search-mode segmentation
//! gives `<mark>融媒体</mark><mark>中心</mark>` or overlapping marks; here every occurrence
//! of a query word or phrase is marked on the folded text, and touching marks become one.

use crate::analysis::{Analyzer, fold_char, is_word_char};

/// Target snippet length in characters.
pub(crate) const SNIPPET_CHARS: usize = 120;
const MAX_FRAGMENTS: usize = 3;
const MIN_FRAGMENT_CHARS: usize = 40;
/// Hits closer than this belong to the same fragment.
const CLUSTER_GAP: usize = 30;
const MAX_NEEDLES: usize = 64;
const ELLIPSIS: &str = "…";

struct Marked {
    chars: Vec<char>,
    folded: Vec<char>,
    /// Per character: bit set of the needles covering it (0 = not marked).
    cover: Vec<u64>,
}

fn mark(text: &str, needles: &[Vec<char>]) -> Marked {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = chars.iter().map(|&c| fold_char(c)).collect();
    let mut cover = vec![0u64; chars.len()];
    for (k, needle) in needles.iter().enumerate().take(MAX_NEEDLES) {
        let n = needle.len();
        if n == 0 || n > folded.len() {
            continue;
        }
        // A Latin needle must not light up inside a longer word ("ai" in "said").
        let word_start = is_word_char(needle[0]);
        let word_end = is_word_char(needle[n - 1]);
        let first = needle[0];
        let mut i = 0;
        while i + n <= folded.len() {
            // Checking the first character before comparing slices: a slice comparison
            // at every position of a long body was most of the snippet's cost.
            if folded[i] == first
                && folded[i..i + n] == needle[..]
                && !(word_start && i > 0 && is_word_char(folded[i - 1]))
                && !(word_end && i + n < folded.len() && is_word_char(folded[i + n]))
            {
                for c in &mut cover[i..i + n] {
                    *c |= 1 << k;
                }
            }
            i += 1;
        }
    }
    Marked {
        chars,
        folded,
        cover,
    }
}

pub(crate) fn prepare_needles(needles: &[String]) -> Vec<Vec<char>> {
    needles.iter().map(|n| n.chars().collect()).collect()
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        '\n' | '\r' | '\t' => out.push(' '),
        c => out.push(c),
    }
}

fn render(out: &mut String, m: &Marked, start: usize, end: usize) {
    let mut open = false;
    for i in start..end {
        let marked = m.cover[i] != 0;
        if marked && !open {
            out.push_str("<mark>");
            open = true;
        } else if !marked && open {
            out.push_str("</mark>");
            open = false;
        }
        escape_into(out, m.chars[i]);
    }
    if open {
        out.push_str("</mark>");
    }
}

/// The whole text, escaped, with every needle occurrence marked.
pub(crate) fn highlight(text: &str, needles: &[Vec<char>]) -> String {
    let m = mark(text, needles);
    let mut out = String::with_capacity(text.len() + 32);
    render(&mut out, &m, 0, m.chars.len());
    out
}

/// How good a place between `prev` and `next` is to start or end a fragment: 2 after a
/// sentence end, 1 after a comma-like mark or a space, 0 elsewhere. Marks between digits
/// (15:00, 3.5, 1,000) are part of the number.
fn break_strength(before: Option<char>, prev: char, next: Option<char>) -> u8 {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let digits_around = digit(before) && digit(next);
    match prev {
        '。' | '！' | '？' | '；' | '!' | '?' | '\n' => 2,
        ';' | '，' | '、' | '：' | ',' | ':' | '.' if !digits_around => 1,
        c if c.is_whitespace() => 1,
        _ => 0,
    }
}

fn strength_at(m: &Marked, i: usize) -> u8 {
    if i == 0 || i > m.chars.len() {
        return 0;
    }
    let before = i.checked_sub(2).map(|j| m.chars[j]);
    break_strength(before, m.chars[i - 1], m.chars.get(i).copied())
}

/// Character index in `[lo, hi]` where a fragment may start: the first sentence start,
/// else the first clause start, else a word start, else `lo`.
fn snap_start(m: &Marked, analyzer: &Analyzer, lo: usize, hi: usize) -> usize {
    if lo == 0 {
        return 0;
    }
    for want in [2, 1] {
        if let Some(p) = (lo..=hi).find(|&i| strength_at(m, i) >= want) {
            return p;
        }
    }
    word_boundary(m, analyzer, lo, hi, true)
}

/// Character index in `[lo, hi]` where a fragment may end: the last sentence end, else
/// the last clause end, else a word boundary, else `hi`.
fn snap_end(m: &Marked, analyzer: &Analyzer, lo: usize, hi: usize) -> usize {
    if hi >= m.chars.len() {
        return m.chars.len();
    }
    // A sentence end only counts if it keeps most of the room; otherwise a clause end.
    let min_sentence = lo + (hi - lo) / 2;
    if let Some(p) = (min_sentence..=hi).rev().find(|&i| strength_at(m, i) >= 2) {
        return p;
    }
    if let Some(p) = (lo..=hi).rev().find(|&i| strength_at(m, i) >= 1) {
        return p;
    }
    word_boundary(m, analyzer, lo, hi, false)
}

/// A word boundary within `[lo, hi]` from jieba's segmentation of that stretch (Latin
/// words count as one), the first one if `first`, else the last one.
fn word_boundary(m: &Marked, analyzer: &Analyzer, lo: usize, hi: usize, first: bool) -> usize {
    let from = lo.saturating_sub(8);
    let to = (hi + 8).min(m.folded.len());
    let window: String = m.folded[from..to].iter().collect();
    let mut boundaries: Vec<usize> = Vec::new();
    let mut starts = analyzer.word_starts(&window).into_iter().peekable();
    for (char_idx, (byte, _)) in (from..).zip(window.char_indices()) {
        while starts.peek().is_some_and(|&s| s < byte) {
            starts.next();
        }
        if starts.peek() == Some(&byte) {
            boundaries.push(char_idx);
        }
    }
    boundaries.push(to);
    let inside = boundaries.into_iter().filter(|&b| b >= lo && b <= hi);
    let pick = if first { inside.min() } else { inside.max() };
    pick.unwrap_or(if first { lo } else { hi })
}

/// About [`SNIPPET_CHARS`] characters of `body` around the needles, cut at word or
/// punctuation boundaries, with hits far apart shown as separate fragments joined by `…`.
pub(crate) fn snippet(body: &str, needles: &[Vec<char>], analyzer: &Analyzer) -> String {
    let m = mark(body, needles);
    let n = m.chars.len();
    if n == 0 {
        return String::new();
    }

    // Marked spans, then clusters of spans close together.
    let mut clusters: Vec<(usize, usize, u64, usize)> = Vec::new(); // start, end, needles, hits
    let mut i = 0;
    while i < n {
        if m.cover[i] == 0 {
            i += 1;
            continue;
        }
        let s = i;
        let mut bits = 0;
        while i < n && m.cover[i] != 0 {
            bits |= m.cover[i];
            i += 1;
        }
        match clusters.last_mut() {
            Some(last) if s - last.1 <= CLUSTER_GAP => {
                last.1 = i;
                last.2 |= bits;
                last.3 += 1;
            }
            _ => clusters.push((s, i, bits, 1)),
        }
    }

    let mut chosen: Vec<(usize, usize)> = Vec::new();
    if clusters.is_empty() {
        chosen.push((0, 0));
    } else {
        // Greedy: the richest cluster first, then clusters that show needles not yet
        // shown; repeated hits of the same words are not worth a second fragment.
        let mut order: Vec<usize> = (0..clusters.len()).collect();
        order.sort_by_key(|&k| {
            let c = clusters[k];
            (
                std::cmp::Reverse(c.2.count_ones()),
                std::cmp::Reverse(c.3),
                c.0,
            )
        });
        let mut seen = 0u64;
        for k in order {
            let c = clusters[k];
            if chosen.is_empty() || c.2 & !seen != 0 {
                chosen.push((c.0, c.1));
                seen |= c.2;
            }
            if chosen.len() == MAX_FRAGMENTS {
                break;
            }
        }
        chosen.sort_unstable();
    }

    let budget = (SNIPPET_CHARS / chosen.len()).max(MIN_FRAGMENT_CHARS);
    let mut frags: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in &chosen {
        let (start, end) = if s == e {
            (
                0,
                snap_end(&m, analyzer, budget.min(n) * 2 / 3, budget.min(n)),
            )
        } else {
            let span = e - s;
            let slack = budget.saturating_sub(span);
            // A little context before the hit, most of it after: Chinese sentences put
            // the news after the subject.
            let mut lo = s.saturating_sub(slack / 3);
            let hi = (lo + budget).max(e).min(n);
            if hi == n {
                lo = n.saturating_sub(budget.max(span)).min(lo);
            }
            let start = snap_start(&m, analyzer, lo, s);
            let end = snap_end(&m, analyzer, e, hi);
            (start, end.max(e))
        };
        match frags.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => frags.push((start, end)),
        }
    }

    let mut out = String::with_capacity(SNIPPET_CHARS * 4 + 64);
    if frags.first().is_some_and(|f| f.0 > 0) {
        out.push_str(ELLIPSIS);
    }
    for (k, &(start, end)) in frags.iter().enumerate() {
        if k > 0 {
            out.push_str(ELLIPSIS);
        }
        let (mut a, mut b) = (start, end);
        while a < b && m.chars[a].is_whitespace() {
            a += 1;
        }
        while b > a && m.chars[b - 1].is_whitespace() {
            b -= 1;
        }
        render(&mut out, &m, a, b);
    }
    if frags.last().is_some_and(|f| f.1 < n) {
        out.push_str(ELLIPSIS);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needles(list: &[&str]) -> Vec<Vec<char>> {
        prepare_needles(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn adjacent_marks_merge_and_html_is_escaped() {
        let h = highlight(
            "<b>融媒体中心</b> & 西迁精神",
            &needles(&["融媒体", "中心", "西迁"]),
        );
        assert_eq!(
            h,
            "&lt;b&gt;<mark>融媒体中心</mark>&lt;/b&gt; &amp; <mark>西迁</mark>精神"
        );
    }

    #[test]
    fn traditional_text_is_marked_through_folding() {
        let h = highlight("弘揚西遷精神", &needles(&["西迁精神"]));
        assert_eq!(h, "弘揚<mark>西遷精神</mark>");
    }

    #[test]
    fn latin_needles_respect_word_edges() {
        let h = highlight("AI said: ai", &needles(&["ai"]));
        assert_eq!(h, "<mark>AI</mark> said: <mark>ai</mark>");
    }

    #[test]
    fn far_hits_give_two_fragments() {
        let a = Analyzer::new("", "");
        let filler = "这是一段与查询毫无关系的填充文字，用来拉开两个命中之间的距离。".repeat(10);
        let body = format!("开头提到西迁精神。{filler}结尾提到创新港的建设。{filler}");
        let s = snippet(&body, &needles(&["西迁精神", "创新港"]), &a);
        assert!(s.contains("<mark>西迁精神</mark>"), "{s}");
        assert!(s.contains("<mark>创新港</mark>"), "{s}");
        assert!(s.matches('…').count() >= 2, "{s}");
        let visible = s.replace("<mark>", "").replace("</mark>", "");
        assert!(visible.chars().count() <= SNIPPET_CHARS + 20, "{visible}");
    }

    #[test]
    fn no_hit_gives_the_opening() {
        let a = Analyzer::new("", "");
        let body = "第一句话在这里。".repeat(40);
        let s = snippet(&body, &needles(&["不存在"]), &a);
        assert!(s.starts_with("第一句话"), "{s}");
        assert!(s.ends_with('…'), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1, "{s}");
    }
}
