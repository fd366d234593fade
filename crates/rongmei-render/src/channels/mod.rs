//! One article rendered for the people's channels: a WeChat official account's draft and a
//! Weibo post. Both come from the stored body and the links builder, as the site's page does.

use rongmei_core::body::escape_into;
use rongmei_core::links::Links;
use rongmei_core::{Article, Block};
use rongmei_html::wechat::{image, open_styled, open_tag, wechat_fragment};
pub use rongmei_media::wechat::WechatUse;
use serde::Serialize;

/// WeChat's limits for a draft (`draft/add`): title, author, digest and content lengths.
pub const WECHAT_TITLE_MAX: usize = 32;
pub const WECHAT_AUTHOR_MAX: usize = 16;
pub const WECHAT_DIGEST_MAX: usize = 128;
/// Content must be under 20,000 characters, markup included.
pub const WECHAT_CONTENT_MAX: usize = 20_000;
/// What ends a shortened article.
const READ_ON: &str = "全文较长，请点击“阅读原文”查看。";

/// What a 公众号 draft needs, in the shape of the contract.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WechatRendering {
    /// At most 32 characters.
    pub title: String,
    /// At most 128 characters.
    pub digest: String,
    /// At most 16 characters.
    pub author: String,
    /// Inline-styled HTML under 20,000 characters.
    pub content_html: String,
    /// The cover's absolute address, when the article has a picture.
    pub cover: Option<String>,
    /// Every picture in the content, in order: the account uploads each (`media/uploadimg`).
    pub images: Vec<String>,
    /// The article on the site: 阅读原文 (`content_source_url`).
    pub source_url: String,
}

/// What a Weibo post needs.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WeiboRendering {
    /// At most 140 as Weibo counts, ending with the article's address.
    pub text: String,
    /// The picture to attach, when the article has one.
    pub image: Option<String>,
    pub url: String,
}

/// Cuts `s` to at most `max` characters, on a word boundary when there is one in the second
/// half (after punctuation or a space, never inside a Latin word or number), ending with "…".
pub fn shorten(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() <= max {
        return chars.into_iter().collect();
    }
    let room = max.saturating_sub(1);
    let is_break = |c: char| {
        c.is_whitespace()
            || (c.is_ascii_punctuation() && c != '-')
            || "，。！？；：、）》」』】".contains(c)
    };
    let cut = (room / 2..=room)
        .rev()
        .find(|&i| is_break(chars[i - 1]))
        .or_else(|| {
            // No punctuation: at least never split a Latin word or a number.
            (room / 2..=room).rev().find(|&i| {
                !(chars[i - 1].is_ascii_alphanumeric() && chars[i].is_ascii_alphanumeric())
            })
        })
        .unwrap_or(room);
    let mut out: String = chars[..cut].iter().collect();
    out = out
        .trim_end_matches(|c: char| c.is_whitespace() || "，、；：,;:".contains(c))
        .to_string();
    out.push('…');
    out
}

/// The longest run of whole sentences of `text` within `fits`; when even the first sentence
/// does not fit, as many characters as fit, ending with "…".
fn sentences_within(text: &str, fits: &dyn Fn(&str) -> bool) -> String {
    let mut best = String::new();
    let mut current = String::new();
    for c in text.trim().chars() {
        current.push(c);
        if "。！？!?；".contains(c) {
            if !fits(&current) {
                break;
            }
            best.clone_from(&current);
        }
    }
    if !current.is_empty() && fits(&current) {
        return current;
    }
    if best.is_empty() {
        // Not even one sentence fits: end after the last clause that does, else mid-clause.
        let mut cut = String::new();
        let mut clause = String::new();
        for c in text.trim().chars() {
            let with = format!("{cut}{c}…");
            if !fits(&with) {
                break;
            }
            cut.push(c);
            if "，、；：,;:".contains(c) {
                clause = cut
                    .trim_end_matches(|c: char| "，、；：,;:".contains(c))
                    .to_string();
            }
        }
        let mut out = if clause.is_empty() { cut } else { clause };
        if !out.is_empty() {
            out.push('…');
        }
        return out;
    }
    best
}

/// The names credited for the text (文字 bylines first), else the site's name.
fn author_of(a: &Article, site_name: &str) -> String {
    let mut names: Vec<&str> = a
        .bylines
        .iter()
        .filter(|b| b.role == "文字")
        .map(|b| b.name.as_str())
        .collect();
    if names.is_empty() {
        names = a.bylines.iter().map(|b| b.name.as_str()).collect();
    }
    let joined = if names.is_empty() {
        site_name.to_string()
    } else {
        names.join("、")
    };
    shorten(&joined, WECHAT_AUTHOR_MAX)
}

/// Gives the absolute address WeChat is sent for a stored picture, in a use: its WeChat
/// version where one was made, else the picture itself.
pub type PictureFor<'a> = &'a dyn Fn(&str, WechatUse) -> String;

