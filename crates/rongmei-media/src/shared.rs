//! Names as paths, for nodes that share their files through a database: which files an upload
//! made, and putting a file fetched from elsewhere into this node's folder.

use std::fs;
use std::path::PathBuf;

use crate::{MediaError, MediaStore, StoredImage, relative_path, write_atomically};

impl MediaStore {
    /// The files an upload made (original first, then thumbnails), as paths under the media
    /// folder.
    pub fn files_of(image: &StoredImage) -> Vec<String> {
        std::iter::once(image.original_url.as_str())
            .chain(image.thumbnails.iter().map(|t| t.url.as_str()))
            .filter_map(relative_path)
            .map(str::to_string)
            .collect()
    }

    /// Reads one of this folder's files by its relative path.
    pub fn read(&self, relative: &str) -> Result<Vec<u8>, MediaError> {
        let path = relative_path(relative).ok_or(MediaError::Unsupported)?;
        Ok(fs::read(self.root().join(path))?)
    }

    /// Puts a file fetched from another node's upload into this folder, complete or not at all,
    /// and returns where it lies.
    pub fn cache(&self, relative: &str, bytes: &[u8]) -> Result<PathBuf, MediaError> {
        let path = self
            .root()
            .join(relative_path(relative).ok_or(MediaError::Unsupported)?);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        write_atomically(&path, bytes)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_the_store_makes_pass() {
        assert_eq!(
            relative_path("/media/3f/3fa9-960.jpg"),
            Some("3f/3fa9-960.jpg")
        );
        assert_eq!(relative_path("3f/3fa9.png"), Some("3f/3fa9.png"));
        for bad in [
            "",
            "/media/",
            "../etc/passwd",
            "3f/../x.jpg",
            "3f/.tmp-x",
            "3F/A.jpg",
            "3f//a.jpg",
            "3f/a%2e.jpg",
            "/etc/passwd",
            "3f\\a.jpg",
        ] {
            assert_eq!(relative_path(bad), None, "{bad}");
        }
        assert_eq!(relative_path(&"a".repeat(129)), None);
    }

    #[test]
    fn a_cached_file_is_served_and_bad_names_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = MediaStore::new(dir.path());
        let path = store.cache("ab/abcdef.jpg", b"bytes").expect("cache");
        assert_eq!(store.resolve("/media/ab/abcdef.jpg"), Some(path));
        assert_eq!(store.read("ab/abcdef.jpg").expect("read"), b"bytes");
        assert!(store.cache("../x.jpg", b"x").is_err());
    }
}
