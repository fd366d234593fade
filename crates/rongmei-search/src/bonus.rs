//! A query that matches what its required part matches and adds the scores of bonus
//! queries on those documents only.
//!
//! tantivy's `BooleanQuery` puts all its `Should` clauses into one union next to the
//! `Must` clauses. The union is filled window by window (4,096 documents at a time) with
//! every posting of every clause, so a bonus on a common word (学生 in the body) walks its
//! whole posting list even when the required part has a few hundred candidates. Here each
//! bonus is moved forward only to the documents the required part matches and skips
//! through its postings in between: the same scores for far less work.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, Score, SegmentReader, Term};
use tantivy::{DocSet, SeekDangerResult};

#[derive(Debug)]
pub(crate) struct BonusQuery {
    required: Box<dyn Query>,
    bonuses: Vec<Box<dyn Query>>,
}

impl Clone for BonusQuery {
    fn clone(&self) -> Self {
        BonusQuery {
            required: self.required.box_clone(),
            bonuses: self.bonuses.iter().map(|b| b.box_clone()).collect(),
        }
    }
}

impl BonusQuery {
    pub(crate) fn new(required: Box<dyn Query>, bonuses: Vec<Box<dyn Query>>) -> Self {
        BonusQuery { required, bonuses }
    }
}

impl Query for BonusQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let required = self.required.weight(enable_scoring)?;
        // Counting needs no scores, so the bonuses are not even opened.
        if !enable_scoring.is_scoring_enabled() || self.bonuses.is_empty() {
            return Ok(required);
        }
        let bonuses = self
            .bonuses
            .iter()
            .map(|b| b.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(BonusWeight { required, bonuses }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.required.query_terms(visitor);
        for b in &self.bonuses {
            b.query_terms(visitor);
        }
    }
}

struct BonusWeight {
    required: Box<dyn Weight>,
    bonuses: Vec<Box<dyn Weight>>,
}

impl Weight for BonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let required = self.required.scorer(reader, boost)?;
        let mut bonuses = Vec::with_capacity(self.bonuses.len());
        for w in &self.bonuses {
            let s = w.scorer(reader, boost)?;
            // A bonus with no document in this segment would only cost a call per hit.
            if s.doc() != tantivy::TERMINATED {
                bonuses.push(s);
            }
        }
        Ok(Box::new(BonusScorer {
            required,
            bonuses,
            score_cache: None,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let required = self.required.explain(reader, doc)?;
        let mut total = required.value();
        let mut details = vec![required];
        for w in &self.bonuses {
            let mut s = w.scorer(reader, 1.0)?;
            if s.seek(doc) == doc {
                let e = w.explain(reader, doc)?;
                total += e.value();
                details.push(e);
            }
        }
        let mut out = Explanation::new("required + matching bonuses", total);
        for d in details {
            out.add_detail(d);
        }
        Ok(out)
    }
}

struct BonusScorer {
    required: Box<dyn Scorer>,
    bonuses: Vec<Box<dyn Scorer>>,
    score_cache: Option<Score>,
}

impl DocSet for BonusScorer {
    fn advance(&mut self) -> DocId {
        self.score_cache = None;
        self.required.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.score_cache = None;
        self.required.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.score_cache = None;
        self.required.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.required.doc()
    }

    fn size_hint(&self) -> u32 {
        self.required.size_hint()
    }

    fn cost(&self) -> u64 {
        self.required.cost()
    }
}

impl Scorer for BonusScorer {
    fn score(&mut self) -> Score {
        if let Some(score) = self.score_cache {
            return score;
        }
        let doc = self.required.doc();
        let mut score = self.required.score();
        for b in &mut self.bonuses {
            // A bonus already past `doc` has no posting here; seeking it would be wrong.
            if b.doc() <= doc && b.seek(doc) == doc {
                score += b.score();
            }
        }
        self.score_cache = Some(score);
        score
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// Same matches and same scores as the `BooleanQuery` it replaces.
    #[test]
    fn scores_equal_boolean_should() -> tantivy::Result<()> {
        let mut sb = Schema::builder();
        let f = sb.add_text_field("t", STRING);
        let index = Index::create_in_ram(sb.build());
        let mut w = index.writer(15_000_000)?;
        for i in 0..500u32 {
            let mut d = TantivyDocument::default();
            if i % 3 == 0 {
                d.add_text(f, "a");
            }
            if i % 5 == 0 {
                d.add_text(f, "b");
            }
            if i % 7 == 0 {
                d.add_text(f, "c");
            }
            d.add_text(f, "z");
            w.add_document(d)?;
        }
        w.commit()?;
        let searcher = index.reader()?.searcher();
        let term = |s: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, s),
                IndexRecordOption::WithFreqs,
            ))
        };
        let boolean = BooleanQuery::new(vec![
            (Occur::Must, term("a")),
            (Occur::Should, term("b")),
            (Occur::Should, term("c")),
        ]);
        let bonus = BonusQuery::new(term("a"), vec![term("b"), term("c"), term("missing")]);
        let top = || TopDocs::with_limit(500).order_by_score();
        let (n1, a) = searcher.search(&boolean, &(Count, top()))?;
        let (n2, b) = searcher.search(&bonus, &(Count, top()))?;
        assert_eq!(n1, n2);
        assert_eq!(n1, 167);
        let round = |v: Vec<(f32, tantivy::DocAddress)>| {
            v.into_iter()
                .map(|(s, d)| ((s * 1000.0).round() as i64, d))
                .collect::<Vec<_>>()
        };
        assert_eq!(round(a), round(b));
        assert_eq!(searcher.search(&bonus, &Count)?, 167);
        Ok(())
    }
}
