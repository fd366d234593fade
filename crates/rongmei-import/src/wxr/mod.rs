//! WordPress eXtended RSS (WXR 1.0, 1.1, 1.2), read as a stream: an export of any size is never
//! held whole, only the item being read.
//!
//! Published posts become records; everything else is counted in the report (drafts, pages,
//! attachments, revisions, menu items …) so the operator sees what stayed behind. Damage that
//! real exports carry — bytes that are not UTF-8, characters XML forbids, unknown entities,
//! shortcodes without a meaning here — becomes a warning naming the line, never a failure;
//! a file that ends in the middle (a truncated download) is refused, naming its last line.

mod content;
mod item;
mod report;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

pub use content::wordpress_html;
use item::{Item, Term};
pub use report::{WxrImport, WxrReport};

use crate::record::{ImportError, invalid};

/// Reads a WXR export. `source` is read once, front to back.
pub fn parse_wxr<R: BufRead>(path: &Path, source: R) -> Result<WxrImport, ImportError> {
    let mut reader = Reader::from_reader(LineCounter::new(source));
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut out = WxrImport::default();
    let mut state = State::default();
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
                state.close(path, &mut out);
            }
            Event::End(_) => state.close(path, &mut out),
            Event::Text(t) => state.text(path, line, &t, &mut out.report),
            Event::CData(t) => state.text(path, line, &t, &mut out.report),
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
                        out.report.warnings.push(format!(
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
    item::finish(
        path,
        state.items,
        &state.authors,
        &state.categories,
        &mut out,
    )?;
    Ok(out)
}

/// The element being read and what has been gathered so far.
#[derive(Default)]
struct State {
    /// Open elements with the text gathered inside each.
    stack: Vec<(String, String)>,
    seen_rss: bool,
    item: Option<Item>,
    items: Vec<Item>,
    /// `wp:author_login` → display name.
    authors: BTreeMap<String, String>,
    /// `wp:category`: nicename → (name, parent nicename).
    categories: BTreeMap<String, (String, String)>,
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

    fn text(&mut self, path: &Path, line: usize, raw: &[u8], report: &mut WxrReport) {
        let text = match std::str::from_utf8(raw) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => {
                report.warnings.push(format!(
                    "{}:{line}: 有不是 UTF-8 的字节，已替换为 �",
                    path.display()
                ));
                String::from_utf8_lossy(raw)
            }
        };
        if text.chars().any(forbidden_in_xml) {
            report.warnings.push(format!(
                "{}:{line}: 有 XML 不允许的控制字符，已删去",
                path.display()
            ));
            let clean: String = text.chars().filter(|c| !forbidden_in_xml(*c)).collect();
            self.push_str(&clean);
        } else {
            self.push_str(&text);
        }
    }

    fn close(&mut self, path: &Path, out: &mut WxrImport) {
        let Some((name, text)) = self.stack.pop() else {
            return;
        };
        let parent = self.stack.last().map(|(n, _)| n.as_str()).unwrap_or("");
        if let Some(item) = self.item.as_mut() {
            match name.as_str() {
                "item" => {
                    if let Some(item) = self.item.take() {
                        self.items.push(item);
                    }
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
                    out.report.comments += 1;
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
            ("channel", "wp:wxr_version") => out.report.wxr_version = Some(text.trim().into()),
            ("channel", "wp:base_site_url") => out.report.site = Some(text.trim().into()),
            ("channel", "wp:author") => {
                let login = self.fields.remove("wp:author_login").unwrap_or_default();
                let display = self
                    .fields
                    .remove("wp:author_display_name")
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or_else(|| login.clone());
                self.authors
                    .insert(login.trim().to_string(), display.trim().to_string());
            }
            ("channel", "wp:category") => {
                let nicename = self
                    .fields
                    .remove("wp:category_nicename")
                    .unwrap_or_default();
                let name = self.fields.remove("wp:cat_name").unwrap_or_default();
                let parent = self.fields.remove("wp:category_parent").unwrap_or_default();
                self.categories.insert(
                    nicename.trim().to_string(),
                    (name.trim().to_string(), parent.trim().to_string()),
                );
            }
            ("wp:author" | "wp:category" | "wp:tag", field) => {
                self.fields.insert(field.to_string(), text);
            }
            _ => {}
        }
        let _ = path;
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
