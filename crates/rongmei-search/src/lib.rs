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
mod query;
mod schema;
mod snippet;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::sort_key::SortBySimilarityScore;
use tantivy::collector::{Count, TopDocs};
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::Query;
use tantivy::schema::{Schema, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter, Order,
    ReloadPolicy, Searcher, TantivyDocument, TantivyError, Term,
};

use crate::analysis::{
    Analyzer, BIGRAM_TOKENIZER, ChineseTokenizer, EXACT_TOKENIZER, WORD_TOKENIZER,
};
pub use crate::error::SearchError;
pub use crate::query::{
    MAX_QUERY_CHARS, MAX_QUERY_CHARS_HARD, MAX_QUERY_EXCLUSIONS, MAX_QUERY_TERMS,
};
use crate::schema::{Fields, SCHEMA_VERSION, build_schema};

/// The campus dictionary shipped with Rongmei, in jieba's user-dictionary format
/// (`word [freq] [tag]` per line). Write it to the data folder on first run so editors
/// can extend it; it is also what an index uses when [`SearchConfig::user_dict`] is `None`.
pub const DEFAULT_USER_DICT: &str = include_str!("default_user_dict.txt");

/// The alias groups shipped with Rongmei (`西安交大 = 西安交通大学 = 交大`, one group a
/// line); used when [`SearchConfig::aliases`] is `None`.
pub const DEFAULT_ALIASES: &str = include_str!("default_aliases.txt");

/// The folding applied to indexed text and queries alike: traditional → simplified,
/// full-width → half-width, lower case. One character in, one character out.
pub fn normalize(text: &str) -> String {
    analysis::fold(text)
}

/// Results per page are capped here; larger `limit`s are cut down.
pub const MAX_LIMIT: usize = 100;
/// Deeper pages are refused: collecting them costs memory and nobody reads them.
pub const MAX_OFFSET: usize = 10_000;

const WRITER_HEAP_BYTES: usize = 128 * 1024 * 1024;
/// Indexing threads of a rebuild, at most; each gets a share of [`WRITER_HEAP_BYTES`].
const MAX_REBUILD_THREADS: usize = 4;
const MARKER_FILE: &str = "rongmei-search.json";
const MARKER_TMP: &str = "rongmei-search.json.tmp";
const PROGRESS_EVERY: u64 = 1000;
const ANSWER_CACHE_ENTRIES: usize = 2048;
/// Each hit decompresses the whole store block holding it; at tantivy's default 16 KiB
/// that is five or six articles per hit. Blocks of about one article make the ten hits
/// of a page a third as expensive to load, for a slightly larger store.
const DOCSTORE_BLOCK_BYTES: usize = 4096;

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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// All matches, not just this page.
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<SearchHit>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: i64,
    pub score: f32,
    /// HTML-escaped title with `<mark>` around the matches.
    pub title_html: String,
    /// HTML-escaped excerpt of about 120 characters with `<mark>`s; fragments far apart
    /// are joined with `…`.
    pub snippet_html: String,
    pub published_at: Option<i64>,
    /// Column slug.
    pub column: String,
}

/// The search index of one node. `Send + Sync`: share it in an `Arc`.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    /// `None` only while a rebuild swaps in its own writer, or after reopening the usual
    /// one failed; the next write then opens it again.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    analyzer: Arc<Analyzer>,
    needs_rebuild: AtomicBool,
    /// Answers by query and reader generation: popular queries (a news site's search traffic
    /// is mostly a few) cost one lookup, and any commit makes every older answer unreachable.
    answers: quick_cache::sync::Cache<(SearchQuery, u64), Arc<SearchResults>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("needs_rebuild", &self.needs_rebuild())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    schema_version: u32,
    /// Fingerprint of the analysis (code version, dictionary, aliases) the documents were
    /// last fully indexed with; `None` until a rebuild completes.
    analysis: Option<String>,
}

