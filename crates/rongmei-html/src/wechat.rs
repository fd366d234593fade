//! Sanitised HTML rewritten for the WeChat official-account (公众号) editor and its `draft/add`
//! interface, which keep inline `style` attributes and drop everything else that styles a page:
//! no `class`, no `id`, no `<style>` or `<script>` (the output is built element by element from
//! an allow-list, so none can slip through), every element styled inline for WeChat's reader.
//!
//! WeChat shows lists nested two levels deep at most, so deeper items become dashed lines inside
//! their second-level item; links outside `mp.weixin.qq.com` are not clickable in an article, so
//! a link keeps its text followed by the address in brackets.

use ego_tree::NodeRef;
use rongmei_core::body::escape_into;
use scraper::{Html, Node};

use crate::sanitize::TAGS;

/// The style of each element WeChat's reader shows, tuned to its 16 px body text.
pub fn style_of(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "section" => {
            "margin:0;padding:0;font-size:16px;line-height:1.75;color:#333;letter-spacing:0.5px;word-wrap:break-word;"
        }
        "p" => "margin:0 0 1em;text-align:justify;",
        "h2" => {
            "margin:1.6em 0 0.8em;padding-left:8px;border-left:4px solid #b0232a;font-size:18px;font-weight:bold;line-height:1.5;color:#1a1a1a;"
        }
        "h3" | "h4" => {
            "margin:1.3em 0 0.6em;font-size:17px;font-weight:bold;line-height:1.5;color:#1a1a1a;"
        }
        "strong" | "b" => "font-weight:bold;color:#1a1a1a;",
        "em" | "i" => "font-style:italic;",
        "u" => "text-decoration:underline;",
        "s" => "text-decoration:line-through;",
        "sub" | "sup" => "font-size:0.75em;",
        "blockquote" => {
            "margin:1em 0;padding:8px 12px;border-left:3px solid #dcdcdc;background:#f7f7f7;color:#666;"
        }
        "ul" | "ol" => "margin:0 0 1em;padding-left:1.6em;",
        "li" => "margin:0.3em 0;",
        "img" => "display:block;max-width:100%;height:auto;margin:0 auto;",
        "figure" => "margin:1.2em 0;text-align:center;",
        "caption" => {
            "margin:0.5em 0 0;font-size:14px;line-height:1.5;color:#888;text-align:center;"
        }
        "table" => "width:100%;margin:0 0 1em;border-collapse:collapse;font-size:14px;",
        "th" => "padding:4px 6px;border:1px solid #dcdcdc;background:#f5f5f5;font-weight:bold;",
        "td" => "padding:4px 6px;border:1px solid #dcdcdc;",
        "link" => "color:#576b95;",
        "address" => "color:#888;font-size:14px;word-break:break-all;",
        "deep" => "margin:0.2em 0;",
        "bylines" => "margin:1.5em 0 0;font-size:14px;color:#888;text-align:right;",
        _ => return None,
    })
}

/// Opens `<tag extra style="…">` with the style named `style` (`extra`: attributes, escaped).
pub fn open_styled(out: &mut String, tag: &str, style: &str, extra: &str) {
    out.push('<');
    out.push_str(tag);
    out.push_str(extra);
    if let Some(style) = style_of(style) {
        out.push_str(" style=\"");
        out.push_str(style);
        out.push('"');
    }
    out.push('>');
}

/// Opens `<tag style="…">` with the tag's own style.
pub fn open_tag(out: &mut String, tag: &str, extra: &str) {
    open_styled(out, tag, tag, extra);
}

/// An `<img>` for WeChat, with `src` as given.
pub fn image(out: &mut String, src: &str, alt: &str) {
    let mut extra = String::from(" src=\"");
    escape_into(&mut extra, src);
    extra.push_str("\" alt=\"");
    escape_into(&mut extra, alt);
    extra.push('"');
    open_tag(out, "img", &extra);
}

/// Rewrites a sanitised fragment for WeChat; `src` maps each image address to the one the
/// rendering uses (absolute, or the account's copy) and is told of every image in order.
pub fn wechat_fragment(html: &str, src: &mut dyn FnMut(&str) -> String) -> String {
    let doc = Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len() * 2);
    for child in doc.root_element().children() {
        write(&mut out, child, 0, src);
    }
    out
}

