//! Known-item benchmark over ../shared/corpus/articles.jsonl, against two SQLite FTS5
//! baselines built in the same run:
//!
//! - FTS5 with the `trigram` tokenizer over the raw title and body: every query becomes
//!   exact substrings of three or more characters, so a query with a shorter word (most
//!   Chinese words have two characters) cannot be expressed and counts as a miss;
//! - FTS5 with the `unicode61` tokenizer over jieba words: title and body folded with
//!   [`rongmei_search::normalize`], cut by jieba in search mode with Rongmei's shipped
//!   dictionary (the campus words and alias names, loaded the way the index loads them)
//!   and stored space-joined; a query is folded and cut in jieba's default mode, as
//!   Rongmei cuts queries. It is run three ways: AND (every word, FTS5's implicit AND),
//!   OR (any word), and AND then OR (the AND hits first, OR hits fill the top 10).
//!
//! Every engine ranks with FTS5's bm25 (title weighted 5, body 1) or its own ranking.
//!
//! For every article: its title (label such as 【主题教育】 removed), 2–3 words of its
//! title, and a 6–10 character run of Han characters from a random paragraph, typed
//! without quotes, the way a reader would (and the same run quoted, for Rongmei; the
//! baselines get the same query in both body rows). A query scores 1/rank of its article
//! in the top 10 (MRR@10) and whether it is there at all (recall@10).
//!
//! Exits 1 when the output cannot be trusted: too few queries of a kind, a Rongmei search
//! error, an engine whose title queries mostly miss (a broken baseline), or a quoted run
//! found in a single article that Rongmei leaves out of its top 10 (the recall promise).
//!
//! Run: `cargo bench -p rongmei-search --bench known_item` (or bench/search/run.sh known).
//! KNOWN_ITEM_MISSES=N prints N of Rongmei's misses; KNOWN_ITEM_DIFF=1 prints the queries
//! where trigram FTS5 ranks the article higher than Rongmei.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{Rng, is_han, random_han_run, strip_label};
use jieba_rs::Jieba;
use rongmei_search::{
    DEFAULT_ALIASES, DEFAULT_USER_DICT, SearchConfig, SearchDoc, SearchIndex, SearchQuery,
    normalize,
};
use rusqlite::{Connection, Statement, params};

const TOP: usize = 10;
const SEED: u64 = 20_240_601;
/// Fewer queries of a kind than this means the generator or the corpus broke.
const MIN_PER_KIND: usize = 100;
/// An engine finding fewer titles than this in its top 10 is broken, not weak.
const MIN_TITLE_RECALL: f64 = 0.5;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Title,
    TitleWords,
    BodyPhrase,
    BodyPhraseQuoted,
}

const KINDS: [Kind; 4] = [
    Kind::Title,
    Kind::TitleWords,
    Kind::BodyPhrase,
    Kind::BodyPhraseQuoted,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Title => "title",
            Kind::TitleWords => "title words (2-3)",
            Kind::BodyPhrase => "body run (6-10 chars)",
            Kind::BodyPhraseQuoted => "same run, quoted",
        }
    }
}

/// The engines in table order.
const ENGINES: [&str; 5] = [
    "rongmei",
    "FTS5 trigram",
    "FTS5 jieba AND",
    "FTS5 jieba OR",
    "FTS5 jieba AND→OR",
];
const OURS: usize = 0;
const TRIGRAM: usize = 1;
const JIEBA_AND: usize = 2;
const JIEBA_OR: usize = 3;
const JIEBA_TIERED: usize = 4;

struct Case {
    kind: Kind,
    target: i64,
    /// What a reader types into our search box.
    ours: String,
    /// The intent without quotes, for the jieba baseline to segment.
    text: String,
    /// The same intent in FTS5 trigram syntax; `None` when trigram FTS5 cannot express it
    /// (a word shorter than three characters).
    fts: Option<String>,
}

#[derive(Default, Clone, Copy)]
struct Score {
    n: usize,
    rr: f64,
    found: usize,
    not_expressible: usize,
    micros: f64,
}

