//! Metadata out of served originals: EXIF (a phone's GPS position, its serial number), XMP,
//! IPTC and comments are dropped without re-encoding the image. The one EXIF field a browser
//! needs to show the picture upright, the orientation, is written back alone.

use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};

/// The containers that carry metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Jpeg,
    Png,
    WebP,
    /// GIF: nothing to drop.
    Other,
}

/// A TIFF structure (as EXIF holds it) with only the orientation tag; `None` when upright.
fn orientation_only(orientation: u16) -> Option<Bytes> {
    if orientation <= 1 || orientation > 8 {
        return None;
    }
    let mut t = Vec::with_capacity(26);
    t.extend_from_slice(b"II\x2a\x00\x08\x00\x00\x00"); // little-endian TIFF, first IFD at 8
    t.extend_from_slice(&1u16.to_le_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_le_bytes()); // one value
    t.extend_from_slice(&orientation.to_le_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    Some(Bytes::from(t))
}

/// The image without its metadata, or `None` when the container cannot be read (the caller
/// already decoded the image, so that means a form this reader does not know: store as is).
pub fn strip(container: Container, bytes: &[u8], orientation: u16) -> Option<Vec<u8>> {
    let input = Bytes::copy_from_slice(bytes);
    let keep = orientation_only(orientation);
    match container {
        Container::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(input).ok()?;
            jpeg.segments_mut().retain(|s| {
                let m = s.marker();
                // APP0 (JFIF), APP2 (ICC colour profile) and APP14 (Adobe colour transform)
                // change how the picture looks; every other application segment and comments
                // are metadata.
                !((markers::APP1..=markers::APP15).contains(&m)
                    && m != markers::APP2
                    && m != markers::APP14
                    || m == markers::COM)
            });
            jpeg.set_exif(keep);
            Some(jpeg.encoder().bytes().to_vec())
        }
        Container::Png => {
            let mut png = Png::from_bytes(input).ok()?;
            png.chunks_mut()
                .retain(|c| !matches!(&c.kind(), b"eXIf" | b"tEXt" | b"iTXt" | b"zTXt" | b"tIME"));
            png.set_exif(keep);
            Some(png.encoder().bytes().to_vec())
        }
        Container::WebP => {
            let mut webp = WebP::from_bytes(input).ok()?;
            webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP);
            webp.set_exif(keep);
            Some(webp.encoder().bytes().to_vec())
        }
        Container::Other => Some(bytes.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with_exif(exif: &[u8]) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .encode_image(&img)
            .expect("encode");
        let mut jpeg = Jpeg::from_bytes(Bytes::from(out)).expect("parse");
        jpeg.set_exif(Some(Bytes::copy_from_slice(exif)));
        jpeg.encoder().bytes().to_vec()
    }

    #[test]
    fn a_phones_gps_position_is_dropped_and_the_orientation_kept() {
        // A TIFF with Orientation 6 and a marker standing for the GPS block.
        let mut exif = orientation_only(6).expect("tiff").to_vec();
        exif.extend_from_slice(b"GPS 34.2469N 108.9872E serial 8H3K2");
        let bytes = jpeg_with_exif(&exif);
        assert!(bytes.windows(3).any(|w| w == b"GPS"));
        let clean = strip(Container::Jpeg, &bytes, 6).expect("strip");
        assert!(!clean.windows(3).any(|w| w == b"GPS"), "no GPS left");
        let jpeg = Jpeg::from_bytes(Bytes::from(clean.clone())).expect("still a JPEG");
        assert_eq!(jpeg.exif(), orientation_only(6), "orientation alone");
        assert!(image::load_from_memory(&clean).is_ok(), "still decodes");
        let upright = strip(Container::Jpeg, &bytes, 1).expect("strip");
        assert!(
            Jpeg::from_bytes(Bytes::from(upright))
                .expect("jpeg")
                .exif()
                .is_none()
        );
    }
}
