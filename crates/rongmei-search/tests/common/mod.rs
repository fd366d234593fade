//! Loading the seed article and the developer corpus, shared by tests and benches.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rongmei_search::{SearchConfig, SearchDoc, SearchIndex, SearchQuery, SearchResults};

pub const SEED_ID: i64 = 1_000_000;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// `../shared/corpus/articles.jsonl` beside the project, if this machine has it (see
/// `rongmei_testkit::shared` for when its absence fails instead).
pub fn corpus_path() -> Option<PathBuf> {
    rongmei_testkit::shared("corpus/articles.jsonl")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// `YYYY-MM-DD HH:MM[:SS]` in +08:00, or RFC 3339 with an offset.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_at_checked(10)?;
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let rest = rest.trim_start_matches(['T', ' ']);
    let (clock, offset) = match rest.find(['+', '-', 'Z']) {
        Some(i) => rest.split_at(i),
        None => (rest, "+08:00"),
    };
    let mut c = clock.split(':');
    let h = c.next().and_then(num).unwrap_or(0);
    let mi = c.next().and_then(num).unwrap_or(0);
    let sec = c.next().and_then(num).unwrap_or(0);
    let off = if offset.starts_with('Z') {
        0
    } else {
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let mut o = offset[1..].split(':');
        sign * (o.next().and_then(num)? * 3600 + o.next().and_then(num).unwrap_or(0) * 60)
    };
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + mi * 60 + sec - off)
}

/// A deterministic ASCII slug for a column name (the real one comes from the store).
pub fn slug(name: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("c{h:08x}")
}

/// The seed's text format: `标题:`, `发布日期:`, `浏览次数:`, `正文内容:` then the body.
pub fn parse_txt(text: &str, id: i64) -> SearchDoc {
    let mut doc = SearchDoc {
        id,
        column_slug: "news".into(),
        column_name: "新闻".into(),
        ..SearchDoc::default()
    };
    let mut body = Vec::new();
    let mut in_body = false;
    for line in text.lines() {
        let line = line.trim();
        if in_body {
            if !line.is_empty() {
                body.push(line);
            }
            continue;
        }
        let value = |label: &str| {
            line.strip_prefix(label)
                .map(|r| r.trim_start_matches([':', '：']).trim())
        };
        if let Some(v) = value("标题") {
            doc.title = v.to_string();
        } else if let Some(v) = value("发布日期") {
            let v = v.trim_start_matches("日期").trim_start_matches([':', '：']);
            doc.published_at = parse_time(v);
        } else if line.starts_with("正文内容") {
            in_body = true;
        }
    }
    doc.body = body.join("\n");
    doc
}

pub fn seed() -> SearchDoc {
    let text = std::fs::read_to_string(fixture("seed.txt")).expect("seed fixture");
    parse_txt(&text, SEED_ID)
}

#[derive(serde::Deserialize)]
struct Line {
    title: String,
    published_at: Option<String>,
    column: Option<String>,
    body: String,
}

/// The corpus as documents with ids 1..=N, or `None` (and a note) when it is absent.
pub fn corpus() -> Option<Vec<SearchDoc>> {
    let path = corpus_path()?;
    let text = std::fs::read_to_string(&path).expect("corpus readable");
    let docs = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let line: Line = serde_json::from_str(l).expect("corpus line is JSON");
            let column = line.column.unwrap_or_else(|| "新闻".into());
            SearchDoc {
                id: i as i64 + 1,
                title: line.title,
                body: line.body,
                column_slug: slug(&column),
                column_name: column,
                tags: Vec::new(),
                bylines: Vec::new(),
                published_at: line.published_at.as_deref().and_then(parse_time),
            }
        })
        .collect();
    Some(docs)
}

/// xorshift64*: deterministic and dependency-free.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform-enough in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// A random run of `min..=max` Han characters from `text`, if it has one that long.
pub fn random_han_run(text: &str, rng: &mut Rng, min: usize, max: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_han(chars[i]) {
            let s = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            if i - s >= min {
                runs.push((s, i));
            }
        } else {
            i += 1;
        }
    }
    if runs.is_empty() {
        return None;
    }
    let (s, e) = runs[rng.below(runs.len())];
    let len = min + rng.below(max.min(e - s) - min + 1);
    let start = s + rng.below(e - s - len + 1);
    Some(chars[start..start + len].iter().collect())
}

/// An index in `dir` with the default dictionaries.
pub fn open(dir: &Path) -> SearchIndex {
    SearchIndex::open(&SearchConfig {
        index_dir: dir.to_path_buf(),
        ..SearchConfig::default()
    })
    .expect("open index")
}

pub fn search(idx: &SearchIndex, q: &str) -> SearchResults {
    search_q(
        idx,
        SearchQuery {
            q: q.into(),
            limit: 10,
            ..SearchQuery::default()
        },
    )
}

pub fn search_q(idx: &SearchIndex, q: SearchQuery) -> SearchResults {
    match idx.search(&q) {
        Ok(r) => r,
        Err(e) => panic!("query {:?} failed: {e}", q.q),
    }
}

pub fn ids(r: &SearchResults) -> Vec<i64> {
    r.hits.iter().map(|h| h.id).collect()
}

pub fn doc(id: i64, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        id,
        title: title.into(),
        body: body.into(),
        column_slug: "news".into(),
        column_name: "新闻".into(),
        ..SearchDoc::default()
    }
}

/// Articles that compete with the seed for its own words.
pub fn decoys() -> Vec<SearchDoc> {
    vec![
        doc(
            1,
            "同济大学召开主题教育大会",
            "同济大学党委召开主题教育工作会议，学习西迁历史，弘扬奋斗精神。",
        ),
        doc(
            2,
            "交大历史回顾",
            "交大西迁是一段历史。精神的力量。西部的发展需要人才。",
        ),
        doc(3, "融媒体建设", "学校融媒体平台上线，新闻中心改版。"),
        doc(4, "学习交流", "我们学习习近平总书记重要讲话精神。"),
    ]
}

/// A title as a reader remembers it: without its leading 【栏目】 / [栏目] labels.
pub fn strip_label(title: &str) -> String {
    let mut t = title.trim();
    // Leading 【栏目】 / [栏目] labels are not what a reader remembers of a title.
    loop {
        let close = if t.starts_with('【') {
            '】'
        } else if t.starts_with('[') {
            ']'
        } else {
            break;
        };
        match t.find(close) {
            Some(end) => t = t[end + close.len_utf8()..].trim(),
            None => break,
        }
    }
    t.to_string()
}
