//! Knowledge: the people (with their roles), organisations, places and dates each article
//! mentions. Extraction runs beside the requests, never inside one: a change event rings the
//! worker, which reads every article whose knowledge is missing or older than the article (the
//! backlog, kept by the database, so nothing is lost across restarts or nodes). The editors'
//! corrections are applied on every extraction, so they outlive it.

pub mod curation;
pub mod pages;
pub mod state;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rongmei_core::{ArticleEvent, EntityKind, Verdict};
use rongmei_knowledge::{ArticleText, Extractor, Found, Known};
use rongmei_store::{ExtractionSource, NewDate, NewMention};

use crate::app::App;
use crate::error::AppError;
use crate::events::subscriber::Subscriber;
pub use state::KnowledgeState;

/// Raised whenever the extraction rules change, so that the archive is read again with them.
pub const EXTRACTOR_VERSION: i64 = 1;
/// Articles read per round: a round's writes are short, so pages keep answering.
const BATCH: i64 = 100;
/// How often the worker looks at the backlog without being rung (changes made on other nodes).
const SWEEP: Duration = Duration::from_secs(20);

/// Rings the extraction worker for every change the feed reports, here or on another node.
pub(crate) struct KnowledgeBell(pub(crate) App);

impl Subscriber for KnowledgeBell {
    fn name(&self) -> &'static str {
        "knowledge"
    }

    async fn handle(&self, _events: &[ArticleEvent]) -> Result<(), AppError> {
        self.0.knowledge().bell.notify_one();
        Ok(())
    }
}

/// What one article mentions after the editors' corrections: the rows to store.
pub(crate) fn corrected(
    state: &KnowledgeState,
    found: Found,
    corrections: &[rongmei_store::Correction],
) -> (Vec<NewMention>, Vec<NewDate>) {
    let verdict_of = |kind: EntityKind, written: &str| {
        corrections
            .iter()
            .find(|c| c.kind == kind && c.written == written)
    };
    let mut mentions = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |kind: EntityKind, name: String, roles: Vec<String>, evidence: String| {
        let (origin, roles) = match verdict_of(kind, &name) {
            Some(c) if c.verdict == Verdict::Rejected => return,
            Some(c) if !c.roles.is_empty() => (c.verdict.as_str(), c.roles.clone()),
            Some(c) => (c.verdict.as_str(), roles),
            None => ("extracted", roles),
        };
        if seen.insert((kind, name.clone())) {
            mentions.push(NewMention {
                kind,
                canonical: state.canonical(kind, &name),
                written: name,
                roles,
                evidence,
                origin,
            });
        }
    };
    for p in found.people {
        push(EntityKind::Person, p.name, p.roles, p.evidence);
    }
    for o in found.organizations {
        push(EntityKind::Organization, o.name, Vec::new(), o.evidence);
    }
    for p in found.places {
        push(EntityKind::Place, p.name, Vec::new(), p.evidence);
    }
    // What editors vouched for stays even where extraction no longer finds it.
    for c in corrections
        .iter()
        .filter(|c| c.verdict != Verdict::Rejected)
    {
        push(c.kind, c.written.clone(), c.roles.clone(), String::new());
    }
    let dates = found
        .dates
        .into_iter()
        .map(|d| NewDate {
            date: d.date.format("%Y-%m-%d").to_string(),
            written: d.text,
            evidence: d.evidence,
        })
        .collect();
    (mentions, dates)
}

/// The text the extractor reads: title, body, and the structured bylines as the body would
/// write them (`撰稿：王明`).
fn text_of(src: &ExtractionSource) -> String {
    let mut body = src.body_text.clone();
    for (role, name) in &src.bylines {
        body.push('\n');
        body.push_str(role);
        body.push('：');
        body.push_str(name);
    }
    body
}

impl App {
    /// The extractor, rebuilt when editors have confirmed or added names since it was built.
    async fn extractor(&self) -> Result<Arc<Extractor>, AppError> {
        let known = self.store().known_names().await?;
        let mut slot = self.knowledge().extractor.lock().await;
        if let Some((k, e)) = slot.as_ref()
            && *k == known
        {
            return Ok(e.clone());
        }
        let mut names = Known::default();
        for (kind, name) in &known {
            match kind {
                EntityKind::Person => names.people.push(name.clone()),
                EntityKind::Organization => names.organizations.push(name.clone()),
                EntityKind::Place => names.places.push(name.clone()),
            }
        }
        let built = Arc::new(tokio::task::spawn_blocking(move || Extractor::new(names)).await?);
        *slot = Some((known, built.clone()));
        Ok(built)
    }

