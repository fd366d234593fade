//! Chinese full-text search for Rongmei.
//!
//! One tantivy index per node, in its own directory. Text is folded (traditional →
//! simplified, full-width → half-width, lower case) and indexed twice: as jieba
//! search-mode words, which drive the ranking, and as character bigrams with positions,
//! which make every run of two or more Chinese characters findable as a quoted phrase,
//! names no dictionary knows included.
//!
//! # Query syntax (see [`SearchIndex::search`])
//! - words: every word must match (as a word or as a character sequence); documents with
//!   the words next to each other rank higher;
//! - `"quoted phrase"` (also `“…”`, `「…」`): the exact character sequence;
//! - `-word`, `-"phrase"`: leave out documents containing it;
//! - aliases from the alias file (`西工大` also finds `西北工业大学`);
//! - stop words (的, 了, the, ...) are dropped unless the query has nothing else; a single
//!   Chinese character only matches where jieba cut it as a word of its own.
//!
//! The recall promise: any run of two or more Chinese characters of a title or body,
//! quoted, finds the article, and the reported total is exactly the number of articles
//! containing it (tests/search.rs checks this on random runs of the corpus).

mod analysis;
mod bonus;
mod error;
mod index;
mod partial;
mod pinyin;
mod pinyin_tier;
mod query;
mod safe_seek;
mod schema;
mod snippet;
mod storage;
mod suggest;
mod types;

pub use crate::error::SearchError;
pub use crate::index::SearchIndex;
pub use crate::query::{
    MAX_QUERY_CHARS, MAX_QUERY_CHARS_HARD, MAX_QUERY_EXCLUSIONS, MAX_QUERY_TERMS,
};
pub use crate::suggest::{MAX_SUGGESTIONS, SuggestEntry, SuggestKind, Suggester};
pub use crate::types::{
    DEFAULT_ALIASES, DEFAULT_USER_DICT, MAX_LIMIT, MAX_OFFSET, MatchTier, SearchConfig, SearchDoc,
    SearchHit, SearchQuery, SearchResults, SortOrder, normalize,
};
