//! What goes into the index and what comes out of a search.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The campus dictionary shipped with Rongmei, in jieba's user-dictionary format
/// (`word [freq] [tag]` per line). Write it to the data folder on first run so editors
/// can extend it; it is also what an index uses when [`SearchConfig::user_dict`] is `None`.
pub const DEFAULT_USER_DICT: &str = include_str!("default_user_dict.txt");

/// The alias groups shipped with Rongmei (`西安交大 = 西安交通大学 = 交大`, one group a
/// line); used when [`SearchConfig::aliases`] is `None`.
pub const DEFAULT_ALIASES: &str = include_str!("default_aliases.txt");

/// The analyzer with the shipped dictionary and aliases, for the crate's unit tests.
#[cfg(test)]
pub(crate) fn shipped_analyzer() -> crate::analysis::Analyzer {
    crate::analysis::Analyzer::new(DEFAULT_USER_DICT, DEFAULT_ALIASES)
}

/// The folding applied to indexed text and queries alike: traditional → simplified,
/// full-width → half-width, lower case. One character in, one character out.
pub fn normalize(text: &str) -> String {
    crate::analysis::fold(text)
}

/// Results per page are capped here; larger `limit`s are cut down.
pub const MAX_LIMIT: usize = 100;
/// Deeper pages are refused: collecting them costs memory and nobody reads them.
pub const MAX_OFFSET: usize = 10_000;

/// A published article as the index sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: i64,
    pub title: String,
    /// Plain text, paragraphs separated by `'\n'`.
    pub body: String,
    pub column_slug: String,
    pub column_name: String,
    pub tags: Vec<String>,
    /// Names of the authors, photographers, editors.
    pub bylines: Vec<String>,
    /// Unix seconds.
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchConfig {
    /// Used only by the index: nothing else may live there that looks like tantivy's
    /// files, because a corrupt index is wiped.
    pub index_dir: PathBuf,
    /// jieba user dictionary (`word [freq] [tag]` per line); `None` → [`DEFAULT_USER_DICT`].
    pub user_dict: Option<PathBuf>,
    /// Alias groups (`a = b = c` per line); `None` → [`DEFAULT_ALIASES`].
    pub aliases: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Relevance,
    /// Newest first; undated articles last.
    Newest,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchQuery {
    pub q: String,
    /// Column slug.
    pub column: Option<String>,
    /// Unix seconds, inclusive. With either bound set, undated articles are left out.
    pub from: Option<i64>,
    /// Unix seconds, inclusive.
    pub to: Option<i64>,
    pub sort: SortOrder,
    /// At most [`MAX_LIMIT`]; 0 only counts.
    pub limit: usize,
    /// At most [`MAX_OFFSET`].
    pub offset: usize,
    /// Only these articles (a facet the caller resolved, such as "mentions 成进").
    pub only: Option<Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// All matches, not just this page.
    pub total: usize,
    /// How many of them match every word that matters (the first tier).
    pub full_total: usize,
    pub took_ms: f64,
    pub hits: Vec<SearchHit>,
    /// With no full match: what the reader probably meant (the Chinese of a query typed in
    /// pinyin, or the word that sounds like a mistyped one), when that finds something.
    pub did_you_mean: Option<String>,
}

/// Which tier a hit is in: every full match ranks above every partial one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchTier {
    /// Every word that matters and every quoted phrase.
    Full,
    /// Most of the words (phrases, exclusions and filters still hold), or the query read as
    /// pinyin (see [`SearchHit::pinyin`]).
    Partial,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: i64,
    pub score: f32,
    pub tier: MatchTier,
    /// For a partial match: the query's words it holds, as typed; for a pinyin match, the
    /// Chinese it matched.
    pub matched: Vec<String>,
    /// Found by reading the query as pinyin (`xiqian jingshen` → 西迁精神): below every
    /// match of the query as typed.
    pub pinyin: bool,
    /// HTML-escaped title with `<mark>` around the matches.
    pub title_html: String,
    /// HTML-escaped excerpt of about 120 characters with `<mark>`s; fragments far apart
    /// are joined with `…`.
    pub snippet_html: String,
    pub published_at: Option<i64>,
    /// Column slug.
    pub column: String,
}
