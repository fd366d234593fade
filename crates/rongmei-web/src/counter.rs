//! View counting (浏览次数): counted in memory, deduplicated per reader, written to the database
//! at least every second as atomic increments so several nodes add up exactly.

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use rongmei_store::{Store, StoreError};

/// The same reader on the same article within this window counts once.
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(30 * 60);

pub struct ViewCounter {
    store: Store,
    /// Counted here, not yet written.
    pending: DashMap<i64, i64>,
    /// Taken by a flush that has not committed yet; still shown.
    in_flight: Mutex<Vec<(i64, i64)>>,
    /// Views in the database as this node last saw them, with when it looked.
    known: DashMap<i64, (i64, Instant)>,
    /// Hash of (client address, User-Agent, article) → seconds since `epoch` of the last count:
    /// 8 + 4 bytes of payload a visitor-article pair.
    seen: DashMap<u64, u32>,
    epoch: Instant,
    hasher: std::collections::hash_map::RandomState,
    flush_lock: tokio::sync::Mutex<()>,
}

impl ViewCounter {
    pub fn new(store: Store) -> ViewCounter {
        ViewCounter {
            store,
            pending: DashMap::new(),
            in_flight: Mutex::new(Vec::new()),
            known: DashMap::new(),
            seen: DashMap::new(),
            epoch: Instant::now(),
            hasher: Default::default(),
            flush_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn visitor_key(&self, article_id: i64, ip: IpAddr, user_agent: &str) -> u64 {
        self.hasher.hash_one((article_id, ip, user_agent))
    }

    /// Counts a view unless this reader was counted on this article within the window.
    /// Returns whether it counted.
    pub fn record(&self, article_id: i64, ip: IpAddr, user_agent: &str) -> bool {
        let key = self.visitor_key(article_id, ip, user_agent);
        let now = self.epoch.elapsed().as_secs() as u32;
        let window = DEDUPE_WINDOW.as_secs() as u32;
        let counts = match self.seen.entry(key) {
            dashmap::Entry::Occupied(mut e) => {
                if now.saturating_sub(*e.get()) >= window {
                    e.insert(now);
                    true
                } else {
                    false
                }
            }
            dashmap::Entry::Vacant(e) => {
                e.insert(now);
                true
            }
        };
        if counts {
            *self.pending.entry(article_id).or_insert(0) += 1;
        }
        counts
    }

    /// Views counted on this node that the database does not have yet.
    pub fn unflushed(&self, article_id: i64) -> i64 {
        let pending = self.pending.get(&article_id).map(|v| *v).unwrap_or(0);
        let in_flight: i64 = match self.in_flight.lock() {
            Ok(v) => v
                .iter()
                .filter(|(id, _)| *id == article_id)
                .map(|(_, d)| *d)
                .sum(),
            Err(_) => 0,
        };
        pending + in_flight
    }

    /// The count to show: the database's as last seen (refreshed every second for pages being
    /// read) plus what this node has not written yet.
    pub fn display(&self, article_id: i64, db_views: i64) -> i64 {
        let base = match self.known.entry(article_id) {
            dashmap::Entry::Occupied(e) => e.get().0.max(db_views),
            dashmap::Entry::Vacant(e) => {
                e.insert((db_views, Instant::now()));
                db_views
            }
        };
        base + self.unflushed(article_id)
    }

    /// Writes everything counted so far. On failure the counts go back to pending.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let _guard = self.flush_lock.lock().await;
        let ids: Vec<i64> = self.pending.iter().map(|e| *e.key()).collect();
        let mut batch = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((_, n)) = self.pending.remove(&id)
                && n > 0
            {
                batch.push((id, n));
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        if let Ok(mut f) = self.in_flight.lock() {
            f.extend_from_slice(&batch);
        }
        let result = self.store.add_views(&batch).await;
        match &result {
            Ok(()) => {
                for (id, n) in &batch {
                    if let Some(mut k) = self.known.get_mut(id) {
                        k.0 += n;
                    }
                }
            }
            Err(_) => {
                for (id, n) in &batch {
                    *self.pending.entry(*id).or_insert(0) += n;
                }
            }
        }
        if let Ok(mut f) = self.in_flight.lock() {
            f.clear();
        }
        result
    }

    /// Re-reads database counts of articles being shown, so counts from other nodes appear.
    pub async fn refresh_known(&self) {
        let stale_after = Duration::from_secs(1);
        let forget_after = Duration::from_secs(600);
        let now = Instant::now();
        self.known
            .retain(|_, (_, at)| now.duration_since(*at) < forget_after);
        let ids: Vec<i64> = self
            .known
            .iter()
            .filter(|e| now.duration_since(e.value().1) >= stale_after)
            .map(|e| *e.key())
            .collect();
        if ids.is_empty() {
            return;
        }
        let _guard = self.flush_lock.lock().await;
        match self.store.views_of_many(&ids).await {
            Ok(rows) => {
                for (id, views) in rows {
                    if let Some(mut k) = self.known.get_mut(&id) {
                        *k = (views, Instant::now());
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "refreshing view counts failed"),
        }
    }

    /// Forgets readers whose window has passed, which bounds memory to the readers of the last
    /// 30 minutes.
    pub fn sweep(&self) {
        let now = self.epoch.elapsed().as_secs() as u32;
        let window = DEDUPE_WINDOW.as_secs() as u32;
        self.seen.retain(|_, t| now.saturating_sub(*t) < window);
    }
}
