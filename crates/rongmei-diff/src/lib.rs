//! Revision diffs for editors: what changed between two versions of a title or a body.
//!
//! Inputs are plain text with one paragraph a line ([`rongmei_core::Body::to_text`]); a title is
//! the same thing with one line. Paragraphs are aligned first, then each pair of changed
//! paragraphs is compared word by word, because a character diff of Chinese shreds words
//! (其它→其他 would show as 它→他) and a sentence diff hides a one-word fix in a long sentence.
//! Words come from jieba, so the unit of change is what an editor would call a word.
//!
//! All HTML produced here is escaped text plus `<del>` and `<ins>`: safe to embed as is.

use std::ops::Range;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use jieba_rs::Jieba;
use rongmei_core::body::{escape_html, escape_into};
use serde::Serialize;
use similar::{Algorithm, DiffTag, capture_diff_slices, capture_diff_slices_deadline};

/// Loading the dictionary takes about 100 ms, so it is done once per process, on first use.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Two changed paragraphs are shown as one edited paragraph when at least this share of their
/// tokens survive; below it they are a removal and an addition, which reads better than a row
/// that is all `<del>` on one side and all `<ins>` on the other.
const PAIR_SIMILARITY: f32 = 0.5;

/// Beyond this many candidate pairs in one block of changed paragraphs, pairing by similarity
/// costs more than it helps, and paragraphs are paired in order.
const MAX_PAIRING_CELLS: usize = 400;

/// A word diff of two paragraphs gives up looking for the minimal diff after this long; the
/// result is still correct, only coarser.
const WORD_DIFF_BUDGET: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowChange {
    Same,
    Changed,
    Added,
    Removed,
}

/// One aligned paragraph: `left` is the old version, `right` the new one, each already HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub left: Option<String>,
    pub right: Option<String>,
    pub change: RowChange,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SideBySide {
    pub rows: Vec<Row>,
}

impl SideBySide {
    pub fn is_unchanged(&self) -> bool {
        self.rows.iter().all(|r| r.change == RowChange::Same)
    }
}

/// Splits text into jieba words (default mode, without HMM guessing); whitespace and punctuation
/// are tokens of their own and runs of ASCII letters or digits stay whole.
pub fn tokenize(text: &str) -> Vec<&str> {
    // Without HMM, unknown names split into characters instead of being glued to whatever is
    // next to them, so an edit changes fewer neighbouring tokens.
    JIEBA.cut(text, false).into_iter().map(|t| t.word).collect()
}

/// The side-by-side view, aligned by paragraph.
pub fn side_by_side(old: &str, new: &str) -> SideBySide {
    let rows = align(old, new)
        .into_iter()
        .map(|line| match line {
            Line::Same(text) => {
                let html = escape_html(text);
                Row {
                    left: Some(html.clone()),
                    right: Some(html),
                    change: RowChange::Same,
                }
            }
            Line::Removed(text) => Row {
                left: Some(wrap("del", text)),
                right: None,
                change: RowChange::Removed,
            },
            Line::Added(text) => Row {
                left: None,
                right: Some(wrap("ins", text)),
                change: RowChange::Added,
            },
            Line::Changed(parts) => {
                let mut left = String::new();
                let mut right = String::new();
                for (tag, text) in &parts {
                    match tag {
                        Part::Same => {
                            escape_into(&mut left, text);
                            escape_into(&mut right, text);
                        }
                        Part::Removed => push_wrapped(&mut left, "del", text),
                        Part::Added => push_wrapped(&mut right, "ins", text),
                    }
                }
                Row {
                    left: Some(left),
                    right: Some(right),
                    change: RowChange::Changed,
                }
            }
        })
        .collect();
    SideBySide { rows }
}

/// A one-column view: lines separated by `\n` (show it with `white-space: pre-line`), removed
/// words and paragraphs in `<del>`, added ones in `<ins>`.
pub fn inline_html(old: &str, new: &str) -> String {
    let mut out = String::new();
    for (i, line) in align(old, new).into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match line {
            Line::Same(text) => escape_into(&mut out, text),
            Line::Removed(text) => push_wrapped(&mut out, "del", text),
            Line::Added(text) => push_wrapped(&mut out, "ins", text),
            Line::Changed(parts) => {
                for (tag, text) in &parts {
                    match tag {
                        Part::Same => escape_into(&mut out, text),
                        Part::Removed => push_wrapped(&mut out, "del", text),
                        Part::Added => push_wrapped(&mut out, "ins", text),
                    }
                }
            }
        }
    }
    out
}

/// `(added_words, removed_words)`: jieba words with at least one letter, digit or hanzi, so
/// punctuation and spacing edits do not count.
pub fn stats(old: &str, new: &str) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for line in align(old, new) {
        match line {
            Line::Same(_) => {}
            Line::Removed(text) => removed += count_words(text),
            Line::Added(text) => added += count_words(text),
            Line::Changed(parts) => {
                for (tag, text) in &parts {
                    match tag {
                        Part::Same => {}
                        Part::Removed => removed += count_words(text),
                        Part::Added => added += count_words(text),
                    }
                }
            }
        }
    }
    (added, removed)
}

