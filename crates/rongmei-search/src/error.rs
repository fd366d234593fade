use std::path::PathBuf;

/// Everything that can go wrong in the search crate.
///
/// The web layer maps [`SearchError::EmptyQuery`] and [`SearchError::InvalidQuery`] to
/// 400 (their `Display` text is safe to show to the user); everything else is a 500.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query is empty, or holds nothing searchable (only punctuation, symbols or
    /// stop words such as 的/了/the).
    #[error("empty query: enter at least one word to search for")]
    EmptyQuery,

    /// The query was rejected; the message says why (for example, too long).
    #[error("invalid query: {0}")]
    InvalidQuery(String),

    /// Another process (or another `SearchIndex` in this one) holds the index writer.
    #[error("search index at {path} is locked by another writer")]
    Locked { path: PathBuf },

    /// A dictionary or alias file could not be read.
    #[error("cannot read {path}: {source}")]
    Config {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The index directory could not be created or cleaned.
    #[error("search index directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),

    /// A stored document lacks a field the schema requires; only a bug or a foreign
    /// index can cause it.
    #[error("search index holds a malformed document: {0}")]
    Malformed(&'static str),

    /// The writer lock was poisoned by a panic in another thread.
    #[error("search index writer is unusable after a panic in another thread")]
    Poisoned,
}

impl SearchError {
    /// True when the error is the caller's fault (HTTP 400), false when it is ours (500).
    pub fn is_bad_request(&self) -> bool {
        matches!(self, SearchError::EmptyQuery | SearchError::InvalidQuery(_))
    }
}
