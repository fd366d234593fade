//! Upload, thumbnail, dedupe, rejection and path-safety tests. Every image is made in the test.

use std::io::Cursor;
use std::path::Path;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::{
    Delay, DynamicImage, Frame, ImageEncoder, ImageFormat, ImageReader, Rgb, RgbImage, Rgba,
    RgbaImage,
};
use rongmei_media::{
    ImageKind, MediaError, MediaLimits, MediaStore, StoredImage, THUMB_WIDTHS, content_type_of,
};

fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn png(w: u32, h: u32) -> Vec<u8> {
    encode(gradient(w, h).into(), ImageFormat::Png)
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encode(gradient(w, h).into(), ImageFormat::Jpeg)
}

fn store_in(dir: &Path) -> MediaStore {
    MediaStore::new(dir)
}

/// Decodes a stored file back, by URL, to check what was really written.
fn dimensions_at(store: &MediaStore, url: &str) -> (u32, u32) {
    let path = store
        .resolve(url)
        .unwrap_or_else(|| panic!("{url} not served"));
    let img = ImageReader::open(&path)
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .decode()
        .unwrap();
    (img.width(), img.height())
}

fn assert_thumbs_on_disk(store: &MediaStore, stored: &StoredImage) {
    for t in &stored.thumbnails {
        assert_eq!(
            dimensions_at(store, &t.url),
            (t.width, t.height),
            "{}",
            t.url
        );
    }
}

#[test]
fn png_gets_both_thumbnails_and_display_url() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let bytes = png(1200, 800);
    let stored = store.store(&bytes, "photo.png").unwrap();

    assert_eq!((stored.width, stored.height), (1200, 800));
    assert_eq!(stored.content_type, "image/png");
    assert_eq!(stored.bytes, bytes.len() as u64);
    assert!(!stored.animated);
    let dims: Vec<_> = stored
        .thumbnails
        .iter()
        .map(|t| (t.width, t.height))
        .collect();
    assert_eq!(dims, [(320, 213), (960, 640)]);
    assert_eq!(stored.url, stored.thumbnails[1].url);
    // Opaque PNG: JPEG thumbnails.
    assert!(stored.url.ends_with("-960.jpg"), "{}", stored.url);
    assert_thumbs_on_disk(&store, &stored);

    // The original (which carries no metadata) is kept byte for byte, under
    // media/<hash[0..2]>/<hash16>.png, named by the hash of the uploaded bytes.
    let hex = blake3::hash(&bytes).to_hex();
    let expected = format!("/media/{}/{}.png", &hex[..2], &hex[..16]);
    assert_eq!(stored.original_url, expected);
    let path = store.resolve(&stored.original_url).unwrap();
    assert_eq!(
        path,
        dir.path()
            .join("media")
            .join(&hex[..2])
            .join(format!("{}.png", &hex[..16]))
    );
    assert_eq!(std::fs::read(path).unwrap(), bytes);
}

#[test]
fn every_accepted_format_is_stored_and_thumbnailed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let img: DynamicImage = gradient(400, 300).into();
    let cases = [
        (ImageFormat::Png, "image/png", "png"),
        (ImageFormat::Jpeg, "image/jpeg", "jpg"),
        (ImageFormat::Gif, "image/gif", "gif"),
        (ImageFormat::WebP, "image/webp", "webp"),
    ];
    for (format, content_type, ext) in cases {
        let bytes = encode(img.clone(), format);
        // A lying name changes nothing: the content decides.
        let stored = store.store(&bytes, "upload.svg").unwrap();
        assert_eq!(stored.content_type, content_type);
        assert!(stored.original_url.ends_with(&format!(".{ext}")));
        assert_eq!((stored.width, stored.height), (400, 300));
        let dims: Vec<_> = stored
            .thumbnails
            .iter()
            .map(|t| (t.width, t.height))
            .collect();
        assert_eq!(dims, [(320, 240)], "{format:?}");
        // Narrower than the display width: the original is what articles show.
        assert_eq!(stored.url, stored.original_url);
        assert_thumbs_on_disk(&store, &stored);
        let path = store.resolve(&stored.original_url).unwrap();
        assert_eq!(content_type_of(&path), content_type);
    }
}

