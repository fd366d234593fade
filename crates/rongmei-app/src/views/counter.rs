//! The exact counter: counted in memory, deduplicated per reader, written to the database
//! at least every second as atomic increments so several nodes add up exactly.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use rongmei_core::Channel;
use rongmei_store::{Store, StoreError, ViewBatch, Visit};

/// The same reader on the same article within this window counts once.
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(30 * 60);

pub struct ViewCounter {
    store: Store,
    /// Which day (and half hour) a view falls in.
    clock: crate::clock::Clock,
    /// Keys the visitor hash; shared by all nodes so they agree on who a reader is.
    key: [u8; 32],
    /// Readers counted here, not yet written.
    visits: Mutex<Vec<Visit>>,
    /// The same, as counts per article, for showing them before they are written.
    pending: DashMap<i64, i64>,
    /// Requests that reached counting, per article, not yet written.
    pending_raw: DashMap<i64, i64>,
    /// Taken by a flush that has not committed yet; still shown.
    in_flight: Mutex<Vec<(i64, i64)>>,
    /// Views in the database as this node last saw them, with when it looked.
    known: DashMap<i64, (i64, Instant)>,
    /// Visitor hash → seconds since `epoch` of the last count: 12 bytes of payload a
    /// visitor-article pair (about 50 bytes with the map's own overhead, measured).
    seen: DashMap<i64, u32>,
    /// Views counted here per (article, address, window) key, for the per-address ceiling.
    per_address: DashMap<i64, (u32, i64)>,
    /// Views one address may add to one article per window; `None`: no ceiling.
    ceiling: Option<u32>,
    epoch: Instant,
    flush_lock: tokio::sync::Mutex<()>,
    /// Milliseconds after `epoch` of the last flush that wrote or found nothing to write.
    last_flushed: std::sync::atomic::AtomicU64,
}

impl ViewCounter {
    pub fn new(
        store: Store,
        key: [u8; 32],
        ceiling: Option<u32>,
        clock: crate::clock::Clock,
    ) -> ViewCounter {
        ViewCounter {
            store,
            clock,
            key,
            per_address: DashMap::new(),
            ceiling,
            visits: Mutex::new(Vec::new()),
            pending: DashMap::new(),
            pending_raw: DashMap::new(),
            in_flight: Mutex::new(Vec::new()),
            known: DashMap::new(),
            seen: DashMap::new(),
            epoch: Instant::now(),
            flush_lock: tokio::sync::Mutex::new(()),
            last_flushed: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn visitor_key(&self, article_id: i64, ip: IpAddr, user_agent: &str) -> i64 {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(&article_id.to_le_bytes());
        h.update(ip.to_string().as_bytes());
        h.update(b"\0");
        h.update(user_agent.as_bytes());
        let bytes = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes.as_bytes()[..8]);
        i64::from_le_bytes(first)
    }

    /// The (article, address, window) key of the per-address ceiling, and the window's start.
    fn address_key(&self, article_id: i64, ip: IpAddr, at: i64) -> (i64, i64) {
        let window = DEDUPE_WINDOW.as_secs() as i64;
        let start = at - at.rem_euclid(window);
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(b"address\0");
        h.update(&article_id.to_le_bytes());
        h.update(ip.to_string().as_bytes());
        h.update(&start.to_le_bytes());
        let bytes = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes.as_bytes()[..8]);
        (i64::from_le_bytes(first), start)
    }

    /// Takes one view of the address's allowance for this article and window; false when it
    /// is used up on this node (the flush applies the same ceiling across all nodes).
    fn within_ceiling(&self, key: i64, start: i64) -> bool {
        let Some(ceiling) = self.ceiling else {
            return true;
        };
        let mut e = self.per_address.entry(key).or_insert((0, start));
        if e.0 >= ceiling {
            return false;
        }
        e.0 += 1;
        true
    }

    /// A request that reached counting but is no reader (a crawler, a preview): raw only.
    pub fn record_raw(&self, article_id: i64) {
        *self.pending_raw.entry(article_id).or_insert(0) += 1;
    }

