//! Backup and restore from the command line: the archive written and read back.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result};
use rongmei_app::Config;

use crate::progress::Progress;
use rongmei_store::Store;

/// `rongmei export archive`.
pub async fn export_archive(
    store: Store,
    config: &Config,
    file: &Path,
    with_secrets: bool,
) -> Result<()> {
    let bar = Progress::new("archiving", 0, std::io::stderr().is_terminal());
    let started = std::time::Instant::now();
    let manifest = rongmei_app::archive::export_archive(
        &store,
        &config.data.media(),
        file,
        with_secrets,
        &|n| bar.set(n),
    )
    .await
    .with_context(|| format!("writing the archive {}", file.display()))?;
    bar.finish();
    store.close().await;
    let rows: u64 = manifest.tables.values().sum();
    tracing::info!(
        rows,
        seconds = format!("{:.2}", started.elapsed().as_secs_f64()),
        "archive written"
    );
    println!(
        "archived {} articles, {} rows in {} tables, {} media files{} to {}",
        manifest.tables.get("articles").copied().unwrap_or(0),
        rows,
        manifest.tables.len(),
        manifest.media_files,
        if with_secrets { " (with secrets)" } else { "" },
        file.display()
    );
    Ok(())
}

/// `rongmei import ARCHIVE [--merge]`.
pub async fn restore_archive(
    store: Store,
    config: &Config,
    file: &Path,
    merge: bool,
) -> Result<()> {
    let bar = Progress::new("restoring", 0, std::io::stderr().is_terminal());
    let (manifest, merged) =
        rongmei_app::archive::import_archive(&store, &config.data.media(), file, merge, &|n| {
            bar.set(n)
        })
        .await?;
    bar.finish();
    store.close().await;
    if let Some(report) = merged {
        let list = |m: &std::collections::BTreeMap<String, u64>| {
            if m.is_empty() {
                "nothing".to_string()
            } else {
                m.iter()
                    .map(|(t, n)| format!("{t} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        eprintln!("merged: added {}", list(&report.added));
        eprintln!("merged: already here {}", list(&report.matched));
        eprintln!("merged: left behind {}", list(&report.left));
        println!(
            "imported {}, updated 0, skipped {}",
            report.added.get("articles").copied().unwrap_or(0),
            report.matched.get("articles").copied().unwrap_or(0)
        );
        return Ok(());
    }
    let articles = manifest.tables.get("articles").copied().unwrap_or(0);
    if !manifest.with_secrets {
        eprintln!(
            "this archive was made without --with-secrets: accounts have no passwords (add an admin with `rongmei user add`), view tokens use a new key, webhooks are not in it"
        );
    }
    println!("imported {articles}, updated 0, skipped 0");
    Ok(())
}
