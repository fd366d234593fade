//! Image uploads made in the editor: originals kept without their metadata, thumbnails made on the
//! server.
//!
//! # Layout on disk
//!
//! Everything lives under `DATA/media/`. A file is named by the first 16 hex digits of the
//! BLAKE3 hash of the uploaded bytes and filed under the first two of them:
//!
//! ```text
//! DATA/media/3f/3fa9c0d41b7e2a55.jpg        the original, without its metadata
//! DATA/media/3f/3fa9c0d41b7e2a55-320.jpg    thumbnail 320 px wide
//! DATA/media/3f/3fa9c0d41b7e2a55-960.jpg    display version 960 px wide
//! ```
//!
//! The hash prefix was chosen over `YYYY/MM/` because the name must depend on the content only:
//! with a date in the path the same photo uploaded in March and in May would be stored twice, and
//! a URL could not be recomputed from the bytes. 256 folders keep each directory small. 64 bits of
//! hash make an accidental collision negligible for a newsroom's lifetime of uploads (a few
//! in 10^8 at a million images); a deliberate one would need a BLAKE3 break.
//!
//! Because names are content addresses, a URL never changes meaning: the web layer serves
//! `GET /media/{*path}` through [`MediaStore::resolve`] with [`CACHE_CONTROL`] (long, immutable)
//! and `X-Content-Type-Options: nosniff`, taking the type from [`content_type_of`].
//!
//! # What is accepted
//!
//! The format is sniffed from the magic bytes; the client's file name and `Content-Type` are never
//! trusted. JPEG, PNG, GIF and WebP are accepted; everything else, SVG in particular (it can carry
//! scripts that run on our origin), is [`MediaError::Unsupported`]. Every upload is decoded in full
//! before anything is written, so a file that is not really an image, or is truncated, is refused
//! as [`MediaError::Corrupt`]. Size is bounded twice: the upload's byte count
//! ([`MediaLimits::max_bytes`], 20 MB by default) and the decoded pixels (12000×12000 and a memory
//! cap, checked from the headers before any pixel buffer is allocated), so a small
//! "decompression bomb" is [`MediaError::TooLarge`] and costs nothing.
//!
//! # Originals and metadata
//!
//! Originals keep their pixels exactly (no re-encoding: no generation loss, animation and colour
//! profile intact), but not their metadata: EXIF, XMP, IPTC and comments are dropped
//! (`metadata.rs`), since a phone photo's EXIF holds where it was taken and the camera's serial,
//! and the original is public at `original_url`. The EXIF orientation alone is written back, so
//! browsers still show the picture upright. Thumbnails are re-encoded from pixels and
//! carry no EXIF at all; they keep only the ICC colour profile (so wide-gamut photos keep their
//! colours) and are already turned upright by the EXIF orientation.
//!
//! # Thumbnails
//!
//! Widths [`THUMB_WIDTHS`] (320 and 960), never upscaled: a width is made only when the image is
//! wider than it. Opaque images become JPEG at quality 82; images with any transparent pixel become
//! PNG (lossless, and every browser and mail client shows it; WebP would be smaller but the gain on
//! the few transparent images a newsroom posts is not worth a second format). Animated GIF, PNG and
//! WebP get still thumbnails of their first frame, and their display [`StoredImage::url`] is the
//! original so that the article shows the animation.
//!
//! # Threads
//!
//! [`MediaStore::store`] decodes and resizes: tens to hundreds of milliseconds of CPU for a phone
//! photo, plus blocking file I/O. Async callers must run it in `tokio::task::spawn_blocking`, never
//! on a runtime worker thread. [`MediaStore::resolve`] only does one `stat` and is fine anywhere.

mod metadata;
mod shared;
pub mod wechat;

use std::fs;
use std::io::{self, Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError, ImageFormat,
    ImageReader,
};
use serde::Serialize;

/// URL prefix under which the web layer serves the media folder.
pub const URL_PREFIX: &str = "/media/";

