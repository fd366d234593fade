//! The media files a written page or feed shows, found in its text: every address of this site's
//! media folder (`src`, `srcset`, `href`, and the absolute URLs of feeds), so the export copies
//! exactly the pictures its pages show and none of a draft's.

use rongmei_core::Links;

/// Folder-relative paths (`media/ab/abcd….jpg`, under the base URL's path) of the media files
/// `text` refers to, each once, in order of appearance.
pub fn media_refs(text: &str, links: &Links) -> Vec<String> {
    let needle = format!("{}{}", links.prefix(), rongmei_media::URL_PREFIX);
    let origin_len = links.base().len() - links.prefix().len();
    let origin = &links.base()[..origin_len];
    let mut out: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(&needle) {
        let start = from + found;
        from = start + needle.len();
        let before = &text[..start];
        // A path in an attribute or a srcset list, or an absolute URL of this site; never the
        // same path on another host.
        let ours = before.ends_with(['"', '\'', ' ', ',', '(', '\n']) || before.ends_with(origin);
        if !ours {
            continue;
        }
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || "\"'<>,)?#&".contains(c))
            .map_or(text.len(), |n| start + n);
        let url = &text[start..end];
        let Some(relative) = url.strip_prefix(links.prefix()) else {
            continue;
        };
        if rongmei_media::relative_path(relative).is_none() {
            continue;
        }
        let file = url.trim_start_matches('/').to_string();
        if !out.contains(&file) {
            out.push(file);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_of_this_site_are_found_in_attributes_srcsets_and_feeds() {
        let links = Links::new("https://news.example.edu.cn").unwrap();
        let html = r#"<img src="/media/ab/abcdef0123456789-960.jpg" srcset="/media/ab/abcdef0123456789-320.jpg 320w, /media/ab/abcdef0123456789-960.jpg 960w">
<a href="https://news.example.edu.cn/media/cd/cdef0123456789ab.png">原图</a>
<img src="https://elsewhere.example.com/media/ef/ef0123456789abcd.jpg">
<p>文中写到 /media/ 这个词</p>"#;
        assert_eq!(
            media_refs(html, &links),
            vec![
                "media/ab/abcdef0123456789-960.jpg",
                "media/ab/abcdef0123456789-320.jpg",
                "media/cd/cdef0123456789ab.png",
            ]
        );
    }

    #[test]
    fn a_site_under_a_path_keeps_its_media_under_it() {
        let links = Links::new("https://www.example.edu.cn/news").unwrap();
        let html =
            r#"<img src="/news/media/ab/abcdef0123456789-960.jpg"><img src="/media/ab/other.jpg">"#;
        assert_eq!(
            media_refs(html, &links),
            vec!["news/media/ab/abcdef0123456789-960.jpg"]
        );
    }
}
