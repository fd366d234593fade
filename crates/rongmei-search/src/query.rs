//! From user text to a tantivy query, built by hand.
//!
//! tantivy's QueryParser is not used on user text: it turns a multi-token Chinese query
//! into one phrase over overlapping search-mode tokens (`[精神, 西迁精神]`) that matches
//! nothing, and its syntax errors would reach the user.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{Analyzer, bigrams, exact_key, fold, is_cjk, is_filler_word, is_stop_word};
use crate::bonus::BonusQuery;
use crate::error::SearchError;
use crate::safe_seek::SafeSeek;
use crate::schema::Fields;

/// Longer queries are cut to this many characters (after trimming).
pub const MAX_QUERY_CHARS: usize = 256;
/// Beyond this the query is refused rather than cut: it is not something a person typed.
pub const MAX_QUERY_CHARS_HARD: usize = 1000;
/// Words and quoted phrases a query may require; later ones are ignored.
pub const MAX_QUERY_TERMS: usize = 24;
/// Exclusions a query may carry; later ones are ignored.
pub const MAX_QUERY_EXCLUSIONS: usize = 8;
/// Space-separated chunks that get the unbroken-run bonus; later ones only match.
const MAX_RUNS: usize = 8;

// Word fields lead the ranking; the bigram field over all text is the recall net. Bigram
// boosts are divided by the number of bigrams so a long word's many bigrams cannot
// outweigh it.
const BOOST_TITLE: f32 = 4.0;
const BOOST_TAGS: f32 = 2.5;
const BOOST_BYLINES: f32 = 2.5;
const BOOST_COLUMN: f32 = 1.5;
const BOOST_BODY: f32 = 1.0;
// Added to the all-text bigram score when the sequence is in the title.
const BOOST_TITLE_NGRAM: f32 = 1.0;
const BOOST_TEXT_NGRAM: f32 = 0.5;
// An alias finds the article, but the form the reader typed ranks first.
const BOOST_ALIAS: f32 = 0.6;
// Rewards a multi-word query found as one unbroken run (stop words included), the best
// sign that the reader is quoting the article. Divided by the number of bigrams like the
// other bigram boosts; tuned on the known-item benchmark (benches/known_item.rs), where
// going from 1 to 40 lifted body-run MRR@10 from 0.85 to 0.936, 100 to 0.938 and 1000
// (with one-word runs that are the whole query) to 0.939: the word scores then mostly
// order articles that hold the run equally often.
const BOOST_TITLE_PROXIMITY: f32 = 20.0;
const BOOST_TEXT_PROXIMITY: f32 = 1000.0;
// A query that is the whole title (punctuation and a leading 【label】 aside) names that
// article, so it ranks first: other scores reach about 10^3 (phrase bonuses sum the idf of
// every bigram), and the whole-title term scores its idf times this, an idf above 1
// unless a third of all articles share that title.
const BOOST_TITLE_EXACT: f32 = 10_000.0;
// Several words that all appear in the title beat the same words spread over title and
// body: a title is what readers remember, and its words belong together.
const BOOST_TITLE_ALL: f32 = 4.0;

/// One word of the query: the folded word as typed plus its aliases.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryTerm {
    pub variants: Vec<String>,
    /// A question or filler word ([`is_filler_word`]): it scores, but a match never needs it.
    pub optional: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ParsedQuery {
    pub terms: Vec<QueryTerm>,
    /// Quoted phrases, folded.
    pub phrases: Vec<String>,
    /// `-x` exclusions, folded.
    pub excludes: Vec<String>,
    /// Runs that score higher where found unbroken, folded: unquoted chunks of several
    /// words, a query that is one chunk, and quoted phrases.
    pub runs: Vec<String>,
    /// Everything typed except exclusions, as a whole-title key (see
    /// [`exact_key`]).
    pub whole: Option<String>,
}

impl ParsedQuery {
    /// The words a full match needs, each with its variants (the word as typed first).
    pub(crate) fn required_words(&self) -> Vec<Vec<String>> {
        self.terms
            .iter()
            .filter(|t| !t.optional)
            .map(|t| t.variants.clone())
            .collect()
    }

    /// Strings to highlight in titles and snippets.
    pub(crate) fn needles(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let all = self
            .terms
            .iter()
            .flat_map(|t| t.variants.iter())
            .chain(self.phrases.iter())
            .chain(self.runs.iter());
        for n in all {
            let n = n.trim();
            if !n.is_empty() && !out.iter().any(|o| o == n) {
                out.push(n.to_string());
            }
        }
        out
    }
}

enum Segment {
    Plain(String),
    Phrase(String),
    Exclude(String),
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '「' | '『')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '」' | '』')
}

