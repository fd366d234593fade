//! Noun phrases that end in a known head (an organisation, a role, a venue) and reach left
//! over name-like words. jieba's segmentation gives the word boundaries; its part-of-speech
//! tags are noisy on proper names (宣传部/nr, 遵义/v), so they only stop a phrase for clear
//! function words, and a list of words that are really name parts overrides them.

use std::collections::HashSet;

use crate::lexicon::Lexicon;
use crate::text::{Doc, is_cjk, is_punct, words};

/// No organisation, role or venue name in the guidelines is longer.
const MAX_PHRASE: usize = 30;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok<'a> {
    pub s: usize,
    pub e: usize,
    pub word: &'a str,
    pub tag: &'a str,
}

pub(crate) struct Toks<'a> {
    pub toks: Vec<Tok<'a>>,
    /// Index into `toks` of the token covering each char.
    pub at: Vec<u32>,
}

impl<'a> Toks<'a> {
    pub fn new(doc: &Doc, tags: Vec<jieba_rs::Tag<'a>>) -> Self {
        let mut at = vec![0u32; doc.len()];
        let mut toks = Vec::with_capacity(tags.len());
        for t in tags {
            let idx = toks.len() as u32;
            for slot in at.iter_mut().take(t.end.min(doc.len())).skip(t.start) {
                *slot = idx;
            }
            toks.push(Tok {
                s: t.start,
                e: t.end,
                word: t.word,
                tag: t.tag,
            });
        }
        Toks { toks, at }
    }

    pub fn get(&self, char_pos: usize) -> Option<&Tok<'a>> {
        self.toks.get(*self.at.get(char_pos)? as usize)
    }

    pub fn is_start(&self, char_pos: usize) -> bool {
        self.get(char_pos).is_none_or(|t| t.s == char_pos)
    }

    pub fn is_end(&self, char_pos: usize) -> bool {
        char_pos == 0 || self.get(char_pos - 1).is_none_or(|t| t.e == char_pos)
    }
}

/// Words that are parts of names although jieba tags them as verbs, adverbs or numbers.
const NAME_PARTS: &str = include_str!("data/name_parts.txt");

/// Words that end a phrase even where the tagger calls them nouns.
const STOP_WORDS: &str = include_str!("data/phrase_stops.txt");

/// Verbs of policy prose: a set phrase holding one is a clause (进一步提高教务处…), not a name.
const POLICY_VERBS: [&str; 20] = [
    "提高", "加强", "推进", "完善", "促进", "落实", "发挥", "贯彻", "深化", "推动", "加快", "坚持",
    "实现", "建立", "健全", "提升", "增强", "做好", "抓好", "开展",
];

/// What a phrase may reach over on its left.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mode {
    /// A quoted name inside a role: “吴汉东法学教育基金会”理事长.
    pub cross_quotes: bool,
    /// Words tagged as personal names (organisations and venues named after people).
    pub allow_names: bool,
}

pub(crate) const ROLE: Mode = Mode {
    cross_quotes: true,
    allow_names: false,
};
pub(crate) const NAME: Mode = Mode {
    cross_quotes: false,
    allow_names: true,
};

pub(crate) struct PhraseRules {
    name_parts: HashSet<&'static str>,
    stop_words: HashSet<&'static str>,
}

impl PhraseRules {
    pub fn is_name_part(&self, word: &str) -> bool {
        self.name_parts.contains(word)
    }

    pub fn new() -> Self {
        PhraseRules {
            name_parts: words(NAME_PARTS).collect(),
            stop_words: words(STOP_WORDS).collect(),
        }
    }

