//! An article body as structured blocks: what a newsroom edits and what every channel renders.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Paragraph {
        text: String,
    },
    Heading {
        level: u8,
        text: String,
    },
    Image {
        src: String,
        alt: String,
        caption: Option<String>,
    },
    /// Rich paragraph HTML that has already passed the sanitiser (editor input).
    Html {
        html: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Body {
    pub blocks: Vec<Block>,
}

/// Closing punctuation after which a line is a sentence, never a subheading.
const SENTENCE_END: &[char] = &[
    '。', '！', '？', '!', '?', '；', ';', '，', ',', '、', '：', ':', '…', '”', '’', '」', '』',
    '）', ')', '》', '.', '"', '\'', '】', ']',
];
/// Subheadings on Chinese news sites are short; anything longer is a paragraph that merely lacks
/// its full stop.
const MAX_HEADING_CHARS: usize = 40;

impl Body {
    /// Builds a body from legacy plain text: one paragraph a line, blank lines ignored. Short lines
    /// without closing punctuation between paragraphs are the subheadings of the original page
    /// (the seed's 凝聚合力 创新高校宣传思想文化工作新路径), so they become headings.
    pub fn from_plain_text(text: &str) -> Body {
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
            .filter(|l| !l.is_empty())
            .collect();
        let last = lines.len().saturating_sub(1);
        let blocks = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                if i > 0 && i < last && looks_like_subheading(line) {
                    Block::Heading {
                        level: 2,
                        text: (*line).to_string(),
                    }
                } else {
                    Block::Paragraph {
                        text: (*line).to_string(),
                    }
                }
            })
            .collect();
        Body { blocks }
    }

    /// Plain text, one block a line: what search indexes and the API's `body_text` carries.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            let line = match b {
                Block::Paragraph { text } | Block::Heading { text, .. } => text.clone(),
                Block::Image { caption, .. } => match caption {
                    Some(c) if !c.is_empty() => c.clone(),
                    _ => continue,
                },
                Block::Html { html } => strip_tags(html),
            };
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&line);
        }
        out
    }

    pub fn to_html(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Paragraph { text } => {
                    out.push_str("<p>");
                    escape_into(&mut out, text);
                    out.push_str("</p>\n");
                }
                Block::Heading { level, text } => {
                    let level = (*level).clamp(2, 4);
                    out.push_str(&format!("<h{level}>"));
                    escape_into(&mut out, text);
                    out.push_str(&format!("</h{level}>\n"));
                }
                Block::Image { src, alt, caption } => {
                    out.push_str("<figure><img src=\"");
                    escape_into(&mut out, src);
                    out.push_str("\" alt=\"");
                    escape_into(&mut out, alt);
                    out.push_str("\" loading=\"lazy\">");
                    if let Some(c) = caption.as_deref().filter(|c| !c.is_empty()) {
                        out.push_str("<figcaption>");
                        escape_into(&mut out, c);
                        out.push_str("</figcaption>");
                    }
                    out.push_str("</figure>\n");
                }
                Block::Html { html } => {
                    out.push_str(html);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The first picture's address as stored: the cover feeds, sitemaps and other platforms show.
    pub fn first_image(&self) -> Option<&str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Image { src, .. } => Some(src.as_str()),
            _ => None,
        })
    }

    /// The first paragraph: the summary when an article has none of its own.
    pub fn first_paragraph(&self) -> Option<&str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Paragraph { text } => Some(text.as_str()),
            _ => None,
        })
    }
}

fn looks_like_subheading(line: &str) -> bool {
    let n = line.chars().count();
    if !(2..=MAX_HEADING_CHARS).contains(&n) {
        return false;
    }
    // A colon inside marks a byline or caption (摄影：张三), never a heading.
    if line.contains(['：', ':']) {
        return false;
    }
    if line.starts_with(['（', '(', '【', '[', '图']) {
        return false;
    }
    match line.chars().last() {
        Some(c) if SENTENCE_END.contains(&c) => false,
        Some(c) if c.is_ascii_digit() => false,
        _ => line.chars().any(is_cjk),
    }
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Undoes the escaping of [`escape_into`] (and the common numeric forms of quotes).
pub fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Text content of sanitised HTML: enough for indexing and summaries.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape_html(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_unpunctuated_lines_between_paragraphs_are_headings() {
        let body = Body::from_plain_text(
            "为进一步加强理论学习，促进互学共建。\n\n凝聚合力 创新高校宣传思想文化工作新路径\n\n5月23日，西安交大党委宣传部党支部举行活动。\n摄影：张三\n（编辑：李四）\n最后一段没有标点",
        );
        let kinds: Vec<&str> = body
            .blocks
            .iter()
            .map(|b| match b {
                Block::Heading { .. } => "h",
                _ => "p",
            })
            .collect();
        assert_eq!(kinds, ["p", "h", "p", "p", "p", "p"]);
    }

    #[test]
    fn html_escapes_everything() {
        let body = Body {
            blocks: vec![
                Block::Paragraph {
                    text: "<script>alert(1)</script>&".into(),
                },
                Block::Image {
                    src: "x\" onerror=\"a".into(),
                    alt: "<".into(),
                    caption: Some("\"'".into()),
                },
            ],
        };
        let html = body.to_html();
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"));
        assert!(html.contains("src=\"x&quot; onerror=&quot;a\""));
    }

    #[test]
    fn text_round_trips_paragraphs_in_order() {
        let src = "第一段。\n小标题在这里\n第二段。";
        assert_eq!(Body::from_plain_text(src).to_text(), src);
    }
}
