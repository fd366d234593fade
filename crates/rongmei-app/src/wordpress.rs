//! What a WordPress import needs besides its records: the files of `wp-content/uploads` brought
//! into the media store with every link to them rewritten, and the redirect map that sends old
//! permalinks to the new pages.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use rongmei_core::{Block, Links, NewArticle};
use rongmei_media::MediaStore;
use rongmei_store::Store;

use crate::error::AppError;
use crate::media::store_image;

/// What `--media` did.
#[derive(Debug, Clone, Default)]
pub struct UploadsReport {
    /// Files stored in the media store.
    pub stored: usize,
    /// Linked files not in the folder (the links stay absolute).
    pub missing: Vec<String>,
    /// Files the media store refused (not an image, too large …), with why; the links stay.
    pub refused: Vec<(String, String)>,
}

/// Where an uploads URL ends inside text: at a quote, a space, a bracket or the end.
fn url_end(s: &str) -> usize {
    s.find(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | '(' | '?' | '#')
    })
    .unwrap_or(s.len())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file an uploads URL names inside `dir`, when it names one safely (no `..`).
fn local_file(dir: &Path, relative: &str) -> Option<PathBuf> {
    let rel = PathBuf::from(percent_decode(relative));
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(rel))
}

/// Every text of a record where links can be: image sources and rich paragraphs.
fn texts(a: &mut NewArticle) -> impl Iterator<Item = &mut String> {
    a.body.blocks.iter_mut().filter_map(|b| match b {
        Block::Image { src, .. } => Some(src),
        Block::Html { html } => Some(html),
        _ => None,
    })
}

/// Every URL under one of `prefixes` (`http://site/wp-content/uploads/`) an article links to,
/// added to `wanted` with its path below the prefix.
pub fn linked_uploads(a: &NewArticle, prefixes: &[String], wanted: &mut BTreeMap<String, String>) {
    for block in &a.body.blocks {
        let text = match block {
            Block::Image { src, .. } => src,
            Block::Html { html } => html,
            _ => continue,
        };
        for prefix in prefixes {
            let mut rest = text.as_str();
            while let Some(i) = rest.find(prefix.as_str()) {
                let after = &rest[i + prefix.len()..];
                let end = url_end(after);
                wanted.insert(
                    format!("{prefix}{}", &after[..end]),
                    after[..end].to_string(),
                );
                rest = &after[end..];
            }
        }
    }
}

/// Old uploads URLs and where their stored copies are.
#[derive(Debug, Clone, Default)]
pub struct MovedUploads {
    /// Longest URLs first, so `a.jpg` never rewrites inside `a.jpg.webp`'s link.
    moves: Vec<(String, String)>,
}

impl MovedUploads {
    /// Points an article's links at the stored copies.
    pub fn rewrite(&self, a: &mut NewArticle) {
        if self.moves.is_empty() {
            return;
        }
        for text in texts(a) {
            for (old, new) in &self.moves {
                if text.contains(old.as_str()) {
                    *text = text.replace(old.as_str(), new);
                }
            }
        }
    }
}

/// Stores the `wanted` uploads (URL → path below the uploads folder, as [`linked_uploads`]
/// finds them), read from `dir`, the uploads folder; [`MovedUploads::rewrite`] then points
/// each article's links at the stored copies.
pub async fn store_uploads(
    store: &Store,
    media: &MediaStore,
    wanted: &BTreeMap<String, String>,
    dir: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(UploadsReport, MovedUploads), AppError> {
    let mut report = UploadsReport::default();
    let mut moves = Vec::new();
    for (n, (url, relative)) in wanted.iter().enumerate() {
        progress(n as u64 + 1);
        let Some(path) = local_file(dir, relative).filter(|p| p.is_file()) else {
            report.missing.push(url.clone());
            continue;
        };
        let bytes = std::fs::read(&path)
            .map_err(|e| AppError::Internal(format!("reading {}: {e}", path.display())))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match store_image(store, media, bytes, name).await {
            Ok(stored) => {
                report.stored += 1;
                moves.push((url.clone(), stored.url));
            }
            Err(AppError::Invalid(m, _) | AppError::TooLarge(m)) => {
                report.refused.push((url.clone(), m));
            }
            Err(e) => return Err(e),
        }
    }
    moves.sort_by_key(|(old, _)| std::cmp::Reverse(old.len()));
    Ok((report, MovedUploads { moves }))
}

/// An nginx `map` of old permalinks (path and query, as `$request_uri` has them) to the new
/// article URLs, for the imported articles found by source id. Include it with
/// `map $request_uri $rongmei_moved { include FILE; }` and `if ($rongmei_moved) { return 301
/// $rongmei_moved; }`.
pub async fn redirect_map(
    store: &Store,
    links: &Links,
    permalinks: &[(String, String)],
) -> Result<(String, usize), AppError> {
    let ids = store
        .ids_by_source(
            &permalinks
                .iter()
                .map(|(_, s)| s.clone())
                .collect::<Vec<_>>(),
        )
        .await?;
    let mut out = String::from(
        "# Old WordPress permalinks → Rongmei pages (nginx map; written by rongmei import)\n",
    );
    let mut n = 0;
    for (old, source) in permalinks {
        let (Some(id), Ok(url)) = (ids.get(source), url::Url::parse(old)) else {
            continue;
        };
        let mut key = url.path().to_string();
        if let Some(q) = url.query() {
            key.push('?');
            key.push_str(q);
        }
        let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(&format!(
            "\"{}\" \"{}\";\n",
            quote(&key),
            quote(&links.article_url(id))
        ));
        n += 1;
    }
    Ok((out, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_paths_are_decoded_and_kept_inside_the_folder() {
        let dir = Path::new("/srv/uploads");
        assert_eq!(
            local_file(dir, "2012/05/%E5%9B%BE.jpg"),
            Some(PathBuf::from("/srv/uploads/2012/05/图.jpg"))
        );
        assert_eq!(local_file(dir, "../../etc/passwd"), None);
        assert_eq!(local_file(dir, "2012/%2e%2e/%2e%2e/x"), None);
        assert_eq!(url_end("2012/a.jpg\" alt"), "2012/a.jpg".len());
    }
}