    /// Counts a view unless this reader was counted on this article within the window; the raw
    /// count grows either way. Returns whether it counted here (another node may still have
    /// counted the same reader; the flush settles that).
    pub fn record(&self, article_id: i64, ip: IpAddr, user_agent: &str, channel: Channel) -> bool {
        self.record_raw(article_id);
        let visitor = self.visitor_key(article_id, ip, user_agent);
        let now = self.epoch.elapsed().as_secs() as u32;
        let window = DEDUPE_WINDOW.as_secs() as u32;
        let at = self.clock.now().timestamp();
        let (address, window_start) = self.address_key(article_id, ip, at);
        let counts = match self.seen.entry(visitor) {
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
        // A new reader beyond the address's ceiling counts in the raw figure only; rotating
        // User-Agents from one address no longer inflates the count.
        let counts = counts && self.within_ceiling(address, window_start);
        if counts {
            metrics::counter!("rongmei_views_counted_total").increment(1);
            *self.pending.entry(article_id).or_insert(0) += 1;
            let visit = Visit {
                visitor,
                article_id,
                address,
                channel: channel.as_str(),
                at,
            };
            match self.visits.lock() {
                Ok(mut v) => v.push(visit),
                Err(poisoned) => poisoned.into_inner().push(visit),
            }
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

    /// Takes everything counted so far as one batch.
    fn take_batch(&self) -> ViewBatch {
        let visits = match self.visits.lock() {
            Ok(mut v) => std::mem::take(&mut *v),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        let ids: Vec<i64> = self.pending_raw.iter().map(|e| *e.key()).collect();
        let raw = ids
            .into_iter()
            .filter_map(|id| self.pending_raw.remove(&id))
            .filter(|(_, n)| *n > 0)
            .collect();
        ViewBatch { visits, raw }
    }

    /// Writes everything counted so far in one transaction. On failure the batch goes back to
    /// pending for the next try.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let _guard = self.flush_lock.lock().await;
        let started = Instant::now();
        let batch = self.take_batch();
        if batch.is_empty() {
            self.note_flushed();
            return Ok(());
        }
        let mut local: std::collections::HashMap<i64, i64> = Default::default();
        for v in &batch.visits {
            *local.entry(v.article_id).or_insert(0) += 1;
        }
        // Move the shown-but-unwritten counts from pending to in flight.
        for (id, n) in &local {
            if let Some(mut p) = self.pending.get_mut(id) {
                *p -= n;
            }
        }
        self.pending.retain(|_, n| *n != 0);
        if let Ok(mut f) = self.in_flight.lock() {
            f.extend(local.iter().map(|(id, n)| (*id, *n)));
        }
        let result = self
            .store
            .record_views(
                &batch,
                DEDUPE_WINDOW.as_secs() as i64,
                self.ceiling.map(i64::from),
            )
            .await;
        match &result {
            Ok(counted) => {
                self.note_flushed();
                metrics::counter!("rongmei_views_flushed_total")
                    .increment(batch.visits.len() as u64);
                metrics::histogram!("rongmei_view_flush_seconds")
                    .record(started.elapsed().as_secs_f64());
                for (id, n) in counted {
                    if let Some(mut k) = self.known.get_mut(id) {
                        k.0 += n;
                    }
                }
            }
            Err(_) => {
                for (id, n) in &local {
                    *self.pending.entry(*id).or_insert(0) += n;
                }
                for (id, n) in &batch.raw {
                    *self.pending_raw.entry(*id).or_insert(0) += n;
                }
                match self.visits.lock() {
                    Ok(mut v) => v.extend_from_slice(&batch.visits),
                    Err(poisoned) => poisoned.into_inner().extend_from_slice(&batch.visits),
                }
            }
        }
        if let Ok(mut f) = self.in_flight.lock() {
            f.clear();
        }
        result.map(|_| ())
    }

    fn note_flushed(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_flushed
            .store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// Readers counted here and not written yet, and for how long nothing has been written
    /// (zero right after a flush): what a crash now would lose.
    pub fn unwritten(&self) -> (usize, Duration) {
        let pending = match self.visits.lock() {
            Ok(v) => v.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        };
        let last = self.last_flushed.load(std::sync::atomic::Ordering::Relaxed);
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        (pending, Duration::from_millis(now.saturating_sub(last)))
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
        let current = self.clock.now().timestamp();
        let window = DEDUPE_WINDOW.as_secs() as i64;
        self.per_address
            .retain(|_, (_, start)| current - *start < window);
    }
}
