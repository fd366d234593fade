//! Saved article pages of a site-group (站群) site — a folder as `wget --mirror` leaves it — read
//! with a profile of CSS selectors: where the title, the date, the view count, the breadcrumb
//! and the body are. Built-in profiles follow the public markup of VSB (博达) and DedeCMS (织梦);
//! any other system gets a profile file.

use std::path::{Path, PathBuf};

use rongmei_core::{Byline, NewArticle};
use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;

use crate::record::{ImportError, Record, check_title, invalid, parse_time};

/// Where things are on an article page; each list is tried in order, the first match wins.
#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub name: String,
    pub title: Vec<String>,
    /// Elements whose text holds the publish date and time (the whole page when none match).
    #[serde(default)]
    pub date: Vec<String>,
    /// Elements whose text holds the view count after a label (the whole page when none match).
    #[serde(default)]
    pub views: Vec<String>,
    /// Breadcrumb links; the last one that is not 正文/首页 names the column.
    #[serde(default)]
    pub column: Vec<String>,
    /// The article body; a page without one is not an article page and is passed over.
    pub body: Vec<String>,
    /// Elements removed from the body before it is read (share buttons, scripts, page footers).
    #[serde(default)]
    pub strip: Vec<String>,
    /// Elements whose text names the author or editor (`作者：`, `文字：`, `编辑：`).
    #[serde(default)]
    pub byline: Vec<String>,
}

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Profile {
    /// VSB (博达站群): `#vsb_content`, `.v_news_content`, `.titlestyle…`, `.timestyle…`.
    pub fn vsb() -> Profile {
        Profile {
            name: "vsb".into(),
            title: list(&[
                ".titlestyle",
                "td.titlestyle1",
                "h1.arti_title",
                ".arti_title",
                "h1",
                "title",
            ]),
            date: list(&[
                ".timestyle",
                "span.timestyle",
                ".arti_metas",
                ".arti_update",
            ]),
            views: list(&[".arti_views", ".arti_metas", ".timestyle"]),
            column: list(&[".dqwz a", ".breadcrumb a", ".position a", ".crumb a"]),
            body: list(&[
                "#vsb_content",
                "#vsb_content_2",
                ".v_news_content",
                "#vsb_content_4",
            ]),
            strip: list(&["script", "style", "#div_vote_id", ".vsbcontent_end"]),
            byline: list(&[".arti_publisher", ".arti_metas"]),
        }
    }

    /// DedeCMS (织梦): `.content`, `.title h2`, `.info`, `.place`.
    pub fn dede() -> Profile {
        Profile {
            name: "dede".into(),
            title: list(&[".title h2", ".title h1", "h1", "title"]),
            date: list(&[".info", ".pubdate", ".article-info"]),
            views: list(&[".info", ".article-info"]),
            column: list(&[".place a", ".position a", ".breadcrumb a"]),
            body: list(&[".content", "#content", ".article-content", ".newstext"]),
            strip: list(&["script", "style", ".boxoff", ".handle", ".context"]),
            byline: list(&[".info"]),
        }
    }

    /// A built-in profile by name, or a TOML file of one.
    pub fn named(name_or_file: &str) -> Result<Profile, ImportError> {
        match name_or_file {
            "vsb" => Ok(Profile::vsb()),
            "dede" | "dedecms" => Ok(Profile::dede()),
            file => {
                let path = PathBuf::from(file);
                let text = std::fs::read_to_string(&path).map_err(|source| ImportError::Io {
                    file: path.clone(),
                    source,
                })?;
                let p: Profile = toml::from_str(&text).map_err(|e| {
                    invalid(
                        &path,
                        1,
                        format!("profile: {e} (built-in profiles: vsb, dede)"),
                    )
                })?;
                for s in p
                    .title
                    .iter()
                    .chain(&p.body)
                    .chain(&p.date)
                    .chain(&p.views)
                    .chain(&p.column)
                    .chain(&p.strip)
                    .chain(&p.byline)
                {
                    Selector::parse(s).map_err(|e| {
                        invalid(
                            &path,
                            1,
                            format!("profile: {s:?} is not a CSS selector ({e})"),
                        )
                    })?;
                }
                Ok(p)
            }
        }
    }
}

