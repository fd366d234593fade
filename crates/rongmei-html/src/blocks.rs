//! Sanitised HTML → body blocks.

use ego_tree::NodeRef;
use rongmei_core::body::escape_html;
use rongmei_core::{Block, Body};
use scraper::{ElementRef, Html, Node};

use crate::sanitize::sanitize_fragment;
use crate::text::{push_collapsed, sanitize_text_field};

/// Builds a body from HTML of any source: sanitises it, then splits it into blocks.
///
/// - `<h2>`–`<h4>` become headings (their text only);
/// - `<figure>` images and images inside paragraphs become image blocks of their own (with the
///   `<figcaption>` as caption), splitting the paragraph around them;
/// - paragraphs of plain text become text paragraphs (unescaped: the renderer escapes);
/// - paragraphs with inline markup, lists, tables and quotes become `Html` blocks holding
///   sanitised HTML.
///
/// Input without any `<` is plain text, taken literally (`&amp;` stays five characters): one
/// paragraph per non-empty line. Unlike [`Body::from_plain_text`] it never guesses headings,
/// since text from the editor or the API has no legacy layout to recover; importers of legacy
/// text call that function themselves.
pub fn body_from_html(html: &str) -> Body {
    if !html.contains('<') {
        let blocks = html
            .lines()
            .map(sanitize_text_field)
            .filter(|l| !l.is_empty())
            .map(|text| Block::Paragraph { text })
            .collect();
        return Body { blocks };
    }
    let clean = sanitize_fragment(html);
    let doc = Html::parse_fragment(&clean);
    let mut blocks = Vec::new();
    for child in doc.root_element().child_elements() {
        top_level(&mut blocks, &child);
    }
    Body { blocks }
}

fn top_level(blocks: &mut Vec<Block>, el: &ElementRef<'_>) {
    match el.value().name() {
        name @ ("h2" | "h3" | "h4") => {
            let text = text_of(el);
            if !text.is_empty() {
                let level = name.as_bytes()[1] - b'0';
                blocks.push(Block::Heading { level, text });
            }
        }
        "p" => paragraph(blocks, el),
        "figure" => figure(blocks, el),
        "img" => blocks.extend(image(el)),
        // Lists, tables and quotes, and anything the sanitiser may allow at the top later.
        _ => push_html(blocks, &el.html()),
    }
}

fn text_of(el: &ElementRef<'_>) -> String {
    let mut s = String::new();
    for t in el.text() {
        push_collapsed(&mut s, t);
    }
    s.truncate(s.trim_end().len());
    s
}

fn push_html(blocks: &mut Vec<Block>, html: &str) {
    // Re-sanitised so an Html block is, byte for byte, what the sanitiser returns for it.
    let html = sanitize_fragment(html);
    if !html.is_empty() {
        blocks.push(Block::Html { html });
    }
}

fn image(el: &ElementRef<'_>) -> Option<Block> {
    let src = el.value().attr("src")?.to_string();
    let alt = el.value().attr("alt").unwrap_or_default().to_string();
    Some(Block::Image {
        src,
        alt,
        caption: None,
    })
}

fn figure(blocks: &mut Vec<Block>, el: &ElementRef<'_>) {
    let first = blocks.len();
    let mut caption = None;
    // A figure holds its image and any loose text directly (`<figure><img>text</figure>`):
    // those read like a paragraph, blocks inside it like the top level.
    let mut part = Part::default();
    for child in el.children() {
        match ElementRef::wrap(child) {
            Some(c) if c.value().name() == "figcaption" => {
                caption = Some(text_of(&c)).filter(|c| !c.is_empty());
            }
            Some(c) if is_block(c.value().name()) => {
                part.finish(blocks);
                top_level(blocks, &c);
            }
            _ => split_node(blocks, &mut part, child),
        }
    }
    part.finish(blocks);
    // The caption belongs to the image just before it; after text, or with no image, it is
    // one more paragraph, which keeps the reading order.
    match (blocks[first..].last_mut(), caption) {
        (Some(Block::Image { caption: c, .. }), caption) => *c = caption,
        (_, Some(text)) => blocks.push(Block::Paragraph { text }),
        _ => {}
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "h2" | "h3" | "h4" | "ul" | "ol" | "table" | "blockquote" | "figure"
    )
}

