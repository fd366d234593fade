//! Uploaded images, served alike by every node.
//!
//! The node that receives an upload stores it in its media folder (original without metadata,
//! thumbnails). On PostgreSQL, where several nodes share the database, it also writes each file
//! into the database before answering, so the URLs it returns work on every node at once; a node
//! asked for a file it does not have fetches it from the database once and keeps it in its own
//! folder. Names are content hashes, so a kept copy never goes stale. A SQLite site is one node
//! and keeps its files in the data folder only.

use std::path::PathBuf;

use rongmei_media::wechat::WechatUse;
use rongmei_media::{MediaStore, StoredImage};
use rongmei_store::{Backend, Store};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// Stores one image in the media folder (content-addressed original and thumbnails) and, on
/// PostgreSQL, where several nodes share the database, in the database too, so its URLs work on
/// every node at once. The one way images come in: uploads and imports.
pub async fn store_image(
    store: &Store,
    media: &MediaStore,
    bytes: Vec<u8>,
    file_name: String,
) -> Result<StoredImage, AppError> {
    let folder = media.clone();
    let stored = tokio::task::spawn_blocking(move || folder.store(&bytes, &file_name)).await??;
    if store.backend() == Backend::Postgres {
        let folder = media.clone();
        let names = MediaStore::files_of(&stored);
        let files = tokio::task::spawn_blocking(move || {
            names
                .into_iter()
                .map(|name| folder.read(&name).map(|content| (name, content)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await??;
        for (name, content) in files {
            store.put_media_blob(&name, &content).await?;
        }
    }
    Ok(stored)
}

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
            return Err(AppError::field("file", "请选择要上传的图片"));
        }
        store_image(self.store(), self.media(), bytes, file_name).await
    }

    /// The WeChat versions of an article's pictures (JPEG or PNG under 1 MB in the body, a
    /// JPEG of at most 64 KB as cover), by stored address and use; made once, and shared with
    /// the other nodes. A picture that cannot be converted keeps its own address (and is
    /// logged); pictures on other hosts are left to the account's editor.
    pub async fn wechat_pictures(
        &self,
        a: &rongmei_core::Article,
    ) -> Result<std::collections::HashMap<(String, WechatUse), String>, AppError> {
        let mut wanted: Vec<(String, WechatUse)> = rongmei_html::image_sources(&a.body)
            .into_iter()
            .map(|src| (src, WechatUse::Body))
            .collect();
        if let Some(cover) = a.shown_cover() {
            wanted.push((cover.to_string(), WechatUse::Cover));
        }
        let mut out = std::collections::HashMap::new();
        for (src, purpose) in wanted {
            if !src.starts_with(rongmei_media::URL_PREFIX)
                || out.contains_key(&(src.clone(), purpose))
            {
                continue;
            }
            if self.media_file(&src).await?.is_none() {
                continue;
            }
            let media = self.media().clone();
            let from = src.clone();
            let made =
                tokio::task::spawn_blocking(move || media.wechat_version(&from, purpose)).await?;
            match made {
                Ok((address, bytes)) => {
                    if let (Some(bytes), true) = (bytes, self.shares_media())
                        && let Some(relative) = rongmei_media::relative_path(&address)
                    {
                        self.store().put_media_blob(relative, &bytes).await?;
                    }
                    out.insert((src, purpose), address);
                }
                Err(e) => tracing::warn!(picture = %src, error = %e, "no WeChat version"),
            }
        }
        Ok(out)
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

    /// Whether an image may be served to anyone: it appears in a published article. Images of
    /// drafts, of articles in review and of retracted articles are for the newsroom only.
    /// Checked by the image's content hash (every size of one upload shares it), cached for
    /// [`MEDIA_VISIBILITY_TTL`] and dropped on every change this node hears of.
    pub async fn media_is_public(&self, url_path: &str) -> Result<bool, AppError> {
        let Some(stem) = media_stem(url_path) else {
            return Ok(false);
        };
        if let Some(e) = self.media_public().get(stem)
            && e.1.elapsed() < MEDIA_VISIBILITY_TTL
        {
            return Ok(e.0);
        }
        let public = self.store().media_in_published(stem).await?;
        self.media_public()
            .insert(stem.to_string(), (public, std::time::Instant::now()));
        Ok(public)
    }
}

/// Another node's retraction reaches this one through the change feed at once; this bounds the
/// wait should the feed lag.
pub const MEDIA_VISIBILITY_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// The content hash an uploaded file is named by (`3f/3fa9c0d41b7e2a55-960.jpg` →
/// `3fa9c0d41b7e2a55`): hexadecimal only, so it is safe inside a LIKE pattern.
fn media_stem(url_path: &str) -> Option<&str> {
    let name = url_path.rsplit('/').next()?;
    let stem = name.split(['-', '.']).next()?;
    (stem.len() >= 8 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_image_is_known_by_its_content_hash() {
        assert_eq!(
            super::media_stem("3f/3fa9c0d41b7e2a55-960.jpg"),
            Some("3fa9c0d41b7e2a55")
        );
        assert_eq!(
            super::media_stem("3f/3fa9c0d41b7e2a55.png"),
            Some("3fa9c0d41b7e2a55")
        );
        assert_eq!(super::media_stem("../%25-x.jpg"), None);
    }
}
