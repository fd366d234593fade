//! Uploaded images, served alike by every node.
//!
//! The node that receives an upload stores it in its media folder (original without metadata,
//! thumbnails). On PostgreSQL, where several nodes share the database, it also writes each file
//! into the database before answering, so the URLs it returns work on every node at once; a node
//! asked for a file it does not have fetches it from the database once and keeps it in its own
//! folder. Names are content hashes, so a kept copy never goes stale. A SQLite site is one node
//! and keeps its files in the data folder only.

use std::path::PathBuf;

use rongmei_media::{MediaStore, StoredImage};
use rongmei_store::Backend;

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

impl App {
    /// Files are shared through the database only where several nodes can share it.
    fn shares_media(&self) -> bool {
        self.store().backend() == Backend::Postgres
    }

    /// Stores one uploaded image: content-addressed original and thumbnails, on every node.
    pub async fn upload_image(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        file_name: String,
    ) -> Result<StoredImage, AppError> {
        actor.member()?;
        if bytes.is_empty() {
            return Err(AppError::invalid("file: choose an image to upload"));
        }
        let media = self.media().clone();
        let stored = tokio::task::spawn_blocking(move || media.store(&bytes, &file_name)).await??;
        if self.shares_media() {
            let media = self.media().clone();
            let names = MediaStore::files_of(&stored);
            let files = tokio::task::spawn_blocking(move || {
                names
                    .into_iter()
                    .map(|name| media.read(&name).map(|content| (name, content)))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await??;
            for (name, content) in files {
                self.store().put_media_blob(&name, &content).await?;
            }
        }
        Ok(stored)
    }

    /// The file behind a media URL path on this node, fetched from the shared database first
    /// when another node received the upload. `None` when no node has it.
    pub async fn media_file(&self, url_path: &str) -> Result<Option<PathBuf>, AppError> {
        if let Some(path) = self.media().resolve(url_path) {
            return Ok(Some(path));
        }
        let Some(relative) = rongmei_media::relative_path(url_path) else {
            return Ok(None);
        };
        if !self.shares_media() {
            return Ok(None);
        }
        let Some(content) = self.store().media_blob(relative).await? else {
            return Ok(None);
        };
        let media = self.media().clone();
        let relative = relative.to_string();
        Ok(Some(
            tokio::task::spawn_blocking(move || media.cache(&relative, &content)).await??,
        ))
    }
}
