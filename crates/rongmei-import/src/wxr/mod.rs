//! WordPress eXtended RSS (WXR 1.0, 1.1, 1.2), read as a stream: an export of any size is never
//! held whole, only the item being read.
//!
//! Posts become records with their status (published, scheduled, draft, pending review);
//! everything else is counted in the report (pages, attachments, revisions, trash, menu
//! items …) so the operator sees what stayed behind. Damage that
//! real exports carry — bytes that are not UTF-8, characters XML forbids, unknown entities,
//! shortcodes without a meaning here — becomes a warning naming the line, never a failure;
//! a file that ends in the middle (a truncated download) is refused, naming its last line.

mod content;
mod item;
mod report;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::record::Record;
pub use content::wordpress_html;
use item::{Item, Term};
use report::Header;
pub use report::{WxrImport, WxrReport};

use crate::record::{ImportError, invalid};

/// Reads a WXR export held in one pass, gathering every record: for tests and small
/// exports. [`scan_wxr`] and [`WxrExport::read`] import an export of any size.
pub fn parse_wxr<R: BufRead>(path: &Path, source: R) -> Result<WxrImport, ImportError> {
    let mut out = WxrImport::default();
    let mut items = Vec::new();
    let header = read_items(
        path,
        source,
        &mut out.report.warnings,
        false,
        &mut |item, _| {
            items.push(item);
            true
        },
    )?;
    out.report.absorb(&header);
    let attachments = item::attachments(&items);
    for it in &items {
        item::count(it, &mut out.report);
    }
    let ctx = item::Context::new(&header, attachments);
    for it in items {
        if let Some(record) = item::convert(path, it, &ctx, &mut out.report)? {
            out.records.push(record);
        }
    }
    Ok(out)
}

/// A WordPress export read once to learn what its posts refer to (authors, categories,
/// attachments) and how many items of each kind it holds, so its posts can then be read one
/// at a time. A file cut in the middle is refused here, before anything is written.
#[derive(Debug, Clone)]
pub struct WxrExport {
    path: PathBuf,
    ctx: item::Context,
    /// Version, site and counts per kind; warnings come with [`WxrExport::read`].
    pub report: WxrReport,
    /// How many records [`WxrExport::read`] gives.
    pub posts: usize,
}

/// The first pass over an export file.
pub fn scan_wxr(path: &Path) -> Result<WxrExport, ImportError> {
    let mut report = WxrReport::default();
    let mut attachments = BTreeMap::new();
    let mut ignored = Vec::new();
    let header = read_items(path, open(path)?, &mut ignored, true, &mut |it, _| {
        item::count(&it, &mut report);
        if let Some((id, url)) = item::attachment(&it) {
            attachments.insert(id, url);
        }
        true
    })?;
    report.absorb(&header);
    let posts = report.imported();
    Ok(WxrExport {
        path: path.to_path_buf(),
        ctx: item::Context::new(&header, attachments),
        report,
        posts,
    })
}

