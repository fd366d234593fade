//! The last tier of a search: the query read as pinyin.
//!
//! Pinyin is indexed for titles, columns, tags and people only; bodies would double the
//! index. So a spelled query is also turned back into Chinese, from the titles: the longest
//! runs of its syllables that some title holds (`xiqian jingshen` → 西迁 + 精神, or 西迁精神
//! where a title has it whole), and that Chinese is searched everywhere, bodies included.
//! The same reading answers "did you mean" for a query typed in pinyin, and for a Chinese
//! query spelled out (西迁精深 reads as 西迁精神).

use tantivy::Searcher;
use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;

use crate::analysis::{Analyzer, fold};
use crate::error::SearchError;
use crate::pinyin::{self, PinyinQuery};
use crate::query::{self, Filters, ParsedQuery};
use crate::schema::Fields;

/// Titles read for each run of syllables tried.
const TITLES_READ: usize = 5;
/// Longer spellings are not turned back into Chinese (each run tried is one small query).
const MAX_RESOLVED_SYLLABLES: usize = 12;

/// The pinyin tier's query: the reading in the pinyin fields, or its Chinese (when the
/// titles give one) anywhere, within the query's filters.
pub(crate) fn tier_query(
    fields: &Fields,
    analyzer: &Analyzer,
    parsed: &ParsedQuery,
    spelled: &PinyinQuery,
    chinese: Option<&str>,
    filters: &Filters<'_>,
) -> Box<dyn Query> {
    let mut ignored = Vec::new();
    let mut in_pinyin = vec![(Occur::Must, pinyin::query(spelled, fields))];
    in_pinyin.extend(query::constraints(parsed, fields, filters, &mut ignored));
    let mut either: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Should, Box::new(BooleanQuery::new(in_pinyin)))];
    if let Some(words) = pinyin::words_query(spelled, fields) {
        let mut in_bodies = vec![(Occur::Must, words)];
        in_bodies.extend(query::constraints(parsed, fields, filters, &mut ignored));
        either.push((Occur::Should, Box::new(BooleanQuery::new(in_bodies))));
    }
    if let Some(parsed_cn) = chinese.and_then(|c| query::parse(c, analyzer).ok()) {
        either.push((Occur::Should, query::build(&parsed_cn, fields, filters)));
    }
    Box::new(BooleanQuery::new(either))
}

/// The Chinese a spelled query reads as, from the titles: for each way it spells, the
/// longest runs of syllables that a title holds, left to right, joined. `None` when some
/// syllable is in no title (or the query is only initials no title starts a run with).
pub(crate) fn resolve(
    searcher: &Searcher,
    fields: &Fields,
    analyzer: &Analyzer,
    spelled: &PinyinQuery,
) -> Result<Option<String>, SearchError> {
    for spelling in &spelled.spellings {
        let n = spelling.len();
        if n > MAX_RESOLVED_SYLLABLES {
            continue;
        }
        let mut chinese = String::new();
        let mut i = 0;
        while i < n {
            let mut found = None;
            // Runs of two syllables at least: one alone is any of a dozen characters.
            for j in (i + 2..=n).rev() {
                let run = PinyinQuery {
                    spellings: vec![spelling[i..j].to_vec()],
                    chunks: Vec::new(),
                    initials: None,
                };
                if let Some(text) = in_titles(searcher, fields, analyzer, &run)? {
                    found = Some((j, text));
                    break;
                }
            }
            let Some((j, text)) = found else { break };
            chinese.push_str(&text);
            i = j;
        }
        if i == n && !chinese.is_empty() {
            return Ok(Some(chinese));
        }
    }
    if spelled.initials.is_some() {
        let only_initials = PinyinQuery {
            spellings: Vec::new(),
            chunks: Vec::new(),
            initials: spelled.initials.clone(),
        };
        if let Some(found) = in_titles(searcher, fields, analyzer, &only_initials)? {
            return Ok(Some(found));
        }
    }
    in_bodies(searcher, fields, analyzer, spelled)
}

/// The Chinese of the typed chunks in the first of the best-matching bodies that holds
/// them all, joined: for words no title has (西迁 in a body only).
fn in_bodies(
    searcher: &Searcher,
    fields: &Fields,
    analyzer: &Analyzer,
    spelled: &PinyinQuery,
) -> Result<Option<String>, SearchError> {
    let Some(q) = pinyin::words_query(spelled, fields) else {
        return Ok(None);
    };
    // Each chunk whole, or in words of two syllables, as the words query matches them.
    let pieces: Vec<Vec<PinyinQuery>> = spelled
        .chunks
        .iter()
        .map(|chunk| {
            let one = |s: &[String]| PinyinQuery {
                spellings: vec![s.to_vec()],
                chunks: Vec::new(),
                initials: None,
            };
            let mut ways = vec![one(chunk)];
            if chunk.len() > 2 {
                ways.push(PinyinQuery {
                    spellings: chunk.chunks(2).map(|p| p.to_vec()).collect(),
                    chunks: Vec::new(),
                    initials: None,
                });
            }
            ways
        })
        .collect();
    let top = TopDocs::with_limit(TITLES_READ).order_by_score();
    'docs: for (_, addr) in searcher.search(q.as_ref(), &top)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let body = doc
            .get_first(fields.body)
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let mut chinese = String::new();
        for ways in &pieces {
            let whole = &ways[0];
            if let Some((s, e)) = pinyin::find(analyzer, body, whole) {
                chinese.push_str(&body[s..e]);
                continue;
            }
            let Some(pairs) = ways.get(1) else {
                continue 'docs;
            };
            for pair in &pairs.spellings {
                let one = PinyinQuery {
                    spellings: vec![pair.clone()],
                    chunks: Vec::new(),
                    initials: None,
                };
                let Some((s, e)) = pinyin::find(analyzer, body, &one) else {
                    continue 'docs;
                };
                chinese.push_str(&body[s..e]);
            }
        }
        if !chinese.is_empty() {
            return Ok(Some(chinese));
        }
    }
    Ok(None)
}

/// The Chinese of the first of the best-matching titles that reads as `run`.
fn in_titles(
    searcher: &Searcher,
    fields: &Fields,
    analyzer: &Analyzer,
    run: &PinyinQuery,
) -> Result<Option<String>, SearchError> {
    let q = pinyin::query(run, fields);
    let top = TopDocs::with_limit(TITLES_READ).order_by_score();
    for (_, addr) in searcher.search(q.as_ref(), &top)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let title = doc
            .get_first(fields.title)
            .and_then(|v| v.as_str())
            .unwrap_or("");
        if let Some((s, e)) = pinyin::find(analyzer, title, run) {
            return Ok(Some(title[s..e].to_string()));
        }
    }
    Ok(None)
}

/// "Did you mean" for a Chinese query: the titles' words that sound like it, when they are
/// not what was typed.
pub(crate) fn sounds_like(
    searcher: &Searcher,
    fields: &Fields,
    analyzer: &Analyzer,
    typed: &str,
) -> Result<Option<String>, SearchError> {
    let Some(sounds) = pinyin::homophones_of(analyzer, typed) else {
        return Ok(None);
    };
    let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(resolve(searcher, fields, analyzer, &sounds)?.filter(|c| fold(c) != fold(&compact)))
}