#[test]
fn never_upscales() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());

    let stored = store.store(&jpeg(200, 100), "small.jpg").unwrap();
    assert!(stored.thumbnails.is_empty());
    assert_eq!(stored.url, stored.original_url);

    // Exactly a thumbnail width: no copy of the same size either.
    let stored = store.store(&jpeg(320, 100), "edge.jpg").unwrap();
    assert!(stored.thumbnails.is_empty());

    let stored = store.store(&jpeg(960, 90), "edge.jpg").unwrap();
    assert_eq!(stored.thumbnails.len(), 1);
    assert_eq!(
        (stored.thumbnails[0].width, stored.thumbnails[0].height),
        (320, 30)
    );
    assert_eq!(stored.url, stored.original_url);

    // A very tall, narrow image: thumbnails by width only, and never below one pixel high.
    let stored = store.store(&png(3000, 2), "strip.png").unwrap();
    let dims: Vec<_> = stored
        .thumbnails
        .iter()
        .map(|t| (t.width, t.height))
        .collect();
    assert_eq!(dims, [(320, 1), (960, 1)]);
    assert_thumbs_on_disk(&store, &stored);
    for t in &stored.thumbnails {
        assert!(t.width <= stored.width && t.height <= stored.height);
    }
}

#[test]
fn transparency_gives_png_thumbnails_and_unused_alpha_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());

    let transparent = RgbaImage::from_fn(640, 480, |x, _| Rgba([200, 10, 10, (x % 256) as u8]));
    let stored = store
        .store(&encode(transparent.into(), ImageFormat::Png), "logo.png")
        .unwrap();
    assert!(stored.thumbnails[0].url.ends_with("-320.png"));
    let path = store.resolve(&stored.thumbnails[0].url).unwrap();
    let thumb = image::open(&path).unwrap();
    assert!(thumb.color().has_alpha());
    assert!(thumb.to_rgba8().pixels().any(|p| p.0[3] < 255));

    let opaque = RgbaImage::from_fn(640, 480, |x, y| Rgba([x as u8, y as u8, 0, 255]));
    let stored = store
        .store(&encode(opaque.into(), ImageFormat::Png), "shot.png")
        .unwrap();
    assert!(stored.thumbnails[0].url.ends_with("-320.jpg"));
}

#[test]
fn same_upload_twice_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let bytes = png(1000, 500);
    let first = store.store(&bytes, "a.png").unwrap();
    let files = list_files(&store.root().to_path_buf());
    let second = store.store(&bytes, "another-name.png").unwrap();
    assert_eq!(first, second);
    assert_eq!(list_files(&store.root().to_path_buf()), files);
    // Original and two thumbnails, no temporary files left behind.
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().all(|f| !f.contains(".tmp")));

    // A different image is a different name.
    let other = store.store(&png(1000, 501), "a.png").unwrap();
    assert_ne!(other.original_url, first.original_url);
}

#[test]
fn concurrent_identical_uploads_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let bytes = jpeg(1100, 700);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| store.store(&bytes, "same.jpg").unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results.windows(2).all(|w| w[0] == w[1]));
    let files = list_files(&store.root().to_path_buf());
    assert_eq!(files.len(), 3, "{files:?}");
    assert_thumbs_on_disk(&store, &results[0]);
}