impl WxrExport {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the posts again, handing each record to `take` as it is made; `take` answers
    /// false to stop (then the report is incomplete). Gives the warnings and permalinks.
    pub fn read(&self, take: &mut dyn FnMut(Record) -> bool) -> Result<WxrReport, ImportError> {
        let mut report = self.report.clone();
        let mut failed = None;
        let mut warnings = Vec::new();
        read_items(
            &self.path,
            open(&self.path)?,
            &mut warnings,
            false,
            &mut |it, _| match item::convert(&self.path, it, &self.ctx, &mut report) {
                Ok(Some(record)) => take(record),
                Ok(None) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            },
        )?;
        report.warnings.append(&mut warnings);
        match failed {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }
}

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>, ImportError> {
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    Ok(std::io::BufReader::with_capacity(1 << 16, file))
}

/// Reads `source` front to back, handing each `<item>` to `on_item` as it closes (which
/// answers false to stop early). Damage becomes a line in `warnings`.
fn read_items<R: BufRead>(
    path: &Path,
    source: R,
    warnings: &mut Vec<String>,
    skip_bodies: bool,
    on_item: &mut dyn FnMut(Item, &Header) -> bool,
) -> Result<Header, ImportError> {
    let mut reader = Reader::from_reader(LineCounter::new(source));
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut state = State {
        skip_bodies,
        ..State::default()
    };
    let mut buf = Vec::new();
    loop {
        let line = reader.get_ref().line();
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            invalid(
                path,
                reader.get_ref().line(),
                format!("XML 有误（{e}），文件可能不完整；没有导入任何内容"),
            )
        })?;
        match event {
            Event::Start(e) => state.open(
                String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                &e,
                line,
            ),
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                state.open(name, &e, line);
                state.close();
            }
            Event::End(_) => state.close(),
            Event::Text(t) => state.text(path, line, &t, warnings),
            Event::CData(t) => state.text(path, line, &t, warnings),
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                match ch {
                    Some(c) => state.push_str(&c.to_string()),
                    None => {
                        warnings.push(format!(
                            "{}:{line}: 未知的实体 &{name};，按原文保留",
                            path.display()
                        ));
                        state.push_str(&format!("&{name};"));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if let Some(item) = state.done.take()
            && !on_item(item, &state.header)
        {
            return Ok(state.header);
        }
        buf.clear();
    }
    if !state.stack.is_empty() {
        return Err(invalid(
            path,
            reader.get_ref().line(),
            format!(
                "文件在 <{}> 中间结束，可能下载或导出不完整；没有导入任何内容",
                state.stack.last().map(|(n, _)| n.as_str()).unwrap_or("rss")
            ),
        ));
    }
    if !state.seen_rss {
        return Err(invalid(
            path,
            1,
            "不是 WordPress 导出文件（没有 <rss> 根元素）",
        ));
    }
    Ok(state.header)
}

/// The element being read and what has been gathered so far.
/// The elements that hold a post's text.
const BODIES: &[&str] = &["content:encoded", "excerpt:encoded"];

#[derive(Default)]
struct State {
    /// Open elements with the text gathered inside each.
    stack: Vec<(String, String)>,
    seen_rss: bool,
    item: Option<Item>,
    /// The item that has just closed, for the reader to hand on.
    done: Option<Item>,
    /// The first pass needs no post's text: it is most of an export, left unread.
    skip_bodies: bool,
    header: Header,
    /// The fields of the `wp:author`, `wp:category`, `wp:postmeta` or `wp:comment` being read.
    fields: BTreeMap<String, String>,
}

impl State {
    fn open(&mut self, name: String, e: &quick_xml::events::BytesStart, line: usize) {
        match name.as_str() {
            "rss" => self.seen_rss = true,
            "item" => self.item = Some(Item::new(line)),
            "category" if self.item.is_some() => {
                let attr = |key: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == key)
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                        .unwrap_or_default()
                };
                if let Some(item) = self.item.as_mut() {
                    item.terms.push(Term {
                        domain: attr(b"domain"),
                        nicename: attr(b"nicename"),
                        name: String::new(),
                    });
                }
            }
            "wp:author" | "wp:category" | "wp:postmeta" | "wp:comment" | "wp:tag" => {
                self.fields.clear()
            }
            _ => {}
        }
        self.stack.push((name, String::new()));
    }

    fn push_str(&mut self, s: &str) {
        if let Some((_, text)) = self.stack.last_mut() {
            text.push_str(s);
        }
    }

    fn text(&mut self, path: &Path, line: usize, raw: &[u8], warnings: &mut Vec<String>) {
        if self.skip_bodies
            && self
                .stack
                .last()
                .is_some_and(|(n, _)| BODIES.contains(&n.as_str()))
        {
            return;
        }
        let text = match std::str::from_utf8(raw) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => {
                warnings.push(format!(
                    "{}:{line}: 有不是 UTF-8 的字节，已替换为 �",
                    path.display()
                ));
                String::from_utf8_lossy(raw)
            }
        };
        if text.chars().any(forbidden_in_xml) {
            warnings.push(format!(
                "{}:{line}: 有 XML 不允许的控制字符，已删去",
                path.display()
            ));
            let clean: String = text.chars().filter(|c| !forbidden_in_xml(*c)).collect();
            self.push_str(&clean);
        } else {
            self.push_str(&text);
        }
    }

    fn close(&mut self) {
        let Some((name, text)) = self.stack.pop() else {
            return;
        };
        let parent = self.stack.last().map(|(n, _)| n.as_str()).unwrap_or("");
        if let Some(item) = self.item.as_mut() {
            match name.as_str() {
                "item" => {
                    self.done = self.item.take();
                }
                "category" => {
                    if let Some(t) = item.terms.last_mut() {
                        t.name = text.trim().to_string();
                    }
                }
                "wp:meta_key" | "wp:meta_value" => {
                    self.fields.insert(name, text);
                }
                "wp:postmeta" => {
                    let key = self.fields.remove("wp:meta_key").unwrap_or_default();
                    let value = self.fields.remove("wp:meta_value").unwrap_or_default();
                    item.meta.push((key, value));
                }
                "wp:comment" => {
                    item.comments.push(std::mem::take(&mut self.fields));
                }
                n if parent == "wp:comment" => {
                    self.fields.insert(n.to_string(), text);
                }
                _ if parent == "item" => item.set(&name, text),
                _ => {}
            }
            return;
        }
        match (parent, name.as_str()) {
            ("channel", "wp:wxr_version") => self.header.wxr_version = Some(text.trim().into()),
            ("channel", "wp:base_site_url") => self.header.site = Some(text.trim().into()),
            ("channel", "wp:author") => {
                let login = self.fields.remove("wp:author_login").unwrap_or_default();
                let display = self
                    .fields
                    .remove("wp:author_display_name")
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or_else(|| login.clone());
                self.header
                    .authors
                    .insert(login.trim().to_string(), display.trim().to_string());
            }
            ("channel", "wp:category") => {
                let nicename = self
                    .fields
                    .remove("wp:category_nicename")
                    .unwrap_or_default();
                let name = self.fields.remove("wp:cat_name").unwrap_or_default();
                let parent = self.fields.remove("wp:category_parent").unwrap_or_default();
                self.header.categories.insert(
                    nicename.trim().to_string(),
                    (name.trim().to_string(), parent.trim().to_string()),
                );
            }
            ("wp:author" | "wp:category" | "wp:tag", field) => {
                self.fields.insert(field.to_string(), text);
            }
            _ => {}
        }
    }
}

/// Characters XML 1.0 forbids: C0 controls other than tab, newline and carriage return, and
/// U+FFFE/U+FFFF.
fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Counts the lines of what the XML reader has consumed, so messages can name lines without
/// holding the file.
struct LineCounter<R> {
    inner: R,
    line: usize,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> Self {
        LineCounter { inner, line: 1 }
    }

    fn line(&self) -> usize {
        self.line
    }
}

impl<R: BufRead> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.line += buf[..n].iter().filter(|&&b| b == b'\n').count();
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count();
        }
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests;