fn is_quote(c: char) -> bool {
    is_open_quote(c) || is_close_quote(c)
}

fn segments(folded: &str) -> Vec<Segment> {
    let chars: Vec<char> = folded.chars().collect();
    let n = chars.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let negate = c == '-' && i + 1 < n && !chars[i + 1].is_whitespace();
        let start = if negate { i + 1 } else { i };
        if is_open_quote(chars[start]) {
            if let Some(len) = chars[start + 1..].iter().position(|&d| is_close_quote(d)) {
                let close = start + 1 + len;
                let inner: String = chars[start + 1..close].iter().collect();
                out.push(if negate {
                    Segment::Exclude(inner)
                } else {
                    Segment::Phrase(inner)
                });
                i = close + 1;
                continue;
            }
            // An unbalanced quote is read as if it were not there.
            i = start + 1;
            continue;
        }
        let mut j = start;
        while j < n && !chars[j].is_whitespace() && !is_quote(chars[j]) {
            j += 1;
        }
        let text: String = chars[start..j].iter().collect();
        out.push(if negate {
            Segment::Exclude(text)
        } else {
            Segment::Plain(text)
        });
        i = j.max(start + 1);
    }
    out
}

fn has_searchable(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// Parses user text; see [`crate::SearchIndex::search`] for the syntax.
pub(crate) fn parse(raw: &str, analyzer: &Analyzer) -> Result<ParsedQuery, SearchError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(SearchError::EmptyQuery);
    }
    let len = trimmed.chars().count();
    if len > MAX_QUERY_CHARS_HARD {
        return Err(SearchError::InvalidQuery(format!(
            "query is {len} characters long; at most {MAX_QUERY_CHARS_HARD} are accepted"
        )));
    }
    let cut: String = trimmed.chars().take(MAX_QUERY_CHARS).collect();
    let folded = fold(&cut);

    let mut parsed = ParsedQuery::default();
    let mut required = 0usize;
    let mut typed = String::new();
    let segs = segments(&folded);
    // One unquoted chunk is most often text copied from an article.
    let one_chunk = segs.len() == 1;
    for seg in segs {
        if let Segment::Phrase(t) | Segment::Plain(t) = &seg {
            typed.push_str(t);
        }
        match seg {
            Segment::Phrase(p) => {
                let p = p.trim().to_string();
                if has_searchable(&p) && required < MAX_QUERY_TERMS && !parsed.phrases.contains(&p)
                {
                    // A quoted phrase is a run by definition, and ranks like one.
                    if bigrams(&p).len() >= 2 && parsed.runs.len() < MAX_RUNS {
                        parsed.runs.push(p.clone());
                    }
                    parsed.phrases.push(p);
                    required += 1;
                }
            }
            Segment::Exclude(x) => {
                let x = x.trim().to_string();
                if has_searchable(&x)
                    && parsed.excludes.len() < MAX_QUERY_EXCLUSIONS
                    && !parsed.excludes.contains(&x)
                {
                    parsed.excludes.push(x);
                }
            }
            Segment::Plain(text) => {
                let mut words = plain_words(&text, analyzer);
                // Nothing but stop words (他很, 我们的): the characters themselves are
                // the query, matched through the bigrams.
                if words.is_empty()
                    && bigrams(&text)
                        .iter()
                        .any(|(g, _)| g.chars().count() == 2 && g.chars().all(is_cjk))
                {
                    words.push(text.clone());
                }
                // The run as typed (stop words included) is worth a bonus whenever it
                // says more than its single remaining word (她的父母都是我 is not 父母), and
                // when it is all the query: then how often an article holds that exact
                // run, for its length, says most about which article it came from.
                let more_than_one_word = words.len() >= 2 || words.first() != Some(&text);
                if (more_than_one_word || one_chunk)
                    && bigrams(&text).len() >= 2
                    && !words.is_empty()
                    && parsed.runs.len() < MAX_RUNS
                {
                    parsed.runs.push(text.clone());
                }
                for w in words {
                    if required >= MAX_QUERY_TERMS {
                        break;
                    }
                    if parsed.terms.iter().any(|t| t.variants[0] == w) {
                        continue;
                    }
                    let variants = match analyzer.aliases(&w) {
                        Some(group) => {
                            let mut v = vec![w.clone()];
                            v.extend(group.iter().filter(|g| **g != w).cloned());
                            v
                        }
                        None => vec![w],
                    };
                    parsed.terms.push(QueryTerm {
                        optional: is_filler_word(&variants[0]),
                        variants,
                    });
                    required += 1;
                }
            }
        }
    }
    if parsed.terms.is_empty() && parsed.phrases.is_empty() && parsed.excludes.is_empty() {
        return Err(SearchError::EmptyQuery);
    }
    // A query of nothing but filler words (报道, 最新消息) means them.
    if parsed.phrases.is_empty() && parsed.terms.iter().all(|t| t.optional) {
        for t in &mut parsed.terms {
            t.optional = false;
        }
    }
    if !parsed.terms.is_empty() || !parsed.phrases.is_empty() {
        parsed.whole = exact_key(&typed);
    }
    Ok(parsed)
}

