//! The publication-check dictionaries, kept in the database so every node applies the same.
//!
//! A node loads them at start and again whenever the `dictionaries` signal moves (its watch
//! looks every second, see `background.rs`); the node that saves a change applies it at once.
//! The files in `DATA/dictionaries/` are read once, when the database has no dictionaries yet
//! (a site upgraded from the file era keeps its lists); after that they are only an import and
//! export format (`rongmei dictionaries import|export DIR`).

use std::collections::HashSet;
use std::path::Path;

use rongmei_checks::DictionaryKind;
use rongmei_core::Role;
use rongmei_store::{Editor, SIGNAL_DICTIONARIES, Store};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// The largest dictionary accepted: ten thousand long entries fit with room to spare.
pub const MAX_DICTIONARY_BYTES: usize = 2 * 1024 * 1024;

/// What a save changed, for the answer and the audit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DictionarySaved {
    pub entries: usize,
    pub added: usize,
    pub removed: usize,
}

/// Stores the starter texts (from `dir` where a file is there, else the built-in ones) for every
/// dictionary the database does not have yet. Several nodes may do this at once; the first wins.
pub async fn seed_dictionaries(store: &Store, dir: &Path) -> Result<(), AppError> {
    for kind in DictionaryKind::ALL {
        if store.dictionary(kind.name()).await?.is_some() {
            continue;
        }
        let file = dir.join(kind.file_name());
        let (text, source) = match std::fs::read_to_string(&file) {
            Ok(t) => (t, file.display().to_string()),
            Err(_) => (kind.default_text().to_string(), "starter set".to_string()),
        };
        if store.seed_dictionary(kind.name(), &text, &source).await? {
            tracing::info!(dictionary = kind.name(), from = %source, "publication-check dictionary stored in the database");
        }
    }
    Ok(())
}

/// Writes both dictionaries into `dir` as `sensitive.txt` and `expressions.txt`.
pub async fn export_dictionaries(store: &Store, dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::Internal(format!("creating {}: {e}", dir.display())))?;
    for kind in DictionaryKind::ALL {
        let text = stored_text(store, kind).await?;
        let path = dir.join(kind.file_name());
        std::fs::write(&path, text)
            .map_err(|e| AppError::Internal(format!("writing {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Replaces a dictionary (admins; the command line counts as one), checked line by line first,
/// with its audit line; nodes pick it up from the signal.
pub async fn save_dictionary(
    store: &Store,
    actor: &Actor,
    kind: DictionaryKind,
    text: &str,
) -> Result<DictionarySaved, AppError> {
    actor.require_any(&[Role::Admin])?;
    if text.len() > MAX_DICTIONARY_BYTES {
        return Err(AppError::TooLarge(format!(
            "词库过大：最多 {} MB",
            MAX_DICTIONARY_BYTES / (1024 * 1024)
        )));
    }
    if let Some(n) = text.lines().position(|l| l.contains('\0')) {
        return Err(AppError::invalid(format!(
            "词库有误：第 {} 行含有空字符",
            n + 1
        )));
    }
    let entries = kind
        .validate(text)
        .map_err(|e| AppError::Invalid(format!("词库有误：{e}"), None))?;
    let before = stored_text(store, kind).await?;
    let (old, new) = (entry_lines(&before), entry_lines(text));
    let saved = DictionarySaved {
        entries,
        added: new.difference(&old).count(),
        removed: old.difference(&new).count(),
    };
    store
        .save_dictionary(
            kind.name(),
            text,
            Editor {
                user_id: actor.as_user().map(|u| u.id),
                login: actor.login(),
                ip: &actor.ip,
            },
            serde_json::json!({
                "dictionary": kind.name(),
                "entries": saved.entries,
                "added": saved.added,
                "removed": saved.removed,
            }),
        )
        .await?;
    Ok(saved)
}

/// Reads every dictionary file of `dir` that is there and saves it, from the command line.
pub async fn import_dictionaries(
    store: &Store,
    dir: &Path,
) -> Result<Vec<(DictionaryKind, DictionarySaved)>, AppError> {
    let actor = Actor::command_line();
    let mut texts = Vec::new();
    for kind in DictionaryKind::ALL {
        if let Ok(text) = std::fs::read_to_string(dir.join(kind.file_name())) {
            // Both are checked before either is saved: a bad second file changes nothing.
            kind.validate(&text)
                .map_err(|e| AppError::Invalid(format!("{}: {e}", dir.display()), None))?;
            texts.push((kind, text));
        }
    }
    if texts.is_empty() {
        return Err(AppError::invalid(format!(
            "{}: neither {} nor {} is there",
            dir.display(),
            DictionaryKind::Sensitive.file_name(),
            DictionaryKind::Expressions.file_name()
        )));
    }
    let mut done = Vec::new();
    for (kind, text) in texts {
        done.push((kind, save_dictionary(store, &actor, kind, &text).await?));
    }
    Ok(done)
}

/// A dictionary's stored text, or the starter text before anyone stored it.
async fn stored_text(store: &Store, kind: DictionaryKind) -> Result<String, AppError> {
    Ok(match store.dictionary(kind.name()).await? {
        Some(d) => d.content,
        None => kind.default_text().to_string(),
    })
}

/// Entry lines of a dictionary text, for counting what a save added and removed.
fn entry_lines(text: &str) -> HashSet<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

impl App {
    /// A dictionary's text in the file format, for any newsroom member.
    pub async fn dictionary(
        &self,
        actor: &Actor,
        kind: DictionaryKind,
    ) -> Result<String, AppError> {
        actor.member()?;
        stored_text(self.store(), kind).await
    }

    /// Replaces a dictionary (admins): checked line by line first, audited, applied on this node
    /// at once and on every other node within two seconds.
    pub async fn save_dictionary(
        &self,
        actor: &Actor,
        kind: DictionaryKind,
        text: &str,
    ) -> Result<DictionarySaved, AppError> {
        let saved = save_dictionary(self.store(), actor, kind, text).await?;
        self.reload_dictionaries().await?;
        Ok(saved)
    }

    /// At start: stores the starter texts where the database has none, then loads them.
    pub(crate) async fn start_dictionaries(&self) -> Result<(), AppError> {
        seed_dictionaries(self.store(), &self.data().dictionaries()).await?;
        self.reload_dictionaries().await?;
        if let Some(e) = self.checks().last_error() {
            tracing::warn!(error = %e, "a publication-check dictionary has an error; an admin can correct it in the newsroom");
        }
        Ok(())
    }

    /// Loads the dictionaries from the database into this node's checker.
    pub async fn reload_dictionaries(&self) -> Result<(), AppError> {
        let version = self.store().signal(SIGNAL_DICTIONARIES).await?;
        self.load_dictionaries(version).await
    }

    /// Loads them when the signal's version differs from the one in force.
    pub(crate) async fn load_dictionaries(&self, version: i64) -> Result<(), AppError> {
        let sensitive = stored_text(self.store(), DictionaryKind::Sensitive).await?;
        let expressions = stored_text(self.store(), DictionaryKind::Expressions).await?;
        // A broken text keeps the previous checker in force; last_error says why.
        let _ = self.checks().load(version, &sensitive, &expressions);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_lines_ignore_comments_and_blanks() {
        let lines = entry_lines("# note\n\n甲\tblock\n 乙\twarn \n");
        assert_eq!(lines, HashSet::from(["甲\tblock", "乙\twarn"]));
    }
}