fn list_files(root: &std::path::PathBuf) -> Vec<String> {
    let mut out = Vec::new();
    for shard in std::fs::read_dir(root).unwrap() {
        for f in std::fs::read_dir(shard.unwrap().path()).unwrap() {
            out.push(f.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

#[test]
fn non_images_are_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let svg_with_prolog =
        b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    let html = b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>";
    let random: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let bmp = b"BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00";
    let pdf = b"%PDF-1.7\n";
    let cases: [(&[u8], &str); 7] = [
        (svg, "a.png"),
        (svg_with_prolog, "a.jpg"),
        (html, "a.gif"),
        (&random, "a.webp"),
        (bmp, "a.bmp"),
        (pdf, "a.jpg"),
        (b"", "empty.png"),
    ];
    for (bytes, name) in cases {
        let err = store.store(bytes, name).unwrap_err();
        assert!(matches!(err, MediaError::Unsupported), "{name}: {err:?}");
    }
    // RIFF but not WebP (a WAV file).
    let err = store
        .store(b"RIFF\x24\x00\x00\x00WAVEfmt ", "a.webp")
        .unwrap_err();
    assert!(matches!(err, MediaError::Unsupported), "{err:?}");
    // Nothing was written for any of them.
    assert!(!store.root().exists());
}

#[test]
fn oversized_upload_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = png(300, 300);
    let store = MediaStore::new(dir.path()).with_limits(MediaLimits {
        max_bytes: bytes.len() - 1,
        ..MediaLimits::default()
    });
    assert!(matches!(
        store.store(&bytes, "a.png"),
        Err(MediaError::TooLarge)
    ));
    assert_eq!(MediaLimits::default().max_bytes, 20 * 1024 * 1024);

    let store = MediaStore::new(dir.path()).with_limits(MediaLimits {
        max_width: 299,
        ..MediaLimits::default()
    });
    for bytes in [
        png(300, 10),
        jpeg(300, 10),
        encode(gradient(300, 10).into(), ImageFormat::Gif),
        encode(gradient(300, 10).into(), ImageFormat::WebP),
    ] {
        let err = store.store(&bytes, "wide").unwrap_err();
        assert!(matches!(err, MediaError::TooLarge), "{err:?}");
    }

    // Within the pixel limits but over the memory cap.
    let store = MediaStore::new(dir.path()).with_limits(MediaLimits {
        max_decoded_bytes: 100 * 100 * 3 - 1,
        ..MediaLimits::default()
    });
    let err = store.store(&jpeg(100, 100), "a.jpg").unwrap_err();
    assert!(matches!(err, MediaError::TooLarge), "{err:?}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A PNG that claims `w`×`h` pixels and carries almost no data.
fn png_bomb(w: u32, h: u32, bit_depth: u8, color_type: u8, with_data: bool) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[bit_depth, color_type, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    if with_data {
        // zlib stream of one empty stored block.
        png_chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 1],
        );
        png_chunk(&mut out, b"IEND", &[]);
    }
    out
}

#[test]
fn decompression_bomb_is_too_large_without_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    // 100000×100000 RGBA would be 40 GB; the test would abort if it were allocated.
    for with_data in [false, true] {
        let bomb = png_bomb(100_000, 100_000, 8, 6, with_data);
        let err = store.store(&bomb, "bomb.png").unwrap_err();
        assert!(matches!(err, MediaError::TooLarge), "{err:?}");
    }
    // Within 12000×12000 but 11000×11000 16-bit RGBA is 968 MB: the memory cap stops it.
    let bomb = png_bomb(11_000, 11_000, 16, 6, true);
    let err = store.store(&bomb, "bomb.png").unwrap_err();
    assert!(matches!(err, MediaError::TooLarge), "{err:?}");
    // A GIF whose screen claims 65535×65535.
    let gif = b"GIF89a\xFF\xFF\xFF\xFF\x00\x00\x00;";
    let err = store.store(gif, "bomb.gif").unwrap_err();
    assert!(matches!(err, MediaError::TooLarge), "{err:?}");
    assert!(!store.root().exists());
}

#[test]
fn truncated_jpeg_is_corrupt_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let bytes = jpeg(500, 400);
    let half = &bytes[..bytes.len() / 2];
    let err = store.store(half, "cut.jpg").unwrap_err();
    assert!(matches!(err, MediaError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("cut.jpg"), "{err}");
    // Cut anywhere, including inside the headers and one byte short of the end.
    for len in (3..bytes.len()).step_by(97).chain([bytes.len() - 1]) {
        let err = store.store(&bytes[..len], "cut.jpg").unwrap_err();
        assert!(matches!(err, MediaError::Corrupt(_)), "at {len}: {err:?}");
    }
    // Trailing bytes after the end marker (some cameras append data) are fine.
    let mut trailing = bytes.clone();
    trailing.extend_from_slice(b"camera trailer");
    store.store(&trailing, "trailer.jpg").unwrap();
}

#[test]
fn truncated_or_damaged_other_formats_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let img: DynamicImage = gradient(300, 200).into();
    for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::WebP] {
        let bytes = encode(img.clone(), format);
        for len in [16, 40, bytes.len() / 3, bytes.len() / 2, bytes.len() - 8] {
            let result = store.store(&bytes[..len], "cut");
            assert!(
                matches!(result, Err(MediaError::Corrupt(_))),
                "{format:?} cut at {len}/{}: {result:?}",
                bytes.len()
            );
        }
        // Flipped bytes in the middle: any outcome but a panic.
        let mut damaged = bytes.clone();
        for i in (bytes.len() / 2..bytes.len() / 2 + 32).step_by(3) {
            damaged[i] ^= 0x5A;
        }
        let _ = store.store(&damaged, "damaged");
    }
}

