//! Suggestions at scale, in process: the corpus titles made distinct up to `--titles N`
//! (default 100000), plus people, tags and readers' queries, then prefixes typed as a reader
//! types them (the first characters of a title word, of a name, their pinyin and initials),
//! each timed. Exits non-zero when p99 is 5 ms or more, or when too few prefixes find
//! anything (a wrong answer is not a fast one).
//!
//! Run: `cargo bench -p rongmei-search --bench suggest -- --titles 100000`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{Rng, is_han};
use rongmei_search::{SearchConfig, SearchIndex, SuggestEntry, SuggestKind};

const P99_GOAL_MS: f64 = 5.0;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect();
    let titles_wanted = argv
        .iter()
        .position(|a| a == "--titles")
        .and_then(|i| argv.get(i + 1)?.parse::<usize>().ok())
        .unwrap_or(100_000);
    let prefixes_wanted = 10_000;
    let Some(corpus) = common::corpus() else {
        return Ok(());
    };
    let tmp = tempfile::tempdir()?;
    let idx = SearchIndex::open(&SearchConfig {
        index_dir: tmp.path().join("index"),
        ..SearchConfig::default()
    })?;

    // Distinct titles: a replicated title gets the round it came in, as a series would.
    let mut entries: Vec<SuggestEntry> = (0..titles_wanted)
        .map(|i| {
            let d = &corpus[i % corpus.len()];
            let round = i / corpus.len();
            SuggestEntry {
                text: if round == 0 {
                    d.title.clone()
                } else {
                    format!("{}（{}）", d.title, round + 1)
                },
                kind: SuggestKind::Title,
                url: Some(format!("/articles/{}", i + 1)),
                weight: (titles_wanted - i) as u64,
            }
        })
        .collect();
    // People, tags and readers' queries: names and runs cut from the titles.
    let mut rng = Rng::new(7);
    let mut cut = |min: usize, max: usize| -> Option<String> {
        let d = &corpus[rng.below(corpus.len())];
        common::random_han_run(&d.title, &mut rng, min, max)
    };
    for (kind, n, min, max) in [
        (SuggestKind::Person, 5_000, 2, 3),
        (SuggestKind::Tag, 2_000, 2, 4),
        (SuggestKind::Query, 5_000, 2, 6),
    ] {
        for k in 0..n {
            if let Some(text) = cut(min, max) {
                entries.push(SuggestEntry {
                    text,
                    kind,
                    url: None,
                    weight: (k % 97) as u64,
                });
            }
        }
    }
    let total_entries = entries.len();

    let before = rss_kb();
    let t = Instant::now();
    let suggester = idx.suggester(entries);
    let build_s = t.elapsed().as_secs_f64();
    let memory_mb = rss_kb().saturating_sub(before) as f64 / 1024.0;

    let mut rng = Rng::new(11);
    let mut prefixes: Vec<String> = Vec::with_capacity(prefixes_wanted);
    // Readers begin typing at the start of a word: the first one to three characters of a
    // word of a title, as jieba cuts it.
    let jieba = jieba_rs::Jieba::new();
    while prefixes.len() < prefixes_wanted {
        let d = &corpus[rng.below(corpus.len())];
        let words: Vec<&str> = jieba
            .cut(&d.title, false)
            .into_iter()
            .map(|t| t.word)
            .filter(|w| w.chars().count() >= 2 && w.chars().all(is_han))
            .collect();
        if words.is_empty() {
            continue;
        }
        let word = words[rng.below(words.len())];
        let n = 1 + rng.below(3);
        prefixes.push(word.chars().take(n).collect());
    }
    // Latin prefixes: syllables and initials readers type for common words.
    let latin = [
        "x", "xi", "xiq", "xiqian", "jiaoda", "xajd", "zhuti", "ztjy", "chengj", "cj", "xuesheng",
        "xs", "jiaoyu", "keyan", "rengong", "rgzn", "daxue", "dx", "ch", "sh",
    ];
    for i in 0..prefixes_wanted / 5 {
        prefixes.push(latin[i % latin.len()].to_string());
    }

    // Warm-up with other prefixes, so page faults of the first touches are not timed.
    for p in prefixes.iter().rev().take(500) {
        std::hint::black_box(suggester.suggest(p, 10));
    }
    let mut times = Vec::with_capacity(prefixes.len());
    let mut answered = 0usize;
    for p in &prefixes {
        let t = Instant::now();
        let got = suggester.suggest(p, 10);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        answered += usize::from(!got.is_empty());
    }
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let share = answered as f64 / prefixes.len() as f64;

    println!("suggestions in process (rongmei-search Suggester)");
    println!(
        "  entries: {total_entries} ({titles_wanted} distinct titles, 5000 people, 2000 tags, 5000 queries)"
    );
    println!("  build: {build_s:.2} s, memory: +{memory_mb:.0} MB RSS");
    println!(
        "  {} prefixes (first 1–3 characters of title words, pinyin, initials): p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        times[times.len() - 1]
    );
    println!(
        "  prefixes with at least one suggestion: {:.1}%",
        share * 100.0
    );
    println!("  goal: p99 < {P99_GOAL_MS} ms");
    println!(
        "  reproduce: cargo bench -p rongmei-search --bench suggest -- --titles {titles_wanted}"
    );
    if pct(0.99) >= P99_GOAL_MS {
        eprintln!(
            "FAIL: p99 {:.3} ms is not under {P99_GOAL_MS} ms",
            pct(0.99)
        );
        std::process::exit(1);
    }
    if share < 0.9 {
        eprintln!(
            "FAIL: only {:.1}% of prefixes found anything",
            share * 100.0
        );
        std::process::exit(1);
    }
    Ok(())
}
