//! Organisations and venues: maximal phrases ending in a known head word (…大学党委宣传部,
//! …校区…报告厅), plus stand-alone abbreviations (西安交大, 交大).

use std::collections::HashMap;

use crate::lexicon::Lexicon;
use crate::phrase::{NAME, PhraseRules, Toks};
use crate::text::{Doc, is_cjk, words};

/// Words ending in a one-char head (部, 处, 台…) that are not organisations.
const NOT_ORGS: &str = include_str!("data/not_orgs.txt");

/// Names so generic that alone they name no particular organisation.
const GENERIC: &str = include_str!("data/generic_orgs.txt");

/// Determiners before a generic name (各支部, 两校): the phrase names no particular body.
const DETERMINERS: &str = "各两每该这此其";
/// First chars of a two-char word that make its last char no organisation head (五所, 有所).
const COUNT_CHARS: &str = "一二三四五六七八九十两几各该这那每本此其有";
/// First chars that make a two-char verb-tagged word an organisation after all (校办, 党办).
const ORG_PREFIX_CHARS: &str = "校院党省市县区团";

pub(crate) struct OrgRules {
    not_orgs: std::collections::HashSet<&'static str>,
    generic: std::collections::HashSet<&'static str>,
}

pub(crate) struct Spans {
    /// Organisation mentions (start, end), in text order.
    pub orgs: Vec<(usize, usize)>,
    /// Venue mentions (start, end).
    pub venues: Vec<(usize, usize)>,
}

impl OrgRules {
    pub fn new() -> Self {
        OrgRules {
            not_orgs: words(NOT_ORGS).collect(),
            generic: words(GENERIC).collect(),
        }
    }

    /// The length of the organisation head word ending at `e`, if one does.
    fn org_head_at(
        &self,
        doc: &Doc,
        toks: &Toks<'_>,
        lex: &Lexicon,
        rules: &PhraseRules,
        e: usize,
    ) -> Option<usize> {
        let tok = toks.get(e - 1)?;
        let cut = tok
            .word
            .char_indices()
            .nth(e - tok.s)
            .map_or(tok.word.len(), |(b, _)| b);
        let word = &tok.word[..cut];
        let wlen = word.chars().count();
        if wlen > 1
            && (self.not_orgs.contains(word)
                || lex.place_set.contains(word)
                || word.char_indices().skip(1).any(|(b, _)| {
                    self.not_orgs.contains(&word[b..]) && word[b..].chars().count() > 1
                }))
        {
            return None;
        }
        // 政治局常委, 党委委员: the word names a member, the organisation ends before it.
        if Lexicon::match_before(&lex.role_suffixes, &doc.chars, e).is_some() {
            return None;
        }
        lex.org_suffixes.all_before(&doc.chars, e).find(|&n| {
            if n > 1 {
                // A multi-char head lies inside the last word or starts at a word boundary
                // (社会 is not …会).
                return tok.s <= e - n || toks.is_start(e - n);
            }
            // A one-char head (部, 院, 台) counts after a noun, or ending a noun word that
            // is no count or verb (五所, 有所, 同台).
            if wlen == 1 {
                // 底蕴所折服: a particle before a verb, not a head.
                if word == "所" && toks.get(e).is_some_and(|n| n.tag.starts_with('v')) {
                    return false;
                }
                let prev = toks.get(tok.s.wrapping_sub(1));
                return prev.is_some_and(|p| {
                    p.tag.starts_with('n')
                        || p.tag == "j"
                        || p.tag == "vn"
                        || p.tag == "ng"
                        || rules.is_name_part(p.word)
                });
            }
            let first = word.chars().next().unwrap_or(' ');
            // A two-char word with a one-char head names a body only with an administrative
            // first char (省委, 校办), not 餐馆, 背部, 五所, 同台.
            !(wlen == 2 && (COUNT_CHARS.contains(first) || !ORG_PREFIX_CHARS.contains(first)))
        })
    }

    fn venue_head_at(&self, doc: &Doc, toks: &Toks<'_>, lex: &Lexicon, e: usize) -> Option<usize> {
        let tok = toks.get(e - 1)?;
        if tok.e != e {
            return None;
        }
        lex.venue_suffixes
            .all_before(&doc.chars, e)
            .find(|&n| tok.s <= e - n || toks.is_start(e - n))
    }

