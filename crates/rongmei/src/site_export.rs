//! `rongmei export site DIR`: the public site as static files, once or following changes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use rongmei_app::{App, Config};
use rongmei_export::{ExportOptions, ExportReport};
use tokio_util::sync::CancellationToken;

use crate::database::connect;
use crate::progress::Progress;

pub struct SiteExport {
    pub dir: PathBuf,
    pub api_base: Option<String>,
    pub full: bool,
    pub watch: bool,
    pub refresh: Duration,
    pub list_changes: bool,
}

pub async fn export_site(config: Config, how: SiteExport) -> Result<()> {
    if let Some(base) = &how.api_base {
        rongmei_core::Links::new(base).with_context(|| format!("--api-base {base}"))?;
    }
    let base = config.links.base();
    if base.starts_with("http://127.") || base.starts_with("http://localhost") {
        eprintln!(
            "warning: no --base-url: canonical links, feeds and sitemaps will name {base}; give the static site's address"
        );
    }
    let store = connect(&config.database).await?;
    // The export never searches, but the application opens with an index; it gets an empty one
    // of its own (the data folder's may be held by a running server).
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let index = rongmei_app::app::open_search_at(&config.data, scratch.path().join("index"))
        .context("opening a scratch search index")?;
    let app = App::open(config, store.clone(), index)
        .await
        .context("preparing the site")?;
    let options = ExportOptions {
        dir: how.dir.clone(),
        api_base: how.api_base.clone(),
        full: how.full,
    };
    let print = |r: &ExportReport| print_report(r, &how);
    if how.watch {
        let stop = CancellationToken::new();
        let stopper = stop.clone();
        tokio::spawn(async move {
            crate::signals::shutdown_signal().await;
            stopper.cancel();
        });
        eprintln!("watching for changes; Ctrl-C stops");
        rongmei_export::watch(&app, &options, how.refresh, stop, print).await?;
    } else {
        let bar = Progress::new("exporting", 0, std::io::stderr().is_terminal());
        let report = rongmei_export::export_with_progress(&app, &options, &|done, total| {
            bar.set_total(total);
            bar.set(done);
        })
        .await?;
        bar.finish();
        print(&report);
    }
    app.stopping().cancel();
    store.close().await;
    Ok(())
}

fn print_report(r: &ExportReport, how: &SiteExport) {
    if how.list_changes {
        for path in &r.written {
            println!("wrote {path}");
        }
        for path in &r.deleted {
            println!("deleted {path}");
        }
    }
    for missing in &r.media_missing {
        eprintln!("warning: a page shows {missing}, which no node has");
    }
    println!(
        "exported {} files to {} ({} rendered{}, {} written, {} deleted, {} pictures copied) in {:.2} s",
        r.files,
        how.dir.display(),
        r.rendered,
        if r.full { ", every page" } else { "" },
        r.written.len(),
        r.deleted.len(),
        r.media_copied,
        r.seconds
    );
}