impl SearchIndex {
    /// Opens the index in `cfg.index_dir`, creating it if missing. A corrupt index, or one
    /// written with another schema version, is wiped and recreated.
    ///
    /// [`needs_rebuild`](Self::needs_rebuild) is then true whenever the index may not hold
    /// every article under the current analysis: new, recreated, or built with another
    /// dictionary or alias file. Call [`rebuild`](Self::rebuild) in that case.
    pub fn open(cfg: &SearchConfig) -> Result<Self, SearchError> {
        let user_dict = read_config(cfg.user_dict.as_deref(), DEFAULT_USER_DICT)?;
        let aliases = read_config(cfg.aliases.as_deref(), DEFAULT_ALIASES)?;
        let analyzer = Arc::new(Analyzer::new(&user_dict, &aliases));
        let dir = cfg.index_dir.clone();
        std::fs::create_dir_all(&dir).map_err(|source| SearchError::Io {
            path: dir.clone(),
            source,
        })?;
        let (schema, fields) = build_schema();

        let (reader, writer, marker) = match open_existing(&dir, &schema, &analyzer) {
            Ok(Some(parts)) => parts,
            Ok(None) => create_fresh(&dir, &schema, &analyzer)?,
            Err(OpenFailure::Locked) => return Err(SearchError::Locked { path: dir }),
            Err(OpenFailure::Corrupt(why)) => {
                tracing::warn!(dir = %dir.display(), %why, "search index unusable; recreating it");
                create_fresh(&dir, &schema, &analyzer)?
            }
        };
        let current = format!("{:016x}", analyzer.fingerprint());
        let needs_rebuild = marker.analysis.as_deref() != Some(current.as_str());
        Ok(SearchIndex {
            dir,
            reader,
            index: writer.index().clone(),
            writer: Mutex::new(Some(writer)),
            fields,
            analyzer,
            needs_rebuild: AtomicBool::new(needs_rebuild),
            answers: quick_cache::sync::Cache::new(ANSWER_CACHE_ENTRIES),
        })
    }

    /// True when the caller should [`rebuild`](Self::rebuild) from the database.
    pub fn needs_rebuild(&self) -> bool {
        self.needs_rebuild.load(Ordering::Acquire)
    }

    /// Adds the documents, replacing any with the same id, and makes them searchable
    /// before returning.
    pub fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        self.write(|writer, fields| {
            for doc in docs {
                writer.delete_term(Term::from_field_i64(fields.id, doc.id));
                writer.add_document(to_document(fields, doc))?;
            }
            Ok(())
        })
    }

    /// Removes the documents with these ids (unknown ids are ignored); visible on return.
    pub fn delete(&self, ids: &[i64]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.write(|writer, fields| {
            for &id in ids {
                writer.delete_term(Term::from_field_i64(fields.id, id));
            }
            Ok(())
        })
    }

    /// Replaces the whole index with `docs` in one commit: searches keep seeing the old
    /// content until it is done. `progress` gets the running count every 1000 documents
    /// and at the end. Returns the number of documents indexed.
    pub fn rebuild(
        &self,
        docs: &mut dyn Iterator<Item = SearchDoc>,
        progress: &dyn Fn(u64),
    ) -> Result<u64, SearchError> {
        let count = {
            let mut slot = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
            // The usual writer has one indexing thread, to leave the other cores to
            // requests. A rebuild is the one time indexing should have them all, and a
            // writer's thread count is fixed when it opens, so the usual writer is closed
            // (only one may hold the index) and a wider one does the rebuild.
            if let Some(usual) = slot.take() {
                usual.wait_merging_threads()?;
            }
            let outcome = self.rebuild_with_all_cores(docs, progress);
            // Reopened whatever happened; if even that fails, the next write retries.
            match usual_writer(&self.index) {
                Ok(w) => *slot = Some(w),
                Err(e) => tracing::error!(error = %e, "cannot reopen the search index writer"),
            }
            outcome?
        };
        self.reader.reload()?;
        if count == 0 || !count.is_multiple_of(PROGRESS_EVERY) {
            progress(count);
        }
        write_marker(
            &self.dir,
            &Marker {
                schema_version: SCHEMA_VERSION,
                analysis: Some(format!("{:016x}", self.analyzer.fingerprint())),
            },
        )?;
        self.needs_rebuild.store(false, Ordering::Release);
        Ok(count)
    }

    /// Deletes everything and adds `docs` in one commit, then merges every segment into
    /// one. A rebuild leaves a segment per flushed buffer and thread (tens at 100,000
    /// articles), and each query pays a term-dictionary lookup per term, field and
    /// segment: with one segment, uncached queries spend their time on postings instead.
    /// Later upserts add small segments again, which the merge policy folds in as usual.
    /// On error nothing is committed: dropping the writer discards what it staged.
    fn rebuild_with_all_cores(
        &self,
        docs: &mut dyn Iterator<Item = SearchDoc>,
        progress: &dyn Fn(u64),
    ) -> Result<u64, SearchError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_REBUILD_THREADS);
        // The same memory in all as the usual writer has alone.
        let mut writer = open_writer(&self.index, threads, WRITER_HEAP_BYTES / threads)?;
        writer.delete_all_documents()?;
        let mut count = 0u64;
        for doc in docs {
            writer.add_document(to_document(&self.fields, &doc))?;
            count += 1;
            if count.is_multiple_of(PROGRESS_EVERY) {
                progress(count);
            }
        }
        writer.commit()?;
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() > 1 {
            writer.merge(&ids).wait()?;
        }
        writer.wait_merging_threads()?;
        Ok(count)
    }

    /// Number of searchable documents.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a query. An empty query, or one with nothing searchable in it (only
    /// punctuation, symbols or stop words), is [`SearchError::EmptyQuery`]; a query over
    /// [`MAX_QUERY_CHARS_HARD`] characters, or an inverted date range, is
    /// [`SearchError::InvalidQuery`]. Longer than [`MAX_QUERY_CHARS`] is cut to it.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        if let (Some(from), Some(to)) = (q.from, q.to)
            && from > to
        {
            return Err(SearchError::InvalidQuery(
                "the start of the date range is after its end".into(),
            ));
        }
        if q.offset > MAX_OFFSET {
            return Err(SearchError::InvalidQuery(format!(
                "offset {} is too deep; at most {MAX_OFFSET} results can be paged through",
                q.offset
            )));
        }
        let searcher = self.reader.searcher();
        let key = (q.clone(), searcher.generation().generation_id());
        if let Some(cached) = self.answers.get(&key) {
            let mut answer = (*cached).clone();
            answer.took_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(answer);
        }
        let parsed = query::parse(&q.q, &self.analyzer)?;
        let tq = query::build(
            &parsed,
            &self.fields,
            &query::Filters {
                // An empty `column=` from a form means "all columns".
                column: q.column.as_deref().map(str::trim).filter(|c| !c.is_empty()),
                from: q.from,
                to: q.to,
            },
        );
        let limit = q.limit.min(MAX_LIMIT);
        let (total, page) = collect(&searcher, tq.as_ref(), q.sort, limit, q.offset)?;

        let needles = snippet::prepare_needles(&parsed.needles());
        let mut hits = Vec::with_capacity(page.len());
        for (score, addr) in page {
            hits.push(self.hit(&searcher, addr, score, &needles)?);
        }
        let answer = SearchResults {
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
        };
        self.answers.insert(key, Arc::new(answer.clone()));
        Ok(answer)
    }

    fn hit(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        score: f32,
        needles: &[Vec<char>],
    ) -> Result<SearchHit, SearchError> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
        let id = doc
            .get_first(f.id)
            .and_then(|v| v.as_i64())
            .ok_or(SearchError::Malformed("id"))?;
        Ok(SearchHit {
            id,
            score,
            title_html: snippet::highlight(text(f.title), needles),
            snippet_html: snippet::snippet(text(f.body), needles, &self.analyzer),
            published_at: doc.get_first(f.published_at).and_then(|v| v.as_i64()),
            column: text(f.column_slug).to_string(),
        })
    }

    /// Runs `work` with the writer, then commits and reloads the reader so the change is
    /// visible on return; on error, drops whatever `work` had staged.
    fn write(
        &self,
        work: impl FnOnce(&mut IndexWriter, &Fields) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let mut slot = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let writer = match &mut *slot {
            Some(w) => w,
            empty => empty.insert(usual_writer(&self.index)?),
        };
        let result = work(writer, &self.fields).and_then(|()| {
            writer.commit()?;
            Ok(())
        });
        if let Err(err) = result {
            if let Err(rb) = writer.rollback() {
                tracing::error!(error = %rb, "search index rollback failed");
            }
            return Err(err);
        }
        drop(slot);
        self.reader.reload()?;
        Ok(())
    }
}

