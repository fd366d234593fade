//! One run of the export: the site's state read, each page rendered or kept, files written
//! and deleted, the manifest saved.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rongmei_app::{App, AppError};
use rongmei_core::Links;
use rongmei_render::Renderer;

use crate::error::ExportError;
use crate::files;
use crate::manifest::{Entry, MANIFEST_FILE, Manifest};
use crate::nginx::{self, NGINX_FILE};
use crate::options::{ExportOptions, ExportReport};
use crate::render;

/// Bumped when the export's layout or templates change in a way the fingerprint would not see.
const FORMAT: &str = "rongmei-export-1";

/// Exports the public site into `options.dir`; see the crate documentation.
pub async fn export_site(app: &App, options: &ExportOptions) -> Result<ExportReport, ExportError> {
    export_with_progress(app, options, &|_, _| {}).await
}

/// [`export_site`], telling `progress(done, total)` as article pages are rendered.
pub async fn export_with_progress(
    app: &App,
    options: &ExportOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ExportReport, ExportError> {
    let started = Instant::now();
    // Where a run's time goes, for `RUST_LOG=rongmei_export=debug`.
    let mark = |step: &str| tracing::debug!(ms = started.elapsed().as_millis() as u64, "{step}");
    let dir = &options.dir;
    std::fs::create_dir_all(dir).map_err(ExportError::io(dir))?;
    let _lock = lock(dir)?;
    // Read first: whatever changes while the run goes is seen by the next one.
    let seq = app.store().last_event_seq().await.map_err(AppError::from)?;
    let links = app.links().clone();
    let api_base = options
        .api_base
        .as_deref()
        .map(|b| b.trim_end_matches('/').to_string());
    let renderer = Renderer::for_export(links.clone(), api_base.clone());
    let site = app.site_info().await?;
    let listing = app.site_listing().await?;
    mark("listing read");
    let fingerprint = fingerprint(&links, api_base.as_deref(), &site, listing.columns());
    let old = Manifest::load(dir);
    mark("manifest read");
    let full = options.full || old.fingerprint != fingerprint;
    let mut run = render::Run {
        app,
        renderer: Arc::new(renderer),
        site: site.clone(),
        root: dir.clone(),
        old: Arc::new(old),
        full,
        fingerprint: fingerprint.clone(),
        files: BTreeMap::new(),
        report: ExportReport {
            full,
            seq,
            ..ExportReport::default()
        },
    };
    run.articles(&listing, progress).await?;
    mark("articles done");
    run.columns(&listing)?;
    mark("columns done");
    run.singles(&links, &listing).await?;
    mark("home, feeds, sitemaps done");
    run.specials(&links).await?;
    mark("specials done");
    let render::Run {
        old,
        files,
        mut report,
        ..
    } = run;
    let media = copy_media(app, dir, &links, &files, &old, &mut report).await?;
    for gone in old.files.keys().filter(|p| !files.contains_key(*p)) {
        files::remove(dir, gone).map_err(ExportError::io(dir.join(gone)))?;
        report.deleted.push(gone.clone());
    }
    for gone in old.media.iter().filter(|p| !media.contains(*p)) {
        files::remove(dir, gone).map_err(ExportError::io(dir.join(gone)))?;
        report.deleted.push(gone.clone());
    }
    let settings = nginx::settings(&absolute(dir), &links, api_base.as_deref());
    if std::fs::read(dir.join(NGINX_FILE)).ok().as_deref() != Some(settings.as_bytes()) {
        files::write_atomically(dir, NGINX_FILE, settings.as_bytes())
            .map_err(ExportError::io(dir.join(NGINX_FILE)))?;
    }
    report.files = files.len() + media.len();
    let mut manifest = Manifest {
        fingerprint,
        seq,
        files,
        media,
        ..Manifest::default()
    };
    manifest
        .save(dir)
        .map_err(ExportError::io(dir.join(MANIFEST_FILE)))?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// One export per folder at a time: a second one waits for nothing and says so.
fn lock(dir: &Path) -> Result<std::fs::File, ExportError> {
    let path = dir.join(".rongmei-export.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(ExportError::io(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(ExportError::Busy(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(ExportError::io(path)(e)),
    }
}

fn absolute(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// Everything every page shows besides its own content: when it changes, every page changes.
fn fingerprint(
    links: &Links,
    api_base: Option<&str>,
    site: &rongmei_app::site::nav::SiteInfo,
    columns: &[rongmei_core::Column],
) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        FORMAT,
        env!("CARGO_PKG_VERSION"),
        rongmei_render::assets::CSS_VERSION.as_str(),
        links.base(),
        api_base.unwrap_or("-"),
        &site.name,
    ] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    for c in site.nav.iter().chain(columns) {
        h.update(format!("{}\0{}\0{}\0{:?}\0", c.id, c.slug, c.name, c.parent_id).as_bytes());
    }
    h.finalize().to_hex()[..32].to_string()
}

/// Copies every picture a file of the export shows and the last run did not copy; answers the
/// set now in the export.
async fn copy_media(
    app: &App,
    dir: &Path,
    links: &Links,
    files: &BTreeMap<String, Entry>,
    old: &Manifest,
    report: &mut ExportReport,
) -> Result<BTreeSet<String>, ExportError> {
    let wanted: BTreeSet<&String> = files.values().flat_map(|e| &e.media).collect();
    let mut have = BTreeSet::new();
    for file in wanted {
        if old.media.contains(file) && dir.join(file).exists() {
            have.insert(file.clone());
            continue;
        }
        let url_path = format!(
            "/{}",
            file.strip_prefix(links.prefix().trim_start_matches('/'))
                .unwrap_or(file)
                .trim_start_matches('/')
        );
        match app.media_file(&url_path).await? {
            Some(source) => {
                let (dir, file_name, source_path) = (dir.to_path_buf(), file.clone(), source);
                tokio::task::spawn_blocking(move || {
                    files::copy_atomically(&dir, &file_name, &source_path)
                        .map_err(ExportError::io(source_path))
                })
                .await
                .map_err(|e| ExportError::Worker(e.to_string()))??;
                report.media_copied += 1;
                report.written.push(file.clone());
                have.insert(file.clone());
            }
            None => {
                tracing::warn!(file = %url_path, "a page shows a picture no node has");
                report.media_missing.push(url_path);
            }
        }
    }
    Ok(have)
}