/// The words of an unquoted chunk: jieba's default cut without punctuation and stop
/// words.
///
/// Single characters need care, because a lone character is only a word-field token
/// where jieba happened to cut it alone, and has no bigram of its own. Runs of them
/// (what jieba leaves of a name it does not know: 端/木/怡/雯) are glued back into one
/// term matched through the bigrams. A lone one (the 议 left when a query starts in the
/// middle of 会议) is glued to the word next to it, which stays a term of its own.
fn plain_words(chunk: &str, analyzer: &Analyzer) -> Vec<String> {
    enum Tok<'a> {
        Gap,
        Char(char),
        Word(&'a str),
    }
    let raw = analyzer.cut_query(chunk);
    let toks: Vec<Tok<'_>> = raw
        .iter()
        .map(|&w| {
            if !has_searchable(w) || is_stop_word(w) {
                return Tok::Gap;
            }
            let mut chars = w.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if is_cjk(c) => Tok::Char(c),
                _ => Tok::Word(w),
            }
        })
        .collect();
    // The raw neighbour a lone character is glued to may be a stop word (的掌 of 热烈的掌):
    // what matters is that the pair is a real sequence of the text.
    let raw_cjk = |k: usize| raw.get(k).filter(|w| w.chars().all(is_cjk)).copied();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Gap => i += 1,
            Tok::Word(w) => {
                out.push((*w).to_string());
                i += 1;
            }
            Tok::Char(_) => {
                let start = i;
                let mut run = String::new();
                while let Some(Tok::Char(c)) = toks.get(i) {
                    run.push(*c);
                    i += 1;
                }
                if run.chars().count() >= 2 {
                    out.push(run);
                } else if let Some(next) = raw_cjk(i) {
                    out.push(format!("{run}{next}"));
                } else if let Some(prev) = start.checked_sub(1).and_then(raw_cjk) {
                    out.push(format!("{prev}{run}"));
                } else {
                    out.push(run);
                }
            }
        }
    }
    out
}

/// Filters and ordering knobs that do not come from the query text.
pub(crate) struct Filters<'a> {
    pub column: Option<&'a str>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub only: Option<&'a [i64]>,
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// Matches `folded` as an unbroken sequence in a bigram field; `None` when it has no
/// bigram tokens at all (only punctuation).
fn ngram_query(field: Field, folded: &str) -> Option<(Box<dyn Query>, usize)> {
    let grams = bigrams(folded);
    match grams.len() {
        0 => None,
        1 => Some((term_query(field, grams[0].0), 1)),
        n => {
            let first = grams[0].1;
            let terms = grams
                .iter()
                .map(|&(g, p)| (p - first, Term::from_field_text(field, g)))
                .collect();
            Some((Box::new(PhraseQuery::new_with_offset(terms)), n))
        }
    }
}

/// `folded` as an unbroken sequence in `field`, boosted by `boost` shared among its
/// bigrams.
fn ngram_scored(field: Field, folded: &str, boost: f32) -> Option<Box<dyn Query>> {
    ngram_query(field, folded).map(|(q, n)| boosted(q, boost / n as f32))
}

/// The query has two parts. The required part decides what matches: every word and
/// phrase as a character sequence of the article's text (one bigram phrase each, which
/// also covers every place jieba cut the word), minus the exclusions, within the filters.
/// The bonuses only add to the score of what matches (the word fields, the sequence in
/// the title, all words in the title, the whole title, an unbroken run), so they are
/// looked up for those documents alone; see [`BonusQuery`].
fn word_fields(f: &Fields) -> [(Field, f32); 5] {
    [
        (f.title, BOOST_TITLE),
        (f.body, BOOST_BODY),
        (f.tags, BOOST_TAGS),
        (f.bylines, BOOST_BYLINES),
        (f.column_name, BOOST_COLUMN),
    ]
}

