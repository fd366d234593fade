//! Paste clean-up: turns what Word, WeChat and web pages paste into the plain structure the
//! allow-list keeps.
//!
//! The allow-list alone would keep Word's and WeChat's text but lose their structure: WeChat
//! writes paragraphs as nested `<section>`s and hides the image URL in `data-src`, Word writes
//! headings as classed paragraphs and fills the page with `&nbsp;` spacers. This pass walks the
//! parsed tree and writes clean HTML: blocks stay blocks, loose inline content at block level
//! becomes a `<p>`, unknown wrappers unwrap, and empty paragraphs go. It only ever writes tags
//! of the allow-list, and applies the same URL rules as the allow-list so both passes agree.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

use crate::text::{is_invisible, sanitize_text_field};
use crate::urls::{href_allowed, img_src_allowed, small_number};

/// Deeper trees are no article: only an attack or a broken generator nests this far, and the
/// walk below is recursive.
const MAX_DEPTH: usize = 128;

/// More open elements than this at once is no article either. Checked before parsing because
/// the HTML parser's scope checks walk the stack of open elements, so parsing deep nesting costs
/// the square of its depth: 200 000 nested `<div>`s in a 1 MB request would hold a core for
/// minutes.
const MAX_OPEN_ELEMENTS: usize = 256;

pub(crate) fn normalize(html: &str) -> String {
    let stripped;
    let html = if open_elements_exceed(html, MAX_OPEN_ELEMENTS) {
        stripped = strip_tags(html);
        stripped.as_str()
    } else {
        html
    };
    let doc = Html::parse_fragment(html);
    let root = doc.root_element();
    let mut out = String::with_capacity(html.len());
    if depth_exceeds(*root, MAX_DEPTH) {
        let mut run = Run::default();
        for t in root.text() {
            run.text(t);
        }
        flush(&mut out, &mut run, true);
        return out;
    }
    let children: Vec<_> = root.children().collect();
    blocks(&mut out, &children, true);
    out
}