fn selectors(list: &[String]) -> Vec<Selector> {
    list.iter()
        .filter_map(|s| Selector::parse(s).ok())
        .collect()
}

fn first<'a>(doc: &'a Html, list: &[Selector]) -> Option<ElementRef<'a>> {
    list.iter().find_map(|s| doc.select(s).next())
}

fn text_of(e: ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first date (with its time, when there is one) in a text: `2023-06-01 22:05`,
/// `2023/6/1`, `2023年6月1日 22:05`.
fn find_date(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        if !(chars[start].is_ascii_digit() && (start == 0 || !chars[start - 1].is_ascii_digit())) {
            continue;
        }
        let candidate: String = chars[start..chars.len().min(start + 24)].iter().collect();
        // Longest first: with seconds, with minutes, the day alone.
        let mut end = candidate.len();
        while end > 0 {
            if candidate.is_char_boundary(end)
                && let Some(t) = parse_time(&candidate[..end])
            {
                return Some(t);
            }
            end -= 1;
        }
    }
    None
}

/// The number after a view label: `浏览次数：1774`, `点击数:35`, `阅读 120`.
fn find_views(text: &str) -> Option<i64> {
    for label in [
        "浏览次数",
        "点击数",
        "阅读次数",
        "访问次数",
        "浏览量",
        "点击",
        "阅读",
        "浏览",
    ] {
        let mut rest = text;
        while let Some(i) = rest.find(label) {
            let after =
                rest[i + label.len()..].trim_start_matches([':', '：', ' ', '\u{a0}', '[', '【']);
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse() {
                return Some(n);
            }
            rest = &rest[i + label.len()..];
        }
    }
    None
}

/// The address a mirrored file was saved from: `wget --mirror` names the first folder after the
/// host.
fn original_url(root: &Path, file: &Path) -> Option<url::Url> {
    let rel = file.strip_prefix(root).ok()?;
    let mut parts = rel.iter().map(|p| p.to_string_lossy().into_owned());
    let host = parts.next()?;
    if !host.contains('.') {
        return None;
    }
    let rest: Vec<String> = parts.collect();
    url::Url::parse(&format!("http://{host}/{}", rest.join("/"))).ok()
}

/// Makes the body's relative `src` and `href` absolute against the page's address.
fn absolute_links(html: &str, base: Option<&url::Url>) -> String {
    let Some(base) = base else {
        return html.to_string();
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = ["src=\"", "href=\""]
            .iter()
            .filter_map(|k| rest.find(k).map(|i| (i, k.len())))
            .min();
        let Some((i, klen)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i + klen]);
        let after = &rest[i + klen..];
        let end = after.find('"').unwrap_or(after.len());
        let link = &after[..end];
        match base.join(link) {
            Ok(u) if !link.starts_with('#') => out.push_str(u.as_str()),
            _ => out.push_str(link),
        }
        rest = &after[end..];
    }
}

/// What reading a folder of pages gave: the articles, and the pages passed over.
#[derive(Debug, Default)]
pub struct PagesImport {
    pub records: Vec<Record>,
    pub passed_over: Vec<PathBuf>,
}

