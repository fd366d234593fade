//! What readers search for: each reader search counted in memory per (day, normalised query),
//! with whether it found a full match and whether it found anything, and written to the store
//! every few seconds and when the node stops. The newsroom's analytics show it (what readers
//! could not find) and search suggestions draw on it.
//!
//! Nothing about the reader is kept: no address, account, session or time of day, only the day
//! and the query, and queries that look like personal data are not kept at all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use rongmei_core::SHANGHAI;
use rongmei_store::{SearchCount, Store, StoreError};

/// Distinct (day, query) keys kept between two flushes. Beyond it, searches still count into
/// the keys already there but new queries are dropped: a flood of distinct junk queries must not
/// grow a node's memory without end (or flood the table) while the database is away.
pub const MAX_KEYS: usize = 10_000;

/// Queries are cut to this many characters: longer ones are pasted text, not what a reader asks.
pub const MAX_QUERY_CHARS: usize = 64;

/// A digit run this long is a phone, student, staff or ID-card number, not a topic.
const PERSONAL_DIGITS: usize = 6;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    searches: u64,
    no_full: u64,
    no_result: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.searches = self.searches.saturating_add(other.searches);
        self.no_full = self.no_full.saturating_add(other.no_full);
        self.no_result = self.no_result.saturating_add(other.no_result);
    }
}

type Key = (NaiveDate, String);

/// This node's search counts not yet written.
pub struct SearchLog {
    pending: Mutex<HashMap<Key, Counts>>,
    /// Set once the key bound has been reached and said so in the log; cleared by a flush, so
    /// a node flooded for days says so once per flush period at most.
    full_logged: AtomicBool,
    /// One flush at a time: the periodic one and the final one must not interleave.
    flush_lock: tokio::sync::Mutex<()>,
}

impl Default for SearchLog {
    fn default() -> Self {
        SearchLog::new()
    }
}

/// The query as it is counted: trimmed, inner whitespace collapsed to one space, ASCII letters
/// lower-cased, at most [`MAX_QUERY_CHARS`] characters. `None` for an empty query and for one that
/// looks like personal data: readers type e-mail addresses, phone numbers and student or ID
/// numbers into search boxes, and those must never reach the database or the newsroom's pages.
pub fn normalise_query(raw: &str) -> Option<String> {
    if looks_personal(raw) {
        return None;
    }
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut q: String = collapsed
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    q.truncate(q.trim_end().len());
    (!q.is_empty()).then_some(q)
}

/// An `@` (ASCII or full-width: an e-mail address or a handle) or a run of six or more digits
/// (ASCII or full-width). Checked on the whole query, before it is cut to length.
fn looks_personal(raw: &str) -> bool {
    if raw.contains(['@', '＠']) {
        return true;
    }
    let mut run = 0;
    for c in raw.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            run += 1;
            if run >= PERSONAL_DIGITS {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// The Asia/Shanghai calendar day of `now`: the newsroom's day, whatever the server's zone.
pub fn shanghai_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&SHANGHAI).date_naive()
}

