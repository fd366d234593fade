//! How long a publication check takes: one 5,000-character article against a 10,000-entry
//! dictionary, then every article of the developer corpus (../shared/corpus/articles.jsonl) when
//! it is present. Plain std timing, so it runs anywhere `cargo bench` does:
//!
//! ```sh
//! cargo bench -p rongmei-checks --bench check
//! ```

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use rongmei_checks::{
    Checker, Dictionaries, ExpressionEntry, HitKind, SensitiveAction, SensitiveEntry, Severity,
    blocks,
};
use rongmei_core::{Body, Byline};

const ENTRIES: usize = 10_000;
const ARTICLE_CHARS: usize = 5_000;
const ITERATIONS: u32 = 300;

/// Deterministic so runs compare; quality does not matter for made-up words.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn hanzi(&mut self, len: usize) -> String {
        (0..len)
            .filter_map(|_| char::from_u32(0x4E00 + self.below(0x9FA5 - 0x4E00) as u32))
            .collect()
    }
}

fn big_dictionary() -> Dictionaries {
    let mut d = Dictionaries::defaults();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    while d.sensitive.len() + d.expressions.len() < ENTRIES {
        let len = 2 + rng.below(3) as usize;
        let word = rng.hanzi(len);
        if rng.below(2) == 0 {
            d.sensitive.push(SensitiveEntry {
                word,
                action: SensitiveAction::Report(if rng.below(10) == 0 {
                    Severity::Block
                } else {
                    Severity::Warn
                }),
                note: None,
            });
        } else {
            let right = rng.hanzi(len);
            d.expressions.push(ExpressionEntry {
                wrong: word,
                right: Some(right),
                note: Some("合成条目".into()),
            });
        }
    }
    d
}

struct Article {
    title: String,
    body: Body,
    tags: Vec<String>,
    bylines: Vec<Byline>,
}

fn read_corpus() -> Option<Vec<Article>> {
    let text = std::fs::read_to_string(rongmei_testkit::shared("corpus/articles.jsonl")?).ok()?;
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let tags = v["tags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let bylines = v["bylines"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|b| match b {
                        serde_json::Value::String(s) => Byline::parse(s),
                        other => serde_json::from_value(other.clone()).ok(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Article {
            title: s("title"),
            body: Body::from_plain_text(&s("body")),
            tags,
            bylines,
        });
    }
    Some(out)
}

/// A 5,000-character body: real paragraphs when the corpus is there, made-up ones otherwise,
/// with a few known mistakes so hits are produced and reported too.
fn sample_article(corpus: Option<&[Article]>) -> Body {
    let mut text = String::new();
    let mut chars = 0;
    let mut paragraphs = corpus.into_iter().flatten().flat_map(|a| {
        a.body
            .to_text()
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let mut rng = XorShift(42);
    let mut n = 0;
    while chars < ARTICLE_CHARS {
        let p = match paragraphs.next() {
            Some(p) => p,
            None => format!("{}，其它{}。", rng.hanzi(60), rng.hanzi(60)),
        };
        n += 1;
        let p = if n % 5 == 0 {
            format!("{p}截止到目前，其 它单位做为代表。")
        } else {
            p
        };
        chars += p.chars().count();
        text.push_str(&p);
        text.push('\n');
    }
    Body::from_plain_text(&text)
}

fn main() {
    let corpus = read_corpus();
    if corpus.is_none() {
        println!("corpus: made-up text instead");
    }

    let t = Instant::now();
    let dict = big_dictionary();
    let big = match Checker::new(&dict) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("building the checker: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "built a {}-entry checker in {:.1} ms ({:.1} MB)",
        big.len(),
        t.elapsed().as_secs_f64() * 1e3,
        big.memory_usage() as f64 / 1e6
    );

    let body = sample_article(corpus.as_deref());
    let chars = body.to_text().chars().count();
    let title = "我校召开其它工作会议";
    let hits = big.check_article(title, &body, &[], &[]);
    // Warm-up, so the first page faults do not count.
    for _ in 0..10 {
        black_box(big.check_article(title, &body, &[], &[]));
    }
    let t = Instant::now();
    for _ in 0..ITERATIONS {
        black_box(big.check_article(black_box(title), black_box(&body), &[], &[]));
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / f64::from(ITERATIONS);
    println!(
        "one {chars}-character article ({} blocks, {} hits), {} entries: {per:.1} µs per article over {ITERATIONS} runs",
        body.blocks.len(),
        hits.len(),
        big.len()
    );

    let Some(articles) = corpus else {
        return;
    };
    let defaults = match Checker::new(&Dictionaries::defaults()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("building the default checker: {e}");
            std::process::exit(1);
        }
    };
    for (name, checker) in [("default", &defaults), ("10,000-entry", &big)] {
        let t = Instant::now();
        let mut total = 0;
        let mut blocked = 0;
        let mut kinds: HashMap<HitKind, usize> = HashMap::new();
        let mut words: HashMap<String, usize> = HashMap::new();
        for a in &articles {
            let hits = checker.check_article(&a.title, &a.body, &a.tags, &a.bylines);
            total += hits.len();
            if blocks(&hits) {
                blocked += 1;
            }
            for h in hits {
                *kinds.entry(h.kind).or_default() += 1;
                *words.entry(h.matched).or_default() += 1;
            }
        }
        let elapsed = t.elapsed();
        let mut top: Vec<(String, usize)> = words.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(10);
        println!(
            "corpus, {name} dictionary: {} articles in {:.1} ms ({:.1} µs per article), {total} hits \
             ({} sensitive, {} expression), {blocked} articles would be blocked; most frequent: {}",
            articles.len(),
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_secs_f64() * 1e6 / articles.len().max(1) as f64,
            kinds.get(&HitKind::Sensitive).copied().unwrap_or(0),
            kinds.get(&HitKind::Expression).copied().unwrap_or(0),
            top.iter()
                .map(|(w, n)| format!("{w}×{n}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
}
