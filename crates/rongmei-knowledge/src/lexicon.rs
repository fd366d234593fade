//! Word lists the rules consult, loaded once per `Extractor`. The lists are general vocabulary
//! (surnames, administrative divisions, titles, organisation heads), not names from any article.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::text::{char_set, words};

const SURNAMES: &str = include_str!("data/surnames.txt");
const COMPOUND_SURNAMES: &str = include_str!("data/compound_surnames.txt");
const PLACES: &str = include_str!("data/places.txt");
const PROVINCE_ABBR: &str = include_str!("data/province_abbr.txt");
const ROLE_SUFFIXES: &str = include_str!("data/role_suffixes.txt");
const TITLE_AFTER: &str = include_str!("data/title_after.txt");
const NOT_ROLES: &str = include_str!("data/not_roles.txt");
const ORG_SUFFIXES: &str = include_str!("data/org_suffixes.txt");
const ORG_ABBR: &str = include_str!("data/org_abbr.txt");
const POST_WORDS: &str = include_str!("data/post_words.txt");
const BYLINE_LABELS: &str = include_str!("data/byline_labels.txt");
const VENUE_SUFFIXES: &str = include_str!("data/venue_suffixes.txt");

/// A set of BMP chars as a bitmap: the rules test almost every char against a list, and most
/// chars start or end no word at all.
pub(crate) struct CharMap(Vec<u64>);

impl CharMap {
    fn new(chars: impl Iterator<Item = char>) -> Self {
        let mut bits = vec![0u64; 1024];
        for c in chars {
            let n = c as usize;
            if let Some(w) = bits.get_mut(n / 64) {
                *w |= 1 << (n % 64);
            }
        }
        CharMap(bits)
    }

    pub fn contains(&self, c: char) -> bool {
        let n = c as usize;
        self.0.get(n / 64).is_some_and(|w| w & (1 << (n % 64)) != 0)
    }
}

/// FNV-1a: the keys are a few short char slices, so a simple hash beats SipHash by far.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FastSet<T> = HashSet<T, BuildHasherDefault<Fnv>>;

/// A word list looked up by hashing the few possible lengths, not by scanning the list.
pub(crate) struct WordSet {
    set: FastSet<Vec<char>>,
    /// The distinct word lengths, longest first.
    lens: Vec<usize>,
    first: CharMap,
    last: CharMap,
}

impl WordSet {
    fn new(data: &str) -> Self {
        let set: FastSet<Vec<char>> = words(data).map(|w| w.chars().collect()).collect();
        let mut lens: Vec<usize> = set.iter().map(Vec::len).collect();
        lens.sort_unstable_by(|a, b| b.cmp(a));
        lens.dedup();
        WordSet {
            first: CharMap::new(set.iter().filter_map(|w| w.first().copied())),
            last: CharMap::new(set.iter().filter_map(|w| w.last().copied())),
            set,
            lens,
        }
    }

    /// Lengths of the words `chars[..e]` ends with, longest first.
    pub fn all_before<'a>(
        &'a self,
        chars: &'a [char],
        e: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        let possible = e >= 1 && e <= chars.len() && self.last.contains(chars[e - 1]);
        self.lens
            .iter()
            .copied()
            .filter(move |&n| possible && n <= e && self.set.contains(&chars[e - n..e]))
    }

    /// Lengths of the words `chars[i..]` starts with, longest first.
    pub fn all_at<'a>(&'a self, chars: &'a [char], i: usize) -> impl Iterator<Item = usize> + 'a {
        let possible = i < chars.len() && self.first.contains(chars[i]);
        self.lens.iter().copied().filter(move |&n| {
            possible && i + n <= chars.len() && self.set.contains(&chars[i..i + n])
        })
    }
}

pub(crate) struct Lexicon {
    pub surnames: CharMap,
    pub compound_surnames: FastSet<[char; 2]>,
    pub province_abbr: CharMap,
    pub role_suffixes: WordSet,
    pub title_after: WordSet,
    pub not_roles: WordSet,
    pub post_words: WordSet,
    pub byline_labels: WordSet,
    pub org_suffixes: WordSet,
    pub venue_suffixes: WordSet,
    pub org_abbr: FastSet<String>,
    pub org_abbr_ac: Option<AhoCorasick>,
    pub place_set: FastSet<String>,
    pub places_ac: Option<AhoCorasick>,
}

/// Leftmost-longest automaton over `pats`; `None` only if the list is empty or unbuildable.
pub(crate) fn automaton(pats: &[String]) -> Option<AhoCorasick> {
    if pats.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(pats)
        .ok()
}

impl Lexicon {
    pub fn load() -> Self {
        let compound_surnames = words(COMPOUND_SURNAMES)
            .filter_map(|w| {
                let mut it = w.chars();
                Some([it.next()?, it.next()?])
            })
            .collect();
        let places: Vec<String> = {
            let mut seen = HashSet::new();
            words(PLACES)
                .filter(|w| seen.insert(w.to_string()))
                .map(str::to_string)
                .collect()
        };
        let org_abbr: Vec<String> = words(ORG_ABBR).map(str::to_string).collect();
        Lexicon {
            surnames: CharMap::new(char_set(SURNAMES).into_iter()),
            compound_surnames,
            province_abbr: CharMap::new(char_set(PROVINCE_ABBR).into_iter()),
            role_suffixes: WordSet::new(ROLE_SUFFIXES),
            title_after: WordSet::new(TITLE_AFTER),
            not_roles: WordSet::new(NOT_ROLES),
            post_words: WordSet::new(POST_WORDS),
            byline_labels: WordSet::new(BYLINE_LABELS),
            org_suffixes: WordSet::new(ORG_SUFFIXES),
            venue_suffixes: WordSet::new(VENUE_SUFFIXES),
            org_abbr_ac: automaton(&org_abbr),
            org_abbr: org_abbr.into_iter().collect(),
            places_ac: automaton(&places),
            place_set: places.into_iter().collect(),
        }
    }

    /// The length of the longest word of `list` that `chars[i..]` starts with.
    pub fn match_at(list: &WordSet, chars: &[char], i: usize) -> Option<usize> {
        list.all_at(chars, i).next()
    }

    /// The length of the longest word of `list` that `chars[..e]` ends with.
    pub fn match_before(list: &WordSet, chars: &[char], e: usize) -> Option<usize> {
        list.all_before(chars, e).next()
    }
}
