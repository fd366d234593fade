//! The URL rules, shared by the paste clean-up and the ammonia pass so that both agree on every
//! value: if they disagreed, the second run of the sanitiser would see a different tree than the
//! first and the output would not be stable.

use url::Url;

const LINK_SCHEMES: &[&str] = &["http", "https", "mailto"];
const IMAGE_SCHEMES: &[&str] = &["http", "https"];
/// Where the media library serves uploads; the only relative image source accepted, so an
/// article cannot embed arbitrary same-origin endpoints as images.
const MEDIA_PREFIX: &str = "/media/";

/// What a browser would make of the value: whitespace and control characters are ignored inside
/// a scheme (`java\tscript:`), and schemes are case-insensitive.
pub(crate) fn normalized_for_scheme_check(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Schemes that run code or smuggle documents, whatever the URL parser thinks of the rest.
pub(crate) fn has_script_scheme(value: &str) -> bool {
    let v = normalized_for_scheme_check(value);
    ["javascript:", "vbscript:", "data:", "livescript:"]
        .iter()
        .any(|s| v.starts_with(s))
}

pub(crate) fn href_allowed(value: &str) -> bool {
    if has_script_scheme(value) || value.trim().is_empty() {
        return false;
    }
    match Url::parse(value) {
        Ok(url) => LINK_SCHEMES.contains(&url.scheme()),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

pub(crate) fn img_src_allowed(value: &str) -> bool {
    if has_script_scheme(value) {
        return false;
    }
    match Url::parse(value) {
        Ok(url) => IMAGE_SCHEMES.contains(&url.scheme()) && url.host().is_some(),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            // A backslash or a dot segment would let `/media/..\x` leave the media folder.
            value.starts_with(MEDIA_PREFIX)
                && !value.contains('\\')
                && !value
                    .split(['/', '?', '#'])
                    .any(|seg| seg == ".." || seg == ".")
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        Err(_) => false,
    }
}

/// Image sizes and table spans: small plain integers, nothing a stylesheet could read as more.
pub(crate) fn small_number(value: &str, max_digits: usize) -> bool {
    !value.is_empty() && value.len() <= max_digits && value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs() {
        for ok in [
            "https://www.xjtu.edu.cn/",
            "http://a.b/c?d#e",
            "mailto:news@xjtu.edu.cn",
            "/articles/1",
            "../x",
            "x.html",
            "#top",
        ] {
            assert!(href_allowed(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:x",
            "\u{1}javascript:x",
            "vbscript:msgbox",
            "data:text/html,<script>",
            "file:///C:/x.doc",
            "ftp://x",
            "",
            "http://[::1",
        ] {
            assert!(!href_allowed(bad), "{bad:?}");
        }
    }

    #[test]
    fn image_sources() {
        for ok in [
            "https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg",
            "http://news.xjtu.edu.cn/a.jpg",
            "/media/2024/05/a.jpg",
        ] {
            assert!(img_src_allowed(ok), "{ok}");
        }
        for bad in [
            "data:image/png;base64,AAAA",
            "javascript:alert(1)",
            "x.jpg",
            "/uploads/a.jpg",
            "//evil.example/a.jpg",
            "/media/../admin",
            "/media/a\\b",
            "file:///C:/Users/a/clip_image002.jpg",
            "mailto:a@b",
            "https://",
        ] {
            assert!(!img_src_allowed(bad), "{bad:?}");
        }
    }

    #[test]
    fn images_only_over_the_web_schemes() {
        // A host is not enough: the scheme must be one a browser fetches from the web.
        for bad in [
            "ftp://ftp.xjtu.edu.cn/photos/a.jpg",
            "file://fileserver/新闻中心/a.jpg",
        ] {
            assert!(!img_src_allowed(bad), "{bad:?}");
        }
    }

    #[test]
    fn media_paths_hold_no_whitespace_or_control_characters() {
        // A space (half- or full-width) or a control character in a path is not a file the
        // media library wrote.
        for bad in [
            "/media/2024/05/会场 照片.jpg",
            "/media/2024/05/会场\u{3000}照片.jpg",
            "/media/2024/05/a\u{1}.jpg",
            "/media/2024/05/a\u{7f}.jpg",
        ] {
            assert!(!img_src_allowed(bad), "{bad:?}");
        }
        assert!(img_src_allowed("/media/2024/05/会场照片.jpg"));
    }
}