fn count_words(text: &str) -> usize {
    tokenize(text)
        .into_iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .count()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Line<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
    /// Runs of one kind, already merged so each becomes one `<del>` or `<ins>`.
    Changed(Vec<(Part, String)>),
}

/// Paragraph alignment, then a word diff inside each pair of changed paragraphs.
fn align<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Patience, &old_lines, &new_lines) {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => out.extend(old_lines[o].iter().map(|l| Line::Same(l))),
            DiffTag::Delete => out.extend(old_lines[o].iter().map(|l| Line::Removed(l))),
            DiffTag::Insert => out.extend(new_lines[n].iter().map(|l| Line::Added(l))),
            DiffTag::Replace => pair_block(&old_lines[o], &new_lines[n], &mut out),
        }
    }
    out
}

/// Pairs the paragraphs of one replaced block. An edited paragraph next to an inserted one must
/// be paired with its own old version, not with whatever sits at the same position, so pairs are
/// chosen for the most shared words while keeping order (an LCS where a cell counts only when
/// the two paragraphs are similar enough).
fn pair_block<'a>(old: &[&'a str], new: &[&'a str], out: &mut Vec<Line<'a>>) {
    let (m, n) = (old.len(), new.len());
    if m * n > MAX_PAIRING_CELLS {
        for i in 0..m.max(n) {
            match (old.get(i), new.get(i)) {
                (Some(a), Some(b)) => out.push(word_diff(a, b)),
                (Some(a), None) => out.push(Line::Removed(a)),
                (None, Some(b)) => out.push(Line::Added(b)),
                (None, None) => {}
            }
        }
        return;
    }
    let old_tokens: Vec<Vec<&str>> = old.iter().map(|l| tokenize(l)).collect();
    let new_tokens: Vec<Vec<&str>> = new.iter().map(|l| tokenize(l)).collect();
    let mut sim = vec![vec![0f32; n]; m];
    for (i, a) in old_tokens.iter().enumerate() {
        for (j, b) in new_tokens.iter().enumerate() {
            let ops = capture_diff_slices(Algorithm::Myers, a, b);
            let r = similar::get_diff_ratio(&ops, a.len(), b.len());
            sim[i][j] = if r >= PAIR_SIMILARITY { r } else { 0.0 };
        }
    }
    // best[i][j]: the best total similarity pairing old[i..] with new[j..].
    let mut best = vec![vec![0f32; n + 1]; m + 1];
    for i in (0..m).rev() {
        for j in (0..n).rev() {
            let paired = if sim[i][j] > 0.0 {
                sim[i][j] + best[i + 1][j + 1]
            } else {
                0.0
            };
            best[i][j] = paired.max(best[i + 1][j]).max(best[i][j + 1]);
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < m && j < n {
        if sim[i][j] > 0.0 && best[i][j] == sim[i][j] + best[i + 1][j + 1] {
            out.push(changed(&old_tokens[i], &new_tokens[j]));
            i += 1;
            j += 1;
        } else if best[i][j] == best[i + 1][j] {
            out.push(Line::Removed(old[i]));
            i += 1;
        } else {
            out.push(Line::Added(new[j]));
            j += 1;
        }
    }
    out.extend(old[i..].iter().map(|l| Line::Removed(l)));
    out.extend(new[j..].iter().map(|l| Line::Added(l)));
}

fn word_diff<'a>(old: &str, new: &str) -> Line<'a> {
    changed(&tokenize(old), &tokenize(new))
}

fn changed<'a>(old: &[&str], new: &[&str]) -> Line<'a> {
    let deadline = Instant::now() + WORD_DIFF_BUDGET;
    let ops = capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline));
    let mut parts: Vec<(Part, String)> = Vec::new();
    let mut push = |part: Part, tokens: &[&str]| {
        if tokens.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some((p, text)) if *p == part => text.extend(tokens.iter().copied()),
            _ => parts.push((part, tokens.concat())),
        }
    };
    for op in &ops {
        let (tag, o, n): (DiffTag, Range<usize>, Range<usize>) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => push(Part::Same, &old[o]),
            DiffTag::Delete => push(Part::Removed, &old[o]),
            DiffTag::Insert => push(Part::Added, &new[n]),
            DiffTag::Replace => {
                push(Part::Removed, &old[o]);
                push(Part::Added, &new[n]);
            }
        }
    }
    Line::Changed(parts)
}

fn wrap(tag: &str, text: &str) -> String {
    let mut out = String::new();
    push_wrapped(&mut out, tag, text);
    out
}

fn push_wrapped(out: &mut String, tag: &str, text: &str) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

#[cfg(test)]
mod tests;
