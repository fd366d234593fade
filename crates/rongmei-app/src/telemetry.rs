//! Gauges read at scrape time: what the counters recorded where things happen cannot say
//! (sizes, positions, ages). Counters and histograms are recorded beside the work itself
//! (`views/counter.rs`, `events/subscriber.rs`, `search/indexer.rs`) through the `metrics`
//! facade; the web crate installs the Prometheus recorder and serves `/metrics`.

use crate::app::App;
use crate::events::subscriber::positions;

impl App {
    /// Brings the gauges up to date before an exposition.
    pub async fn update_gauges(&self) {
        let (pending, since_flush) = self.counter().unwritten();
        metrics::gauge!("rongmei_views_unwritten").set(pending as f64);
        metrics::gauge!("rongmei_views_flush_lag_seconds").set(since_flush.as_secs_f64());

        let index = self.search_index();
        metrics::gauge!("rongmei_search_documents").set(index.doc_count() as f64);
        metrics::gauge!("rongmei_search_ready")
            .set(f64::from(u8::from(self.readiness_of_search())));

        let pool = self.store().pool();
        let size = pool.size();
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
        metrics::gauge!("rongmei_db_pool_connections", "state" => "in_use")
            .set(f64::from(size.saturating_sub(idle)));
        metrics::gauge!("rongmei_db_pool_connections", "state" => "idle").set(f64::from(idle));

        match self.store().last_event_seq().await {
            Ok(end) => {
                metrics::gauge!("rongmei_feed_end").set(end as f64);
                for entry in positions().iter() {
                    let (name, at) = (*entry.key(), *entry.value());
                    metrics::gauge!("rongmei_feed_lag_events", "subscriber" => name)
                        .set(end.saturating_sub(at).max(0) as f64);
                }
                metrics::gauge!("rongmei_db_up").set(1.0);
            }
            Err(_) => metrics::gauge!("rongmei_db_up").set(0.0),
        }
    }
}