fn depth_exceeds(root: NodeRef<'_, Node>, max: usize) -> bool {
    let mut stack = vec![(root, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > max {
            return true;
        }
        stack.extend(node.children().map(|c| (c, depth + 1)));
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Removed with its content.
    Drop,
    Heading(u8),
    /// Holds inline content only.
    Para,
    /// A wrapper of blocks with no meaning of its own (`<section>`, `<div>`): unwrapped, its loose
    /// inline content becomes paragraphs.
    Container,
    List(&'static str),
    ListItem,
    Table,
    Quote,
    Figure,
    FigCaption,
    Image,
    Break,
    Link,
    /// An inline element written as the given allowed tag, or unwrapped when `None`.
    Inline(Option<&'static str>),
}

impl Kind {
    fn is_block(self) -> bool {
        !matches!(
            self,
            Kind::Drop | Kind::Image | Kind::Break | Kind::Link | Kind::Inline(_)
        )
    }
}

fn classify(el: &ElementRef<'_>) -> Kind {
    let name = el.value().name();
    // What the person pasting could not see is not theirs to publish (WeChat and SEO pages
    // hide text this way).
    if style_value(el, "display").as_deref() == Some("none") {
        return Kind::Drop;
    }
    match name {
        "script" | "style" | "head" | "title" | "meta" | "link" | "base" | "template"
        | "noscript" | "iframe" | "frame" | "frameset" | "noframes" | "object" | "embed"
        | "applet" | "param" | "svg" | "math" | "textarea" | "select" | "option" | "optgroup"
        | "datalist" | "button" | "input" | "xmp" | "noembed" | "canvas" | "audio" | "video"
        | "source" | "track" | "picture" | "map" | "area" | "xml" | "hr" | "colgroup" | "col"
        | "dialog" | "plaintext" | "output" | "progress" | "meter" => Kind::Drop,
        "h1" | "h2" => Kind::Heading(2),
        "h3" => Kind::Heading(3),
        "h4" | "h5" | "h6" => Kind::Heading(4),
        "p" => match word_heading_level(el) {
            Some(level) => Kind::Heading(level),
            None => Kind::Para,
        },
        "address" | "pre" | "dt" | "dd" | "caption" | "summary" | "legend" => Kind::Para,
        "ul" => Kind::List("ul"),
        "ol" => Kind::List("ol"),
        "li" => Kind::ListItem,
        "table" => Kind::Table,
        "blockquote" => Kind::Quote,
        "figure" => Kind::Figure,
        "figcaption" => Kind::FigCaption,
        "img" => Kind::Image,
        "br" => Kind::Break,
        "a" => Kind::Link,
        "section" | "div" | "article" | "main" | "header" | "footer" | "aside" | "nav"
        | "center" | "body" | "html" | "form" | "fieldset" | "details" | "dl" | "menu"
        | "hgroup" | "search" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th" => Kind::Container,
        "strong" | "b" => {
            // Google Docs wraps a whole paste in <b style="font-weight:normal">; Word's
            // <b style="mso-bidi-font-weight:normal"> is still bold (the property is another).
            if matches!(
                style_value(el, "font-weight").as_deref(),
                Some("normal" | "400")
            ) {
                Kind::Inline(None)
            } else {
                Kind::Inline(Some(name_static(name)))
            }
        }
        "em" | "i" | "u" | "s" | "sub" | "sup" => Kind::Inline(Some(name_static(name))),
        "strike" | "del" => Kind::Inline(Some("s")),
        "ins" => Kind::Inline(Some("u")),
        "cite" | "dfn" | "var" => Kind::Inline(Some("em")),
        "span" | "font" => Kind::Inline(styled_tag(el)),
        _ => Kind::Inline(None),
    }
}

fn name_static(name: &str) -> &'static str {
    match name {
        "strong" => "strong",
        "b" => "b",
        "em" => "em",
        "i" => "i",
        "u" => "u",
        "s" => "s",
        "sub" => "sub",
        _ => "sup",
    }
}

/// Word exports headings as `<p class=MsoTitle>` or, from some templates, `<p class=MsoHeadingN>`
/// (real `<hN class=...>` headings are handled by their tag).
fn word_heading_level(el: &ElementRef<'_>) -> Option<u8> {
    el.value().classes().find_map(|class| {
        let class = class.to_ascii_lowercase();
        if class == "msotitle" {
            return Some(2);
        }
        if class == "msosubtitle" {
            return Some(3);
        }
        let n: u8 = class.strip_prefix("msoheading")?.parse().ok()?;
        Some(n.clamp(2, 4))
    })
}

/// WeChat editors and Word express emphasis as styled spans; keep the emphasis, drop the style.
fn styled_tag(el: &ElementRef<'_>) -> Option<&'static str> {
    if let Some("bold" | "bolder" | "600" | "700" | "800" | "900") =
        style_value(el, "font-weight").as_deref()
    {
        return Some("strong");
    }
    if style_value(el, "font-style").as_deref() == Some("italic") {
        return Some("em");
    }
    match style_value(el, "vertical-align").as_deref() {
        Some("super") => Some("sup"),
        Some("sub") => Some("sub"),
        _ => None,
    }
}

/// The value of one declaration of the inline style, lowercased, `!important` removed. Parsed
/// per declaration so that `mso-bidi-font-weight` never reads as `font-weight`.
fn style_value(el: &ElementRef<'_>, property: &str) -> Option<String> {
    let style = el.value().attr("style")?;
    style.split(';').rev().find_map(|decl| {
        let (name, value) = decl.split_once(':')?;
        if !name.trim().eq_ignore_ascii_case(property) {
            return None;
        }
        let value = value.trim().to_ascii_lowercase();
        Some(value.trim_end_matches("!important").trim().to_string())
    })
}

/// Inline HTML being collected, and whether it holds anything a reader would see.
#[derive(Default)]
struct Run {
    html: String,
    visible: bool,
}

impl Run {
    fn text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                // Kept even at the start: this run may be the inside of an inline element, and
                // the space separates it from what comes before. Block edges trim it.
                if !self.html.ends_with(' ') {
                    self.html.push(' ');
                }
            } else if !is_invisible(c) {
                self.visible = true;
                escape_text(&mut self.html, c);
            }
        }
    }

    /// The collected HTML without the spaces and line breaks at its ends, which render as
    /// nothing (or as WeChat's empty spacer lines).
    fn trimmed(&self) -> &str {
        let mut s = self.html.as_str();
        loop {
            let t = s
                .trim_matches(' ')
                .trim_start_matches("<br>")
                .trim_end_matches("<br>");
            if t.len() == s.len() {
                return t;
            }
            s = t;
        }
    }
}

fn escape_text(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }
}

fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

fn has_block_descendant(el: &ElementRef<'_>) -> bool {
    el.descendent_elements()
        .skip(1)
        .any(|d| classify(&d).is_block())
}

/// Writes block-level content. Loose inline content becomes a `<p>` when `wrap` is set (at the
/// top and inside wrappers); inside list items, cells, quotes and figures it stays as it is.
fn blocks(out: &mut String, nodes: &[NodeRef<'_, Node>], wrap: bool) {
    let mut run = Run::default();
    for node in nodes {
        match node.value() {
            Node::Text(t) => run.text(t),
            Node::Element(_) => {
                let Some(el) = ElementRef::wrap(*node) else {
                    continue;
                };
                let kind = classify(&el);
                if kind == Kind::Drop {
                    continue;
                }
                if kind.is_block() || has_block_descendant(&el) {
                    flush(out, &mut run, wrap);
                    block(out, &el, kind);
                } else {
                    inline(&mut run, &el, kind, false);
                }
            }
            _ => {}
        }
    }
    flush(out, &mut run, wrap);
}

fn flush(out: &mut String, run: &mut Run, wrap: bool) {
    if run.visible {
        let html = run.trimmed();
        if wrap {
            out.push_str("<p>");
            out.push_str(html);
            out.push_str("</p>");
        } else {
            out.push_str(html);
        }
    }
    *run = Run::default();
}

fn block(out: &mut String, el: &ElementRef<'_>, kind: Kind) {
    match kind {
        Kind::Heading(level) => {
            let run = inline_children(el, false);
            if run.visible {
                out.push_str(&format!("<h{level}>{}</h{level}>", run.trimmed()));
            }
        }
        Kind::Para | Kind::FigCaption => {
            let run = inline_children(el, false);
            if run.visible {
                out.push_str(&format!("<p>{}</p>", run.trimmed()));
            }
        }
        Kind::List(tag) => list(out, el, tag),
        Kind::Table => table(out, el),
        Kind::Quote => wrapped(out, el, "blockquote"),
        Kind::Figure => figure(out, el),
        // An inline element around blocks (WeChat's <span><p>…</p></span>, a link around a
        // whole section) cannot keep its formatting without breaking the blocks; unwrap it.
        _ => blocks(out, &el.children().collect::<Vec<_>>(), true),
    }
}

/// `<tag>` around the element's content, or nothing when the content is empty.
fn wrapped(out: &mut String, el: &ElementRef<'_>, tag: &str) {
    let mut inner = String::new();
    blocks(&mut inner, &el.children().collect::<Vec<_>>(), false);
    if !inner.is_empty() {
        out.push_str(&format!("<{tag}>{inner}</{tag}>"));
    }
}

fn list(out: &mut String, el: &ElementRef<'_>, tag: &str) {
    let mut items = String::new();
    // Anything directly inside a list that is not an item becomes one, so it is not lost and
    // the list stays well-formed.
    let mut loose: Vec<NodeRef<'_, Node>> = Vec::new();
    let push_item = |items: &mut String, nodes: &[NodeRef<'_, Node>]| {
        let mut inner = String::new();
        blocks(&mut inner, nodes, false);
        if !inner.is_empty() {
            items.push_str(&format!("<li>{inner}</li>"));
        }
    };
    for child in el.children() {
        match ElementRef::wrap(child) {
            Some(li) if li.value().name() == "li" => {
                push_item(&mut items, &loose);
                loose.clear();
                push_item(&mut items, &li.children().collect::<Vec<_>>());
            }
            _ => loose.push(child),
        }
    }
    push_item(&mut items, &loose);
    if !items.is_empty() {
        out.push_str(&format!("<{tag}>{items}</{tag}>"));
    }
}

fn table(out: &mut String, el: &ElementRef<'_>) {
    let mut caption = String::new();
    let mut sections = String::new();
    for child in el.child_elements() {
        match child.value().name() {
            "caption" => block(&mut caption, &child, Kind::Para),
            name @ ("thead" | "tbody" | "tfoot") => {
                let rows = rows(&child);
                if !rows.is_empty() {
                    let tag = if name == "thead" { "thead" } else { "tbody" };
                    sections.push_str(&format!("<{tag}>{rows}</{tag}>"));
                }
            }
            "tr" => {
                // The parser always adds <tbody>; a bare row can only come from odd trees.
                let row = row(&child);
                if !row.is_empty() {
                    sections.push_str(&format!("<tbody>{row}</tbody>"));
                }
            }
            _ => {}
        }
    }
    // The allow-list has no <caption>; the caption stays as the paragraph before the table.
    out.push_str(&caption);
    if !sections.is_empty() {
        out.push_str(&format!("<table>{sections}</table>"));
    }
}

fn rows(section: &ElementRef<'_>) -> String {
    section
        .child_elements()
        .filter(|c| c.value().name() == "tr")
        .map(|tr| row(&tr))
        .collect()
}

fn row(tr: &ElementRef<'_>) -> String {
    let mut cells = String::new();
    for cell in tr.child_elements() {
        let tag = match cell.value().name() {
            "th" => "th",
            "td" => "td",
            _ => continue,
        };
        cells.push('<');
        cells.push_str(tag);
        for attr in ["colspan", "rowspan"] {
            if let Some(v) = cell.value().attr(attr).map(str::trim)
                && small_number(v, 3)
                && v != "1"
            {
                cells.push_str(&format!(" {attr}=\"{v}\""));
            }
        }
        cells.push('>');
        blocks(&mut cells, &cell.children().collect::<Vec<_>>(), false);
        cells.push_str(&format!("</{tag}>"));
    }
    if cells.is_empty() {
        cells
    } else {
        format!("<tr>{cells}</tr>")
    }
}

fn figure(out: &mut String, el: &ElementRef<'_>) {
    let mut inner = String::new();
    let mut caption = String::new();
    let mut rest: Vec<NodeRef<'_, Node>> = Vec::new();
    for child in el.children() {
        match ElementRef::wrap(child) {
            Some(c) if c.value().name() == "figcaption" => {
                let run = inline_children(&c, false);
                if run.visible {
                    caption = format!("<figcaption>{}</figcaption>", run.trimmed());
                }
            }
            _ => rest.push(child),
        }
    }
    blocks(&mut inner, &rest, false);
    if !inner.is_empty() {
        out.push_str(&format!("<figure>{inner}{caption}</figure>"));
    } else if !caption.is_empty() {
        // A caption with nothing to caption is just a paragraph.
        let text = caption
            .trim_start_matches("<figcaption>")
            .trim_end_matches("</figcaption>");
        out.push_str(&format!("<p>{text}</p>"));
    }
}

fn inline_children(el: &ElementRef<'_>, in_link: bool) -> Run {
    let mut run = Run::default();
    for child in el.children() {
        match child.value() {
            Node::Text(t) => run.text(t),
            Node::Element(_) => {
                if let Some(c) = ElementRef::wrap(child) {
                    let kind = classify(&c);
                    inline(&mut run, &c, kind, in_link);
                }
            }
            _ => {}
        }
    }
    run
}

/// Writes inline content. Blocks met here (a `<p>` inside a `<span>` inside a heading) are
/// flattened; nested links unwrap, as the parser would split them differently on the next run.
fn inline(run: &mut Run, el: &ElementRef<'_>, kind: Kind, in_link: bool) {
    match kind {
        Kind::Drop => {}
        Kind::Break => run.html.push_str("<br>"),
        Kind::Image => image(run, el),
        Kind::Link => {
            let href = el.value().attr("href").map(str::trim);
            match href.filter(|h| !in_link && href_allowed(h)) {
                Some(href) => {
                    let inner = inline_children(el, true);
                    if !inner.visible {
                        return;
                    }
                    run.html.push_str("<a href=\"");
                    escape_attr(&mut run.html, href);
                    run.html.push('"');
                    if let Some(title) = el.value().attr("title") {
                        let title = sanitize_text_field(title);
                        if !title.is_empty() {
                            run.html.push_str(" title=\"");
                            escape_attr(&mut run.html, &title);
                            run.html.push('"');
                        }
                    }
                    run.html.push('>');
                    append(run, inner);
                    run.html.push_str("</a>");
                }
                None => append(run, inline_children(el, in_link)),
            }
        }
        Kind::Inline(Some(tag)) => {
            let inner = inline_children(el, in_link);
            if inner.visible {
                run.html.push_str(&format!("<{tag}>"));
                append(run, inner);
                run.html.push_str(&format!("</{tag}>"));
            } else {
                append(run, inner);
            }
        }
        _ => append(run, inline_children(el, in_link)),
    }
}

/// Appends an inner run, collapsing a space at the seam.
fn append(run: &mut Run, inner: Run) {
    let mut html = inner.html.as_str();
    if run.html.ends_with(' ') {
        html = html.trim_start_matches(' ');
    }
    run.html.push_str(html);
    run.visible |= inner.visible;
}

/// WeChat loads images lazily: `src` is a placeholder (often a `data:` SVG) and the real URL is in
/// `data-src`; other sites use `data-original` or `data-actualsrc`. Word pastes local `file:`
/// images, which no reader can load, so those images are dropped.
fn image(run: &mut Run, el: &ElementRef<'_>) {
    let e = el.value();
    let Some(src) = ["data-src", "data-original", "data-actualsrc", "src"]
        .iter()
        .filter_map(|a| e.attr(a).map(str::trim))
        .find(|s| img_src_allowed(s))
    else {
        return;
    };
    run.html.push_str("<img src=\"");
    escape_attr(&mut run.html, src);
    run.html.push('"');
    let alt = e.attr("alt").map(sanitize_text_field).unwrap_or_default();
    if !alt.is_empty() {
        run.html.push_str(" alt=\"");
        escape_attr(&mut run.html, &alt);
        run.html.push('"');
    }
    for attr in ["width", "height"] {
        if let Some(v) = e.attr(attr).map(str::trim).filter(|v| small_number(v, 5)) {
            run.html.push_str(&format!(" {attr}=\"{v}\""));
        }
    }
    run.html.push('>');
    run.visible = true;
}

/// Elements the parser closes by itself (`<p>a<p>b`) or that never hold content: legacy HTML
/// leaves thousands of these unclosed without nesting anything.
const SELF_CLOSING: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb",
    "rt", "rp", "colgroup", "caption", "br", "img", "hr", "input", "meta", "link", "base", "col",
    "area", "embed", "source", "track", "wbr", "param", "keygen", "frame", "basefont", "bgsound",
    "image", "isindex",
];

/// A linear over-estimate of how many elements are open at once: every start tag opens one
/// (except [`SELF_CLOSING`]), an end tag closes one of its own name if any is open. Tags inside
/// comments, attributes or scripts count too, which errs on the side of the fallback.
fn open_elements_exceed(html: &str, limit: usize) -> bool {
    use std::collections::HashMap;
    let mut open: HashMap<String, usize> = HashMap::new();
    let mut total = 0usize;
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let closing = rest.starts_with('/');
        let name_start = if closing { &rest[1..] } else { rest };
        let name: String = name_start
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
            .take(32)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        if SELF_CLOSING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            if let Some(n) = open.get_mut(&name).filter(|n| **n > 0) {
                *n -= 1;
                total -= 1;
            }
        } else {
            *open.entry(name).or_default() += 1;
            total += 1;
            if total > limit {
                return true;
            }
        }
    }
    false
}

/// The fallback for hostile nesting: the text without any tag, so the parser meets no element.
/// Entities stay as they are and are decoded by the parser as usual.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