#[test]
fn exif_orientation_is_applied_to_thumbnails() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    // Big-endian TIFF header, one IFD entry: Orientation (0x0112), SHORT, 1, value 6 (rotate 90).
    let exif: Vec<u8> = [
        &b"MM\x00\x2A\x00\x00\x00\x08"[..],
        &[0x00, 0x01],
        &[
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
        ],
        &[0x00, 0x00, 0x00, 0x00],
    ]
    .concat();
    let raw = gradient(1200, 800);
    let mut bytes = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut bytes, 90);
    enc.set_exif_metadata(exif).unwrap();
    enc.write_image(raw.as_raw(), 1200, 800, image::ExtendedColorType::Rgb8)
        .unwrap();

    let stored = store.store(&bytes, "portrait.jpg").unwrap();
    assert_eq!((stored.width, stored.height), (800, 1200));
    let dims: Vec<_> = stored
        .thumbnails
        .iter()
        .map(|t| (t.width, t.height))
        .collect();
    assert_eq!(dims, [(320, 480)]);
    assert_thumbs_on_disk(&store, &stored);
    // 800 wide is under the display width: the original, whose orientation (the one EXIF field
    // kept) browsers honour.
    assert_eq!(stored.url, stored.original_url);
    let served = std::fs::read(store.resolve(&stored.url).unwrap()).unwrap();
    let mut decoder = image::ImageReader::new(Cursor::new(&served))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    use image::ImageDecoder;
    assert_eq!(
        decoder.orientation().unwrap(),
        image::metadata::Orientation::Rotate90
    );
    assert_eq!(decoder.dimensions(), (1200, 800), "the pixels as uploaded");
}

#[test]
fn animated_gif_keeps_the_original_as_display_url() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut bytes = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut bytes);
        let frames = (0..3).map(|i| {
            let buf = RgbaImage::from_fn(1000, 400, |x, _| Rgba([(x / 4) as u8, i * 80, 0, 255]));
            Frame::from_parts(buf, 0, 0, Delay::from_numer_denom_ms(100, 1))
        });
        enc.encode_frames(frames).unwrap();
    }
    let stored = store.store(&bytes, "anim.gif").unwrap();
    assert!(stored.animated);
    assert_eq!(stored.url, stored.original_url);
    assert_eq!(stored.thumbnails.len(), 2);
    assert_thumbs_on_disk(&store, &stored);

    // A one-frame GIF is not animated.
    let still = encode(gradient(1000, 400).into(), ImageFormat::Gif);
    let stored = store.store(&still, "still.gif").unwrap();
    assert!(!stored.animated);
    assert!(stored.url.ends_with("-960.jpg"));
}

#[test]
fn resolve_rejects_traversal_and_unknown_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "do not serve").unwrap();
    let store = store_in(dir.path());
    let stored = store.store(&png(500, 300), "a.png").unwrap();
    let good = store.resolve(&stored.original_url).unwrap();
    assert!(good.starts_with(store.root()));
    // The axum `{*path}` form, without the prefix, works too.
    let bare = stored.original_url.strip_prefix("/media/").unwrap();
    assert_eq!(store.resolve(bare), Some(good.clone()));
    let shard = bare.split('/').next().unwrap();

    // Leave a temporary file as a crash would.
    let tmp_name = format!(".tmp-{}", bare.split('/').nth(1).unwrap());
    std::fs::write(store.root().join(shard).join(&tmp_name), "partial").unwrap();

    let bad = [
        "/media/../secret.txt".to_string(),
        "../secret.txt".into(),
        format!("/media/{shard}/../../secret.txt"),
        format!("{shard}/./{}", bare.split('/').nth(1).unwrap()),
        format!("{shard}//{}", bare.split('/').nth(1).unwrap()),
        "/etc/passwd".into(),
        "//etc/passwd".into(),
        "/media//etc/passwd".into(),
        format!("{shard}\\..\\..\\secret.txt"),
        format!("{}\0", bare),
        format!("{shard}%2f..%2f..%2fsecret.txt"),
        "C:/Windows/win.ini".into(),
        bare.to_uppercase(),
        format!("{shard}/{tmp_name}"),
        format!("{shard}/0000000000000000.png"),
        shard.to_string(),
        format!("/media/{shard}"),
        format!("/media/{shard}/"),
        "/media/".into(),
        "".into(),
        "x".repeat(10_000),
    ];
    for path in &bad {
        assert_eq!(store.resolve(path), None, "{path:?}");
    }
}