type Page = Vec<(f32, DocAddress)>;

/// Extra hits collected beyond the page so equal scores at its end can be reordered.
const TIE_MARGIN: usize = 10;

/// The tie-break keys of the hits: character length and id. Opening a fast-field column
/// decodes its block index, so each segment's columns are opened once, not once per hit.
fn tie_keys(searcher: &Searcher, page: &Page) -> Result<Vec<(u64, i64)>, SearchError> {
    type Columns = (
        tantivy::columnar::Column<u64>,
        tantivy::columnar::Column<i64>,
    );
    let mut columns: Vec<Option<Columns>> = vec![None; searcher.segment_readers().len()];
    let mut out = Vec::with_capacity(page.len());
    for &(_, addr) in page {
        let slot = &mut columns[addr.segment_ord as usize];
        if slot.is_none() {
            let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
            *slot = Some((fast.u64("length")?, fast.i64("id")?));
        }
        let (len, id) = slot.as_ref().map_or((None, None), |(len, id)| {
            (len.first(addr.doc_id), id.first(addr.doc_id))
        });
        out.push((len.unwrap_or(u64::MAX), id.unwrap_or(i64::MAX)));
    }
    Ok(out)
}

fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    sort: SortOrder,
    limit: usize,
    offset: usize,
) -> Result<(usize, Page), SearchError> {
    if limit == 0 {
        return Ok((searcher.search(query, &Count)?, Vec::new()));
    }
    Ok(match sort {
        SortOrder::Relevance => {
            // Equal scores are common: tantivy keeps field lengths in coarse buckets, so
            // two articles holding a phrase once score the same whenever their lengths
            // share a bucket, and the tie would go to the older document. The shorter
            // article wins instead: the phrase is more of what it is about. The page is
            // collected with a margin so that ties straddling its end are seen too.
            let want = offset + limit;
            let top = TopDocs::with_limit(want + TIE_MARGIN);
            let (total, mut page) = searcher.search(query, &(Count, top.order_by_score()))?;
            let keys = tie_keys(searcher, &page)?;
            let mut keyed: Vec<(f32, (u64, i64), DocAddress)> = page
                .drain(..)
                .zip(keys)
                .map(|((score, addr), key)| (score, key, addr))
                .collect();
            // Then the older article (lower id), whatever segment each landed in.
            keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let page = keyed
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(|(score, _, addr)| (score, addr))
                .collect();
            (total, page)
        }
        SortOrder::Newest => {
            let top = TopDocs::with_limit(limit).and_offset(offset);
            // Ties (same minute, or undated) fall back to relevance.
            let by_date = top.order_by((
                (
                    tantivy::collector::sort_key::SortByStaticFastValue::<i64>::for_field(
                        "published_at",
                    ),
                    Order::Desc,
                ),
                (SortBySimilarityScore, Order::Desc),
            ));
            let (total, page) = searcher.search(query, &(Count, by_date))?;
            (
                total,
                page.into_iter()
                    .map(|((_, score), addr)| (score, addr))
                    .collect(),
            )
        }
    })
}