/// What matches one word (any of its variants); what only scores goes to `bonuses`.
pub(crate) fn term_clause(
    term: &QueryTerm,
    f: &Fields,
    bonuses: &mut Vec<Box<dyn Query>>,
) -> Option<Box<dyn Query>> {
    let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (k, v) in term.variants.iter().enumerate() {
        let w = if k == 0 { 1.0 } else { BOOST_ALIAS };
        // A word of two or more Chinese characters that is a token of a word field
        // is also a bigram phrase of the text field, so the word fields cannot add
        // matches and only score. Anything else (a lone character, Latin letters,
        // digits) may be a word token where its bigrams are not.
        let words_add_matches = !is_cjk_run(v);
        for (field, boost) in word_fields(f) {
            let q = boosted(term_query(field, v), boost * w);
            if words_add_matches {
                alts.push((Occur::Should, q));
            } else {
                bonuses.push(q);
            }
        }
        if let Some(q) = ngram_scored(f.text_ngram, v, BOOST_TEXT_NGRAM * w) {
            alts.push((Occur::Should, q));
        }
        bonuses.extend(ngram_scored(f.title_ngram, v, BOOST_TITLE_NGRAM * w));
    }
    (!alts.is_empty()).then(|| one_of(alts))
}

/// What both tiers hold to: every quoted phrase, no exclusion, the filters. What only scores
/// goes to `bonuses`.
pub(crate) fn constraints(
    parsed: &ParsedQuery,
    f: &Fields,
    filters: &Filters<'_>,
    bonuses: &mut Vec<Box<dyn Query>>,
) -> Vec<(Occur, Box<dyn Query>)> {
    let word_fields = word_fields(f);
    let mut required: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for phrase in &parsed.phrases {
        let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(q) = ngram_scored(f.text_ngram, phrase, BOOST_TEXT_NGRAM) {
            alts.push((Occur::Should, q));
        }
        if is_single_cjk(phrase) {
            for &(field, boost) in &word_fields {
                alts.push((Occur::Should, boosted(term_query(field, phrase), boost)));
            }
        }
        bonuses.extend(ngram_scored(f.title_ngram, phrase, BOOST_TITLE_NGRAM));
        if !alts.is_empty() {
            required.push((Occur::Must, one_of(alts)));
        }
    }
    for x in &parsed.excludes {
        let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some((q, _)) = ngram_query(f.text_ngram, x) {
            alts.push((Occur::Should, q));
        }
        if is_single_cjk(x) {
            for &(field, _) in &word_fields {
                alts.push((Occur::Should, term_query(field, x)));
            }
        }
        if !alts.is_empty() {
            required.push((Occur::MustNot, SafeSeek::boxed(one_of(alts))));
        }
    }
    if let Some(col) = filters.column {
        let q = TermQuery::new(
            Term::from_field_text(f.column_slug, col),
            IndexRecordOption::Basic,
        );
        required.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(q), 0.0)),
        ));
    }
    if let Some(ids) = filters.only {
        let terms = ids.iter().map(|&id| Term::from_field_i64(f.id, id));
        required.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermSetQuery::new(terms)),
                0.0,
            )),
        ));
    }
    if filters.from.is_some() || filters.to.is_some() {
        let bound = |v: Option<i64>| match v {
            Some(v) => Bound::Included(Term::from_field_i64(f.published_at, v)),
            None => Bound::Unbounded,
        };
        let q = RangeQuery::new(bound(filters.from), bound(filters.to));
        required.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(q), 0.0)),
        ));
    }
    required
}

pub(crate) fn build(parsed: &ParsedQuery, f: &Fields, filters: &Filters<'_>) -> Box<dyn Query> {
    let mut required: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut bonuses: Vec<Box<dyn Query>> = Vec::new();
    for term in &parsed.terms {
        if let Some(q) = term_clause(term, f, &mut bonuses) {
            if term.optional {
                bonuses.push(q);
            } else {
                required.push((Occur::Must, q));
            }
        }
    }
    let constrained = constraints(parsed, f, filters, &mut bonuses);
    if required.is_empty() && parsed.phrases.is_empty() {
        // Only exclusions: everything but them, so `-同济` alone still answers.
        required.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
        ));
    }
    required.extend(constrained);
    if parsed.terms.len() + parsed.phrases.len() >= 2 {
        let mut all = Vec::new();
        for term in &parsed.terms {
            let mut alts = Vec::new();
            for v in &term.variants {
                alts.push((Occur::Should, term_query(f.title, v)));
                if let Some((q, _)) = ngram_query(f.title_ngram, v) {
                    alts.push((Occur::Should, q));
                }
            }
            all.push((
                Occur::Must,
                Box::new(BooleanQuery::new(alts)) as Box<dyn Query>,
            ));
        }
        for phrase in &parsed.phrases {
            if let Some((q, _)) = ngram_query(f.title_ngram, phrase) {
                all.push((Occur::Must, q));
            }
        }
        bonuses.push(boosted(Box::new(BooleanQuery::new(all)), BOOST_TITLE_ALL));
    }
    if let Some(whole) = &parsed.whole {
        bonuses.push(boosted(term_query(f.title_exact, whole), BOOST_TITLE_EXACT));
    }
    for run in &parsed.runs {
        for (field, boost) in [
            (f.title_ngram, BOOST_TITLE_PROXIMITY),
            (f.text_ngram, BOOST_TEXT_PROXIMITY),
        ] {
            if let Some((q, n)) = ngram_query(field, run)
                && n >= 2
            {
                bonuses.push(boosted(q, boost / n as f32));
            }
        }
    }
    Box::new(BonusQuery::new(
        Box::new(BooleanQuery::new(required)),
        bonuses,
    ))
}