/// Thumbnail widths, smallest first. The largest is the display width used in articles.
pub const THUMB_WIDTHS: [u32; 2] = [320, 960];

/// `Cache-Control` for `/media/...` answers: a name is a content hash, so it never changes.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// JPEG quality of thumbnails: visually clean for photos at about a third of quality-95 size.
const JPEG_QUALITY: u8 = 82;

/// Hex digits of the content hash used in file names.
const HASH_LEN: usize = 16;

/// Limits on what [`MediaStore::store`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    /// Largest upload in bytes.
    pub max_bytes: usize,
    /// Largest width in pixels (as stored, before EXIF rotation).
    pub max_width: u32,
    /// Largest height in pixels (as stored, before EXIF rotation).
    pub max_height: u32,
    /// Largest decoded pixel buffer in bytes, so a huge 16-bit PNG cannot take the server's memory.
    pub max_decoded_bytes: u64,
}

impl Default for MediaLimits {
    fn default() -> Self {
        MediaLimits {
            max_bytes: 20 * 1024 * 1024,
            max_width: 12_000,
            max_height: 12_000,
            // 48-megapixel phone photos decode to about 144 MiB of RGB; 384 MiB leaves room for
            // 16-bit PNGs of that size while bounding what one upload can hold at once.
            max_decoded_bytes: 384 * 1024 * 1024,
        }
    }
}

/// Why an upload was refused or could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Not a JPEG, PNG, GIF or WebP file (judged by content, not by name).
    #[error("unsupported file type: only JPEG, PNG, GIF and WebP images are accepted")]
    Unsupported,
    /// The file or its pixel dimensions exceed [`MediaLimits`].
    #[error("image too large")]
    TooLarge,
    /// Claims to be an accepted format but cannot be decoded (truncated, damaged, or a variant
    /// the decoder does not handle).
    #[error("damaged or unreadable image: {0}")]
    Corrupt(String),
    /// Writing to the media folder failed.
    #[error("media storage: {0}")]
    Io(#[from] io::Error),
}

/// The accepted image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl ImageKind {
    /// Recognises a format by its magic bytes, and only those four.
    pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageKind::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::WebP)
        } else {
            None
        }
    }

    /// File extension used for stored originals.
    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Gif => "gif",
            ImageKind::WebP => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Gif => "image/gif",
            ImageKind::WebP => "image/webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            ImageKind::Jpeg => ImageFormat::Jpeg,
            ImageKind::Png => ImageFormat::Png,
            ImageKind::Gif => ImageFormat::Gif,
            ImageKind::WebP => ImageFormat::WebP,
        }
    }
}

/// One thumbnail of a stored image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Thumb {
    pub width: u32,
    pub height: u32,
    /// Root-relative URL, `/media/...`.
    pub url: String,
}

/// What [`MediaStore::store`] made of an upload; this is what the editor inserts into an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredImage {
    /// URL to show in articles: the 960-wide version, or the original when it is not wider than
    /// that or is animated.
    pub url: String,
    /// URL of the original bytes.
    pub original_url: String,
    /// Thumbnails made, narrowest first; only widths smaller than the image's own.
    pub thumbnails: Vec<Thumb>,
    /// Width as displayed (after EXIF orientation).
    pub width: u32,
    /// Height as displayed (after EXIF orientation).
    pub height: u32,
    /// Size of the original in bytes.
    pub bytes: u64,
    /// MIME type of the original.
    #[schema(value_type = String)]
    pub content_type: &'static str,
    /// The original has more than one frame (GIF, APNG or WebP animation).
    pub animated: bool,
}

/// The media folder `DATA/media/`.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
    limits: MediaLimits,
}

impl MediaStore {
    /// The media store of a data folder, with default [`MediaLimits`]. Creates nothing until the
    /// first upload.
    pub fn new(data_dir: &Path) -> MediaStore {
        MediaStore {
            root: data_dir.join("media"),
            limits: MediaLimits::default(),
        }
    }