impl Score {
    fn add(&mut self, rank: Option<usize>, micros: f64) {
        self.n += 1;
        self.micros += micros;
        if let Some(r) = rank {
            self.rr += 1.0 / r as f64;
            self.found += 1;
        }
    }
    fn merge(&mut self, s: Score) {
        self.n += s.n;
        self.rr += s.rr;
        self.found += s.found;
        self.micros += s.micros;
        self.not_expressible += s.not_expressible;
    }
    fn mrr(&self) -> f64 {
        self.rr / self.n.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.found as f64 / self.n.max(1) as f64
    }
    fn avg_ms(&self) -> f64 {
        self.micros / 1000.0 / self.n.max(1) as f64
    }
}

fn fts_phrase(s: &str) -> Option<String> {
    (s.chars().count() >= 3).then(|| format!("\"{}\"", s.replace('"', "\"\"")))
}

fn build_cases(docs: &[SearchDoc], jieba: &Jieba) -> Vec<Case> {
    let mut rng = Rng::new(SEED);
    let mut cases = Vec::new();
    for d in docs {
        let title = strip_label(&d.title);
        if title.chars().any(is_han) {
            cases.push(Case {
                kind: Kind::Title,
                target: d.id,
                fts: fts_phrase(&title),
                ours: title.clone(),
                text: title.clone(),
            });
        }

        let words: Vec<&str> = jieba
            .cut(&title, false)
            .into_iter()
            .map(|t| t.word)
            .filter(|w| w.chars().count() >= 2 && w.chars().all(is_han))
            .collect();
        if words.len() >= 2 {
            let want = 2 + rng.below(2).min(words.len() - 2);
            let mut picked: Vec<usize> = Vec::new();
            while picked.len() < want {
                let k = rng.below(words.len());
                if !picked.contains(&k) {
                    picked.push(k);
                }
            }
            picked.sort_unstable();
            let chosen: Vec<&str> = picked.iter().map(|&k| words[k]).collect();
            let fts: Option<Vec<String>> = chosen.iter().map(|w| fts_phrase(w)).collect();
            cases.push(Case {
                kind: Kind::TitleWords,
                target: d.id,
                ours: chosen.join(" "),
                text: chosen.join(" "),
                fts: fts.map(|f| f.join(" ")),
            });
        }

        let paragraphs: Vec<&str> = d.body.lines().filter(|p| p.chars().any(is_han)).collect();
        for _ in 0..4 {
            if paragraphs.is_empty() {
                break;
            }
            let p = paragraphs[rng.below(paragraphs.len())];
            if let Some(run) = random_han_run(p, &mut rng, 6, 10) {
                cases.push(Case {
                    kind: Kind::BodyPhraseQuoted,
                    target: d.id,
                    fts: fts_phrase(&run),
                    ours: format!("\"{run}\""),
                    text: run.clone(),
                });
                cases.push(Case {
                    kind: Kind::BodyPhrase,
                    target: d.id,
                    fts: fts_phrase(&run),
                    ours: run.clone(),
                    text: run,
                });
                break;
            }
        }
    }
    cases
}

/// jieba with Rongmei's shipped dictionary, loaded as `SearchIndex` loads it: folded
/// user-dictionary words (a missing frequency lets jieba compute one that keeps the
/// word whole), then every alias name jieba does not know.
fn shipped_jieba() -> Jieba {
    let mut jieba = Jieba::new();
    for line in DEFAULT_USER_DICT.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let Some(word) = parts.next() else { continue };
        let (freq, tag) = match parts.next() {
            Some(f) => match f.parse::<usize>() {
                Ok(n) => (Some(n), parts.next()),
                Err(_) => (None, Some(f)),
            },
            None => (None, None),
        };
        jieba.add_word(&normalize(word), freq, tag);
    }
    for line in DEFAULT_ALIASES.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let names: Vec<String> = line
            .split(['=', '＝'])
            .map(|n| normalize(n.trim()))
            .filter(|n| !n.is_empty())
            .collect();
        if names.len() < 2 {
            continue;
        }
        for name in names {
            if !jieba.has_word(&name) && name.chars().any(is_han) {
                jieba.add_word(&name, None, None);
            }
        }
    }
    jieba
}

/// Words worth a token: some letter or digit, no surrounding spaces.
fn keep_word(w: &str) -> Option<&str> {
    let w = w.trim();
    w.chars().any(char::is_alphanumeric).then_some(w)
}

/// A document field for the jieba table: folded, cut in search mode, space-joined.
fn doc_words(jieba: &Jieba, text: &str) -> String {
    let folded = normalize(text);
    let words: Vec<&str> = jieba
        .cut_for_search(&folded, true)
        .into_iter()
        .filter_map(|t| keep_word(t.word))
        .collect();
    words.join(" ")
}