/// The article as a WeChat draft; `title` overrides the shortened title (the editor's choice,
/// at most 32 characters).
pub fn wechat(
    a: &Article,
    links: &Links,
    site_name: &str,
    title: Option<&str>,
    picture: PictureFor<'_>,
) -> WechatRendering {
    let mut images = Vec::new();
    let mut blocks = Vec::new();
    for b in &a.body.blocks {
        let mut html = String::new();
        match b {
            Block::Paragraph { text } => {
                open_tag(&mut html, "p", "");
                escape_into(&mut html, text);
                html.push_str("</p>");
            }
            Block::Heading { level, text } => {
                let tag = if *level <= 2 { "h2" } else { "h3" };
                open_tag(&mut html, tag, "");
                escape_into(&mut html, text);
                html.push_str(&format!("</{tag}>"));
            }
            Block::Image { src, alt, caption } => {
                let url = picture(src, WechatUse::Body);
                images.push(url.clone());
                open_styled(&mut html, "section", "figure", "");
                image(&mut html, &url, alt);
                if let Some(c) = caption.as_deref().filter(|c| !c.trim().is_empty()) {
                    open_styled(&mut html, "p", "caption", "");
                    escape_into(&mut html, c);
                    html.push_str("</p>");
                }
                html.push_str("</section>");
            }
            Block::Html { html: fragment } => {
                html = wechat_fragment(fragment, &mut |src: &str| {
                    let url = picture(src, WechatUse::Body);
                    images.push(url.clone());
                    url
                });
            }
        }
        blocks.push(html);
    }
    let mut tail = String::new();
    if !a.bylines.is_empty() {
        open_styled(&mut tail, "p", "bylines", "");
        let credits: Vec<String> = a
            .bylines
            .iter()
            .map(|b| format!("{}：{}", b.role, b.name))
            .collect();
        escape_into(&mut tail, &credits.join("　"));
        tail.push_str("</p>");
    }
    let mut content = String::new();
    open_tag(&mut content, "section", "");
    let closing = "</section>";
    let mut read_on = String::new();
    open_tag(&mut read_on, "p", "");
    read_on.push_str(READ_ON);
    read_on.push_str("</p>");
    let len = |s: &str| s.chars().count();
    let budget = WECHAT_CONTENT_MAX - 1 - len(closing) - len(&tail);
    let mut used = len(&content);
    let mut kept_images = 0;
    for (i, html) in blocks.iter().enumerate() {
        let rest_fits = blocks[i..].iter().map(|b| len(b)).sum::<usize>() + used <= budget;
        if !rest_fits && used + len(html) + len(&read_on) > budget {
            // The rest does not fit: end here and send the reader to the site.
            content.push_str(&read_on);
            break;
        }
        used += len(html);
        kept_images += html.matches("<img").count();
        content.push_str(html);
    }
    content.push_str(&tail);
    content.push_str(closing);
    images.truncate(kept_images);
    WechatRendering {
        title: title
            .map(|t| shorten(t, WECHAT_TITLE_MAX))
            .unwrap_or_else(|| shorten(&a.title, WECHAT_TITLE_MAX)),
        digest: sentences_within(&a.summary, &|s| s.chars().count() <= WECHAT_DIGEST_MAX),
        author: author_of(a, site_name),
        content_html: content,
        cover: a.shown_cover().map(|s| picture(s, WechatUse::Cover)),
        images,
        source_url: links.article_url(a.id),
    }
}

/// How many characters a link counts on Weibo. Weibo replaces every link in a post with a
/// `http://t.cn/XXXXXXXX` short link (20 half-width characters, 10 under the rule below) and,
/// as far as we could find, publishes no exact rule for it; 12 keeps a post within 140
/// whichever count its client applies.
pub const WEIBO_LINK_WEIGHT: f64 = 12.0;
/// A post's limit.
pub const WEIBO_MAX: f64 = 140.0;

/// A text's length as Weibo counts it: a Chinese (or any non-ASCII) character 1, an ASCII
/// character ½, a link [`WEIBO_LINK_WEIGHT`], rounded up.
pub fn weibo_length(text: &str) -> f64 {
    let mut n = 0.0;
    for word in text.split_inclusive(char::is_whitespace) {
        let bare = word.trim_end();
        if bare.starts_with("http://") || bare.starts_with("https://") {
            n += WEIBO_LINK_WEIGHT + (word.len() - bare.len()) as f64 * 0.5;
            continue;
        }
        n += word
            .chars()
            .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
            .sum::<f64>();
    }
    n.ceil()
}

/// The article as a Weibo post: 【title】, the summary cut on a sentence boundary, the link.
/// `#` would open a topic (#话题#), so the full-width ＃ stands in for it.
pub fn weibo(a: &Article, links: &Links) -> WeiboRendering {
    let url = links.article_url(a.id);
    let clean = |s: &str| s.replace('#', "＃");
    let title = clean(a.title.trim());
    // 【title】 as Weibo news posts open; a title with its own 【label】 keeps it and is
    // followed by a colon.
    let head = if title.starts_with('【') {
        format!("{title}：")
    } else {
        format!("【{title}】")
    };
    let link_part = format!(" {url}");
    let room = |s: &str| weibo_length(&format!("{s}{link_part}")) <= WEIBO_MAX;
    let head = if room(&head) {
        head
    } else {
        sentences_within(&head, &|s| room(s))
    };
    let summary = clean(a.summary.trim());
    let body = sentences_within(&summary, &|s| room(&format!("{head}{s}")));
    WeiboRendering {
        text: format!("{head}{body}{link_part}"),
        image: a.shown_cover().map(|s| links.absolute(s)),
        url,
    }
}

#[cfg(test)]
mod tests;