    /// The same store with other limits.
    pub fn with_limits(mut self, limits: MediaLimits) -> MediaStore {
        self.limits = limits;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn limits(&self) -> &MediaLimits {
        &self.limits
    }

    /// Validates, stores and thumbnails an upload. Blocking and CPU-heavy: call it from
    /// `spawn_blocking`. `original_name` is only used to word error messages; it never decides the
    /// format or the stored name.
    ///
    /// The same bytes stored twice give the same result and write nothing the second time.
    pub fn store(&self, bytes: &[u8], original_name: &str) -> Result<StoredImage, MediaError> {
        if bytes.len() > self.limits.max_bytes {
            return Err(MediaError::TooLarge);
        }
        let kind = ImageKind::sniff(bytes).ok_or(MediaError::Unsupported)?;
        let corrupt = |message: String| MediaError::Corrupt(format!("{original_name}: {message}"));
        if kind == ImageKind::Jpeg {
            // The JPEG decoder fills a cut-off scan with grey and reports success, so a truncated
            // upload would be stored and shown half grey; check the structure ourselves.
            check_jpeg_complete(bytes).map_err(|m| corrupt(m.to_string()))?;
        }
        let decoded = decode(bytes, kind, &self.limits).map_err(|e| match e {
            MediaError::Corrupt(m) => corrupt(m),
            other => other,
        })?;

        let hex = blake3::hash(bytes).to_hex();
        let name = &hex[..HASH_LEN];
        let shard = &name[..2];
        let dir = self.root.join(shard);
        fs::create_dir_all(&dir)?;

        let original_file = format!("{name}.{}", kind.extension());
        // Served without EXIF, XMP or comments: a phone's photo carries where it was taken.
        let container = match kind {
            ImageKind::Jpeg => metadata::Container::Jpeg,
            ImageKind::Png => metadata::Container::Png,
            ImageKind::WebP => metadata::Container::WebP,
            _ => metadata::Container::Other,
        };
        let served = metadata::strip(container, bytes, u16::from(decoded.orientation.to_exif()))
            .unwrap_or_else(|| bytes.to_vec());
        write_atomically(&dir.join(&original_file), &served)?;
        let original_url = format!("{URL_PREFIX}{shard}/{original_file}");

        let (raw_w, raw_h) = (decoded.image.width(), decoded.image.height());
        let swaps = swaps_axes(decoded.orientation);
        let (width, height) = if swaps {
            (raw_h, raw_w)
        } else {
            (raw_w, raw_h)
        };
        let transparent = has_transparency(&decoded.image);
        let thumb_ext = if transparent { "png" } else { "jpg" };

        let mut thumbnails = Vec::new();
        for &thumb_w in THUMB_WIDTHS.iter().filter(|&&w| w < width) {
            let thumb_h = scaled_height(width, height, thumb_w);
            let file = format!("{name}-{thumb_w}.{thumb_ext}");
            let path = dir.join(&file);
            // Files appear only complete (temp file, fsync, rename), so an existing non-empty one
            // is this very thumbnail from an earlier upload of the same bytes: skip the work.
            let done = fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() > 0);
            if !done {
                let (w, h) = if swaps {
                    (thumb_h, thumb_w)
                } else {
                    (thumb_w, thumb_h)
                };
                let mut small = shrink(&decoded.image, w, h);
                // Rotating after shrinking touches 1/100 of the pixels and needs no second copy
                // of the full-size image.
                small.apply_orientation(decoded.orientation);
                let encoded = encode_thumbnail(&small, transparent, decoded.icc.as_deref())
                    .map_err(|e| corrupt(format!("making thumbnail: {e}")))?;
                write_atomically(&path, &encoded)?;
            }
            thumbnails.push(Thumb {
                width: thumb_w,
                height: thumb_h,
                url: format!("{URL_PREFIX}{shard}/{file}"),
            });
        }

        let animated = is_animated(kind, bytes);
        let display = THUMB_WIDTHS[THUMB_WIDTHS.len() - 1];
        let url = match thumbnails.iter().find(|t| t.width == display) {
            Some(t) if !animated => t.url.clone(),
            _ => original_url.clone(),
        };
        Ok(StoredImage {
            url,
            original_url,
            thumbnails,
            width,
            height,
            bytes: bytes.len() as u64,
            content_type: kind.content_type(),
            animated,
        })
    }

