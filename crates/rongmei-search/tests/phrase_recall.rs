//! The recall guarantee: any quoted run of Chinese characters from an article finds it, and the
//! total is exactly the number of articles holding the run (the decoys and the seed, then the
//! developer corpus when ../shared is there).

mod common;

use common::{Rng, corpus, decoys, ids, open, random_han_run, search_q, seed};
use rongmei_search::{SearchDoc, SearchIndex, SearchQuery};

/// Every run of 2..8 Han characters of a title or body, quoted, finds its article, and
/// the total equals the number of articles that really contain the run.
fn check_phrase_recall(idx: &SearchIndex, docs: &[SearchDoc], samples: usize, seed: u64) {
    let folded: Vec<String> = docs
        .iter()
        .map(|d| fold_like_index(&format!("{}\u{1}{}\u{1}{}", d.title, d.body, d.column_name)))
        .collect();
    let mut rng = Rng::new(seed);
    let mut checked = 0;
    while checked < samples {
        let k = rng.below(docs.len());
        let d = &docs[k];
        let source = if rng.below(4) == 0 { &d.title } else { &d.body };
        let Some(run) = random_han_run(source, &mut rng, 2, 8) else {
            continue;
        };
        checked += 1;
        let q = format!("\"{run}\"");
        let needle = fold_like_index(&run);
        let expected = folded.iter().filter(|t| t.contains(&needle)).count();
        let r = search_q(
            idx,
            SearchQuery {
                q: q.clone(),
                limit: 100,
                ..SearchQuery::default()
            },
        );
        assert_eq!(r.total, expected, "total for {q} (doc {})", d.id);
        if expected <= 100 {
            assert!(ids(&r).contains(&d.id), "{q} must return doc {}", d.id);
        }
        // Unquoted, the run still finds its article (every word of it must match, as a
        // word or as characters), and at least every article holding the exact run.
        let r = search_q(
            idx,
            SearchQuery {
                q: run.clone(),
                limit: 100,
                ..SearchQuery::default()
            },
        );
        assert!(
            r.total >= expected,
            "unquoted {run}: {} < {expected}",
            r.total
        );
        if r.total <= 100 {
            assert!(
                ids(&r).contains(&d.id),
                "unquoted {run} must return doc {}",
                d.id
            );
        }
    }
}

fn fold_like_index(s: &str) -> String {
    rongmei_search::normalize(s)
}

#[test]
fn quoted_substrings_always_find_their_article_small() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    let mut docs = decoys();
    docs.push(seed());
    idx.upsert(&docs).expect("upsert");
    check_phrase_recall(&idx, &docs, 300, 7);
}

#[test]
fn quoted_substrings_always_find_their_article_corpus() {
    let Some(docs) = corpus() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.rebuild(&mut docs.clone().into_iter(), &|_| {})
        .expect("rebuild");
    check_phrase_recall(&idx, &docs, 1500, 42);
}
