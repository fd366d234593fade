//! The archive: everything a site holds in one file, which is also its backup.
//!
//! Layout (version 1), a tar stream compressed with zstd:
//!
//! - `manifest.json` first: `{"format": "rongmei-archive", "version": 1, "created_at",
//!   "backend", "with_secrets", "tables": {name: rows}, "media_files"}`;
//! - `tables/NAME.jsonl`, one per table in restore order: one JSON object a row, keyed by column,
//!   bytes as `{"base64": …}`;
//! - `media/…`: every uploaded file under its content-addressed name.
//!
//! The tables are read inside one snapshot, so an archive made while servers write is
//! consistent. Password hashes, the view-token key and webhook secrets are in it only with
//! `with_secrets`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rongmei_media::MediaStore;
use rongmei_store::{ARCHIVE_TABLES, Backend, Merge, MergeReport, Restore, Store};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const FORMAT: &str = "rongmei-archive";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub created_at: String,
    pub backend: String,
    pub with_secrets: bool,
    pub tables: BTreeMap<String, u64>,
    pub media_files: u64,
}

fn io(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> AppError {
    move |e| AppError::Internal(format!("{what}: {e}"))
}

/// Every file below `dir`, as paths relative to it, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir)
                && let Some(rel) = rel.to_str()
                && !rel.ends_with(".tmp")
            {
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// Writes the archive of everything in `store` and `media` to `file` (through a temporary file
/// beside it, renamed at the end: a half-written archive never has the final name).
pub async fn export_archive(
    store: &Store,
    media: &MediaStore,
    file: &Path,
    with_secrets: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Manifest, AppError> {
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let work = tempfile::tempdir_in(parent).map_err(io(parent.display()))?;
    // The tables, each to its own file, from one snapshot.
    let mut writers: BTreeMap<String, BufWriter<std::fs::File>> = BTreeMap::new();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut rows = 0u64;
    store
        .snapshot_tables(with_secrets, &mut |table, row| {
            if !writers.contains_key(table) {
                let f = std::fs::File::create(work.path().join(format!("{table}.jsonl")))?;
                writers.insert(table.to_string(), BufWriter::new(f));
            }
            if let Some(w) = writers.get_mut(table) {
                serde_json::to_writer(&mut *w, &row)?;
                w.write_all(b"\n")?;
            }
            *counts.entry(table.to_string()).or_default() += 1;
            rows += 1;
            if rows.is_multiple_of(1000) {
                progress(rows);
            }
            Ok(())
        })
        .await?;
    for (_, mut w) in writers {
        w.flush().map_err(io("writing a table"))?;
    }
    // Media: the folder's files, and on PostgreSQL those only another node's folder has.
    let mut media_files: BTreeMap<String, Option<PathBuf>> = files_below(media.root())
        .into_iter()
        .map(|rel| {
            let p = media.root().join(&rel);
            (rel, Some(p))
        })
        .collect();
    if store.backend() == Backend::Postgres {
        for path in store.media_blob_paths().await? {
            media_files.entry(path).or_insert(None);
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        created_at: chrono::Utc::now().to_rfc3339(),
        backend: match store.backend() {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        with_secrets,
        tables: counts,
        media_files: media_files.len() as u64,
    };
    let tmp = work.path().join("archive.partial");
    let out = std::fs::File::create(&tmp).map_err(io(tmp.display()))?;
    let encoder = zstd::Encoder::new(BufWriter::new(out), 3).map_err(io("zstd"))?;
    let mut tar = tar::Builder::new(encoder);
    let append = |tar: &mut tar::Builder<_>, name: &str, data: &mut dyn Read, len: u64| {
        let mut header = tar::Header::new_gnu();
        header.set_size(len);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, name, data)
            .map_err(io(format!("adding {name} to the archive")))
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| AppError::Internal(format!("manifest: {e}")))?;
    append(
        &mut tar,
        "manifest.json",
        &mut manifest_json.as_slice(),
        manifest_json.len() as u64,
    )?;
    for t in ARCHIVE_TABLES {
        let path = work.path().join(format!("{}.jsonl", t.name));
        let Ok(f) = std::fs::File::open(&path) else {
            continue;
        };
        let len = f.metadata().map_err(io(path.display()))?.len();
        append(
            &mut tar,
            &format!("tables/{}.jsonl", t.name),
            &mut std::io::BufReader::new(f),
            len,
        )?;
    }
    for (rel, local) in &media_files {
        let bytes = match local {
            Some(p) => std::fs::read(p).map_err(io(p.display()))?,
            None => store.media_blob(rel).await?.unwrap_or_default(),
        };
        append(
            &mut tar,
            &format!("media/{rel}"),
            &mut bytes.as_slice(),
            bytes.len() as u64,
        )?;
    }
    let encoder = tar.into_inner().map_err(io("finishing the archive"))?;
    let mut writer = encoder.finish().map_err(io("finishing the archive"))?;
    writer.flush().map_err(io("finishing the archive"))?;
    drop(writer);
    std::fs::rename(&tmp, file).map_err(io(file.display()))?;
    progress(rows);
    Ok(manifest)
}

/// Whether a file is an archive (by its first bytes: zstd's magic number).
pub fn is_archive(file: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(file)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0x28, 0xB5, 0x2F, 0xFD]
}

/// Where an archive's rows go: a whole restore, or a merge beside what is there.
enum Target {
    Restore(Restore),
    Merge(Box<Merge>),
}

impl Target {
    async fn insert(
        &mut self,
        table: &str,
        row: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), rongmei_store::StoreError> {
        match self {
            Target::Restore(r) => r.insert(table, &row).await,
            Target::Merge(m) => m.insert(table, row).await,
        }
    }
}

/// Restores an archive into an empty database and its media into `media`: all rows in one
/// transaction, then the files (each content-addressed, so a second try rewrites the same).
/// With `merge`, the archive's articles join a database that has content (see
/// [`rongmei_store::Merge`]), and the report says what came in.
pub async fn import_archive(
    store: &Store,
    media: &MediaStore,
    file: &Path,
    merge: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Manifest, Option<MergeReport>), AppError> {
    let (articles, users) = store.content_counts().await?;
    if !merge && (articles > 0 || users > 0) {
        return Err(AppError::Conflict(format!(
            "数据库不是空的（有 {articles} 篇稿件、{users} 个账号）：归档只能恢复到空数据库。请换一个新的数据库（或数据目录）再恢复，或加 --merge 把归档里的稿件合并进来"
        )));
    }
    let bad = |m: String| AppError::invalid(format!("{}: {m}", file.display()));
    let f = std::fs::File::open(file).map_err(io(file.display()))?;
    let decoder = zstd::Decoder::new(f).map_err(|e| bad(format!("不是 Rongmei 归档（{e}）")))?;
    let mut archive = tar::Archive::new(decoder);
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("无法读取（{e}）")))?;
    let mut manifest: Option<Manifest> = None;
    let mut restore = None;
    let mut rows = 0u64;
    let mut media_files = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("归档已损坏（{e}）")))?;
        let name = entry
            .path()
            .map_err(|e| bad(format!("归档已损坏（{e}）")))?
            .to_string_lossy()
            .into_owned();
        let read_whole = |entry: &mut tar::Entry<'_, _>| {
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map(|_| bytes)
                .map_err(|e| bad(format!("{name}：归档已损坏或不完整（{e}）")))
        };
        if name == "manifest.json" {
            let bytes = read_whole(&mut entry)?;
            let m: Manifest = serde_json::from_slice(&bytes)
                .map_err(|e| bad(format!("manifest.json 无法读取（{e}）")))?;
            if m.format != FORMAT || m.version > VERSION {
                return Err(bad(format!(
                    "归档格式 {} 版本 {} 不是本版本能读的（{FORMAT} 版本 ≤ {VERSION}）",
                    m.format, m.version
                )));
            }
            manifest = Some(m);
            continue;
        }
        if manifest.is_none() {
            return Err(bad("归档的第一项不是 manifest.json".into()));
        }
        if let Some(table) = name
            .strip_prefix("tables/")
            .and_then(|n| n.strip_suffix(".jsonl"))
        {
            if restore.is_none() {
                restore = Some(if merge {
                    Target::Merge(Box::new(store.begin_merge().await?))
                } else {
                    Target::Restore(store.begin_restore().await?)
                });
            }
            let Some(r) = restore.as_mut() else { continue };
            // Row by row: the articles table of a large archive is larger than memory allows.
            let lines = std::io::BufReader::with_capacity(1 << 16, &mut entry).lines();
            for (i, line) in (1..).zip(lines) {
                let line =
                    line.map_err(|e| bad(format!("{name}:{i}: 归档已损坏或不完整（{e}）")))?;
                if line.trim().is_empty() {
                    continue;
                }
                let row: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&line).map_err(|e| bad(format!("{name}:{i}: {e}")))?;
                r.insert(table, row)
                    .await
                    .map_err(|e| bad(format!("{name}:{i}: {e}")))?;
                rows += 1;
                if rows.is_multiple_of(1000) {
                    progress(rows);
                }
            }
        } else if let Some(rel) = name.strip_prefix("media/") {
            // Files are content-addressed: writing one twice (a retried restore) is harmless,
            // so they go in while the rows wait for the end to be committed.
            let content = read_whole(&mut entry)?;
            let folder = media.clone();
            let relative = rel.to_string();
            let content = tokio::task::spawn_blocking(move || {
                folder.cache(&relative, &content).map(|_| content)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
            if store.backend() == Backend::Postgres {
                store.put_media_blob(rel, &content).await?;
            }
            media_files += 1;
        }
    }
    let manifest = manifest.ok_or_else(|| bad("归档里没有 manifest.json".into()))?;
    let expected: u64 = manifest.tables.values().sum();
    if rows != expected || media_files != manifest.media_files {
        // Dropping the restore rolls every row back.
        return Err(bad(format!(
            "归档不完整：清单写有 {expected} 行、{} 个文件，读到 {rows} 行、{media_files} 个文件；没有恢复任何数据",
            manifest.media_files
        )));
    }
    let merged = match restore.take() {
        Some(Target::Restore(r)) => {
            r.commit().await?;
            None
        }
        Some(Target::Merge(m)) => Some((*m).commit().await?),
        None => None,
    };
    progress(rows);
    Ok((manifest, merged))
}