    /// Maps a request path (`/media/3f/3fa9c0d41b7e2a55-960.jpg`, or the part after `/media/`
    /// as an axum `{*path}` gives it) to an existing file inside the media folder.
    ///
    /// Only names this store can have made pass: lower-case ASCII letters, digits, `-` and `.`,
    /// no empty segment and no segment starting with a dot. That rules out `..`, absolute paths,
    /// backslashes, NUL, percent-escapes, drive letters and our own temporary files in one rule,
    /// instead of listing the bad cases. Symbolic links are not followed.
    pub fn resolve(&self, url_path: &str) -> Option<PathBuf> {
        let path = self.root.join(relative_path(url_path)?);
        let meta = fs::symlink_metadata(&path).ok()?;
        meta.is_file().then_some(path)
    }
}

/// The part of a media URL after `/media/` (`3f/3fa9c0d41b7e2a55-960.jpg`), if it is a name this
/// store can have made.
///
/// Only lower-case ASCII letters, digits, `-` and `.` pass, with no empty segment and no segment
/// starting with a dot. That rules out `..`, absolute paths, backslashes, NUL, percent-escapes,
/// drive letters and our own temporary files in one rule, instead of listing the bad cases.
pub fn relative_path(url_path: &str) -> Option<&str> {
    let relative = url_path.strip_prefix(URL_PREFIX).unwrap_or(url_path);
    if relative.is_empty() || relative.len() > 128 {
        return None;
    }
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b);
    relative
        .split('/')
        .all(|segment| {
            !segment.is_empty() && !segment.starts_with('.') && segment.bytes().all(allowed)
        })
        .then_some(relative)
}

/// MIME type of a stored file, by its extension (which this store chose from the content).
pub fn content_type_of(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
}

struct Decoded {
    image: DynamicImage,
    orientation: Orientation,
    icc: Option<Vec<u8>>,
}

fn decode(bytes: &[u8], kind: ImageKind, limits: &MediaLimits) -> Result<Decoded, MediaError> {
    // Some decoders read past the header before they report the size, and a bomb only needs a
    // header; where the size sits at a fixed place, look at it first.
    if let Some((w, h)) = header_dimensions(kind, bytes)
        && (w > limits.max_width || h > limits.max_height)
    {
        return Err(MediaError::TooLarge);
    }
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    image_limits.max_alloc = Some(limits.max_decoded_bytes);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(from_image_error)?;
    let (w, h) = decoder.dimensions();
    if w > limits.max_width || h > limits.max_height {
        return Err(MediaError::TooLarge);
    }
    if w == 0 || h == 0 {
        return Err(MediaError::Corrupt("image has no pixels".into()));
    }
    // `into_decoder` only checks dimensions; the whole-buffer check is ours (as `decode` does).
    if decoder.total_bytes() > limits.max_decoded_bytes {
        return Err(MediaError::TooLarge);
    }
    // Bad metadata is not worth refusing a photo for: fall back to no rotation, no profile.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(from_image_error)?;
    Ok(Decoded {
        image,
        orientation,
        icc,
    })
}

fn from_image_error(e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(_) => MediaError::TooLarge,
        // The reader is an in-memory slice, so an I/O error can only mean the data ran out.
        ImageError::IoError(e) => MediaError::Corrupt(format!("truncated: {e}")),
        other => MediaError::Corrupt(other.to_string()),
    }
}

/// Width and height where the header keeps them at a fixed offset (PNG, GIF).
fn header_dimensions(kind: ImageKind, b: &[u8]) -> Option<(u32, u32)> {
    match kind {
        ImageKind::Png if b.len() >= 24 && &b[12..16] == b"IHDR" => Some((
            u32::from_be_bytes(b[16..20].try_into().ok()?),
            u32::from_be_bytes(b[20..24].try_into().ok()?),
        )),
        ImageKind::Gif if b.len() >= 10 => Some((
            u16::from_le_bytes([b[6], b[7]]).into(),
            u16::from_le_bytes([b[8], b[9]]).into(),
        )),
        _ => None,
    }
}