fn write(
    out: &mut String,
    node: NodeRef<'_, Node>,
    lists: usize,
    src: &mut dyn FnMut(&str) -> String,
) {
    match node.value() {
        Node::Text(t) => escape_into(out, t),
        Node::Element(e) => {
            let tag = e.name();
            match tag {
                "img" => {
                    let Some(s) = e.attr("src") else { return };
                    let url = src(s);
                    image(out, &url, e.attr("alt").unwrap_or(""));
                }
                "br" => out.push_str("<br>"),
                "a" => {
                    open_styled(out, "span", "link", "");
                    let inner_start = out.len();
                    for c in node.children() {
                        write(out, c, lists, src);
                    }
                    let text = out[inner_start..].to_string();
                    out.push_str("</span>");
                    if let Some(href) = e.attr("href").filter(|h| {
                        (h.starts_with("http://") || h.starts_with("https://"))
                            && !text.contains(*h)
                    }) {
                        open_styled(out, "span", "address", "");
                        out.push('（');
                        escape_into(out, href);
                        out.push_str("）</span>");
                    }
                }
                "ul" | "ol" if lists >= 2 => {
                    // A third level: its items become dashed lines in the item above.
                    for li in node.children().filter(|c| c.value().is_element()) {
                        open_styled(out, "p", "deep", "");
                        out.push_str("– ");
                        for c in li.children() {
                            write(out, c, lists + 1, src);
                        }
                        out.push_str("</p>");
                    }
                }
                "td" | "th" => {
                    let mut extra = String::new();
                    for attr in ["colspan", "rowspan"] {
                        if let Some(v) = e.attr(attr) {
                            extra.push_str(&format!(" {attr}=\""));
                            escape_into(&mut extra, v);
                            extra.push('"');
                        }
                    }
                    open_tag(out, tag, &extra);
                    for c in node.children() {
                        write(out, c, lists, src);
                    }
                    out.push_str(&format!("</{tag}>"));
                }
                "figure" => {
                    open_styled(out, "section", "figure", "");
                    for c in node.children() {
                        write(out, c, lists, src);
                    }
                    out.push_str("</section>");
                }
                "figcaption" => {
                    open_styled(out, "p", "caption", "");
                    for c in node.children() {
                        write(out, c, lists, src);
                    }
                    out.push_str("</p>");
                }
                // Every other element the sanitiser allows keeps its place, styled.
                t if TAGS.contains(&t) => {
                    open_tag(out, t, "");
                    let inner = if matches!(t, "ul" | "ol") {
                        lists + 1
                    } else {
                        lists
                    };
                    for c in node.children() {
                        write(out, c, inner, src);
                    }
                    out.push_str(&format!("</{t}>"));
                }
                _ => {
                    for c in node.children() {
                        write(out, c, lists, src);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize_fragment;

    fn render(html: &str) -> (String, Vec<String>) {
        let mut images = Vec::new();
        let out = wechat_fragment(&sanitize_fragment(html), &mut |s: &str| {
            images.push(s.to_string());
            format!("https://news.example.edu.cn{s}")
        });
        (out, images)
    }

    #[test]
    fn every_element_is_styled_inline_and_nothing_else_styles_the_page() {
        let (out, images) = render(
            r#"<h2 class="t" id="x">标题</h2><p class="c">一段<strong>加粗</strong>与<a href="https://www.example.edu.cn/a">链接</a>。</p>
<style>p{color:red}</style><script>alert(1)</script>
<figure><img src="/media/a.jpg" alt="图"><figcaption>图片说明</figcaption></figure><p>二段</p>"#,
        );
        let doc = Html::parse_fragment(&out);
        for el in doc
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            let name = el.value().name();
            if name == "html" || name == "br" {
                continue;
            }
            assert!(el.value().attr("class").is_none(), "{out}");
            assert!(el.value().attr("id").is_none(), "{out}");
            assert!(
                el.value().attr("style").is_some(),
                "<{name}> unstyled: {out}"
            );
            assert!(!["style", "script"].contains(&name), "{out}");
        }
        assert_eq!(images, ["/media/a.jpg"]);
        assert!(out.contains("src=\"https://news.example.edu.cn/media/a.jpg\""));
        assert!(out.contains("图片说明"));
        assert!(out.contains("链接</span>"), "{out}");
        assert!(out.contains("（https://www.example.edu.cn/a）"), "{out}");
        let text = doc.root_element().text().collect::<String>();
        let order: Vec<usize> = ["标题", "一段", "加粗", "图片说明", "二段"]
            .iter()
            .map(|w| text.find(w).unwrap_or(usize::MAX))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn lists_deeper_than_two_levels_become_lines_of_the_second() {
        let (out, _) =
            render("<ul><li>一<ul><li>二<ul><li>三</li><li>三乙</li></ul></li></ul></li></ul>");
        assert_eq!(out.matches("<ul").count(), 2, "{out}");
        assert!(
            out.contains("– 三</p>") && out.contains("– 三乙</p>"),
            "{out}"
        );
    }
}
