//! The second tier of a search: articles that hold most of the words that matter but not all
//! of them, offered after every full match.

use tantivy::query::{BooleanQuery, Occur, Query};

use crate::query::{Filters, ParsedQuery, QueryTerm, constraints, term_clause};
use crate::schema::Fields;

/// The second tier: articles that match most of the words that matter. It matches every full
/// match too (the caller leaves those out: an exclusion of phrase scorers trips tantivy's
/// seek order). `None` when there is nothing to relax (fewer than two such words). Phrases,
/// exclusions and filters stay strict; BM25 weighs each word by its rarity.
pub(crate) fn build_partial(
    parsed: &ParsedQuery,
    f: &Fields,
    filters: &Filters<'_>,
) -> Option<Box<dyn Query>> {
    let words: Vec<&QueryTerm> = parsed.terms.iter().filter(|t| !t.optional).collect();
    if words.len() < 2 {
        return None;
    }
    let mut ignored = Vec::new();
    let each: Vec<Box<dyn Query>> = words
        .iter()
        .take(PARTIAL_WORDS)
        .filter_map(|t| term_clause(t, f, &mut ignored))
        .collect();
    // "At least half of the words" as a union of conjunctions, one per choice of that many:
    // a document holding more of the words meets more of them and scores higher.
    let most = each.len().div_ceil(2);
    let any_most: Vec<(Occur, Box<dyn Query>)> = choices(each.len(), most)
        .into_iter()
        .map(|pick| {
            let all: Vec<(Occur, Box<dyn Query>)> = pick
                .into_iter()
                .map(|i| (Occur::Must, each[i].box_clone()))
                .collect();
            (
                Occur::Should,
                Box::new(BooleanQuery::new(all)) as Box<dyn Query>,
            )
        })
        .collect();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(BooleanQuery::new(any_most)))];
    // Phrases, exclusions and filters as the full tier has them, without its scoring-only
    // wrapper (whose scorer only moves forward one document at a time, as a leading clause).
    clauses.extend(constraints(parsed, f, filters, &mut ignored));
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The words a partial match is judged on: the first this many (a longer question would make
/// too many choices of half of them).
const PARTIAL_WORDS: usize = 6;

/// Every choice of `k` of `n` indices, in order (k-combinations).
fn choices(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 || k > n {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut pick: Vec<usize> = (0..k).collect();
    loop {
        out.push(pick.clone());
        // The rightmost index that can still move right.
        let Some(i) = (0..k).rev().find(|&i| pick[i] < n - k + i) else {
            return out;
        };
        pick[i] += 1;
        for j in i + 1..k {
            pick[j] = pick[j - 1] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_every_k_of_n() {
        assert_eq!(choices(3, 2), [vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(choices(4, 2).len(), 6);
        assert_eq!(choices(6, 3).len(), 20);
        assert_eq!(choices(2, 1), [vec![0], vec![1]]);
        assert!(choices(2, 3).is_empty());
    }
}
