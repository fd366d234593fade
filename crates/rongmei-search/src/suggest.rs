//! Suggestions as a reader types: titles, people, tags and the queries readers ran, found by
//! what has been typed so far in Chinese, in pinyin or in initials.
//!
//! Everything lives in memory and is built whole from a list of entries (the application
//! rebuilds it when the site changes): a sorted array of keys, each an entry, one of its
//! three forms (the folded text, its pinyin without spaces, its initials) and a word start
//! within that form. A prefix then is one binary search and a short scan, with no allocation
//! per key: at 100,000 titles the array is a few million bytes.

use serde::Serialize;

use crate::analysis::{Analyzer, fold};
use crate::pinyin;

/// What a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestKind {
    /// A query readers ran that found something.
    Query,
    Person,
    Tag,
    /// An article, with its address.
    Title,
}

impl SuggestKind {
    /// Ties between kinds: what readers ran before comes first, then names, then titles.
    fn bonus(self) -> f64 {
        match self {
            SuggestKind::Query => 0.3,
            SuggestKind::Person => 0.2,
            SuggestKind::Tag => 0.1,
            SuggestKind::Title => 0.0,
        }
    }
}

/// One thing that can be suggested.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestEntry {
    pub text: String,
    pub kind: SuggestKind,
    /// Where choosing it leads (an article), if not to a search for the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Larger is more popular (searches, mentions, articles, recency); compared within a kind.
    #[serde(skip)]
    pub weight: u64,
}

/// Suggestions at most per answer.
pub const MAX_SUGGESTIONS: usize = 10;
/// Typed text longer than this is not looked up: no entry starts with it.
const MAX_TYPED_CHARS: usize = 64;
/// Keys read for one answer at most: a one-letter prefix matches a large share of them, and
/// the best of the first few thousand are as good as the best of all.
const MAX_SCAN: usize = 20_000;

/// Where a key starts: entry, form (0 text, 1 pinyin, 2 initials) and byte offset in it.
#[derive(Debug, Clone, Copy)]
struct Key {
    entry: u32,
    form: u8,
    offset: u16,
}

/// The suggestion index. Cheap to share behind an `Arc`; rebuilt, never edited.
#[derive(Debug, Default)]
pub struct Suggester {
    entries: Vec<SuggestEntry>,
    /// Three forms per entry, at `3 * entry + form`.
    forms: Vec<Box<str>>,
    keys: Vec<Key>,
    /// The largest weight of each kind, to compare weights across kinds.
    max_weight: [u64; 4],
}

fn kind_slot(kind: SuggestKind) -> usize {
    kind as usize
}

impl Suggester {
    /// Builds the index. Entries with the same kind and text are kept once (the heavier).
    pub(crate) fn build(analyzer: &Analyzer, mut entries: Vec<SuggestEntry>) -> Self {
        entries.retain(|e| !e.text.trim().is_empty());
        entries.sort_by(|a, b| {
            (a.kind, &a.text)
                .cmp(&(b.kind, &b.text))
                .then(b.weight.cmp(&a.weight))
        });
        entries.dedup_by(|b, a| a.kind == b.kind && a.text == b.text);
        let mut forms = Vec::with_capacity(entries.len() * 3);
        let mut keys = Vec::new();
        let mut max_weight = [0u64; 4];
        for (i, e) in entries.iter().enumerate() {
            let slot = &mut max_weight[kind_slot(e.kind)];
            *slot = (*slot).max(e.weight);
            let folded = fold(e.text.trim());
            let read = pinyin::read(analyzer, &folded);
            // Word starts in each form: where a reader may begin typing.
            let mut text_starts = vec![0usize];
            let mut spelled = String::new();
            let mut spelled_starts = vec![0usize];
            let mut initials = String::new();
            let mut at = 0;
            for word in analyzer.cut_plain(&folded) {
                if at > 0 && word.chars().any(char::is_alphanumeric) {
                    text_starts.push(at);
                    if !spelled.is_empty() {
                        spelled_starts.push(spelled.len());
                    }
                }
                for s in read
                    .iter()
                    .filter(|s| s.start >= at && s.end <= at + word.len())
                {
                    spelled.push_str(s.pinyin);
                    initials.extend(s.pinyin.chars().next());
                }
                at += word.len();
            }
            let entry = i as u32;
            for (form, starts) in [(0u8, &text_starts), (1, &spelled_starts)] {
                let len = if form == 0 {
                    folded.len()
                } else {
                    spelled.len()
                };
                for &offset in starts.iter() {
                    if offset < len && offset <= u16::MAX as usize {
                        keys.push(Key {
                            entry,
                            form,
                            offset: offset as u16,
                        });
                    }
                }
            }
            // Initials only from the start: in the middle of a title they match too much.
            if initials.len() >= 2 {
                keys.push(Key {
                    entry,
                    form: 2,
                    offset: 0,
                });
            }
            forms.push(folded.into_boxed_str());
            forms.push(spelled.into_boxed_str());
            forms.push(initials.into_boxed_str());
        }
        let mut s = Suggester {
            entries,
            forms,
            keys: Vec::new(),
            max_weight,
        };
        keys.sort_by(|a, b| s.key_text(*a).cmp(s.key_text(*b)));
        s.keys = keys;
        s
    }

