//! `rongmei import`: legacy archives in, or a Rongmei archive restored.
//!
//! Everything is read and checked before anything is written; then the records are written
//! in one transaction as they are read, so a WordPress export of any size is never held whole.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use rongmei_app::Config;
use rongmei_app::wordpress::{MovedUploads, linked_uploads, store_uploads};
use rongmei_core::NewArticle;
use rongmei_import::{Format, ImportError, Record, WxrExport, collect_files, read_file, scan_wxr};

use crate::backup;
use crate::database::connect;
use crate::progress::Progress;
use crate::wordpress::{self, ImportOptions};

pub async fn import(config: &Config, paths: &[PathBuf], options: &ImportOptions) -> Result<()> {
    if let [one] = paths
        && one.is_file()
        && rongmei_app::archive::is_archive(one)
    {
        if options.dry_run {
            anyhow::bail!("--dry-run reads legacy archives; a Rongmei archive is restored whole");
        }
        let store = connect(&config.database).await?;
        return backup::restore_archive(store, config, one, options.merge).await;
    }
    if options.merge {
        anyhow::bail!(
            "--merge is for a Rongmei archive (rongmei export archive FILE); legacy archives always merge by their import keys"
        );
    }
    let files = collect_files(paths)?;
    if files.is_empty() && options.pages.is_none() {
        anyhow::bail!(
            "no .txt, .jsonl or .xml files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let tty = std::io::stderr().is_terminal();
    // Read and check everything first: one bad record, or an export cut short, and nothing
    // is written. Exports are only scanned here; their posts are read again while writing.
    let reading = Progress::new("reading", files.len() as u64, tty);
    let mut records: Vec<Record> = Vec::new();
    let mut exports: Vec<WxrExport> = Vec::new();
    for (i, (file, format)) in files.iter().enumerate() {
        if *format == Format::Wxr {
            let export = scan_wxr(file)?;
            wordpress::print_counts(&export);
            exports.push(export);
        } else {
            records.extend(read_file(file, *format)?);
        }
        reading.set(i as u64 + 1);
    }
    reading.finish();
    if let Some(dir) = &options.pages {
        let profile = rongmei_import::Profile::named(&options.profile)?;
        let read = rongmei_import::parse_pages(dir, &profile)?;
        eprintln!(
            "{}: {} article pages read with the {} profile; {} other pages (lists, indexes) passed over",
            dir.display(),
            read.records.len(),
            profile.name,
            read.passed_over.len()
        );
        records.extend(read.records);
    }
    let total = records.len() + exports.iter().map(|e| e.posts).sum::<usize>();
    if options.dry_run {
        for r in &records {
            wordpress::print_record(r);
        }
        for export in &exports {
            let report = export.read(&mut |r| {
                wordpress::print_record(&r);
                true
            })?;
            wordpress::print_warnings(&report);
        }
        println!("dry run: {total} articles would be imported; nothing was written");
        return Ok(());
    }
    let store = connect(&config.database).await?;
    let prefixes = wordpress::upload_prefixes(exports.iter().map(|e| &e.report));
    let moved = match &options.media {
        Some(dir) => {
            // A first reading finds every upload the posts link to: the files are stored
            // before the articles' transaction opens.
            let mut wanted = BTreeMap::new();
            for r in &records {
                linked_uploads(&r.article, &prefixes, &mut wanted);
            }
            for export in &exports {
                export.read(&mut |r| {
                    linked_uploads(&r.article, &prefixes, &mut wanted);
                    true
                })?;
            }
            let bar = Progress::new("media", wanted.len() as u64, tty);
            let (report, moved) =
                store_uploads(&store, &config.data.media(), &wanted, dir, &|n| bar.set(n)).await?;
            bar.finish();
            wordpress::print_uploads(&report);
            moved
        }
        None => MovedUploads::default(),
    };
    let keep_links = options.media.is_none();
    let articles: Vec<NewArticle> = records.into_iter().map(|r| r.article).collect();
    let writing = Progress::new("importing", total as u64, tty);
    let started = std::time::Instant::now();
    let read = move |emit: &mut dyn FnMut(NewArticle) -> bool| {
        let mut linked = BTreeMap::new();
        let mut take = |mut a: NewArticle| {
            moved.rewrite(&mut a);
            if keep_links {
                linked_uploads(&a, &prefixes, &mut linked);
            }
            emit(a)
        };
        let mut reports = Vec::new();
        for a in articles {
            if !take(a) {
                return Ok((reports, linked));
            }
        }
        for export in &exports {
            reports.push(export.read(&mut |r| take(r.article))?);
        }
        Ok::<_, ImportError>((reports, linked))
    };
    let (stats, (reports, linked)) =
        rongmei_app::import::import_stream(&store, read, &|n| writing.set(n))
            .await
            .context("importing (nothing was written)")?;
    writing.finish();
    let secs = started.elapsed().as_secs_f64();
    let written = stats.imported + stats.updated + stats.skipped;
    tracing::info!(
        records = written,
        seconds = format!("{secs:.2}"),
        per_second = format!("{:.0}", written as f64 / secs.max(1e-9)),
        "import committed"
    );
    for report in &reports {
        wordpress::print_warnings(report);
    }
    if !reports.is_empty() && keep_links {
        eprintln!(
            "media: {} uploads stay linked on the old site (give --media WP-CONTENT/UPLOADS to bring them in)",
            linked.len()
        );
        for url in linked.keys() {
            eprintln!("media: linked: {url}");
        }
    }
    let permalinks: Vec<(String, String)> =
        reports.iter().flat_map(|r| r.permalinks.clone()).collect();
    if !permalinks.is_empty() {
        let (map, n) =
            rongmei_app::wordpress::redirect_map(&store, &config.links, &permalinks).await?;
        let path = options
            .redirects
            .clone()
            .unwrap_or_else(|| config.data.root().join("wordpress-redirects.map"));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, map).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "redirect map: {n} old permalinks → new pages in {} (nginx: map $request_uri $rongmei_moved {{ include {}; }})",
            path.display(),
            path.display()
        );
    }
    store.close().await;
    println!(
        "imported {}, updated {}, skipped {}",
        stats.imported, stats.updated, stats.skipped
    );
    Ok(())
}
