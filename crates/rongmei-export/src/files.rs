//! Where each URL lives in the export folder, and writing files so that a web server reading
//! the folder never sees half of one.

use std::io;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// The file that answers a page URL (`/articles/7` → `articles/7/index.html`, `/` →
/// `index.html`), relative to the export folder. `None` for a path that would leave the folder.
pub fn page_file(url_path: &str) -> Option<String> {
    let path = clean(url_path)?;
    Some(if path.is_empty() {
        "index.html".to_string()
    } else {
        format!("{path}/index.html")
    })
}

/// The file that answers a file URL (`/feed.xml`, `/static/site.css?v=…`) as it is named.
pub fn plain_file(url_path: &str) -> Option<String> {
    clean(url_path).filter(|p| !p.is_empty())
}

/// The URL path without query, fragment, leading or trailing slash, percent-decoded as a web
/// server decodes it before looking for the file; `None` when a segment is `.`, `..`, empty
/// inside the path, or holds a separator or a NUL.
fn clean(url_path: &str) -> Option<String> {
    let path = url_path.split(['?', '#']).next()?;
    let path = path.strip_prefix('/')?;
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() {
        return Some(String::new());
    }
    let mut out = Vec::new();
    for segment in path.split('/') {
        let s = percent_decode_str(segment).decode_utf8().ok()?;
        if s.is_empty() || s == "." || s == ".." || s.contains(['/', '\\', '\0']) {
            return None;
        }
        out.push(s.into_owned());
    }
    Some(out.join("/"))
}

/// The content hash the manifest keeps.
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_string()
}

/// Writes `bytes` to `root/rel` whole or not at all: a temporary file beside it, then a rename.
pub fn write_atomically(root: &Path, rel: &str, bytes: &[u8]) -> io::Result<()> {
    place(root, rel, |tmp| std::fs::write(tmp, bytes))
}

/// Copies a file into the export the same way (a reader never sees half a picture).
pub fn copy_atomically(root: &Path, rel: &str, from: &Path) -> io::Result<()> {
    place(root, rel, |tmp| std::fs::copy(from, tmp).map(drop))
}

fn place(root: &Path, rel: &str, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = temp_name(&path);
    fill(&tmp)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Removes `root/rel` and the folders it leaves empty, up to `root`.
pub fn remove(root: &Path, rel: &str) -> io::Result<()> {
    let path = root.join(rel);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_index_files_at_the_live_urls() {
        assert_eq!(page_file("/").as_deref(), Some("index.html"));
        assert_eq!(
            page_file("/articles/7").as_deref(),
            Some("articles/7/index.html")
        );
        assert_eq!(
            page_file("/columns/xin-wen/page/3").as_deref(),
            Some("columns/xin-wen/page/3/index.html")
        );
        assert_eq!(
            page_file("/news/specials/%E4%B8%93%E9%A2%98").as_deref(),
            Some("news/specials/专题/index.html"),
            "decoded as the web server decodes the request"
        );
        assert_eq!(
            plain_file("/static/site.css?v=abc").as_deref(),
            Some("static/site.css")
        );
        assert_eq!(plain_file("/feed.xml").as_deref(), Some("feed.xml"));
    }

    #[test]
    fn no_url_leaves_the_folder() {
        for bad in [
            "/../etc/passwd",
            "/columns/%2E%2E/x",
            "/columns/a%2Fb",
            "/a//b",
            "relative",
            "/x/%00",
        ] {
            assert_eq!(page_file(bad), None, "{bad}");
            assert_eq!(plain_file(bad), None, "{bad}");
        }
        assert_eq!(plain_file("/"), None);
    }

    #[test]
    fn removing_a_page_removes_the_folders_it_leaves_empty() {
        let dir = tempfile::tempdir().unwrap();
        write_atomically(dir.path(), "articles/7/index.html", b"a").unwrap();
        write_atomically(dir.path(), "articles/8/index.html", b"b").unwrap();
        remove(dir.path(), "articles/7/index.html").unwrap();
        assert!(!dir.path().join("articles/7").exists());
        assert!(dir.path().join("articles/8/index.html").exists());
        remove(dir.path(), "articles/8/index.html").unwrap();
        assert!(!dir.path().join("articles").exists());
        assert!(dir.path().exists(), "never the folder itself");
        remove(dir.path(), "articles/9/index.html").unwrap();
    }
}