/// Checks that a JPEG's entropy-coded data reaches its end-of-image marker.
fn check_jpeg_complete(b: &[u8]) -> Result<(), &'static str> {
    const TRUNCATED: &str = "truncated JPEG (no end-of-image marker)";
    let mut i = 2; // after SOI
    let mut in_scan = false;
    loop {
        if in_scan {
            // Inside entropy-coded data a 0xFF is followed by 0x00 (stuffing), a restart marker
            // or another 0xFF (fill); anything else is the next marker.
            loop {
                i += b[i..].iter().position(|&x| x == 0xFF).ok_or(TRUNCATED)?;
                match *b.get(i + 1).ok_or(TRUNCATED)? {
                    0x00 | 0xD0..=0xD7 => i += 2,
                    0xFF => i += 1,
                    _ => break,
                }
            }
            in_scan = false;
        }
        // A marker: 0xFF (possibly repeated), code, then for most codes a 2-byte length.
        if *b.get(i).ok_or(TRUNCATED)? != 0xFF {
            return Err("damaged JPEG (marker expected)");
        }
        while b.get(i) == Some(&0xFF) {
            i += 1;
        }
        let code = *b.get(i).ok_or(TRUNCATED)?;
        i += 1;
        match code {
            0xD9 => return Ok(()),
            0xD0..=0xD7 | 0x01 => continue,
            _ => {
                let len = b.get(i..i + 2).ok_or(TRUNCATED)?;
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                if len < 2 {
                    return Err("damaged JPEG (bad segment length)");
                }
                i += len;
                if i > b.len() {
                    return Err(TRUNCATED);
                }
                in_scan = code == 0xDA;
            }
        }
    }
}

/// Whether the file has more than one frame. Looks at the container only, so it costs nothing.
fn is_animated(kind: ImageKind, b: &[u8]) -> bool {
    match kind {
        ImageKind::Jpeg => false,
        // VP8X header, flags byte, animation bit.
        ImageKind::WebP => b.len() > 20 && &b[12..16] == b"VP8X" && b[20] & 0x02 != 0,
        ImageKind::Png => png_is_animated(b).unwrap_or(false),
        ImageKind::Gif => gif_frames_at_least_two(b).unwrap_or(false),
    }
}

/// APNG: an `acTL` chunk before the first `IDAT` announcing more than one frame.
fn png_is_animated(b: &[u8]) -> Option<bool> {
    let mut i = 8;
    loop {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = b.get(i + 4..i + 8)?;
        match kind {
            b"acTL" => {
                let frames = u32::from_be_bytes(b.get(i + 8..i + 12)?.try_into().ok()?);
                return Some(frames > 1);
            }
            b"IDAT" | b"IEND" => return Some(false),
            _ => i = i.checked_add(12)?.checked_add(len)?,
        }
    }
}

/// GIF: walks the blocks until a second image descriptor.
fn gif_frames_at_least_two(b: &[u8]) -> Option<bool> {
    fn skip_sub_blocks(b: &[u8], mut i: usize) -> Option<usize> {
        loop {
            let n = usize::from(*b.get(i)?);
            i += 1 + n;
            if n == 0 {
                return Some(i);
            }
        }
    }
    let flags = *b.get(10)?;
    let mut i = 13;
    if flags & 0x80 != 0 {
        i += 3 << ((flags & 7) + 1);
    }
    let mut frames = 0;
    loop {
        match *b.get(i)? {
            0x21 => i = skip_sub_blocks(b, i + 2)?,
            0x2C => {
                frames += 1;
                if frames >= 2 {
                    return Some(true);
                }
                let local = *b.get(i + 9)?;
                i += 10;
                if local & 0x80 != 0 {
                    i += 3 << ((local & 7) + 1);
                }
                i = skip_sub_blocks(b, i + 1)?; // +1: LZW minimum code size
            }
            _ => return Some(false),
        }
    }
}

