//! Publication checks run before an article goes out: sensitive words (敏感词), which can block
//! publishing, and standard expressions (规范表述), which suggest the standard wording.
//!
//! The dictionaries are two texts ([`DictionaryKind`]) in a line format described at the top of
//! the starter files. The application keeps them in its database so every node applies the same;
//! as files (`sensitive.txt`, `expressions.txt` in a folder such as `DATA/dictionaries/`) they
//! are the import and export format. [`CheckerHandle`] holds the [`Checker`] in force and swaps
//! in a new one without stopping readers.
//!
//! Matching runs over a normalised copy of each field (full-width and case folded, zero-width
//! characters and spaces between hanzi dropped) so that `其 它` or `其\u{200B}它` cannot slip
//! through, and every [`Hit`] reports char offsets in the text as the editor typed it.

mod checker;
mod dict;
mod handle;
mod normalize;

use std::path::{Path, PathBuf};

pub use checker::{Checker, Hit, HitKind, blocks};
pub use dict::{
    DICTIONARY_DIR, DictError, Dictionaries, DictionaryKind, EXPRESSIONS_FILE, ExpressionEntry,
    SENSITIVE_FILE, SensitiveAction, SensitiveEntry, Severity,
};
pub use handle::CheckerHandle;

/// Where the dictionaries of a data folder live.
pub fn dictionary_dir(data: &Path) -> PathBuf {
    data.join(DICTIONARY_DIR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionaries_live_in_their_own_folder_of_the_data_folder() {
        assert_eq!(
            dictionary_dir(Path::new("/srv/rongmei/data")),
            Path::new("/srv/rongmei/data/dictionaries")
        );
    }
}
