//! Indexing throughput and search latency at scale: the corpus replicated with distinct
//! ids up to `--docs N` (default 100000), then a mix of queries timed in process.
//!
//! Run: `cargo bench -p rongmei-search --bench latency -- --docs 100000`
//! Flags: `--docs N`, `--queries N` (default 3000), `--upsert-batch N` (index with
//! `upsert` batches of N instead of one `rebuild`), `--mix titles` (only distinct 2–6
//! character runs of titles, the query set of bench/search-http.sh, instead of the
//! default mix), `--index DIR` (keep the index in DIR and reuse it when it already holds
//! N documents, to time queries again without re-indexing).
//!
//! Every answer is cached by the index, so the report gives percentiles over all queries
//! and over the first occurrence of each query (answered from the index itself). The
//! warm-up uses its own queries, so it does not fill the cache for the timed ones.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{Rng, is_han, random_han_run};
use rongmei_search::{SearchConfig, SearchDoc, SearchIndex, SearchQuery, SortOrder};

struct Args {
    docs: usize,
    queries: usize,
    upsert_batch: Option<usize>,
    titles_only: bool,
    index: Option<std::path::PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        docs: 100_000,
        queries: 3000,
        upsert_batch: None,
        titles_only: false,
        index: None,
    };
    let argv: Vec<String> = std::env::args().collect();
    let value = |i: usize| argv.get(i + 1).and_then(|v| v.parse::<usize>().ok());
    for (i, arg) in argv.iter().enumerate() {
        // cargo bench adds `--bench`; anything unknown is ignored the same way.
        match arg.as_str() {
            "--docs" => a.docs = value(i).unwrap_or(a.docs),
            "--queries" => a.queries = value(i).unwrap_or(a.queries),
            "--upsert-batch" => a.upsert_batch = value(i),
            "--mix" => a.titles_only = argv.get(i + 1).is_some_and(|v| v == "titles"),
            "--index" => a.index = argv.get(i + 1).map(std::path::PathBuf::from),
            _ => {}
        }
    }
    a
}

fn replicate(corpus: &[SearchDoc], i: usize) -> SearchDoc {
    let mut d = corpus[i % corpus.len()].clone();
    d.id = i as i64 + 1;
    d
}

/// Distinct runs of 2–6 Han characters cut from titles, typed without quotes: what
/// bench/search-http.sh sends, so nearly every one misses the answer cache.
fn title_runs(corpus: &[SearchDoc], n: usize, seed: u64) -> Vec<SearchQuery> {
    let mut rng = Rng::new(seed);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < n * 100 {
        tries += 1;
        let d = &corpus[rng.below(corpus.len())];
        let Some(run) = random_han_run(&d.title, &mut rng, 2, 6) else {
            continue;
        };
        if seen.insert(run.clone()) {
            out.push(SearchQuery {
                q: run,
                limit: 10,
                ..SearchQuery::default()
            });
        }
    }
    out
}