/// Reads every `.htm`/`.html`/`.shtml` file below `dir` with `profile`.
pub fn parse_pages(dir: &Path, profile: &Profile) -> Result<PagesImport, ImportError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| ImportError::Io {
            file: d.clone(),
            source,
        })?;
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                matches!(x.to_ascii_lowercase().as_str(), "htm" | "html" | "shtml")
            }) {
                files.push(p);
            }
        }
    }
    files.sort();
    let date = selectors(&profile.date);
    let views = selectors(&profile.views);
    let column = selectors(&profile.column);
    let body = selectors(&profile.body);
    let strip = selectors(&profile.strip);
    let byline = selectors(&profile.byline);
    let mut out = PagesImport::default();
    for file in files {
        let bytes = std::fs::read(&file).map_err(|source| ImportError::Io {
            file: file.clone(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let doc = Html::parse_document(&text);
        let Some(body_el) = first(&doc, &body) else {
            out.passed_over.push(file);
            continue;
        };
        let mut body_html = body_el.inner_html();
        for s in &strip {
            for e in body_el.select(s) {
                body_html = body_html.replace(&e.html(), "");
            }
        }
        // The first title selector that matches; `<title>` carries the site's name after a
        // separator, which is cut off.
        let (mut t, from_title_tag) = profile
            .title
            .iter()
            .find_map(|src| {
                let sel = Selector::parse(src).ok()?;
                doc.select(&sel)
                    .next()
                    .map(|e| (text_of(e), src == "title"))
            })
            .unwrap_or_default();
        if from_title_tag && let Some(i) = t.find(['-', '_', '|', '—']) {
            t = t[..i].trim().to_string();
        }
        check_title(&file, 1, &t)?;
        let whole = || doc.root_element().text().collect::<String>();
        let date_text = date
            .iter()
            .flat_map(|s| doc.select(s))
            .map(text_of)
            .collect::<Vec<_>>()
            .join(" ");
        let published_at = find_date(&date_text).or_else(|| find_date(&whole()));
        let views_text = views
            .iter()
            .flat_map(|s| doc.select(s))
            .map(text_of)
            .collect::<Vec<_>>()
            .join(" ");
        let view_count = find_views(&views_text).or_else(|| find_views(&whole()));
        let column_name = column.iter().find_map(|s| {
            doc.select(s).map(text_of).rfind(|c| {
                !c.is_empty() && !matches!(c.as_str(), "首页" | "正文" | "网站首页" | "主页")
            })
        });
        let mut bylines: Vec<Byline> = byline
            .iter()
            .flat_map(|s| doc.select(s))
            .map(text_of)
            .flat_map(|t| {
                ["作者", "文字", "编辑", "摄影", "审核"]
                    .into_iter()
                    .filter_map(move |role| {
                        let i = t.find(role)?;
                        let after = t[i + role.len()..].trim_start_matches([':', '：', ' ']);
                        let name: String = after
                            .chars()
                            .take_while(|c| {
                                !c.is_whitespace() && !matches!(c, '|' | '/' | '，' | ',')
                            })
                            .collect();
                        (!name.is_empty() && name.chars().count() <= 20).then(|| Byline {
                            role: if role == "作者" {
                                "文字".into()
                            } else {
                                role.into()
                            },
                            name,
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        // Nested matches (a meta line inside another) name the same people twice.
        let mut seen = Vec::new();
        bylines.retain(|b| {
            let fresh = !seen.contains(b);
            if fresh {
                seen.push(b.clone());
            }
            fresh
        });
        let url = original_url(dir, &file);
        let body = rongmei_html::body_from_html(&absolute_links(&body_html, url.as_ref()));
        let rel = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        let mut extra = serde_json::Map::new();
        if let Some(u) = &url {
            extra.insert("source_url".into(), u.as_str().into());
        }
        extra.insert("profile".into(), profile.name.clone().into());
        out.records.push(Record {
            file: file.clone(),
            line: 1,
            article: NewArticle {
                title: t,
                column: column_name,
                column_parents: Vec::new(),
                tags: Vec::new(),
                bylines,
                published_at,
                summary: None,
                body,
                views: view_count,
                status: rongmei_core::ArticleStatus::Published,
                source_id: Some(format!("pages:{}", url.map_or(rel, |u| u.to_string()))),
                extra,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_view_counts_are_found_in_page_text() {
        assert_eq!(
            find_date("发布时间：2023-06-01 22:05 来源：宣传部")
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2023-06-01T22:05:00+08:00")
        );
        assert_eq!(
            find_date("2023年6月1日 星期四")
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2023-06-01T00:00:00+08:00")
        );
        assert_eq!(find_views("作者：张三 浏览次数：1774"), Some(1774));
        assert_eq!(find_views("点击数: 35 次"), Some(35));
        assert_eq!(find_views("点击数：<script>"), None);
    }

    #[test]
    fn relative_links_are_made_absolute_from_the_mirror_path() {
        let root = Path::new("/m");
        let url = original_url(root, Path::new("/m/news.example.edu.cn/info/1011/2345.htm"));
        assert_eq!(
            url.as_ref().map(|u| u.as_str()),
            Some("http://news.example.edu.cn/info/1011/2345.htm")
        );
        let html = absolute_links(
            r##"<img src="../../__local/A/B.jpg"><a href="/x.pdf">附件</a><a href="#top">t</a>"##,
            url.as_ref(),
        );
        assert!(
            html.contains(r#"src="http://news.example.edu.cn/__local/A/B.jpg""#),
            "{html}"
        );
        assert!(html.contains(r#"href="http://news.example.edu.cn/x.pdf""#));
        assert!(html.contains(r##"href="#top""##));
    }
}

#[cfg(test)]
mod fixture_tests {
    use super::*;

    fn fixtures(profile: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/pages")
            .join(profile)
    }

    #[test]
    fn a_saved_vsb_page_gives_title_time_views_column_bylines_and_body() {
        let out = parse_pages(&fixtures("vsb"), &Profile::vsb()).expect("parses");
        assert_eq!(out.records.len(), 1, "the list page is passed over");
        assert_eq!(out.passed_over.len(), 1);
        let a = &out.records[0].article;
        assert_eq!(a.title, "我校举办2023年毕业典礼");
        assert_eq!(
            a.published_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2023-06-21T10:30:00+08:00")
        );
        assert_eq!(a.views, Some(1774));
        assert_eq!(a.column.as_deref(), Some("学校要闻"));
        let names: Vec<(&str, &str)> = a
            .bylines
            .iter()
            .map(|b| (b.role.as_str(), b.name.as_str()))
            .collect();
        assert_eq!(names, [("文字", "张三"), ("摄影", "李四")]);
        assert_eq!(
            a.body.first_image(),
            Some("http://news.example.edu.cn/__local/A/1B/2C/3D4E.jpg")
        );
        let html = a.body.to_html();
        assert!(
            html.contains("毕业生名单.pdf")
                && html.contains("http://news.example.edu.cn/system/_content/download.jsp"),
            "{html}"
        );
        assert!(!html.contains("var x"), "scripts are stripped");
        assert_eq!(
            a.source_id.as_deref(),
            Some("pages:http://news.example.edu.cn/info/1011/2345.htm")
        );
    }

    #[test]
    fn a_saved_dedecms_page_reads_with_its_profile() {
        let out = parse_pages(&fixtures("dede"), &Profile::dede()).expect("parses");
        assert_eq!(out.records.len(), 1);
        let a = &out.records[0].article;
        assert_eq!(a.title, "学术报告：量子计算前沿");
        assert_eq!(
            a.published_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2023-05-18T09:15:00+08:00")
        );
        assert_eq!(a.views, None, "DedeCMS writes the count with a script");
        assert_eq!(a.column.as_deref(), Some("学术动态"));
        assert_eq!(a.bylines[0].name, "王五");
        assert!(a.body.to_text().contains("5月17日下午"));
        assert!(!a.body.to_text().contains("上一篇"));
    }

    #[test]
    fn a_profile_file_names_the_selectors_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let good = dir.path().join("site.toml");
        std::fs::write(
            &good,
            "name = \"mysite\"\ntitle = [\".title h2\"]\nbody = [\".content\"]\n",
        )
        .expect("write");
        let p = Profile::named(good.to_str().expect("path")).expect("profile");
        let out = parse_pages(&fixtures("dede"), &p).expect("parses");
        assert_eq!(out.records[0].article.title, "学术报告：量子计算前沿");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "name = \"x\"\ntitle = [\"h1[\"]\nbody = [\".c\"]\n").expect("write");
        let err = Profile::named(bad.to_str().expect("path")).expect_err("bad selector");
        assert!(err.to_string().contains("not a CSS selector"), "{err}");
    }
}
