//! Suggestions as readers type: titles, people, tags and the queries readers ran that found
//! something, kept in memory and rebuilt from the database when the site changes.
//!
//! Every node builds its own from the shared database, so every node suggests the same.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rongmei_core::EntityKind;
use rongmei_search::{SuggestEntry, SuggestKind};

use crate::app::App;
use crate::error::AppError;

/// People and tags offered at most: the most mentioned.
const NAMES: i64 = 5_000;
/// Readers' queries offered: run in the last this many days ...
const QUERY_DAYS: i64 = 90;
/// ... at least this many times. One reader's search is never offered to the next: a name
/// or a number typed once stays private.
const QUERY_MIN_SEARCHES: u64 = 3;
const QUERIES: usize = 5_000;
/// How often a node looks whether the site changed since it last built its suggestions, and
/// rebuilds them at the latest (readers' queries change without any article changing).
pub(crate) const SUGGEST_CHECK_EVERY: Duration = Duration::from_secs(2);
pub(crate) const SUGGEST_REBUILD_EVERY: Duration = Duration::from_secs(600);

impl App {
    /// Suggestions for what a reader has typed so far: at most ten.
    pub fn suggest(&self, typed: &str) -> Vec<SuggestEntry> {
        let suggester = self.suggester();
        suggester
            .suggest(typed, rongmei_search::MAX_SUGGESTIONS)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Rebuilds the suggestions from the database; returns how many entries they hold.
    pub async fn refresh_suggestions(&self) -> Result<usize, AppError> {
        // Cleared first: a change while this runs marks them stale again.
        self.suggestions_stale().store(false, Ordering::Release);
        let store = self.store();
        let links = self.links();
        let mut entries = Vec::new();
        let listing = store.site_listing().await?;
        let n = listing.len() as u64;
        // Newest first in the listing: a newer title weighs more.
        for (rank, a) in listing.into_iter().enumerate() {
            entries.push(SuggestEntry {
                url: Some(links.article(a.summary.id)),
                text: a.summary.title,
                kind: SuggestKind::Title,
                weight: n - rank as u64,
            });
        }
        for person in store
            .list_entities(EntityKind::Person, "", NAMES, 0)
            .await?
        {
            entries.push(SuggestEntry {
                url: Some(links.entity(EntityKind::Person, &person.name)),
                text: person.name,
                kind: SuggestKind::Person,
                weight: person.articles.max(0) as u64,
            });
        }
        for (tag, articles) in store.tag_counts(NAMES).await? {
            entries.push(SuggestEntry {
                text: tag,
                kind: SuggestKind::Tag,
                url: None,
                weight: articles.max(0) as u64,
            });
        }
        let since =
            crate::search_log::shanghai_day(self.now()) - chrono::Duration::days(QUERY_DAYS);
        for (query, searches) in store
            .popular_queries(since, QUERY_MIN_SEARCHES, QUERIES)
            .await?
        {
            entries.push(SuggestEntry {
                text: query,
                kind: SuggestKind::Query,
                url: None,
                weight: searches,
            });
        }
        let index = self.search_index();
        let built = tokio::task::spawn_blocking(move || index.suggester(entries))
            .await
            .map_err(|e| AppError::Internal(format!("building suggestions: {e}")))?;
        let len = built.len();
        self.suggestions().store(Arc::new(built));
        Ok(len)
    }
}