fn to_document(f: &Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_i64(f.id, doc.id);
    d.add_text(f.title, &doc.title);
    d.add_text(f.body, &doc.body);
    d.add_text(f.title_ngram, &doc.title);
    d.add_text(f.title_exact, &doc.title);
    let unlabelled = without_label(&doc.title);
    if unlabelled.len() < doc.title.trim().len() && !unlabelled.is_empty() {
        d.add_text(f.title_exact, unlabelled);
    }
    d.add_text(f.column_slug, &doc.column_slug);
    d.add_text(f.column_name, &doc.column_name);
    for tag in &doc.tags {
        d.add_text(f.tags, tag);
    }
    for name in &doc.bylines {
        d.add_text(f.bylines, name);
    }
    // Every searchable value, each on its own: tantivy leaves a position between values,
    // so no phrase matches across two of them.
    for text in [&doc.title, &doc.body, &doc.column_name]
        .into_iter()
        .chain(&doc.tags)
        .chain(&doc.bylines)
    {
        d.add_text(f.text_ngram, text);
    }
    if let Some(t) = doc.published_at {
        d.add_i64(f.published_at, t);
    }
    d.add_u64(
        f.length,
        (doc.title.chars().count() + doc.body.chars().count()) as u64,
    );
    d
}

/// The title without leading bracketed labels (`【主题教育】`, `[通知]`): a column tag that
/// readers do not remember as part of the title, so the whole-title match also works
/// without it.
fn without_label(title: &str) -> &str {
    let mut t = title.trim();
    loop {
        let close = match t.chars().next() {
            Some('【') => '】',
            Some('[') => ']',
            _ => return t,
        };
        match t.find(close) {
            Some(end) => t = t[end + close.len_utf8()..].trim_start(),
            None => return t,
        }
    }
}

fn read_config(path: Option<&Path>, default: &str) -> Result<String, SearchError> {
    match path {
        None => Ok(default.to_string()),
        Some(p) => std::fs::read_to_string(p).map_err(|source| SearchError::Config {
            path: p.to_path_buf(),
            source,
        }),
    }
}

fn register_tokenizers(index: &Index, analyzer: &Arc<Analyzer>) {
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

type Parts = (IndexReader, IndexWriter, Marker);

enum OpenFailure {
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
fn open_existing(
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

fn reader_and_writer(index: &Index) -> Result<(IndexReader, IndexWriter), TantivyError> {
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok((reader, usual_writer(index)?))
}

/// The writer kept between rebuilds. Two cores: one indexing thread and one merge thread
/// leave the other core to serving requests.
fn usual_writer(index: &Index) -> Result<IndexWriter, TantivyError> {
    open_writer(index, 1, WRITER_HEAP_BYTES)
}

fn open_writer(
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

fn create_fresh(
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
fn wipe(dir: &Path) -> Result<(), SearchError> {
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

fn is_index_file(name: &str) -> bool {
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

fn read_marker(dir: &Path) -> Option<Marker> {
    let text = std::fs::read_to_string(dir.join(MARKER_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_marker(dir: &Path, marker: &Marker) -> Result<(), SearchError> {
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

// Keeps the promise in the docs: the index can be shared across threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
};
