//! View counting (浏览次数): counted in memory, deduplicated per reader, written to the database
//! at least every second as atomic increments so several nodes add up exactly.

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use dashmap::DashMap;
use rongmei_core::Channel;
use rongmei_core::channel::{day_bucket, hour_bucket};
use rongmei_store::{ArticleViews, StatDelta, Store, StoreError, ViewBatch};

/// The same reader on the same article within this window counts once.
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(30 * 60);

pub struct ViewCounter {
    store: Store,
    /// Counted here, not yet written: (counted, raw) per article.
    pending: DashMap<i64, (i64, i64)>,
    /// Counted views not yet written, by (article, channel, hour bucket).
    pending_stats: DashMap<(i64, Channel, i64), i64>,
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
            pending_stats: DashMap::new(),
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

    /// A request that reached counting but is no reader (a crawler, a preview): raw only.
    pub fn record_raw(&self, article_id: i64) {
        self.pending.entry(article_id).or_insert((0, 0)).1 += 1;
    }

    /// Counts a view unless this reader was counted on this article within the window; the raw
    /// count grows either way. Returns whether it counted.
    pub fn record(&self, article_id: i64, ip: IpAddr, user_agent: &str, channel: Channel) -> bool {
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
        {
            let mut p = self.pending.entry(article_id).or_insert((0, 0));
            p.1 += 1;
            if counts {
                p.0 += 1;
            }
        }
        if counts {
            *self
                .pending_stats
                .entry((article_id, channel, hour_bucket(Utc::now())))
                .or_insert(0) += 1;
        }
        counts
    }

    /// Views counted on this node that the database does not have yet.
    pub fn unflushed(&self, article_id: i64) -> i64 {
        let pending = self.pending.get(&article_id).map(|v| v.0).unwrap_or(0);
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

    /// Takes everything counted so far as one batch.
    fn take_batch(&self) -> ViewBatch {
        let mut batch = ViewBatch::default();
        let ids: Vec<i64> = self.pending.iter().map(|e| *e.key()).collect();
        for id in ids {
            if let Some((_, (counted, raw))) = self.pending.remove(&id)
                && (counted > 0 || raw > 0)
            {
                batch.articles.push(ArticleViews { id, counted, raw });
            }
        }
        let keys: Vec<(i64, Channel, i64)> = self.pending_stats.iter().map(|e| *e.key()).collect();
        let mut days: std::collections::HashMap<(i64, Channel, i64), i64> = Default::default();
        for key in keys {
            if let Some(((id, channel, hour), n)) = self.pending_stats.remove(&key) {
                batch.stats.push(StatDelta {
                    article_id: id,
                    period: "hour",
                    bucket: hour,
                    channel: channel.as_str(),
                    views: n,
                });
                let day = chrono::DateTime::from_timestamp(hour, 0)
                    .map(day_bucket)
                    .unwrap_or(hour);
                *days.entry((id, channel, day)).or_insert(0) += n;
            }
        }
        for ((id, channel, day), n) in days {
            batch.stats.push(StatDelta {
                article_id: id,
                period: "day",
                bucket: day,
                channel: channel.as_str(),
                views: n,
            });
        }
        batch
    }

    /// Puts a batch that could not be written back, to go with the next flush.
    fn restore(&self, batch: &ViewBatch) {
        for a in &batch.articles {
            let mut p = self.pending.entry(a.id).or_insert((0, 0));
            p.0 += a.counted;
            p.1 += a.raw;
        }
        for s in batch.stats.iter().filter(|s| s.period == "hour") {
            if let Some(channel) = Channel::parse(s.channel) {
                *self
                    .pending_stats
                    .entry((s.article_id, channel, s.bucket))
                    .or_insert(0) += s.views;
            }
        }
    }

    /// Writes everything counted so far in one transaction. On failure the counts go back to
    /// pending for the next try.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let _guard = self.flush_lock.lock().await;
        let batch = self.take_batch();
        if batch.is_empty() {
            return Ok(());
        }
        let counted: Vec<(i64, i64)> = batch.articles.iter().map(|a| (a.id, a.counted)).collect();
        if let Ok(mut f) = self.in_flight.lock() {
            f.extend_from_slice(&counted);
        }
        let result = self.store.record_views(&batch).await;
        match &result {
            Ok(()) => {
                for (id, n) in &counted {
                    if let Some(mut k) = self.known.get_mut(id) {
                        k.0 += n;
                    }
                }
            }
            Err(_) => self.restore(&batch),
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