/// A query's words as FTS5 strings: folded, cut in default mode, each word once.
fn query_words(jieba: &Jieba, text: &str) -> Vec<String> {
    let folded = normalize(text);
    let mut out: Vec<String> = Vec::new();
    for t in jieba.cut(&folded, true) {
        if let Some(w) = keep_word(t.word) {
            let q = format!("\"{}\"", w.replace('"', "\"\""));
            if !out.contains(&q) {
                out.push(q);
            }
        }
    }
    out
}

fn run_fts(stmt: &mut Statement<'_>, q: &str, limit: usize) -> rusqlite::Result<(Vec<i64>, f64)> {
    let t = Instant::now();
    let ids = stmt
        .query_map(params![q, limit as i64], |row| row.get::<_, i64>(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok((ids, t.elapsed().as_secs_f64() * 1e6))
}

fn rank_of(ids: &[i64], target: i64) -> Option<usize> {
    ids.iter().position(|&i| i == target).map(|p| p + 1)
}

fn print_table(title: &str, scores: &[[Score; 4]; 5], all: &[Score; 5], f: fn(&Score) -> String) {
    println!("{title}");
    println!();
    print!("| query kind              |     n |");
    for e in ENGINES {
        print!(" {e:>17} |");
    }
    println!();
    print!("|-------------------------|-------|");
    for _ in ENGINES {
        print!("-------------------|");
    }
    println!();
    let rows = KINDS
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            (
                kind.name(),
                std::array::from_fn::<Score, 5, _>(|e| scores[e][k]),
            )
        })
        .chain(std::iter::once(("all (first three kinds)", *all)));
    for (name, row) in rows {
        print!("| {name:<23} | {:>5} |", row[OURS].n);
        for s in &row {
            print!(" {:>17} |", f(s));
        }
        println!();
    }
    println!();
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(docs) = common::corpus() else {
        return Ok(());
    };
    let corpus = common::corpus_path().unwrap_or_default();
    println!(
        "known-item benchmark: {} articles from {}",
        docs.len(),
        corpus.display()
    );

    let tmp = tempfile::tempdir()?;
    let idx = SearchIndex::open(&SearchConfig {
        index_dir: tmp.path().join("index"),
        ..SearchConfig::default()
    })?;
    let t = Instant::now();
    idx.rebuild(&mut docs.clone().into_iter(), &|_| {})?;
    let ours_index_s = t.elapsed().as_secs_f64();

    let db = Connection::open_in_memory()?;
    db.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'trigram');
         CREATE VIRTUAL TABLE fts_jieba USING fts5(title, body, tokenize = 'unicode61');",
    )?;
    let t = Instant::now();
    {
        let tx = db.unchecked_transaction()?;
        {
            let mut ins = tx.prepare("INSERT INTO fts(rowid, title, body) VALUES (?1, ?2, ?3)")?;
            for d in &docs {
                ins.execute(params![d.id, d.title, d.body])?;
            }
        }
        tx.commit()?;
    }
    let fts_index_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let seg = shipped_jieba();
    {
        let tx = db.unchecked_transaction()?;
        {
            let mut ins =
                tx.prepare("INSERT INTO fts_jieba(rowid, title, body) VALUES (?1, ?2, ?3)")?;
            for d in &docs {
                ins.execute(params![
                    d.id,
                    doc_words(&seg, &d.title),
                    doc_words(&seg, &d.body)
                ])?;
            }
        }
        tx.commit()?;
    }
    let jieba_index_s = t.elapsed().as_secs_f64();

    let mut trigram_q = db.prepare(
        "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY bm25(fts, 5.0, 1.0) LIMIT ?2",
    )?;
    let mut jieba_q = db.prepare(
        "SELECT rowid FROM fts_jieba WHERE fts_jieba MATCH ?1 \
         ORDER BY bm25(fts_jieba, 5.0, 1.0) LIMIT ?2",
    )?;
    // How many articles contain a body run: trigram FTS5 matches exact substrings.
    let mut count_q = db.prepare("SELECT count(*) FROM fts WHERE fts MATCH ?1")?;

    let jieba = Jieba::new();
    let cases = build_cases(&docs, &jieba);
    // scores[engine][kind]
    let mut scores = [[Score::default(); 4]; 5];
    // Unquoted body runs split by whether the run occurs in one article or several:
    // runs[engine][unique, shared].
    let mut runs = [[Score::default(); 2]; 5];
    let mut ours_errors = 0usize;
    let mut unique_quoted_missed: Vec<String> = Vec::new();
    // KNOWN_ITEM_MISSES=N prints the first N queries whose article is not in our top 10.
    let mut show_misses: usize = std::env::var("KNOWN_ITEM_MISSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let show_diff = std::env::var_os("KNOWN_ITEM_DIFF").is_some();
    for c in &cases {
        let k = KINDS.iter().position(|&x| x == c.kind).unwrap_or(0);
        let mut ranks: [Option<usize>; 5] = [None; 5];

        let t = Instant::now();
        let r = idx.search(&SearchQuery {
            q: c.ours.clone(),
            limit: TOP,
            ..SearchQuery::default()
        });
        let micros = t.elapsed().as_secs_f64() * 1e6;
        let ids: Vec<i64> = match r {
            Ok(r) => r.hits.iter().map(|h| h.id).collect(),
            Err(e) => {
                eprintln!("query {:?}: {e}", c.ours);
                ours_errors += 1;
                Vec::new()
            }
        };
        ranks[OURS] = rank_of(&ids, c.target);
        scores[OURS][k].add(ranks[OURS], micros);
        if show_misses > 0 && ranks[OURS].is_none() {
            show_misses -= 1;
            let deep = idx.search(&SearchQuery {
                q: c.ours.clone(),
                limit: 100,
                ..SearchQuery::default()
            })?;
            let deep_ids: Vec<i64> = deep.hits.iter().map(|h| h.id).collect();
            eprintln!(
                "miss {:?} {:?}: total {}, rank in top 100 {:?}",
                c.kind,
                c.ours,
                deep.total,
                rank_of(&deep_ids, c.target)
            );
        }

        match &c.fts {
            Some(q) => {
                let (ids, micros) = run_fts(&mut trigram_q, q, TOP)?;
                ranks[TRIGRAM] = rank_of(&ids, c.target);
                if show_diff && ranks[TRIGRAM].is_some_and(|r| ranks[OURS].is_none_or(|o| r < o)) {
                    eprintln!(
                        "fts better {:?} {:?}: fts {:?} ours {:?}",
                        c.kind, c.ours, ranks[TRIGRAM], ranks[OURS]
                    );
                }
                scores[TRIGRAM][k].add(ranks[TRIGRAM], micros);
            }
            None => {
                scores[TRIGRAM][k].add(None, 0.0);
                scores[TRIGRAM][k].not_expressible += 1;
            }
        }

        let words = query_words(&seg, &c.text);
        if words.is_empty() {
            for e in [JIEBA_AND, JIEBA_OR, JIEBA_TIERED] {
                scores[e][k].add(None, 0.0);
                scores[e][k].not_expressible += 1;
            }
        } else {
            let (and_ids, and_us) = run_fts(&mut jieba_q, &words.join(" "), TOP)?;
            // Twice the page, so that AND→OR still has ten after dropping the AND hits.
            let (or_ids, or_us) = run_fts(&mut jieba_q, &words.join(" OR "), 2 * TOP)?;
            let mut tiered = and_ids.clone();
            let mut tiered_us = and_us;
            if tiered.len() < TOP {
                tiered_us += or_us;
                for id in &or_ids {
                    if tiered.len() < TOP && !tiered.contains(id) {
                        tiered.push(*id);
                    }
                }
            }
            let or_top = &or_ids[..or_ids.len().min(TOP)];
            for (e, ids, us) in [
                (JIEBA_AND, &and_ids[..], and_us),
                (JIEBA_OR, or_top, or_us),
                (JIEBA_TIERED, &tiered[..], tiered_us),
            ] {
                ranks[e] = rank_of(ids, c.target);
                scores[e][k].add(ranks[e], us);
            }
        }

        if let (Kind::BodyPhrase | Kind::BodyPhraseQuoted, Some(q)) = (c.kind, &c.fts) {
            let containing: i64 = count_q.query_row([q], |row| row.get(0))?;
            if c.kind == Kind::BodyPhrase {
                let split = usize::from(containing > 1);
                for e in 0..ENGINES.len() {
                    runs[e][split].add(ranks[e], 0.0);
                }
            } else if containing == 1 && ranks[OURS].is_none() {
                unique_quoted_missed.push(c.ours.clone());
            }
        }
    }

    let mut all = [Score::default(); 5];
    for e in 0..ENGINES.len() {
        for (k, kind) in KINDS.iter().enumerate() {
            // The quoted row repeats the unquoted runs: "all" counts each article once.
            if *kind != Kind::BodyPhraseQuoted {
                all[e].merge(scores[e][k]);
            }
        }
    }

    println!(
        "queries: per article its title without 【label】, 2-3 of its title's jieba words \
         (2+ Han characters each) and one 6-10 character Han run from a random paragraph \
         (typed plain, then quoted); xorshift seed {SEED}, so every run makes the same {} \
         queries",
        cases.len()
    );
    println!();
    println!(
        "indexing {} articles: rongmei {:.1} s, FTS5 trigram {:.1} s, FTS5 jieba {:.1} s \
         (segmentation included)",
        docs.len(),
        ours_index_s,
        fts_index_s,
        jieba_index_s
    );
    println!();
    print_table(
        "MRR@10 (1/rank of the article in the top 10, 0 when absent):",
        &scores,
        &all,
        |s| format!("{:.4}", s.mrr()),
    );
    print_table(
        "Recall@10 (share of queries with the article in the top 10):",
        &scores,
        &all,
        |s| format!("{:.4}", s.recall()),
    );
    print_table("ms per query:", &scores, &all, |s| {
        format!("{:.2}", s.avg_ms())
    });
    println!(
        "FTS5 trigram can't express (a word under three characters, counted as a miss): {}",
        KINDS
            .iter()
            .enumerate()
            .map(|(k, kind)| format!("{} {}", kind.name(), scores[TRIGRAM][k].not_expressible))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "FTS5 jieba: title and body folded, cut by jieba search mode with Rongmei's shipped \
         dictionary, stored space-joined under the unicode61 tokenizer; queries folded and cut \
         in default mode. AND requires every word, OR any word, AND→OR ranks the AND hits \
         first and fills the top 10 with OR hits; all three rank with bm25(title 5, body 1)."
    );
    println!(
        "The quoted row runs the same runs as exact phrases for rongmei; both FTS5 engines get \
         the same query as in the unquoted row. \"all\" leaves the quoted row out so no \
         article counts twice."
    );
    println!();
    println!("Unquoted body runs by how many articles contain the run (exact substring), MRR@10:");
    println!();
    print!("| run occurs in   |     n |");
    for e in ENGINES {
        print!(" {e:>17} |");
    }
    println!();
    print!("|-----------------|-------|");
    for _ in ENGINES {
        print!("-------------------|");
    }
    println!();
    for (split, label) in ["one article", "2+ articles"].iter().enumerate() {
        print!("| {label:<15} | {:>5} |", runs[OURS][split].n);
        for r in &runs {
            print!(" {:>17.4} |", r[split].mrr());
        }
        println!();
    }
    println!();
    println!(
        "A run shared by several articles names none of them: which one the query was cut \
         from is a coin toss for any ranking, so differences there are mostly luck."
    );
    println!();
    println!(
        "Reproduce: CARGO_TARGET_DIR=/tmp/target-rel cargo bench -p rongmei-search --bench \
         known_item (or bench/search/run.sh known), with {} present.",
        corpus.display()
    );

    let mut failures: Vec<String> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        if scores[OURS][k].n < MIN_PER_KIND {
            failures.push(format!(
                "only {} {} queries (at least {MIN_PER_KIND} expected)",
                scores[OURS][k].n,
                kind.name()
            ));
        }
    }
    if ours_errors > 0 {
        failures.push(format!("{ours_errors} rongmei searches failed"));
    }
    for (e, name) in ENGINES.iter().enumerate() {
        let title = scores[e][0];
        if title.n > 0 && title.recall() < MIN_TITLE_RECALL {
            failures.push(format!(
                "{name} finds only {:.1}% of titles: the engine is broken",
                title.recall() * 100.0
            ));
        }
    }
    if !unique_quoted_missed.is_empty() {
        failures.push(format!(
            "{} quoted runs found in one article only are not in rongmei's top 10, e.g. {:?}",
            unique_quoted_missed.len(),
            &unique_quoted_missed[..unique_quoted_missed.len().min(3)]
        ));
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("FAIL: {f}");
        }
        std::process::exit(1);
    }
    Ok(())
}
