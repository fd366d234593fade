//! The search index of one node: opening, writing, rebuilding and searching.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tantivy::collector::sort_key::SortBySimilarityScore;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, Searcher, TantivyDocument, Term,
};

use crate::analysis::{Analyzer, fold};
use crate::error::SearchError;
use crate::schema::{Fields, SCHEMA_VERSION, build_schema};
use crate::storage::*;
use crate::suggest::{SuggestEntry, Suggester};
use crate::types::*;
use crate::{partial, pinyin, pinyin_tier, query, snippet};

/// Indexing threads of a rebuild, at most; each gets a share of [`REBUILD_HEAP_BYTES`].
const MAX_REBUILD_THREADS: usize = 4;
const PROGRESS_EVERY: u64 = 1000;
const ANSWER_CACHE_ENTRIES: usize = 2048;

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

    /// The folder the index lives in.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
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
                writer.add_document(to_document(fields, &self.analyzer, doc))?;
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
        let mut writer = open_writer(&self.index, threads, REBUILD_HEAP_BYTES / threads)?;
        // Only the one merge below: background merges during the build would hold more
        // segments in memory at once, and one that is still running when the final merge
        // asks for its segments makes that merge fail.
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        writer.delete_all_documents()?;
        let mut count = 0u64;
        for doc in docs {
            writer.add_document(to_document(&self.fields, &self.analyzer, &doc))?;
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

    /// A suggestion index over `entries`, reading their pinyin as this index does.
    pub fn suggester(&self, entries: Vec<SuggestEntry>) -> Suggester {
        Suggester::build(&self.analyzer, entries)
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
        let filters = query::Filters {
            // An empty `column=` from a form means "all columns".
            column: q.column.as_deref().map(str::trim).filter(|c| !c.is_empty()),
            from: q.from,
            to: q.to,
            only: q.only.as_deref(),
        };
        let tq = query::build(&parsed, &self.fields, &filters);
        let limit = q.limit.min(MAX_LIMIT);
        let (full_total, page) = collect(&searcher, tq.as_ref(), q.sort, limit, q.offset)?;

        let needles = snippet::prepare_needles(&parsed.needles());
        let mut hits = Vec::with_capacity(page.len());
        for (score, addr) in page {
            hits.push(self.hit(&searcher, addr, score, &needles, How::Full)?);
        }
        // Then the partial matches, always after every full one, and last the query read as
        // pinyin. Only while the matches are few: past that, a reader has enough as typed.
        let mut total = full_total;
        let relax = full_total <= PARTIAL_AFTER_AT_MOST;
        let partial_q = relax
            .then(|| partial::build_partial(&parsed, &self.fields, &filters))
            .flatten();
        let mut earlier = full_total;
        if let Some(pq) = &partial_q {
            // One pass over the tier counts it and, when the page has room, collects it: the
            // full matches are in the tier too, so that many more are taken and then dropped.
            let room = limit - hits.len();
            let skip = q.offset.saturating_sub(earlier);
            let want = if room > 0 {
                skip + room + full_total
            } else {
                0
            };
            let (matching, page) = collect(&searcher, pq.as_ref(), q.sort, want, 0)?;
            let partial_total = matching.saturating_sub(full_total);
            total += partial_total;
            if room > 0 && partial_total > 0 {
                let full: HashSet<DocAddress> = searcher.search(tq.as_ref(), &DocSetCollector)?;
                let words = parsed.required_words();
                for (score, addr) in page
                    .into_iter()
                    .filter(|(_, a)| !full.contains(a))
                    .skip(skip)
                    .take(room)
                {
                    hits.push(self.hit(&searcher, addr, score, &needles, How::Partial(&words))?);
                }
            }
            earlier = total;
        }
        let spelled = relax.then(|| pinyin::parse(&q.q)).flatten();
        let mut reading = None;
        if let Some(spelled) = &spelled
            && total <= PARTIAL_AFTER_AT_MOST
        {
            reading = pinyin_tier::resolve(&searcher, &self.fields, &self.analyzer, spelled)?;
            let read_needles = reading
                .as_deref()
                .and_then(|r| query::parse(r, &self.analyzer).ok())
                .map(|p| snippet::prepare_needles(&p.needles()))
                .unwrap_or_default();
            let already = partial_q.as_ref().unwrap_or(&tq);
            let pq = pinyin_tier::tier_query(
                &self.fields,
                &self.analyzer,
                &parsed,
                spelled,
                reading.as_deref(),
                &filters,
            );
            let (new, overlap) = new_matches(&searcher, pq.as_ref(), already.as_ref(), total)?;
            total += new;
            let room = limit - hits.len();
            if room > 0 && new > 0 {
                let skip = q.offset.saturating_sub(earlier);
                let (_, page) = collect(
                    &searcher,
                    pq.as_ref(),
                    q.sort,
                    skip + room + overlap.len(),
                    0,
                )?;
                let how = How::Pinyin {
                    spelled,
                    reading: reading.as_deref(),
                    needles: &read_needles,
                };
                for (score, addr) in page
                    .into_iter()
                    .filter(|(_, a)| !overlap.contains(a))
                    .skip(skip)
                    .take(room)
                {
                    hits.push(self.hit(&searcher, addr, score, &needles, how)?);
                }
            }
        }
        // What the reader probably meant, when nothing held every word: the Chinese a
        // pinyin query reads as, or what a Chinese query sounds like in the titles.
        let did_you_mean = match (full_total, reading) {
            (0, Some(read)) => Some(read),
            (0, None) if spelled.is_none() => {
                pinyin_tier::sounds_like(&searcher, &self.fields, &self.analyzer, &q.q)?
            }
            _ => None,
        };
        let answer = SearchResults {
            total,
            full_total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            did_you_mean,
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
        how: How<'_>,
    ) -> Result<SearchHit, SearchError> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
        let id = doc
            .get_first(f.id)
            .and_then(|v| v.as_i64())
            .ok_or(SearchError::Malformed("id"))?;
        let title = text(f.title);
        let mut found_needles = Vec::new();
        let (tier, matched) = match how {
            How::Full => (MatchTier::Full, Vec::new()),
            // A partial match says which of the words it holds (as typed; an alias counts).
            How::Partial(words) => {
                let hay = fold(&format!("{} {}", title, text(f.body)));
                let matched = words
                    .iter()
                    .filter(|variants| variants.iter().any(|v| hay.contains(v.as_str())))
                    .map(|variants| variants[0].clone())
                    .collect();
                (MatchTier::Partial, matched)
            }
            // A pinyin match shows the Chinese it read, when that is in the title (it may be
            // a tag, a column or a person instead).
            How::Pinyin {
                spelled,
                reading,
                needles: read_needles,
            } => {
                let matched: Vec<String> = pinyin::find(&self.analyzer, title, spelled)
                    .map(|(s, e)| title[s..e].to_string())
                    .or_else(|| reading.map(str::to_string))
                    .into_iter()
                    .collect();
                found_needles = snippet::prepare_needles(&matched);
                found_needles.extend(read_needles.iter().cloned());
                (MatchTier::Partial, matched)
            }
        };
        let needles = if found_needles.is_empty() {
            needles
        } else {
            &found_needles
        };
        Ok(SearchHit {
            id,
            score,
            tier,
            matched,
            pinyin: matches!(how, How::Pinyin { .. }),
            title_html: snippet::highlight(title, needles),
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

/// How a hit was found, which decides its tier and what it says it matched.
#[derive(Clone, Copy)]
enum How<'a> {
    Full,
    Partial(&'a [Vec<String>]),
    /// Read as pinyin, and as the Chinese the titles spell that way (with its needles).
    Pinyin {
        spelled: &'a pinyin::PinyinQuery,
        reading: Option<&'a str>,
        needles: &'a [Vec<char>],
    },
}

/// The matches of `tier` that no earlier tier has (`already` matches `already_total`
/// documents): how many, and which of its documents the earlier tiers hold.
fn new_matches(
    searcher: &Searcher,
    tier: &dyn Query,
    already: &dyn Query,
    already_total: usize,
) -> Result<(usize, HashSet<DocAddress>), SearchError> {
    let mine: HashSet<DocAddress> = searcher.search(tier, &DocSetCollector)?;
    if mine.is_empty() || already_total == 0 {
        return Ok((mine.len(), HashSet::new()));
    }
    let before: HashSet<DocAddress> = searcher.search(already, &DocSetCollector)?;
    let overlap: HashSet<DocAddress> = mine.intersection(&before).copied().collect();
    Ok((mine.len() - overlap.len(), overlap))
}

/// Partial matches are offered while the full matches number at most this: ten pages of
/// articles holding every word are more than a reader goes through, and counting the partial
/// tier of a common query costs every search (at 1,000: 12% more time per search, bench
/// `latency --mix titles` at 100,000 articles).
const PARTIAL_AFTER_AT_MOST: usize = 100;

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

fn to_document(f: &Fields, analyzer: &Analyzer, doc: &SearchDoc) -> TantivyDocument {
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
    // What readers may type in pinyin: the title and the names around it, not the body.
    for text in [&doc.title, &doc.column_name]
        .into_iter()
        .chain(&doc.tags)
        .chain(&doc.bylines)
    {
        let (full, initials) = pinyin::index_values(analyzer, text);
        for value in full {
            d.add_text(f.pinyin, value);
        }
        for value in initials {
            d.add_text(f.pinyin_initials, value);
        }
    }
    d.add_text(f.pinyin_words, pinyin::body_words(analyzer, &doc.body));
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

// Keeps the promise in the docs: the index can be shared across threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
};
