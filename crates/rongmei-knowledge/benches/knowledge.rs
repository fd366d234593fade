//! The committed evaluation: Rongmei's extractor against the jieba part-of-speech baseline on
//! the hand-annotated development set, then extraction speed over the whole corpus and memory.
//!
//! Reproduce with:
//! `cargo bench -p rongmei-knowledge --bench knowledge`

use std::process::ExitCode;
use std::time::Instant;

use rongmei_knowledge::evaluation::{Prf, Scores, load_corpus, load_dev, score};
use rongmei_knowledge::{ArticleText, Extractor, Known};

const COMMAND: &str = "cargo bench -p rongmei-knowledge --bench knowledge";

/// The goals on the development set; the bench fails below them so a regression is caught.
const GOAL_PERSON_F1: f64 = 0.90;
const GOAL_ROLE_RECALL: f64 = 0.80;
const GOAL_ORG_F1: f64 = 0.75;
const GOAL_DATE_F1: f64 = 0.90;
const GOAL_ARTICLES_PER_SEC: f64 = 500.0;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn row(kind: &str, who: &str, p: &Prf) {
    // A system that finds nothing of a kind has no precision to speak of.
    let precision = if p.tp + p.fp == 0 {
        "n/a".to_string()
    } else {
        format!("{:.3}", p.precision())
    };
    println!(
        "| {kind:<12} | {who:<8} | {precision:>9} | {:>6.3} | {:>6.3} | {:>5} | {:>5} | {:>5} |",
        p.recall(),
        p.f1(),
        p.tp,
        p.fp,
        p.fn_
    );
}

fn table(ours: &Scores, base: &Scores) {
    println!("| kind         | system   | precision | recall |     F1 |    tp |    fp |    fn |");
    println!("|--------------|----------|-----------|--------|--------|-------|-------|-------|");
    for (kind, o, b) in [
        ("person", &ours.person, &base.person),
        ("organization", &ours.organization, &base.organization),
        ("place", &ours.place, &base.place),
        ("role", &ours.role, &base.role),
        ("date", &ours.date, &base.date),
    ] {
        row(kind, "rongmei", o);
        row(kind, "jieba", b);
    }
}

fn main() -> ExitCode {
    if rongmei_testkit::shared("knowledge/dev.jsonl").is_none() {
        return ExitCode::SUCCESS;
    }
    let shared = rongmei_testkit::shared_dir();
    let rss_start = rss_kib();
    let t = Instant::now();
    let ex = Extractor::new(Known::default());
    let build = t.elapsed();
    let rss_built = rss_kib();

    let dev = match load_dev(&shared) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot load the development set: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ours = score(&dev, |a| ex.extract(a));
    let base = score(&dev, |a| ex.jieba_baseline(a));
    println!(
        "Development set: {} articles ({}/knowledge/dev.jsonl), exact string match, micro \
         averages over distinct strings per article.",
        dev.len(),
        shared.display()
    );
    println!(
        "role: tp = gold (person, role) pairs found (recall = role recall); fp = extra roles of \
         gold people (precision = role precision). jieba baseline: tag() with HMM, nr -> person, \
         nt -> organization, ns -> place, no roles; its dates use the same date rule as Rongmei."
    );
    println!();
    table(&ours, &base);

    let corpus = match load_corpus(&shared) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot load the corpus: {e}");
            return ExitCode::FAILURE;
        }
    };
    let texts: Vec<ArticleText<'_>> = corpus
        .iter()
        .map(|a| ArticleText {
            title: &a.title,
            body: &a.body,
            published: a.published(),
        })
        .collect();
    let chars: usize = corpus.iter().map(|a| a.body.chars().count()).sum();
    let t = Instant::now();
    let mut found = 0usize;
    for a in &texts {
        found += ex.extract(a).people.len();
    }
    let single = texts.len() as f64 / t.elapsed().as_secs_f64();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    let chunk = texts.len().div_ceil(threads).max(1);
    let found_par: usize = std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                let ex = &ex;
                s.spawn(move || {
                    part.iter()
                        .map(|a| ex.extract(a).people.len())
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let parallel = texts.len() as f64 / t.elapsed().as_secs_f64();
    let rss_end = rss_kib();
    assert_eq!(found, found_par, "extraction must not depend on threading");

    println!();
    println!(
        "Speed over {} corpus articles ({} body chars): {:.0} articles/s on 1 thread, {:.0} \
         articles/s on {} threads.",
        texts.len(),
        chars,
        single,
        parallel,
        threads
    );
    println!(
        "Memory (VmRSS): {:.1} MiB before building the Extractor, {:.1} MiB after building it \
         ({} ms), {:.1} MiB after extracting the corpus.",
        rss_start as f64 / 1024.0,
        rss_built as f64 / 1024.0,
        build.as_millis(),
        rss_end as f64 / 1024.0
    );
    println!("Reproduce: {COMMAND}");

    let mut failed = Vec::new();
    for (what, value, goal) in [
        ("person F1", ours.person.f1(), GOAL_PERSON_F1),
        ("role recall", ours.role.recall(), GOAL_ROLE_RECALL),
        ("organization F1", ours.organization.f1(), GOAL_ORG_F1),
        ("date F1", ours.date.f1(), GOAL_DATE_F1),
        ("articles/s", parallel, GOAL_ARTICLES_PER_SEC),
    ] {
        if value < goal {
            failed.push(format!("{what} {value:.3} < {goal}"));
        }
    }
    if failed.is_empty() {
        println!("All goals met.");
        ExitCode::SUCCESS
    } else {
        eprintln!("Below goal: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