#[cfg(unix)]
#[test]
fn resolve_does_not_follow_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "do not serve").unwrap();
    let store = store_in(dir.path());
    std::fs::create_dir_all(store.root().join("ab")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        store.root().join("ab").join("abcd.jpg"),
    )
    .unwrap();
    assert_eq!(store.resolve("/media/ab/abcd.jpg"), None);
}

#[test]
fn content_types_and_sniffing() {
    assert_eq!(content_type_of(Path::new("x/a.jpg")), "image/jpeg");
    assert_eq!(content_type_of(Path::new("a-320.png")), "image/png");
    assert_eq!(content_type_of(Path::new("a.gif")), "image/gif");
    assert_eq!(content_type_of(Path::new("a.webp")), "image/webp");
    assert_eq!(
        content_type_of(Path::new("a.svg")),
        "application/octet-stream"
    );
    assert_eq!(
        content_type_of(Path::new("noext")),
        "application/octet-stream"
    );
    assert_eq!(ImageKind::sniff(&png(2, 2)), Some(ImageKind::Png));
    assert_eq!(ImageKind::sniff(&jpeg(2, 2)), Some(ImageKind::Jpeg));
    assert_eq!(ImageKind::sniff(b"<svg/>"), None);
}

#[test]
fn stored_image_serializes_for_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let stored = store.store(&png(1000, 500), "a.png").unwrap();
    let json = serde_json::to_value(&stored).unwrap();
    assert_eq!(json["width"], 1000);
    assert_eq!(json["height"], 500);
    assert_eq!(json["content_type"], "image/png");
    assert_eq!(json["url"], stored.thumbnails[1].url.as_str());
    assert_eq!(json["thumbnails"][0]["width"], 320);
    assert_eq!(json["thumbnails"][0]["height"], 160);
    assert!(
        json["original_url"]
            .as_str()
            .unwrap()
            .starts_with("/media/")
    );
    assert_eq!(THUMB_WIDTHS, [320, 960]);
}

/// A phone photo's EXIF (here with a GPS block and orientation 6, "turn right") is not served:
/// the stored original keeps its pixels and only the orientation.
#[test]
fn originals_are_served_without_gps_exif() {
    use img_parts::ImageEXIF;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let img = image::RgbImage::from_pixel(60, 40, image::Rgb([20, 120, 200]));
    let mut encoded = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut encoded)
        .encode_image(&img)
        .unwrap();
    let mut tiff = b"II\x2a\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00".to_vec();
    tiff.extend_from_slice(b"GPSLatitude 34.2469 N GPSLongitude 108.9872 E");
    let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(encoded.into()).unwrap();
    jpeg.set_exif(Some(tiff.into()));
    let bytes = jpeg.encoder().bytes().to_vec();

    let stored = store.store(&bytes, "IMG_0001.jpg").unwrap();
    assert_eq!((stored.width, stored.height), (40, 60), "shown upright");
    let served = std::fs::read(store.resolve(&stored.original_url).unwrap()).unwrap();
    assert!(
        !served.windows(11).any(|w| w == b"GPSLatitude"),
        "the GPS position is gone"
    );
    let exif = img_parts::jpeg::Jpeg::from_bytes(served.clone().into())
        .unwrap()
        .exif()
        .expect("the orientation is kept");
    assert_eq!(
        &exif[8..20],
        b"\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00"
    );
    let decoded = image::load_from_memory(&served).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (60, 40),
        "pixels as uploaded"
    );
}
