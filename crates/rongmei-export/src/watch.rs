//! `--watch`: the export kept current. The change feed says when an article changed; the export
//! works from the site's state (what each page was rendered from), not from the events
//! themselves, so a burst of changes is one run and a missed event costs nothing but time.

use std::time::{Duration, Instant};

use rongmei_app::App;
use tokio_util::sync::CancellationToken;

use crate::error::ExportError;
use crate::options::{ExportOptions, ExportReport};
use crate::site::export_site;

/// How often the change feed is looked at.
const POLL: Duration = Duration::from_secs(1);

/// Exports, then again after every change to an article, and every `refresh` in any case
/// (specials, column names and the home page's most-read list change without an article
/// event). A failed run is logged and tried again at the next change or refresh; only the first
/// run's failure ends the watch.
pub async fn watch(
    app: &App,
    options: &ExportOptions,
    refresh: Duration,
    stop: CancellationToken,
    on_run: impl Fn(&ExportReport),
) -> Result<(), ExportError> {
    let mut seq = {
        let report = export_site(app, options).await?;
        on_run(&report);
        report.seq
    };
    loop {
        let deadline = Instant::now() + refresh;
        loop {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = tokio::time::sleep(POLL) => {}
            }
            match app.store().last_event_seq().await {
                Ok(now) if now > seq => break,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the change feed; trying again"),
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        match export_site(app, options).await {
            Ok(report) => {
                seq = report.seq;
                on_run(&report);
            }
            Err(e) => tracing::warn!(error = %e, "export failed; trying again at the next change"),
        }
    }
}