fn query_mix(
    corpus: &[SearchDoc],
    n: usize,
    jieba: &jieba_rs::Jieba,
    seed: u64,
) -> Vec<SearchQuery> {
    let mut rng = Rng::new(seed);
    let fixed = [
        "西安交大",
        "西迁精神",
        "研究生 -通知",
        "\"党委宣传部\"",
        "新冠肺炎 疫情防控",
        "习近平 总书记",
        "图书馆",
        "学术讲座",
        "奖学金 评选",
        "人工智能",
        "2017",
        "创新创业大赛",
    ];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let d = &corpus[rng.below(corpus.len())];
        let mut q = SearchQuery {
            limit: 10,
            ..SearchQuery::default()
        };
        let roll = rng.below(100);
        q.q = match roll {
            0..=29 => {
                let words = han_words(jieba, &d.title);
                if words.is_empty() {
                    continue;
                }
                let a = rng.below(words.len());
                let b = rng.below(words.len());
                if a == b {
                    words[a].to_string()
                } else {
                    format!("{} {}", words[a.min(b)], words[a.max(b)])
                }
            }
            30..=49 => match random_han_run(&d.body, &mut rng, 6, 10) {
                Some(r) => r,
                None => continue,
            },
            50..=64 => match random_han_run(&d.body, &mut rng, 2, 8) {
                Some(r) => format!("\"{r}\""),
                None => continue,
            },
            65..=79 => {
                let words = han_words(jieba, &d.body);
                if words.is_empty() {
                    continue;
                }
                words[rng.below(words.len())].to_string()
            }
            _ => fixed[rng.below(fixed.len())].to_string(),
        };
        // Some queries also filter or sort, as the search page allows.
        match rng.below(10) {
            0 => q.column = Some(d.column_slug.clone()),
            1 => {
                q.from = Some(1_483_228_800); // 2017-01-01
                q.to = Some(1_672_531_199); // 2022-12-31
            }
            2 => q.sort = SortOrder::Newest,
            3 => q.offset = 10,
            _ => {}
        }
        out.push(q);
    }
    out
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args();
    let Some(corpus) = common::corpus() else {
        return Ok(());
    };
    let tmp = tempfile::tempdir()?;
    let dir = a.index.clone().unwrap_or_else(|| tmp.path().join("index"));
    let t = Instant::now();
    let idx = SearchIndex::open(&SearchConfig {
        index_dir: dir.clone(),
        ..SearchConfig::default()
    })?;
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;

    let t = Instant::now();
    let reuse = a.index.is_some() && !idx.needs_rebuild() && idx.doc_count() == a.docs as u64;
    let mode = match a.upsert_batch {
        _ if reuse => "reused from --index".to_string(),
        None => {
            let mut docs = (0..a.docs).map(|i| replicate(&corpus, i));
            idx.rebuild(&mut docs, &|n| {
                if n % 20_000 == 0 {
                    eprintln!("  indexed {n}");
                }
            })?;
            "rebuild (one commit)".to_string()
        }
        Some(batch) => {
            let batch = batch.max(1);
            let mut start = 0;
            while start < a.docs {
                let end = (start + batch).min(a.docs);
                let docs: Vec<SearchDoc> = (start..end).map(|i| replicate(&corpus, i)).collect();
                idx.upsert(&docs)?;
                start = end;
            }
            format!("upsert batches of {batch}")
        }
    };
    let index_s = t.elapsed().as_secs_f64();
    let count = idx.doc_count();

    // Freshness: one article changed, visible on return.
    let mut fresh = Vec::new();
    for k in 0..20 {
        let mut d = replicate(&corpus, k);
        d.title = format!("{} 更新{k}", d.title);
        let t = Instant::now();
        idx.upsert(&[d])?;
        fresh.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    fresh.sort_by(f64::total_cmp);

    let jieba = jieba_rs::Jieba::new();
    let (warm, queries) = if a.titles_only {
        let mut all = title_runs(&corpus, a.queries + 300, 0x5eed);
        let timed = all.split_off(300.min(all.len()));
        (all, timed)
    } else {
        (
            query_mix(&corpus, 300, &jieba, 0x3a7),
            query_mix(&corpus, a.queries, &jieba, 0x5eed),
        )
    };
    for q in &warm {
        let _ = idx.search(q);
    }
    let mut lat = Vec::with_capacity(queries.len());
    let mut slowest: Vec<(f64, String, usize)> = Vec::new();
    let mut first = Vec::with_capacity(queries.len());
    let mut seen = std::collections::HashSet::new();
    let mut matched = 0usize;
    let mut errors = 0usize;
    let t_all = Instant::now();
    for q in &queries {
        let t = Instant::now();
        let total = match idx.search(q) {
            Ok(r) => r.total,
            Err(_) => {
                errors += 1;
                0
            }
        };
        matched += total;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        slowest.push((ms, q.q.clone(), total));
        slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
        slowest.truncate(5);
        lat.push(ms);
        if seen.insert(q.clone()) {
            first.push(ms);
        }
    }
    let wall = t_all.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    first.sort_by(f64::total_cmp);
    let mean = lat.iter().sum::<f64>() / lat.len().max(1) as f64;
    let first_mean = first.iter().sum::<f64>() / first.len().max(1) as f64;

    println!();
    println!("| metric                         | value |");
    println!("|--------------------------------|-------|");
    println!("| documents                      | {count} |");
    println!("| indexing mode                  | {mode} |");
    println!("| open (jieba + dictionaries)    | {open_ms:.0} ms |");
    if !reuse {
        println!("| indexing time                  | {index_s:.1} s |");
        println!(
            "| indexing rate                  | {:.0} articles/s |",
            a.docs as f64 / index_s
        );
    }
    println!(
        "| index size                     | {:.0} MB |",
        dir_size(&dir) as f64 / 1e6
    );
    println!(
        "| single upsert visible, p50/max | {:.1} / {:.1} ms |",
        pct(&fresh, 0.5),
        pct(&fresh, 1.0)
    );
    println!(
        "| query mix                      | {} |",
        if a.titles_only {
            "distinct 2-6 char title runs"
        } else {
            "mixed (see query_mix)"
        }
    );
    println!("| queries (after 300 warm-up)    | {} |", lat.len());
    println!(
        "| search p50                     | {:.2} ms |",
        pct(&lat, 0.5)
    );
    println!(
        "| search p90                     | {:.2} ms |",
        pct(&lat, 0.9)
    );
    println!(
        "| search p99                     | {:.2} ms |",
        pct(&lat, 0.99)
    );
    println!(
        "| search max                     | {:.2} ms |",
        pct(&lat, 1.0)
    );
    println!("| search mean                    | {mean:.2} ms |");
    println!("| first-seen queries (uncached)  | {} |", first.len());
    println!(
        "| uncached p50 / p90 / p99 / max | {:.2} / {:.2} / {:.2} / {:.2} ms |",
        pct(&first, 0.5),
        pct(&first, 0.9),
        pct(&first, 0.99),
        pct(&first, 1.0)
    );
    println!("| uncached mean                  | {first_mean:.2} ms |");
    println!(
        "| throughput (1 thread)          | {:.0} queries/s |",
        lat.len() as f64 / wall
    );
    println!(
        "| mean matches per query         | {:.0} |",
        matched as f64 / lat.len().max(1) as f64
    );
    println!("| query errors                   | {errors} |");
    if let Some(mb) = peak_rss_mb() {
        println!("| peak RSS                       | {mb:.0} MB |");
    }
    println!();
    println!("slowest queries:");
    for (ms, q, total) in &slowest {
        println!("  {ms:.2} ms  {q:?}  ({total} matches)");
    }
    Ok(())
}

/// jieba words of two or more Han characters: the words a reader would type.
fn han_words<'a>(jieba: &jieba_rs::Jieba, text: &'a str) -> Vec<&'a str> {
    jieba
        .cut(text, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| w.chars().count() >= 2 && w.chars().all(is_han))
        .collect()
}
