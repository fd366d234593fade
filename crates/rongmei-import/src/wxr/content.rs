//! A post's `content:encoded` as WordPress would have shown it: block-editor comments removed,
//! or the classic editor's automatic paragraphs (`wpautop`) applied; `[caption]` and
//! `[gallery]` made into images. The result goes through the one sanitiser like any other HTML.

use std::collections::BTreeMap;

use rongmei_core::body::escape_html;

/// Tags that start a block of their own: `wpautop` does not wrap them in a paragraph.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "script",
    "style",
];

/// The HTML of a post; `attachments` maps attachment ids to their URLs (for galleries);
/// `warn` is told of every shortcode left as text.
pub fn wordpress_html(
    raw: &str,
    attachments: &BTreeMap<String, String>,
    warn: &mut dyn FnMut(String),
) -> String {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let with_images = shortcodes(&text, attachments, warn);
    if text.contains("<!-- wp:") {
        strip_block_comments(&with_images)
    } else {
        autop(&with_images)
    }
}

/// Removes `<!-- wp:… -->` and `<!-- /wp:… -->`; other comments go with the sanitiser.
fn strip_block_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        let after = &rest[i + 4..];
        let is_block =
            after.trim_start().starts_with("wp:") || after.trim_start().starts_with("/wp:");
        match after.find("-->") {
            Some(j) if is_block => {
                out.push_str(&rest[..i]);
                rest = &after[j + 3..];
            }
            _ => {
                out.push_str(&rest[..i + 4]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn starts_block(chunk: &str) -> bool {
    let Some(tag) = chunk.strip_prefix('<') else {
        return false;
    };
    let tag = tag.trim_start_matches('/');
    let name: String = tag
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    BLOCK_TAGS.contains(&name.as_str())
}

/// `wpautop`: text separated by blank lines becomes paragraphs, single newlines inside them line
/// breaks; chunks that are blocks already (and everything inside `<pre>`) stay as they are.
fn autop(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    // How many `<pre>` are open: inside one, text is kept as written.
    let mut depth: usize = 0;
    for chunk in split_paragraphs(text) {
        let trimmed = chunk.trim();
        if trimmed.is_empty() {
            continue;
        }
        if depth > 0 || starts_block(trimmed) {
            out.push_str(trimmed);
            out.push_str(if depth > 0 { "\n\n" } else { "\n" });
        } else {
            out.push_str("<p>");
            out.push_str(&trimmed.replace('\n', "<br>\n"));
            out.push_str("</p>\n");
        }
        depth = (depth + trimmed.matches("<pre").count())
            .saturating_sub(trimmed.matches("</pre>").count());
    }
    out
}

/// Splits at blank lines (a newline, optional spaces, a newline).
fn split_paragraphs(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\n' {
                parts.push(&text[start..i]);
                while j < bytes.len() && matches!(bytes[j], b'\n' | b' ' | b'\t') {
                    j += 1;
                }
                start = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// The value of `name="…"` (or `'…'`) in a shortcode's attributes.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let after = rest[i + name.len()..].trim_start();
        let before_ok = i == 0 || rest[..i].ends_with(|c: char| c.is_whitespace());
        if before_ok && let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            let quote = v.chars().next()?;
            if quote == '"' || quote == '\'' {
                let end = v[1..].find(quote)?;
                return Some(v[1..1 + end].to_string());
            }
            return Some(v.split_whitespace().next().unwrap_or("").to_string());
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// `[caption …]<img …> text[/caption]` → a figure with its caption; `[gallery ids="…"]` → the
/// attachments as figures; any other `[name …]…[/name]` or `[name key="…"]` stays as text and is
/// reported (brackets in code, `a[i]`, are not shortcodes and pass silently).
fn shortcodes(
    text: &str,
    attachments: &BTreeMap<String, String>,
    warn: &mut dyn FnMut(String),
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(close) = tail.find(']') else {
            out.push_str(tail);
            return out;
        };
        let inner = &tail[1..close];
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let attrs = &inner[name.len()..];
        let end_tag = format!("[/{name}]");
        match name.as_str() {
            "caption" | "wp_caption" => {
                let body_start = close + 1;
                let (body, consumed) = match tail[body_start..].find(&end_tag) {
                    Some(e) => (
                        &tail[body_start..body_start + e],
                        body_start + e + end_tag.len(),
                    ),
                    None => ("", body_start),
                };
                let (img, caption_text) = split_caption(body);
                let caption = attr(attrs, "caption").unwrap_or(caption_text);
                out.push_str("\n\n<figure>");
                out.push_str(&img);
                if !caption.trim().is_empty() {
                    out.push_str("<figcaption>");
                    out.push_str(&escape_html(caption.trim()));
                    out.push_str("</figcaption>");
                }
                out.push_str("</figure>\n\n");
                rest = &tail[consumed..];
            }
            "gallery" => {
                let ids = attr(attrs, "ids").unwrap_or_default();
                let mut any = false;
                for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match attachments.get(id) {
                        Some(url) => {
                            any = true;
                            out.push_str(&format!(
                                "\n\n<figure><img src=\"{}\" alt=\"\"></figure>\n\n",
                                escape_html(url)
                            ));
                        }
                        None => warn(format!("相册 [gallery] 中的附件 {id} 不在导出文件里")),
                    }
                }
                if !any {
                    warn("相册 [gallery] 没有可用的图片（没有 ids，或附件不在导出文件里）".into());
                }
                rest = &tail[close + 1..];
            }
            _ => {
                let looks_like_shortcode = !name.is_empty()
                    && (attrs.contains('=') || tail[close + 1..].contains(&end_tag));
                if looks_like_shortcode {
                    warn(format!("短代码 [{name}] 无法转换，按原文保留"));
                }
                out.push('[');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The image (with its link, if any) and the text after it, of a caption's body.
fn split_caption(body: &str) -> (String, String) {
    let body = body.trim();
    // The image is the first `<img …>`, possibly inside `<a …>…</a>`.
    let Some(start) = body.find("<img") else {
        return (String::new(), strip_tags(body));
    };
    let img_end = body[start..]
        .find('>')
        .map_or(body.len(), |e| start + e + 1);
    let mut end = img_end;
    let mut begin = start;
    if let Some(a) = body[..start].rfind("<a ")
        && let Some(close) = body[img_end..].find("</a>")
    {
        begin = a;
        end = img_end + close + 4;
    }
    let img = body[begin..end].to_string();
    let text = format!("{}{}", &body[..begin], &body[end..]);
    (img, strip_tags(&text))
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    rongmei_core::body::unescape_html(out.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(raw: &str) -> (String, Vec<String>) {
        let mut warnings = Vec::new();
        let atts = BTreeMap::from([("7".to_string(), "http://x.example/a.jpg".to_string())]);
        let h = wordpress_html(raw, &atts, &mut |w| warnings.push(w));
        (h, warnings)
    }

    #[test]
    fn classic_posts_get_wordpress_paragraphs() {
        let (h, w) = html("第一段第一行\n第一段第二行\n\n第二段\r\n\r\n<ul><li>列表</li></ul>");
        assert_eq!(
            h,
            "<p>第一段第一行<br>\n第一段第二行</p>\n<p>第二段</p>\n<ul><li>列表</li></ul>\n"
        );
        assert!(w.is_empty());
    }

    #[test]
    fn block_editor_posts_lose_their_comments_only() {
        let (h, _) = html(
            "<!-- wp:paragraph -->\n<p>一</p>\n<!-- /wp:paragraph -->\n\n<!-- note -->\n<!-- wp:paragraph {\"a\":1} --><p>二</p><!-- /wp:paragraph -->",
        );
        assert!(!h.contains("wp:"), "{h}");
        assert!(h.contains("<p>一</p>") && h.contains("<p>二</p>") && !h.contains("<p><p>"));
    }

    #[test]
    fn captions_and_galleries_become_figures() {
        let (h, _) = html(
            "前文\n\n[caption id=\"attachment_9\" align=\"aligncenter\" width=\"300\"]<a href=\"http://x.example/big.jpg\"><img src=\"http://x.example/a.jpg\" alt=\"\" /></a> 说明文字[/caption]\n\n[gallery ids=\"7\"]",
        );
        assert!(h.contains("<figcaption>说明文字</figcaption>"), "{h}");
        assert!(
            h.contains(
                "<figure><a href=\"http://x.example/big.jpg\"><img src=\"http://x.example/a.jpg\""
            ),
            "{h}"
        );
        assert_eq!(h.matches("<figure>").count(), 2, "{h}");
        assert!(!h.contains("<p><figure>"), "{h}");
    }

    #[test]
    fn unknown_shortcodes_stay_and_are_reported_but_code_brackets_pass() {
        let (h, w) = html("[embed width=\"300\"]http://v.example/1[/embed]\n\nint a[i] = b[0];");
        assert!(h.contains("[embed width=\"300\"]"));
        assert!(h.contains("a[i]"));
        assert_eq!(w.len(), 1, "{w:?}");
    }
}
