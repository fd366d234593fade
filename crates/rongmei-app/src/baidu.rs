//! Baidu's active push (普通收录): every article published is pushed to Baidu at once, so it is
//! crawled within hours rather than days. It follows the change feed with the shared cursor —
//! one node pushes, and a push that fails leaves the cursor where it was, so nothing is lost:
//! a failure is retried with the feed's backoff, and a spent daily quota holds every push until
//! Baidu renews it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{Days, TimeZone};
use rongmei_core::{ArticleEvent, EventKind, SHANGHAI};
use rongmei_outbound::{BAIDU_MAX_URLS, BaiduPusher, BaiduTarget, PushError};

use crate::app::App;
use crate::config::BaiduPush;
use crate::error::AppError;
use crate::events::subscriber::Subscriber;

/// After Baidu refuses the request itself (a wrong token, an unverified site), the next try
/// waits this long: asking again at once would be refused again.
const REFUSED_WAIT: Duration = Duration::from_secs(600);

pub struct BaiduSubscriber {
    app: App,
    pusher: BaiduPusher,
    settings: BaiduPush,
    /// No push before this instant (quota spent, or refused).
    hold: Mutex<Option<Instant>>,
}

impl BaiduSubscriber {
    pub fn new(app: App, settings: BaiduPush) -> Result<BaiduSubscriber, AppError> {
        let pusher = BaiduPusher::new(BaiduTarget {
            endpoint: settings.endpoint.clone(),
            site: settings.site.clone(),
            token: settings.token.clone(),
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(BaiduSubscriber {
            app,
            pusher,
            settings,
            hold: Mutex::new(None),
        })
    }

    fn held(&self) -> Option<Duration> {
        let hold = self.hold.lock().ok()?;
        hold.and_then(|until| until.checked_duration_since(Instant::now()))
    }

    fn hold_for(&self, wait: Duration) {
        if let Ok(mut hold) = self.hold.lock() {
            *hold = Some(Instant::now() + wait);
        }
    }

    /// How long until Baidu renews the quota: the next midnight in Beijing, unless configured.
    fn quota_wait(&self) -> Duration {
        if let Some(s) = self.settings.quota_wait {
            return Duration::from_secs(u64::from(s));
        }
        until_midnight(chrono::Utc::now())
    }
}

/// Time from `now` to the next midnight, Beijing time (plus a minute of margin).
pub fn until_midnight(now: chrono::DateTime<chrono::Utc>) -> Duration {
    let local = now.with_timezone(&SHANGHAI);
    let next = local
        .date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 1, 0))
        .and_then(|t| SHANGHAI.from_local_datetime(&t).single());
    match next {
        Some(t) => (t.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::from_secs(3600)),
        None => Duration::from_secs(3600),
    }
}

impl Subscriber for BaiduSubscriber {
    fn name(&self) -> &'static str {
        "baidu-push"
    }

    async fn handle(&self, events: &[ArticleEvent]) -> Result<(), AppError> {
        let mut urls: Vec<String> = Vec::new();
        for e in events.iter().filter(|e| e.kind == EventKind::Published) {
            let url = self.app.links().article_url(e.article_id);
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
        if urls.is_empty() {
            return Ok(());
        }
        if let Some(left) = self.held() {
            return Err(AppError::Unavailable(format!(
                "百度推送暂停中，{} 秒后再试",
                left.as_secs()
            )));
        }
        for batch in urls.chunks(BAIDU_MAX_URLS) {
            match self.pusher.push(batch).await {
                Ok(reply) => {
                    metrics::counter!("rongmei_baidu_pushed_total").increment(reply.success);
                    tracing::info!(
                        pushed = reply.success,
                        remain = reply.remain,
                        "pushed newly published articles to Baidu"
                    );
                    for url in reply.not_valid.iter().chain(&reply.not_same_site) {
                        tracing::warn!(url = %url, "Baidu did not take this URL (not valid, or not of the registered site)");
                    }
                    if reply.remain == Some(0) {
                        self.hold_for(self.quota_wait());
                    }
                }
                Err(e @ PushError::OverQuota(_)) => {
                    let wait = self.quota_wait();
                    tracing::warn!(error = %e, wait_s = wait.as_secs(), "Baidu's daily push quota is spent; holding pushes");
                    self.hold_for(wait);
                    // Batches before this one were taken; pushing them again is harmless.
                    return Err(AppError::Unavailable(e.to_string()));
                }
                Err(e @ PushError::Refused { .. }) => {
                    tracing::error!(error = %e, "Baidu refused the push; check baidu_push_site and baidu_push_token");
                    self.hold_for(REFUSED_WAIT);
                    return Err(AppError::Unavailable(e.to_string()));
                }
                Err(e) => return Err(AppError::Unavailable(e.to_string())),
            }
        }
        Ok(())
    }
}

impl App {
    /// Starts Baidu's active push on this node when a token is configured.
    pub(crate) fn spawn_baidu_push(&self) -> Option<tokio::task::JoinHandle<()>> {
        let settings = self.config().baidu_push.clone()?;
        match BaiduSubscriber::new(self.clone(), settings) {
            Ok(sub) => Some(self.subscribe(std::sync::Arc::new(sub), self.shared_cursor())),
            Err(e) => {
                tracing::error!(error = %e, "Baidu push not started");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_comes_back_at_midnight_in_beijing() {
        // 2026-12-03 23:30 in Beijing is 15:30 UTC: 31 minutes to wait.
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 12, 3, 15, 30, 0)
            .single()
            .expect("time");
        assert_eq!(until_midnight(now), Duration::from_secs(31 * 60));
        // Just past midnight there: almost a whole day.
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 12, 3, 16, 5, 0)
            .single()
            .expect("time");
        assert_eq!(until_midnight(now), Duration::from_secs(24 * 3600 - 4 * 60));
    }
}