/// A clause that matches when any of `alts` does; a lone alternative stands as itself, so
/// an intersection of phrases stays one (no union to fill around each candidate).
fn one_of(mut alts: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if alts.len() == 1
        && let Some((_, q)) = alts.pop()
    {
        return q;
    }
    Box::new(BooleanQuery::new(alts))
}

/// Two or more characters, all Chinese.
fn is_cjk_run(s: &str) -> bool {
    s.chars().nth(1).is_some() && s.chars().all(is_cjk)
}

fn is_single_cjk(s: &str) -> bool {
    let mut chars = s.chars().filter(|c| c.is_alphanumeric());
    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
}

#[cfg(test)]
mod tests {

    use super::*;

    fn analyzer() -> Analyzer {
        crate::types::shipped_analyzer()
    }

    #[test]
    fn syntax() {
        let a = analyzer();
        let p = parse(r#"西迁精神 "学习习近平" -同济 -"上海 交大""#, &a).unwrap_or_default();
        assert_eq!(p.terms.len(), 1);
        assert_eq!(p.terms[0].variants, vec!["西迁精神"]);
        assert_eq!(p.phrases, vec!["学习习近平"]);
        assert_eq!(p.excludes, vec!["同济", "上海 交大"]);
    }

    #[test]
    fn traditional_query_is_folded() {
        let p = parse("西遷精神", &analyzer()).unwrap_or_default();
        assert_eq!(p.terms[0].variants, vec!["西迁精神"]);
    }

    #[test]
    fn aliases_expand() {
        let p = parse("西工大", &analyzer()).unwrap_or_default();
        assert_eq!(p.terms[0].variants, vec!["西工大", "西北工业大学"]);
    }

    #[test]
    fn hostile_input() {
        let a = analyzer();
        assert!(matches!(parse("   ", &a), Err(SearchError::EmptyQuery)));
        assert!(matches!(
            parse("，。！？…", &a),
            Err(SearchError::EmptyQuery)
        ));
        assert!(matches!(
            parse("的 了 the", &a),
            Err(SearchError::EmptyQuery)
        ));
        assert!(matches!(
            parse(&"#".repeat(10_000), &a),
            Err(SearchError::InvalidQuery(_))
        ));
        let p = parse("\"西迁 -", &a).unwrap_or_default();
        assert_eq!(p.terms[0].variants, vec!["西迁"]);
        let long = "西迁精神".repeat(200);
        let p = parse(&long, &a).unwrap_or_default();
        assert!(p.terms.len() <= MAX_QUERY_TERMS);
        let many = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let p = parse(&many, &a).unwrap_or_default();
        assert_eq!(p.terms.len(), MAX_QUERY_TERMS);
        let p = parse("他很", &a).unwrap_or_default();
        assert_eq!(p.terms[0].variants, vec!["他很"]);
        let p = parse("-\"\"\" \"", &a);
        assert!(matches!(p, Err(SearchError::EmptyQuery)), "{p:?}");
    }

    #[test]
    fn lone_characters_are_glued_to_a_neighbour() {
        let a = Analyzer::new("", "");
        let words = plain_words("议由成进主持", &a);
        assert!(words.iter().all(|w| w.chars().count() >= 2), "{words:?}");
        let words = plain_words("港建设", &a);
        assert!(words.iter().all(|w| w.chars().count() >= 2), "{words:?}");
    }

    #[test]
    fn unknown_names_stay_whole() {
        let a = Analyzer::new("", "");
        let p = parse("端木怡雯", &a).unwrap_or_default();
        let joined: String = p.terms.iter().map(|t| t.variants[0].as_str()).collect();
        assert_eq!(joined, "端木怡雯");
        assert!(p.terms.iter().all(|t| t.variants[0].chars().count() >= 2));
    }
}