impl SearchLog {
    pub fn new() -> SearchLog {
        SearchLog {
            pending: Mutex::new(HashMap::new()),
            full_logged: AtomicBool::new(false),
            flush_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Counts>> {
        // Counting never panics while holding the lock; should anything, the counts in it are
        // still whole numbers worth keeping.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one reader search made at `now` that found `total` articles, `full_total` of
    /// them matching every meaningful word. Returns whether it was counted (false for an empty
    /// or personal-looking query, or a new query past the bound).
    pub fn record(
        &self,
        raw_query: &str,
        total: usize,
        full_total: usize,
        now: DateTime<Utc>,
    ) -> bool {
        let Some(query) = normalise_query(raw_query) else {
            return false;
        };
        let one = Counts {
            searches: 1,
            no_full: u64::from(full_total == 0),
            no_result: u64::from(total == 0),
        };
        let mut pending = self.lock();
        self.add_bounded(&mut pending, (shanghai_day(now), query), one)
    }

    /// Adds into an existing key, or a new one while there is room.
    fn add_bounded(&self, pending: &mut HashMap<Key, Counts>, key: Key, counts: Counts) -> bool {
        if let Some(c) = pending.get_mut(&key) {
            c.add(counts);
            return true;
        }
        if pending.len() >= MAX_KEYS {
            if !self.full_logged.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    keys = MAX_KEYS,
                    "too many distinct search queries since the last write; new ones are not counted until the next"
                );
            }
            return false;
        }
        pending.insert(key, counts);
        true
    }

    /// Distinct (day, query) keys waiting to be written.
    pub fn unwritten(&self) -> usize {
        self.lock().len()
    }

    /// Writes everything counted so far in one transaction. On failure the counts go back (as
    /// far as the bound allows) for the next try.
    pub async fn flush(&self, store: &Store) -> Result<(), StoreError> {
        let _guard = self.flush_lock.lock().await;
        let taken = std::mem::take(&mut *self.lock());
        self.full_logged.store(false, Ordering::Relaxed);
        if taken.is_empty() {
            return Ok(());
        }
        let batch: Vec<SearchCount> = taken
            .iter()
            .map(|((day, query), c)| SearchCount {
                day: *day,
                query: query.clone(),
                searches: c.searches,
                no_full: c.no_full,
                no_result: c.no_result,
            })
            .collect();
        let result = store.add_search_counts(&batch).await;
        if result.is_err() {
            let mut pending = self.lock();
            for (key, counts) in taken {
                self.add_bounded(&mut pending, key, counts);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_normalised() {
        assert_eq!(
            normalise_query("  西迁精神 \t  Xi'an   JiaoTong ").as_deref(),
            Some("西迁精神 xi'an jiaotong")
        );
        assert_eq!(
            normalise_query("西迁\u{3000}精神").as_deref(),
            Some("西迁 精神")
        );
        assert_eq!(normalise_query("   "), None);
        let long = "字".repeat(100);
        assert_eq!(
            normalise_query(&long).map(|q| q.chars().count()),
            Some(MAX_QUERY_CHARS)
        );
        // Cut at a space: no trailing blank.
        let spaced = format!("{} b", "a".repeat(MAX_QUERY_CHARS - 1));
        assert_eq!(
            normalise_query(&spaced).map(|q| q.len()),
            Some(MAX_QUERY_CHARS - 1)
        );
        // Dates and years are topics, not people.
        assert_eq!(
            normalise_query("2023-06-01 西迁").as_deref(),
            Some("2023-06-01 西迁")
        );
    }

    #[test]
    fn personal_data_is_never_kept() {
        for q in [
            "zhang.san@xjtu.edu.cn",
            "张三＠qq",
            "13812345678",
            "学号 2191234567",
            "身份证６１０１０２",
            "电话 029-123456",
        ] {
            assert_eq!(normalise_query(q), None, "{q}");
        }
        assert_eq!(normalise_query("12345 篮球").as_deref(), Some("12345 篮球"));
    }

    #[test]
    fn counts_per_shanghai_day_and_bounds_new_keys() {
        let log = SearchLog::new();
        // 2026-12-01 23:30 in Shanghai is still 15:30 UTC the same day; 16:30 UTC is the 2nd.
        let late = DateTime::parse_from_rfc3339("2026-12-01T15:30:00Z")
            .unwrap()
            .to_utc();
        let next = DateTime::parse_from_rfc3339("2026-12-01T16:30:00Z")
            .unwrap()
            .to_utc();
        assert!(log.record("西迁精神", 3, 3, late));
        assert!(log.record(" 西迁精神", 3, 0, late));
        assert!(log.record("西迁精神", 0, 0, next));
        assert!(!log.record("a@b", 0, 0, next));
        {
            let p = log.lock();
            let d1 = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            let d2 = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
            assert_eq!(
                p[&(d1, "西迁精神".to_string())],
                Counts {
                    searches: 2,
                    no_full: 1,
                    no_result: 0
                }
            );
            assert_eq!(
                p[&(d2, "西迁精神".to_string())],
                Counts {
                    searches: 1,
                    no_full: 1,
                    no_result: 1
                }
            );
        }
        for i in 0..MAX_KEYS {
            log.record(&format!("q{i}"), 1, 1, late);
        }
        assert_eq!(log.unwritten(), MAX_KEYS);
        assert!(!log.record("one more", 1, 1, late), "bounded");
        assert!(log.record("q1", 1, 1, late), "existing keys still count");
    }
}