    /// Extracts (again) what these articles mention and stores it with the editors'
    /// corrections applied. Returns how many articles were read.
    pub async fn extract_knowledge(&self, ids: &[i64]) -> Result<usize, AppError> {
        let sources = self.store().extraction_sources(ids).await?;
        let extractor = self.extractor().await?;
        let texts: Vec<(ExtractionSource, String)> = sources
            .into_iter()
            .map(|s| {
                let t = text_of(&s);
                (s, t)
            })
            .collect();
        let found = tokio::task::spawn_blocking(move || {
            texts
                .into_iter()
                .map(|(s, body)| {
                    let found = extractor.extract(&ArticleText {
                        title: &s.title,
                        body: &body,
                        published: s.published,
                    });
                    (s, found)
                })
                .collect::<Vec<_>>()
        })
        .await?;
        let n = found.len();
        for (src, found) in found {
            let corrections = self.store().corrections_of(src.id).await?;
            let (mentions, dates) = corrected(self.knowledge(), found, &corrections);
            self.store()
                .replace_article_knowledge(
                    src.id,
                    src.version,
                    EXTRACTOR_VERSION,
                    &mentions,
                    &dates,
                )
                .await?;
            self.notify(src.id);
        }
        Ok(n)
    }

    /// Reads every article whose knowledge is missing or out of date; `progress` is told after
    /// each batch how many were read. Stops early when the node stops.
    pub async fn extract_backlog(
        &self,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<usize, AppError> {
        let _round = self.knowledge().round.lock().await;
        let mut done = 0;
        loop {
            if self.stopping().is_cancelled() {
                break;
            }
            let ids = self
                .store()
                .knowledge_backlog(EXTRACTOR_VERSION, BATCH)
                .await?;
            if ids.is_empty() {
                break;
            }
            let n = self.extract_knowledge(&ids).await?;
            done += n;
            progress(done);
            if n == 0 {
                // Articles in the backlog that can no longer be read (deleted meanwhile).
                break;
            }
        }
        Ok(done)
    }

    /// How many articles wait for extraction.
    pub async fn knowledge_backlog_len(&self) -> Result<usize, AppError> {
        Ok(self
            .store()
            .knowledge_backlog(EXTRACTOR_VERSION, i64::MAX)
            .await?
            .len())
    }

    /// Reads the whole archive again (`rongmei knowledge extract --all`).
    pub async fn forget_knowledge(&self) -> Result<(), AppError> {
        Ok(self.store().forget_knowledge_state().await?)
    }

    /// The worker: reads the backlog when rung, and every [`SWEEP`] for changes it was not
    /// told of.
    pub(crate) async fn knowledge_worker(self) {
        loop {
            if let Err(e) = self.extract_backlog(&|_| {}).await {
                tracing::warn!(error = %e, "extracting knowledge failed; will retry");
            }
            tokio::select! {
                _ = self.stopping().cancelled() => break,
                _ = self.knowledge().bell.notified() => {}
                _ = tokio::time::sleep(SWEEP) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rongmei_knowledge::{FoundName, FoundPerson};
    use rongmei_store::Correction;

    fn person(name: &str, roles: &[&str]) -> FoundPerson {
        FoundPerson {
            name: name.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            evidence: format!("{name}出席"),
        }
    }

    #[test]
    fn corrections_reject_confirm_and_add_over_what_extraction_found() {
        let state = KnowledgeState::new("西安交大 = 西安交通大学 = 交大\n");
        let found = Found {
            people: vec![person("成进", &["部长"]), person("成进表", &[])],
            organizations: vec![FoundName {
                name: "交大".into(),
                evidence: "交大".into(),
            }],
            ..Found::default()
        };
        let corrections = vec![
            Correction {
                kind: EntityKind::Person,
                written: "成进表".into(),
                verdict: Verdict::Rejected,
                roles: vec![],
            },
            Correction {
                kind: EntityKind::Person,
                written: "杨晓".into(),
                verdict: Verdict::Added,
                roles: vec!["党委副书记".into()],
            },
            Correction {
                kind: EntityKind::Person,
                written: "成进".into(),
                verdict: Verdict::Confirmed,
                roles: vec![],
            },
        ];
        let (m, _) = corrected(&state, found, &corrections);
        let names: Vec<(&str, &str, &str)> = m
            .iter()
            .map(|m| (m.written.as_str(), m.canonical.as_str(), m.origin))
            .collect();
        assert_eq!(
            names,
            [
                ("成进", "成进", "confirmed"),
                ("交大", "西安交通大学", "extracted"),
                ("杨晓", "杨晓", "added"),
            ]
        );
        assert_eq!(
            m[0].roles,
            ["部长"],
            "a confirmation without roles keeps the found ones"
        );
        assert_eq!(m[2].roles, ["党委副书记"]);
    }
}
