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

    fn kinds(body: &Body) -> Vec<&'static str> {
        body.blocks
            .iter()
            .map(|b| match b {
                Block::Heading { .. } => "h",
                Block::Paragraph { .. } => "p",
                Block::Image { .. } => "img",
                Block::Html { .. } => "html",
            })
            .collect()
    }

    #[test]
    fn lines_are_trimmed_of_spaces_and_byte_order_marks() {
        let body = Body::from_plain_text(
            "\u{feff}  西迁精神代代相传。 \r\n\n\t\u{3000}交大师生重走西迁路。\n",
        );
        assert_eq!(
            body.blocks,
            [
                Block::Paragraph {
                    text: "西迁精神代代相传。".into()
                },
                Block::Paragraph {
                    text: "交大师生重走西迁路。".into()
                },
            ]
        );
    }

    #[test]
    fn the_first_and_last_lines_are_never_headings() {
        let body = Body::from_plain_text("西迁精神\n1956年，交大由上海迁往西安。\n薪火相传");
        assert_eq!(kinds(&body), ["p", "p", "p"]);
    }

    #[test]
    fn a_subheading_is_short_chinese_and_unpunctuated() {
        let lines = [
            "5月23日，西安交大党委宣传部党支部举行主题党日活动。",
            "传承西迁精神",
            "Part II",
            "图为活动现场",
            "【延伸阅读】",
            "第二届“西迁杯”创新大赛2024",
            "提高政治站位强化理论武装切实把学习成果转化为推动学校高质量发展的强大动力奋力谱写新篇章",
            "理论学习",
            "这是一个句子。",
            "学",
            "活动结束。",
        ];
        let body = Body::from_plain_text(&lines.join("\n"));
        assert_eq!(
            kinds(&body),
            ["p", "h", "p", "p", "p", "p", "p", "h", "p", "p", "p"]
        );
    }

    #[test]
    fn text_keeps_captions_and_the_words_of_rich_paragraphs() {
        let body = Body {
            blocks: vec![
                Block::Heading {
                    level: 2,
                    text: "传承西迁精神".into(),
                },
                Block::Image {
                    src: "/media/ab/1.jpg".into(),
                    alt: "合影".into(),
                    caption: Some("师生在西迁纪念馆前合影".into()),
                },
                Block::Image {
                    src: "/media/ab/2.jpg".into(),
                    alt: "".into(),
                    caption: Some(String::new()),
                },
                Block::Image {
                    src: "/media/ab/3.jpg".into(),
                    alt: "".into(),
                    caption: None,
                },
                Block::Html {
                    html: "<p>扎根<strong>西部</strong> &amp; 奉献<br/>青春&lt;诗&gt;</p>".into(),
                },
            ],
        };
        assert_eq!(
            body.to_text(),
            "传承西迁精神\n师生在西迁纪念馆前合影\n扎根西部 & 奉献青春<诗>"
        );
    }

    #[test]
    fn html_renders_every_block_and_clamps_heading_levels() {
        let body = Body {
            blocks: vec![
                Block::Heading {
                    level: 1,
                    text: "一级".into(),
                },
                Block::Heading {
                    level: 6,
                    text: "六级".into(),
                },
                Block::Image {
                    src: "/media/ab/1.jpg".into(),
                    alt: "合影".into(),
                    caption: Some(String::new()),
                },
                Block::Image {
                    src: "/media/ab/2.jpg".into(),
                    alt: "校园".into(),
                    caption: Some("樱花道".into()),
                },
                Block::Html {
                    html: "<p>已净化的<em>段落</em></p>".into(),
                },
            ],
        };
        assert_eq!(
            body.to_html(),
            "<h2>一级</h2>\n<h4>六级</h4>\n\
             <figure><img src=\"/media/ab/1.jpg\" alt=\"合影\" loading=\"lazy\"></figure>\n\
             <figure><img src=\"/media/ab/2.jpg\" alt=\"校园\" loading=\"lazy\"><figcaption>樱花道</figcaption></figure>\n\
             <p>已净化的<em>段落</em></p>\n"
        );
    }

    #[test]
    fn the_first_picture_and_paragraph_are_found_past_other_blocks() {
        let body = Body {
            blocks: vec![
                Block::Heading {
                    level: 2,
                    text: "导语".into(),
                },
                Block::Image {
                    src: "/media/ab/first.jpg".into(),
                    alt: "".into(),
                    caption: None,
                },
                Block::Paragraph {
                    text: "第一段。".into(),
                },
                Block::Image {
                    src: "/media/ab/second.jpg".into(),
                    alt: "".into(),
                    caption: None,
                },
                Block::Paragraph {
                    text: "第二段。".into(),
                },
            ],
        };
        assert_eq!(body.first_image(), Some("/media/ab/first.jpg"));
        assert_eq!(body.first_paragraph(), Some("第一段。"));
        assert_eq!(Body::default().first_image(), None);
        assert_eq!(Body::default().first_paragraph(), None);
    }

    #[test]
    fn chinese_characters_are_recognised_in_every_block() {
        for c in ['交', '㐀', '𠀀', '豈'] {
            assert!(is_cjk(c), "{c}");
        }
        for c in ['a', '1', '。', 'あ'] {
            assert!(!is_cjk(c), "{c}");
        }
    }

    #[test]
    fn escaping_and_unescaping_round_trip() {
        let raw = "<a href=\"x\">'西迁' & 交大</a>";
        let escaped = escape_html(raw);
        assert_eq!(
            escaped,
            "&lt;a href=&quot;x&quot;&gt;&#39;西迁&#39; &amp; 交大&lt;/a&gt;"
        );
        assert_eq!(unescape_html(&escaped), raw);
        assert_eq!(unescape_html("&#x27;&amp;lt;"), "'&lt;");
    }
}