    pub fn find(&self, doc: &Doc, toks: &Toks<'_>, lex: &Lexicon, rules: &PhraseRules) -> Spans {
        let none = vec![false; doc.len()];
        let mut org_by_start: HashMap<usize, usize> = HashMap::new();
        let mut venue_by_start: HashMap<usize, usize> = HashMap::new();
        let mut ends: Vec<usize> = Vec::with_capacity(toks.toks.len());
        for tok in &toks.toks {
            ends.push(tok.e);
            // 政治局常委, 人大代表: an organisation ends where the member title starts.
            if let Some(r) = lex.role_suffixes.all_before(&doc.chars, tok.e).find(|&r| {
                tok.e - r > tok.s
                    && Lexicon::match_before(&lex.org_suffixes, &doc.chars, tok.e - r)
                        .is_some_and(|n| n >= 2)
            }) {
                ends.push(tok.e - r);
            }
        }
        for e in ends {
            if e == 0 || e > doc.len() {
                continue;
            }
            let Some(tok) = toks.get(e - 1) else {
                continue;
            };
            let venue_head = self.venue_head_at(doc, toks, lex, e);
            let org_head = if venue_head.is_some() {
                None
            } else {
                self.org_head_at(doc, toks, lex, rules, e)
            };
            let venue = venue_head.is_some();
            let Some(head) = venue_head.or(org_head) else {
                continue;
            };
            let head_start = tok.s.min(e - head);
            let s = rules.left_extend(doc, toks, lex, head_start, &none, NAME);
            // Function words jieba glued to the first word (由校 工会).
            let s = if s + 2 < e
                && "由在与和对向从为于把被将到们了的着是且并而及等".contains(doc.at(s))
            {
                s + 1
            } else {
                s
            };
            // A venue is named for where it is, not for who speaks (我校首义校区…).
            let s = if venue {
                ["我校", "学校", "本校", "距离", "距"]
                    .iter()
                    .find(|p| doc.starts_with(s, p))
                    .map_or(s, |p| (s + p.chars().count()).min(head_start))
            } else {
                s
            };
            // A venue needs a name before its head (not a bare 会议室).
            if venue && s == head_start {
                continue;
            }
            // A name right after a closing quote is a project or theme (“就业育人”项目基地).
            if s > 0 && doc.at(s - 1) == '”' {
                continue;
            }
            let map = if venue {
                &mut venue_by_start
            } else {
                &mut org_by_start
            };
            let slot = map.entry(s).or_insert(e);
            *slot = (*slot).max(e);
        }
        let mut venues: Vec<(usize, usize)> = venue_by_start
            .into_iter()
            .filter(|&(s, e)| e - s >= 2 && !doc.excluded(s, e))
            .collect();
        venues.sort_unstable();
        // An organisation phrase that continues into a venue (学院 + N710会议室) is the venue.
        let mut orgs: Vec<(usize, usize)> = org_by_start
            .into_iter()
            .filter(|&(s, e)| !venues.iter().any(|&(vs, ve)| vs <= s && e <= ve))
            .filter(|&(s, e)| self.keep(doc, s, e))
            .collect();
        // Abbreviations standing alone (西工大、上海交大).
        if let Some(ac) = &lex.org_abbr_ac {
            for m in ac.find_iter(&doc.text) {
                let s = doc.byte_to_char[m.start()] as usize;
                let e = doc.byte_to_char[m.end()] as usize;
                let inside = orgs
                    .iter()
                    .chain(venues.iter())
                    .any(|&(os, oe)| os <= s && e <= oe);
                if !inside && toks.is_start(s) && !doc.excluded(s, e) {
                    orgs.push((s, e));
                }
            }
        }
        orgs.sort_unstable();
        // Keep maximal spans only: a span inside another one is the same mention.
        let mut out: Vec<(usize, usize)> = Vec::with_capacity(orgs.len());
        for (s, e) in orgs {
            if out.iter().any(|&(os, oe)| os <= s && e <= oe) {
                continue;
            }
            out.retain(|&(os, oe)| !(s <= os && oe <= e));
            out.push((s, e));
        }
        Spans { orgs: out, venues }
    }

    fn keep(&self, doc: &Doc, s: usize, e: usize) -> bool {
        if e - s < 2 || doc.excluded(s, e) {
            return false;
        }
        let name = doc.slice(s, e);
        // Set phrases are no names (建设中国特色世界一流大学, 思想深处).
        if name.contains("特色")
            || name
                .char_indices()
                .skip(1)
                .any(|(b, _)| self.not_orgs.contains(&name[b..]) && name[b..].chars().count() > 1)
        {
            return false;
        }
        if self.generic.contains(name.as_str())
            || name.starts_with(|c: char| DETERMINERS.contains(c))
            || ["我校", "本校", "全校", "该校", "高校"]
                .iter()
                .any(|p| name.starts_with(p))
        {
            return false;
        }
        name.chars().any(is_cjk)
    }
}
