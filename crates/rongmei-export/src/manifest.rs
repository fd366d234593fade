//! What the last run wrote: every file with its content hash, what each page was rendered from,
//! and the media files it shows. The next run renders only pages whose sources changed, writes
//! only files whose content changed, and deletes what is no longer part of the site.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::files::write_atomically;

/// Beside the pages, hidden from the web server by the nginx settings the export writes.
pub const MANIFEST_FILE: &str = ".rongmei-export.json";
const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// What every page depends on (site name, columns, base URL, live server, templates): when
    /// it changes, every page is rendered again.
    pub fingerprint: String,
    /// The change feed's position when the run began.
    pub seq: i64,
    pub files: BTreeMap<String, Entry>,
    /// Media files copied into the export (folder-relative paths).
    pub media: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The content hash of the file as written.
    #[serde(rename = "h")]
    pub hash: String,
    /// The hash of what the page was rendered from, for pages that are skipped when it holds.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The media files (folder-relative) the file shows.
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<String>,
}

impl Manifest {
    /// The last run's manifest; an empty one when there is none or it cannot be read (then
    /// everything is written again, which is always correct).
    pub fn load(dir: &Path) -> Manifest {
        let path = dir.join(MANIFEST_FILE);
        let Ok(text) = std::fs::read(&path) else {
            return Manifest::default();
        };
        match serde_json::from_slice::<Manifest>(&text) {
            Ok(m) if m.version == VERSION => m,
            Ok(_) => Manifest::default(),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "export manifest unreadable: writing everything again");
                Manifest::default()
            }
        }
    }

    pub fn save(&mut self, dir: &Path) -> io::Result<()> {
        self.version = VERSION;
        let json = serde_json::to_vec(self).map_err(io::Error::other)?;
        write_atomically(dir, MANIFEST_FILE, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_and_a_damaged_one_means_a_full_run() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Manifest::load(dir.path()).files.is_empty());
        let mut m = Manifest {
            fingerprint: "f".into(),
            seq: 42,
            ..Manifest::default()
        };
        m.files.insert(
            "articles/1/index.html".into(),
            Entry {
                hash: "h".into(),
                source: Some("s".into()),
                media: vec!["media/ab/abcdef12-960.jpg".into()],
            },
        );
        m.save(dir.path()).unwrap();
        let back = Manifest::load(dir.path());
        assert_eq!(back.seq, 42);
        assert_eq!(back.files, m.files);
        std::fs::write(dir.path().join(MANIFEST_FILE), "{not json").unwrap();
        assert!(Manifest::load(dir.path()).files.is_empty());
    }
}
