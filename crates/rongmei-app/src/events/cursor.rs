//! Where a consumer stands in the database's change feed.
//!
//! Sequence numbers are handed out when a transaction writes, not when it commits, so a reader can
//! see 7 before 6 commits. The cursor therefore only advances over an unbroken run of applied
//! entries; entries past a gap are applied once and remembered, and a gap that stays open (a rolled
//! back transaction never fills it) is stepped over after a while.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rongmei_core::ArticleEvent;

/// How long a hole in the sequence may be waited for.
pub const GAP_PATIENCE: Duration = Duration::from_secs(10);

pub struct FeedCursor {
    last: i64,
    beyond: BTreeSet<i64>,
    gap_since: Option<Instant>,
}

impl FeedCursor {
    pub fn new(last: i64) -> FeedCursor {
        FeedCursor {
            last,
            beyond: BTreeSet::new(),
            gap_since: None,
        }
    }

    /// Read the feed after this sequence number.
    pub fn position(&self) -> i64 {
        self.last
    }

    /// The entries not applied yet.
    pub fn fresh(&self, changes: &[ArticleEvent]) -> Vec<ArticleEvent> {
        changes
            .iter()
            .filter(|c| c.seq > self.last && !self.beyond.contains(&c.seq))
            .cloned()
            .collect()
    }

    /// Records applied entries and advances over every unbroken run.
    pub fn applied(&mut self, seqs: impl IntoIterator<Item = i64>, now: Instant) {
        self.beyond
            .extend(seqs.into_iter().filter(|s| *s > self.last));
        self.advance();
        match (self.beyond.first().copied(), self.gap_since) {
            (None, _) => self.gap_since = None,
            (Some(_), None) => self.gap_since = Some(now),
            (Some(next), Some(since)) if now.duration_since(since) >= GAP_PATIENCE => {
                self.last = next - 1;
                self.advance();
                self.gap_since = (!self.beyond.is_empty()).then_some(now);
            }
            _ => {}
        }
    }

    fn advance(&mut self) {
        while self.beyond.remove(&(self.last + 1)) {
            self.last += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(seq: i64) -> ArticleEvent {
        ArticleEvent {
            seq,
            article_id: seq * 10,
            kind: rongmei_core::EventKind::Updated,
            status: rongmei_core::ArticleStatus::Published,
            revision: Some(1),
            actor_id: None,
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn waits_at_a_gap_then_steps_over_it() {
        let t0 = Instant::now();
        let mut c = FeedCursor::new(5);
        let seen = [ch(6), ch(8)];
        let fresh: Vec<i64> = c.fresh(&seen).iter().map(|c| c.seq).collect();
        assert_eq!(fresh, [6, 8]);
        c.applied(fresh, t0);
        assert_eq!(c.position(), 6, "7 may still commit");
        // 8 is not applied twice; 7 arrives late and is applied.
        let seen = [ch(7), ch(8)];
        let fresh: Vec<i64> = c.fresh(&seen).iter().map(|c| c.seq).collect();
        assert_eq!(fresh, [7]);
        c.applied(fresh, t0);
        assert_eq!(c.position(), 8);
        // A hole that never fills is stepped over after the patience runs out.
        c.applied([10], t0);
        assert_eq!(c.position(), 8);
        c.applied([], t0 + GAP_PATIENCE);
        assert_eq!(c.position(), 10);
    }
}
