//! Versions of stored pictures that a WeChat official account accepts: body pictures as JPEG
//! or PNG under 1 MB (`media/uploadimg`), and a cover as a JPEG of at most 64 KB (the thumb
//! material `draft/add` takes). Each is made once, beside the picture, and named for it.

use std::fs;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ExtendedColorType, ImageEncoder};

use crate::{
    ImageKind, MediaError, MediaStore, URL_PREFIX, has_transparency, relative_path, scaled_height,
    shrink, write_atomically,
};

fn corrupt(message: impl Into<String>) -> MediaError {
    MediaError::Corrupt(message.into())
}

/// WeChat's limit for a picture in an article.
pub const WECHAT_IMAGE_MAX_BYTES: usize = 1024 * 1024;
/// WeChat's limit for a cover (thumb material).
pub const WECHAT_COVER_MAX_BYTES: usize = 64 * 1024;
/// Wider is never shown: WeChat's reader is a phone.
const WECHAT_MAX_WIDTH: u32 = 1080;
/// The cover's width in WeChat's own editor.
const COVER_WIDTH: u32 = 900;

/// Which version: a picture for the body, or the cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WechatUse {
    Body,
    Cover,
}

impl WechatUse {
    fn suffix(self) -> &'static str {
        match self {
            WechatUse::Body => "wx",
            WechatUse::Cover => "wxcover",
        }
    }

    fn max_bytes(self) -> usize {
        match self {
            WechatUse::Body => WECHAT_IMAGE_MAX_BYTES,
            WechatUse::Cover => WECHAT_COVER_MAX_BYTES,
        }
    }
}

/// A JPEG of `img` at the highest quality (from 85 down) that fits `max` bytes, narrowing the
/// picture when even quality 40 does not.
fn jpeg_within(img: &DynamicImage, max: usize) -> Result<Vec<u8>, MediaError> {
    let mut current = img.clone();
    loop {
        let rgb = current.to_rgb8();
        for quality in [85u8, 75, 65, 55, 40] {
            let mut out = Vec::new();
            JpegEncoder::new_with_quality(&mut out, quality)
                .write_image(
                    rgb.as_raw(),
                    rgb.width(),
                    rgb.height(),
                    ExtendedColorType::Rgb8,
                )
                .map_err(|e| corrupt(format!("encoding for WeChat: {e}")))?;
            if out.len() <= max {
                return Ok(out);
            }
        }
        let w = current.width() * 4 / 5;
        if w < 64 {
            return Err(corrupt(
                "the picture cannot be made small enough for WeChat",
            ));
        }
        let h = scaled_height(current.width(), current.height(), w);
        current = shrink(&current, w, h);
    }
}

/// The kind of a stored picture from its first bytes.
fn sniff_file(path: &std::path::Path) -> Result<Option<ImageKind>, MediaError> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let n = fs::File::open(path)?.read(&mut head)?;
    Ok(ImageKind::sniff(&head[..n]))
}

impl MediaStore {
    /// The address of the WeChat version of the stored picture at `url` (`/media/…`), made
    /// when missing; with the bytes when they were made now (to share with other nodes). A
    /// body picture already JPEG or PNG under 1 MB is its own version.
    pub fn wechat_version(
        &self,
        url: &str,
        purpose: WechatUse,
    ) -> Result<(String, Option<Vec<u8>>), MediaError> {
        let relative = relative_path(url).ok_or(MediaError::Unsupported)?;
        let path = self.resolve(url).ok_or(MediaError::Unsupported)?;
        // Asked on every rendering: answered from names and sizes, reading no picture that
        // needs no new version.
        let stem = relative.rsplit_once('.').map_or(relative, |(s, _)| s);
        let name = format!("{stem}-{}.jpg", purpose.suffix());
        let target = self.root().join(&name);
        let address = format!("{URL_PREFIX}{name}");
        if fs::metadata(&target).is_ok_and(|m| m.len() > 0) {
            return Ok((address, None));
        }
        if purpose == WechatUse::Body
            && fs::metadata(&path).is_ok_and(|m| (m.len() as usize) < WECHAT_IMAGE_MAX_BYTES)
            && matches!(sniff_file(&path)?, Some(ImageKind::Jpeg | ImageKind::Png))
        {
            return Ok((url.to_string(), None));
        }
        let bytes = fs::read(&path)?;
        let img = image::load_from_memory(&bytes)
            .map_err(|e| corrupt(format!("reading for WeChat: {e}")))?;
        let width = match purpose {
            WechatUse::Body => WECHAT_MAX_WIDTH,
            WechatUse::Cover => COVER_WIDTH,
        };
        let img = if img.width() > width {
            shrink(&img, width, scaled_height(img.width(), img.height(), width))
        } else {
            img
        };
        // WeChat shows JPEG best; a transparent picture gets a white ground first.
        let img = if has_transparency(&img) {
            let mut ground = image::RgbaImage::from_pixel(
                img.width(),
                img.height(),
                image::Rgba([255, 255, 255, 255]),
            );
            image::imageops::overlay(&mut ground, &img.to_rgba8(), 0, 0);
            DynamicImage::ImageRgba8(ground)
        } else {
            img
        };
        let encoded = jpeg_within(&img, purpose.max_bytes() - 1)?;
        write_atomically(&target, &encoded)?;
        Ok((address, Some(encoded)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy_png(w: u32, h: u32) -> Vec<u8> {
        // Noise compresses badly: the original is far over both limits.
        let mut seed = 7u32;
        let img = image::RgbImage::from_fn(w, h, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([(seed >> 16) as u8, (seed >> 8) as u8, seed as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    }

    #[test]
    fn versions_fit_wechats_limits_and_are_made_once() {
        let dir = tempfile::tempdir().expect("dir");
        let store = MediaStore::new(dir.path());
        let stored = store
            .store(&noisy_png(1600, 1000), "noise.png")
            .expect("store");
        assert!(stored.bytes as usize > WECHAT_IMAGE_MAX_BYTES);
        let (cover, made) = store
            .wechat_version(&stored.original_url, WechatUse::Cover)
            .expect("cover");
        let made = made.expect("made now");
        assert!(made.len() <= WECHAT_COVER_MAX_BYTES, "{} bytes", made.len());
        assert_eq!(ImageKind::sniff(&made), Some(ImageKind::Jpeg));
        assert!(cover.ends_with("-wxcover.jpg"), "{cover}");
        let (again, none) = store
            .wechat_version(&stored.original_url, WechatUse::Cover)
            .expect("again");
        assert_eq!((again, none), (cover, None), "made once");

        let (body, made) = store
            .wechat_version(&stored.original_url, WechatUse::Body)
            .expect("body");
        let made = made.expect("the original is too large: a version is made");
        assert!(made.len() < WECHAT_IMAGE_MAX_BYTES);
        assert!(body.ends_with("-wx.jpg"));
        // The display version (960 wide JPEG) is small enough as it is.
        let (same, none) = store
            .wechat_version(&stored.url, WechatUse::Body)
            .expect("display");
        assert_eq!((same.as_str(), none), (stored.url.as_str(), None));
    }
}
