//! The index on disk: opening or recreating it, its tokenizers, and the marker file that says
//! which schema and analysis it was written with.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::indexer::IndexWriterOptions;
use tantivy::schema::Schema;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter, Order, ReloadPolicy,
    TantivyError,
};

use crate::analysis::{
    Analyzer, BIGRAM_TOKENIZER, ChineseTokenizer, EXACT_TOKENIZER, WORD_TOKENIZER,
};
use crate::error::SearchError;
use crate::schema::SCHEMA_VERSION;

pub(crate) const WRITER_HEAP_BYTES: usize = 128 * 1024 * 1024;
/// The indexing memory of a whole rebuild, shared by its threads. A rebuild writes a segment
/// each time a thread's share fills and merges them all at the end, so a smaller share costs
/// little time; a larger one was most of a rebuild's peak memory (128 MiB of arenas on top of
/// the merge). Measured by `bench/memory.sh`.
pub(crate) const REBUILD_HEAP_BYTES: usize = 48 * 1024 * 1024;
pub(crate) const MARKER_FILE: &str = "rongmei-search.json";
pub(crate) const MARKER_TMP: &str = "rongmei-search.json.tmp";
/// Each hit decompresses the whole store block holding it; at tantivy's default 16 KiB
/// that is five or six articles per hit. Blocks of about one article make the ten hits
/// of a page a third as expensive to load, for a slightly larger store.
pub(crate) const DOCSTORE_BLOCK_BYTES: usize = 4096;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Marker {
    pub(crate) schema_version: u32,
    /// Fingerprint of the analysis (code version, dictionary, aliases) the documents were
    /// last fully indexed with; `None` until a rebuild completes.
    pub(crate) analysis: Option<String>,
}

pub(crate) fn read_config(path: Option<&Path>, default: &str) -> Result<String, SearchError> {
    match path {
        None => Ok(default.to_string()),
        Some(p) => std::fs::read_to_string(p).map_err(|source| SearchError::Config {
            path: p.to_path_buf(),
            source,
        }),
    }
}

pub(crate) fn register_tokenizers(index: &Index, analyzer: &Arc<Analyzer>) {
    let tm = index.tokenizers();
    tm.register(
        WORD_TOKENIZER,
        TextAnalyzer::from(ChineseTokenizer::words(analyzer.clone())),
    );
    tm.register(
        BIGRAM_TOKENIZER,
        TextAnalyzer::from(ChineseTokenizer::bigrams(analyzer.clone())),
    );
    tm.register(
        EXACT_TOKENIZER,
        TextAnalyzer::from(ChineseTokenizer::exact(analyzer.clone())),
    );
}

pub(crate) type Parts = (IndexReader, IndexWriter, Marker);

pub(crate) enum OpenFailure {
    Locked,
    Corrupt(String),
}

impl From<TantivyError> for OpenFailure {
    fn from(err: TantivyError) -> Self {
        match err {
            TantivyError::LockFailure(..) => OpenFailure::Locked,
            other => OpenFailure::Corrupt(other.to_string()),
        }
    }
}

/// `Ok(None)` when there is no index yet.
pub(crate) fn open_existing(
    dir: &Path,
    schema: &Schema,
    analyzer: &Arc<Analyzer>,
) -> Result<Option<Parts>, OpenFailure> {
    if !dir.join("meta.json").exists() {
        return Ok(None);
    }
    let marker = read_marker(dir);
    let index = Index::open_in_dir(dir)?;
    if index.schema() != *schema {
        return Err(OpenFailure::Corrupt("schema differs".into()));
    }
    let marker = match marker {
        Some(m) if m.schema_version == SCHEMA_VERSION => m,
        Some(m) => {
            return Err(OpenFailure::Corrupt(format!(
                "schema version {} (expected {SCHEMA_VERSION})",
                m.schema_version
            )));
        }
        // An index we did not finish writing: keep it, but it needs a rebuild.
        None => Marker {
            schema_version: SCHEMA_VERSION,
            analysis: None,
        },
    };
    register_tokenizers(&index, analyzer);
    let (reader, writer) = reader_and_writer(&index)?;
    // Opening a searcher touches every segment, so missing or truncated files show here
    // rather than at the first query.
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        segment
            .get_store_reader(0)
            .map_err(|e| OpenFailure::Corrupt(e.to_string()))?;
    }
    Ok(Some((reader, writer, marker)))
}

pub(crate) fn reader_and_writer(index: &Index) -> Result<(IndexReader, IndexWriter), TantivyError> {
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok((reader, usual_writer(index)?))
}

/// The writer kept between rebuilds. Two cores: one indexing thread and one merge thread
/// leave the other core to serving requests.
pub(crate) fn usual_writer(index: &Index) -> Result<IndexWriter, TantivyError> {
    open_writer(index, 1, WRITER_HEAP_BYTES)
}

pub(crate) fn open_writer(
    index: &Index,
    threads: usize,
    heap_per_thread: usize,
) -> Result<IndexWriter, TantivyError> {
    index.writer_with_options(
        IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .num_merge_threads(1)
            .memory_budget_per_thread(heap_per_thread)
            .build(),
    )
}

pub(crate) fn create_fresh(
    dir: &Path,
    schema: &Schema,
    analyzer: &Arc<Analyzer>,
) -> Result<Parts, SearchError> {
    wipe(dir)?;
    let index = Index::builder()
        .schema(schema.clone())
        .settings(IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            // Documents in id order inside every segment, and merged in that order: a
            // rebuild indexes on several threads, and without this the order of equal
            // scores (which tantivy breaks by document address) would change from one
            // rebuild to the next.
            sort_by_field: Some(IndexSortByField {
                field: "id".into(),
                order: Order::Asc,
            }),
            ..IndexSettings::default()
        })
        .create_in_dir(dir)?;
    register_tokenizers(&index, analyzer);
    let (reader, writer) = reader_and_writer(&index).map_err(|e| match e {
        TantivyError::LockFailure(..) => SearchError::Locked {
            path: dir.to_path_buf(),
        },
        other => SearchError::Index(other),
    })?;
    let marker = Marker {
        schema_version: SCHEMA_VERSION,
        analysis: None,
    };
    write_marker(dir, &marker)?;
    Ok((reader, writer, marker))
}

/// Removes what tantivy and this crate put in `dir`, and nothing else, in case the
/// directory was shared with other files by mistake.
pub(crate) fn wipe(dir: &Path) -> Result<(), SearchError> {
    let io = |source| SearchError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if is_index_file(name) && entry.file_type().map_err(io)?.is_file() {
            std::fs::remove_file(entry.path()).map_err(io)?;
        }
    }
    Ok(())
}

pub(crate) fn is_index_file(name: &str) -> bool {
    if matches!(
        name,
        "meta.json"
            | ".managed.json"
            | ".tantivy-meta.lock"
            | ".tantivy-writer.lock"
            | MARKER_FILE
            | MARKER_TMP
    ) {
        return true;
    }
    // Segment files: 32 hex digits, then `.ext` or `.opstamp.del`.
    let Some((stem, _)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) fn read_marker(dir: &Path) -> Option<Marker> {
    let text = std::fs::read_to_string(dir.join(MARKER_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

pub(crate) fn write_marker(dir: &Path, marker: &Marker) -> Result<(), SearchError> {
    let path = dir.join(MARKER_FILE);
    let tmp = dir.join(MARKER_TMP);
    let io = |source| SearchError::Io {
        path: path.clone(),
        source,
    };
    let json =
        serde_json::to_vec_pretty(marker).map_err(|e| io(std::io::Error::other(e.to_string())))?;
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(&json).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(())
}