    /// Where a name-like phrase ending at char `end` starts; `end` when it has no left part.
    /// `blocked` marks chars that belong to people (a name ends an appositive chain).
    pub fn left_extend(
        &self,
        doc: &Doc,
        toks: &Toks<'_>,
        lex: &Lexicon,
        end: usize,
        blocked: &[bool],
        mode: Mode,
    ) -> usize {
        let mut start = end;
        while start > 0 && end - start < MAX_PHRASE {
            let Some(tok) = toks.get(start - 1) else {
                break;
            };
            let ts = tok.s.min(start - 1);
            if start - ts > MAX_PHRASE {
                break;
            }
            let word_end = start;
            // Most steps take a whole token: borrow it instead of copying.
            let word: std::borrow::Cow<'_, str> = if ts == tok.s && word_end == tok.e {
                std::borrow::Cow::Borrowed(tok.word)
            } else {
                std::borrow::Cow::Owned(doc.slice(ts, word_end))
            };
            let first = doc.at(ts);
            if matches!(doc.at(start - 1), '）' | ')') {
                // A place in brackets inside a company name: 中信泰富（南京）投资有限公司.
                if let Some(open) = (start.saturating_sub(8)..start - 1)
                    .rev()
                    .find(|&j| matches!(doc.at(j), '（' | '('))
                    && open > 0
                    && is_cjk(doc.at(open - 1))
                    && (open + 1..start - 1).all(|j| is_cjk(doc.at(j)))
                    && start - 1 > open + 1
                {
                    start = open;
                    continue;
                }
                break;
            }
            if doc.at(start - 1) == '”' && mode.cross_quotes {
                // A quoted name inside a role: “吴汉东法学教育基金会”理事长.
                let mut j = start - 1;
                while j > 0 && doc.at(j - 1) != '“' && !matches!(doc.at(j - 1), '\n' | '。' | '，')
                {
                    j -= 1;
                }
                if j > 0 && doc.at(j - 1) == '“' && start - j <= 16 {
                    start = j - 1;
                    continue;
                }
                break;
            }
            if (ts..word_end).any(|i| blocked.get(i).copied().unwrap_or(false)) {
                break;
            }
            if word.chars().any(|c| is_punct(c) || c.is_whitespace()) {
                break;
            }
            let w: &str = &word;
            if self.name_parts.contains(w) || lex.place_set.contains(w) {
                start = ts;
                continue;
            }
            if w == "与" && self.joins_with(doc, toks, lex, word_end, end) {
                start = ts;
                continue;
            }
            // A title word is where an appositive ends (学者美国…大学).
            let wchars: Vec<char> = w.chars().collect();
            if self.stop_words.contains(w)
                || Lexicon::match_before(&lex.title_after, &wchars, wchars.len()).is_some()
            {
                break;
            }
            let tag = tok.tag;
            // Measure words belong to names only as cohorts after a number (2016级).
            if tag.starts_with('q') || w.chars().all(|c| "级届期号楼层".contains(c)) {
                let after_number = toks
                    .get(ts.wrapping_sub(1))
                    .is_some_and(|p| p.tag.starts_with('m'));
                let cohort = w.chars().all(|c| "级届期号楼层".contains(c)) && after_number
                    || w.chars().all(|c| "楼层栋座".contains(c));
                if !cohort {
                    break;
                }
                start = ts;
                continue;
            }
            let is_num = tag.starts_with('m') || first.is_ascii_digit();
            if is_num {
                // Numbers belong to names only as ordinals (第二临床学院) or cohorts (2016级).
                let next = doc.at(word_end);
                let ordinal = first == '第'
                    || matches!(
                        next,
                        '级' | '届' | '期' | '号' | '楼' | '层' | '室' | '栋' | '座'
                    )
                    || next.is_ascii_alphanumeric()
                    || Lexicon::match_at(&lex.venue_suffixes, &doc.chars, word_end).is_some()
                    || w.ends_with(['楼', '层', '届', '级', '期']);
                if !ordinal && (!first.is_ascii_alphanumeric() || tag.starts_with('m')) {
                    break;
                }
                start = ts;
                continue;
            }
            let stop_tag = tag != "eng"
                && matches!(
                    tag.chars().next(),
                    Some('p' | 'c' | 'u' | 'r' | 'd' | 't' | 'y' | 'e' | 'o' | 'v' | 'f' | 'a')
                );
            let head_follows =
                Lexicon::match_at(&lex.org_suffixes, &doc.chars, word_end).is_some_and(|n| n >= 2);
            // Set phrases are noun phrases (学科建设) unless they open with an adverb (不断完善).
            // A set phrase is a name part only before a bare head word (学科建设/办公室), not in
            // a clause (不断完善党委, 完全符合全国人大常委会).
            let bare_head = toks
                .get(word_end)
                .is_some_and(|n| !matches!(n.tag, "nt" | "ns" | "nz") && n.s == word_end);
            let stop_tag = stop_tag
                || (matches!(tag, "l" | "i")
                    && (!(bare_head && head_follows)
                        || "不很更最都也还就已正将要能会可应必再又才只仍完".contains(first)
                        || POLICY_VERBS.iter().any(|v| w.contains(v))
                        || toks
                            .get(ts.wrapping_sub(1))
                            .is_some_and(|p| matches!(p.tag, "ad" | "d" | "a" | "v"))));
            if stop_tag {
                // A name word jieba calls a verb (启明/v 学院).
                let verb_ok = tag == "vn" || !mode.allow_names;
                // Only before a bare head word (学院), not before a full name (发表中共中央).
                if verb_ok
                    && bare_head
                    && tag.starts_with('v')
                    && head_follows
                    && w.chars().count() == 2
                {
                    start = ts;
                    continue;
                }
                // A mis-tagged word inside a longer name: reach over it to a name part.
                let bridgeable = matches!(tag.chars().next(), Some('v' | 'd' | 'a' | 'f'));
                if bridgeable && let Some(anchor) = self.bridge(toks, lex, ts) {
                    start = anchor;
                    continue;
                }
                break;
            }
            if tag == "nr"
                && !mode.allow_names
                && (2..4).contains(&w.chars().count())
                && !ends_with_head(lex, &word)
                && !head_follows
            {
                break;
            }
            if !word.chars().all(|c| is_cjk(c) || c.is_ascii_alphanumeric()) {
                break;
            }
            start = ts;
        }
        // A bracket jumped over but nothing name-like before it: start after the bracket.
        if matches!(doc.at(start), '（' | '(') {
            while start < end && !matches!(doc.at(start), '）' | ')') {
                start += 1;
            }
            start = (start + 1).min(end);
        }
        start
    }

    /// The start of a proper-name word at most two words left of `at` (北京/华航/唯实/机器人),
    /// with no function word in between.
    fn bridge(&self, toks: &Toks<'_>, lex: &Lexicon, at: usize) -> Option<usize> {
        let at_len = toks.get(at).map_or(1, |t| t.e - t.s);
        let mut pos = at;
        for step in 0..2 {
            let t = toks.get(pos.checked_sub(1)?)?;
            let w = t.word;
            if w.chars().any(|c| is_punct(c) || c.is_whitespace())
                || self.stop_words.contains(w)
                || matches!(
                    t.tag.chars().next(),
                    Some('m' | 'p' | 'c' | 'u' | 'r' | 'q')
                )
            {
                return None;
            }
            let chars: Vec<char> = w.chars().collect();
            let org_head = Lexicon::match_before(&lex.org_suffixes, &chars, chars.len())
                .is_some_and(|n| n >= 2);
            let head = org_head
                || Lexicon::match_before(&lex.venue_suffixes, &chars, chars.len()).is_some();
            // A complete name right before the verb is a clause (…学院祝愿…), not one name.
            if step == 0 && org_head && at_len > 1 {
                return None;
            }
            if matches!(t.tag, "ns" | "nt" | "nz")
                || lex.org_abbr.contains(w)
                || lex.place_set.contains(w)
                || head
            {
                return Some(t.s);
            }
            pos = t.s;
        }
        None
    }

    /// 与 inside a name (化学与化工学院), not between two names (甲大学与乙大学): the part after 与
    /// must not start with a known name and must be short.
    fn joins_with(
        &self,
        doc: &Doc,
        toks: &Toks<'_>,
        lex: &Lexicon,
        after: usize,
        end: usize,
    ) -> bool {
        if end - after > 10 || after < 2 || !is_cjk(doc.at(after - 2)) {
            return false;
        }
        let Some(next) = toks.get(after) else {
            return false;
        };
        // The word before 与 must be a bare subject (化学, 人工智能), not a name of its own.
        let Some(prev) = toks.get(after.saturating_sub(2)) else {
            return false;
        };
        let prev_chars: Vec<char> = prev.word.chars().collect();
        if matches!(prev.tag, "ns" | "nt" | "nz" | "nr")
            || prev_chars.len() > 4
            || Lexicon::match_before(&lex.org_suffixes, &prev_chars, prev_chars.len()).is_some()
        {
            return false;
        }
        if next.tag == "ns" || (next.tag == "nt" && next.e < end) || next.tag == "nz" {
            return false;
        }
        let w = next.word;
        // Something must stand between 与 and a bare head (党建工作与中心 is two things).
        let nw: Vec<char> = w.chars().collect();
        let bare = Lexicon::match_at(&lex.org_suffixes, &nw, 0) == Some(nw.len());
        !(bare || lex.org_abbr.contains(w) || lex.place_set.contains(w))
    }
}

fn ends_with_head(lex: &Lexicon, word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    Lexicon::match_before(&lex.org_suffixes, &chars, chars.len()).is_some()
}