fn swaps_axes(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

pub(crate) fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    let h = (u64::from(height) * u64::from(new_width) + u64::from(width) / 2) / u64::from(width);
    h.clamp(1, u64::from(u32::MAX)) as u32
}

/// Resizes to exactly `w`×`h`. A large reduction goes first through the integer box filter (fast,
/// and allocates only its output) to twice the size, then Catmull-Rom for sharpness: Catmull-Rom
/// alone would be slow on a 48 MP photo and its first pass allocates source width × target height
/// of 16-byte floats.
pub(crate) fn shrink(img: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    let (mid_w, mid_h) = (w.saturating_mul(2), h.saturating_mul(2));
    if img.width() > mid_w || img.height() > mid_h {
        img.thumbnail_exact(mid_w.min(img.width()), mid_h.min(img.height()))
            .resize_exact(w, h, FilterType::CatmullRom)
    } else {
        img.resize_exact(w, h, FilterType::CatmullRom)
    }
}

/// True when some pixel is not fully opaque. Many PNGs carry an alpha channel they never use;
/// those still get JPEG thumbnails.
pub(crate) fn has_transparency(img: &DynamicImage) -> bool {
    match img {
        DynamicImage::ImageLumaA8(b) => b.pixels().any(|p| p.0[1] < u8::MAX),
        DynamicImage::ImageRgba8(b) => b.pixels().any(|p| p.0[3] < u8::MAX),
        DynamicImage::ImageLumaA16(b) => b.pixels().any(|p| p.0[1] < u16::MAX),
        DynamicImage::ImageRgba16(b) => b.pixels().any(|p| p.0[3] < u16::MAX),
        DynamicImage::ImageRgba32F(b) => b.pixels().any(|p| p.0[3] < 1.0),
        other => other.color().has_alpha(),
    }
}

fn encode_thumbnail(
    img: &DynamicImage,
    transparent: bool,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>, ImageError> {
    let (w, h) = (img.width(), img.height());
    let gray = matches!(
        img,
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageLuma16(_)
    );
    // An ICC profile describes one colour space; attach it only where the output pixels are in
    // that space (a CMYK JPEG's profile on RGB pixels would shift every colour).
    let profile_space: &[u8; 4] = if gray { b"GRAY" } else { b"RGB " };
    let icc = icc.filter(|p| p.get(16..20) == Some(&profile_space[..]));
    let mut out = Vec::new();
    if transparent {
        let rgba = img.to_rgba8();
        let mut enc =
            PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive);
        if let Some(p) = icc {
            // Declining a profile only loses colour accuracy, not the thumbnail.
            let _ = enc.set_icc_profile(p.to_vec());
        }
        enc.write_image(rgba.as_raw(), w, h, ExtendedColorType::Rgba8)?;
    } else {
        let mut enc = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        if let Some(p) = icc {
            let _ = enc.set_icc_profile(p.to_vec());
        }
        if gray {
            let luma = img.to_luma8();
            enc.write_image(luma.as_raw(), w, h, ExtendedColorType::L8)?;
        } else {
            let rgb = img.to_rgb8();
            enc.write_image(rgb.as_raw(), w, h, ExtendedColorType::Rgb8)?;
        }
    }
    Ok(out)
}

/// Writes a file so that it appears complete or not at all: readers never see half a file, and a
/// crash leaves at most a dot-named temporary file behind (which `resolve` never serves). An
/// existing file of the same length is kept: names are content hashes, so it holds these bytes.
pub(crate) fn write_atomically(path: &Path, data: &[u8]) -> io::Result<()> {
    if fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == data.len() as u64) {
        return Ok(());
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(
        ".tmp-{file_name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(data)?;
        // Without the sync a power cut after the rename can leave an empty file under the final
        // name, which the dedupe check above would then keep forever.
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