/// A paragraph, split around its images. A part with no markup is a text paragraph; a part with
/// markup keeps it as a sanitised `<p>`.
fn paragraph(blocks: &mut Vec<Block>, el: &ElementRef<'_>) {
    let mut part = Part::default();
    split(blocks, &mut part, **el);
    part.finish(blocks);
}

#[derive(Default)]
struct Part {
    html: String,
    text: String,
    markup: bool,
    /// Line breaks seen since the last content: written only if more content follows, as a break
    /// at either edge of a part renders as nothing (and the sanitiser drops it).
    pending_breaks: usize,
}

impl Part {
    fn content(&mut self) {
        if self.pending_breaks > 0 {
            self.html.push_str(&"<br>".repeat(self.pending_breaks));
            self.markup = true;
            self.pending_breaks = 0;
        }
    }

    fn finish(&mut self, blocks: &mut Vec<Block>) {
        let part = std::mem::take(self);
        let text = part.text.trim_end();
        if text.is_empty() {
            return;
        }
        if part.markup {
            push_html(blocks, &format!("<p>{}</p>", part.html));
        } else {
            blocks.push(Block::Paragraph {
                text: text.to_string(),
            });
        }
    }
}

/// Images nested in inline markup (`<a><img></a>`) also come out as image blocks; the markup
/// around them is lost for the text beside them, which is rare enough in real articles.
fn split(blocks: &mut Vec<Block>, part: &mut Part, node: NodeRef<'_, Node>) {
    for child in node.children() {
        split_node(blocks, part, child);
    }
}

fn split_node(blocks: &mut Vec<Block>, part: &mut Part, child: NodeRef<'_, Node>) {
    match child.value() {
        Node::Text(t) => {
            if !t.trim().is_empty() {
                part.content();
            }
            part.html.push_str(&escape_html(t));
            push_collapsed(&mut part.text, t);
        }
        Node::Element(e) => {
            let Some(el) = ElementRef::wrap(child) else {
                return;
            };
            if e.name() == "img" {
                part.finish(blocks);
                blocks.extend(image(&el));
            } else if el.descendent_elements().any(|d| d.value().name() == "img") {
                split(blocks, part, child);
            } else if e.name() == "br" {
                if !part.text.is_empty() {
                    part.pending_breaks += 1;
                }
            } else {
                part.content();
                part.html.push_str(&el.html());
                for t in el.text() {
                    push_collapsed(&mut part.text, t);
                }
                part.markup = true;
            }
        }
        _ => {}
    }
}

/// Every picture's address in a body, in order: image blocks and the `<img>` of rich paragraphs.
pub fn image_sources(body: &Body) -> Vec<String> {
    let mut out = Vec::new();
    for b in &body.blocks {
        match b {
            Block::Image { src, .. } => out.push(src.clone()),
            Block::Html { html } => {
                let doc = Html::parse_fragment(html);
                out.extend(
                    doc.root_element()
                        .descendants()
                        .filter_map(ElementRef::wrap)
                        .filter(|e| e.value().name() == "img")
                        .filter_map(|e| e.value().attr("src"))
                        .map(str::to_string),
                );
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_sources_are_listed_in_order_from_blocks_and_rich_paragraphs() {
        let body = body_from_html(
            r#"<p>一<img src="/media/ab/a.jpg" alt=""></p><figure><img src="/media/ab/b.jpg" alt=""><figcaption>说明</figcaption></figure><p>二</p>"#,
        );
        assert_eq!(image_sources(&body), ["/media/ab/a.jpg", "/media/ab/b.jpg"]);
    }
}