    fn key_text(&self, k: Key) -> &str {
        let form = &self.forms[3 * k.entry as usize + k.form as usize];
        form.get(k.offset as usize..).unwrap_or("")
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// At most `limit` (≤ [`MAX_SUGGESTIONS`]) entries whose text, pinyin or initials has a
    /// word starting with what was typed: those starting with it first, then the more
    /// popular. Pinyin is typed without spaces or with them (`xiqian jingshen`).
    pub fn suggest(&self, typed: &str, limit: usize) -> Vec<&SuggestEntry> {
        let limit = limit.min(MAX_SUGGESTIONS);
        let typed = typed.trim();
        if typed.is_empty() || limit == 0 || typed.chars().count() > MAX_TYPED_CHARS {
            return Vec::new();
        }
        let mut prefix = fold(typed);
        if prefix
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '\'')
        {
            prefix.retain(|c| c.is_ascii_alphabetic());
        }
        if prefix.is_empty() {
            return Vec::new();
        }
        let first = self
            .keys
            .partition_point(|k| self.key_text(*k) < prefix.as_str());
        let mut best: Vec<(f64, u32)> = Vec::new();
        for k in self.keys[first..]
            .iter()
            .take(MAX_SCAN)
            .take_while(|k| self.key_text(**k).starts_with(prefix.as_str()))
        {
            let e = &self.entries[k.entry as usize];
            let top = self.max_weight[kind_slot(e.kind)].max(1) as f64;
            let mut score = e.weight as f64 / top + e.kind.bonus();
            if k.offset == 0 {
                score += 1.0;
            }
            // Chinese typed as Chinese beats the same letters read as pinyin.
            if k.form == 0 {
                score += 0.5;
            }
            best.push((score, k.entry));
        }
        let order = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        // Only the best few are ordered (a short prefix matches thousands of keys); a few
        // more than asked for, as the same text may come as several kinds.
        let keep = limit * 4;
        if best.len() > keep {
            best.select_nth_unstable_by(keep, order);
            best.truncate(keep);
        }
        best.sort_by(order);
        let mut out: Vec<&SuggestEntry> = Vec::with_capacity(limit);
        for (_, i) in best {
            let e = &self.entries[i as usize];
            if !out.iter().any(|o| o.text == e.text) {
                out.push(e);
                if out.len() == limit {
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str, kind: SuggestKind, weight: u64) -> SuggestEntry {
        SuggestEntry {
            text: text.into(),
            kind,
            url: (kind == SuggestKind::Title).then(|| format!("/a/{weight}")),
            weight,
        }
    }

    fn suggester() -> Suggester {
        let a = crate::types::shipped_analyzer();
        Suggester::build(
            &a,
            vec![
                entry(
                    "【主题教育】西迁精神与建党精神的时代内涵",
                    SuggestKind::Title,
                    3,
                ),
                entry("弘扬西迁精神 建功新时代", SuggestKind::Title, 2),
                entry("成进", SuggestKind::Person, 9),
                entry("主题教育", SuggestKind::Tag, 4),
                entry("西迁精神", SuggestKind::Query, 12),
                entry("西迁精神", SuggestKind::Query, 1),
            ],
        )
    }

    fn texts(s: &Suggester, typed: &str) -> Vec<String> {
        s.suggest(typed, 10)
            .iter()
            .map(|e| e.text.clone())
            .collect()
    }

    #[test]
    fn what_starts_with_the_typed_text_comes_first() {
        let s = suggester();
        let got = texts(&s, "西迁");
        assert_eq!(got[0], "西迁精神", "{got:?}");
        assert!(
            got.contains(&"弘扬西迁精神 建功新时代".to_string()),
            "{got:?}"
        );
        assert!(got.contains(&"【主题教育】西迁精神与建党精神的时代内涵".to_string()));
        // The same text is suggested once.
        assert_eq!(got.iter().filter(|t| *t == "西迁精神").count(), 1);
    }

    #[test]
    fn pinyin_and_initials_find_the_chinese() {
        let s = suggester();
        assert_eq!(texts(&s, "xiqian")[0], "西迁精神");
        assert_eq!(texts(&s, "xiqian jing")[0], "西迁精神");
        assert_eq!(texts(&s, "chengj"), ["成进"]);
        assert_eq!(texts(&s, "cj"), ["成进"]);
        // The tag first; the title under its 【主题教育】 label after it.
        assert_eq!(texts(&s, "ZTJY")[0], "主题教育");
    }

    #[test]
    fn titles_lead_to_their_articles() {
        let s = suggester();
        let hit = s
            .suggest("弘扬", 10)
            .into_iter()
            .find(|e| e.kind == SuggestKind::Title)
            .expect("title");
        assert_eq!(hit.url.as_deref(), Some("/a/2"));
    }

    #[test]
    fn nothing_typed_or_nothing_known_suggests_nothing() {
        let s = suggester();
        assert!(texts(&s, "").is_empty());
        assert!(texts(&s, "   ").is_empty());
        assert!(texts(&s, "量子").is_empty());
        assert!(texts(&s, &"西".repeat(100)).is_empty());
        assert_eq!(s.suggest("西迁", 1).len(), 1);
    }
}
