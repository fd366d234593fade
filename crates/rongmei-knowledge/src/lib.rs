//! Knowledge extraction: who, which organisation, where and when, from the plain text of an
//! article. Pure functions over text; the application stores, corrects and publishes the result.
//!
//! Rules and lexicons carry the extraction (university news is regular: titles and appositives
//! around names, bylines, organisation names built from known heads); jieba supplies word
//! boundaries and rejects names that are really common words.

use std::collections::{HashMap, HashSet};

use aho_corasick::AhoCorasick;
use chrono::NaiveDate;
use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};

mod bylines;
mod dates;
pub mod evaluation;
mod lexicon;
mod orgs;
mod people;
mod phrase;
mod places;
mod roles;
mod text;

use lexicon::{Lexicon, automaton};
use orgs::OrgRules;
use people::PeopleRules;
use phrase::{PhraseRules, Toks};
use roles::RoleCtx;
use text::Doc;

/// The text of one article as the extractor reads it.
#[derive(Debug, Clone, Copy)]
pub struct ArticleText<'a> {
    pub title: &'a str,
    /// Plain text, paragraphs joined by `\n`.
    pub body: &'a str,
    /// The publish date: the year for dates written without one (5月23日).
    pub published: Option<NaiveDate>,
}

/// What one article mentions, each list in order of first appearance, each name once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub people: Vec<FoundPerson>,
    pub organizations: Vec<FoundName>,
    pub places: Vec<FoundName>,
    pub dates: Vec<FoundDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundPerson {
    pub name: String,
    /// Each role once, exactly as written, in order of appearance.
    pub roles: Vec<String>,
    /// The sentence of the first mention, for editors.
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundName {
    pub name: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundDate {
    pub date: NaiveDate,
    /// As written (5月23日, 6月22日至23日).
    pub text: String,
    pub evidence: String,
}

/// Names editors confirmed or added: recognised in every later article even where the rules
/// would not find them.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub people: Vec<String>,
    pub organizations: Vec<String>,
    pub places: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Person,
    Organization,
    Place,
}

/// Built once (dictionaries loaded), shared by every extraction.
pub struct Extractor {
    jieba: Jieba,
    lex: Lexicon,
    phrase: PhraseRules,
    orgs: OrgRules,
    /// Known names, longest first wins; `known_kinds[pattern]` says which kind.
    known: Option<AhoCorasick>,
    known_kinds: Vec<(Kind, String)>,
}

impl Extractor {
    pub fn new(known: Known) -> Self {
        let mut known_kinds = Vec::new();
        let mut seen = HashSet::new();
        for (kind, list) in [
            (Kind::Person, &known.people),
            (Kind::Organization, &known.organizations),
            (Kind::Place, &known.places),
        ] {
            for name in list {
                let name = name.trim();
                if !name.is_empty() && seen.insert(name.to_string()) {
                    known_kinds.push((kind, name.to_string()));
                }
            }
        }
        let pats: Vec<String> = known_kinds.iter().map(|(_, n)| n.clone()).collect();
        Self {
            jieba: Jieba::new(),
            lex: Lexicon::load(),
            phrase: PhraseRules::new(),
            orgs: OrgRules::new(),
            known: automaton(&pats),
            known_kinds,
        }
    }

    pub fn extract(&self, text: &ArticleText<'_>) -> Found {
        let doc = Doc::new(text.title, text.body);
        let toks = Toks::new(&doc, self.jieba.tag(&doc.text, true));
        let known = self.known_mentions(&doc);

        let people_rules = PeopleRules {
            lex: &self.lex,
            jieba: &self.jieba,
        };
        let found_people = people_rules.find(&doc, &toks);
        let spans = self.orgs.find(&doc, &toks, &self.lex, &self.phrase);

        // People: the accepted names plus known ones; a name only ever seen inside an
        // organisation name (张振武小学) is not a person mention.
        let mut names: Vec<(String, Vec<(usize, String)>)> = found_people.names.clone();
        for (kind, s, e) in &known {
            if *kind == Kind::Person {
                let name = doc.slice(*s, *e);
                if !names.iter().any(|(n, _)| *n == name) {
                    names.push((name, Vec::new()));
                }
            }
        }
        let mut person_mask = vec![false; doc.len()];
        let mut person_mentions: Vec<(usize, usize, usize)> = Vec::new();
        for (idx, (name, _)) in names.iter().enumerate() {
            for m in people_rules.mentions(&doc, name) {
                let inside_org = spans
                    .orgs
                    .iter()
                    .any(|&(s, e)| s <= m.start && m.end <= e && (s, e) != (m.start, m.end));
                if inside_org || person_mask[m.start..m.end].iter().any(|b| *b) {
                    continue;
                }
                person_mask[m.start..m.end]
                    .iter_mut()
                    .for_each(|b| *b = true);
                person_mentions.push((m.start, m.end, idx));
            }
        }
        person_mentions.sort_unstable();

        let role_ctx = RoleCtx {
            doc: &doc,
            toks: &toks,
            lex: &self.lex,
            rules: &self.phrase,
            people: &person_mask,
        };
        let mut people: Vec<(usize, FoundPerson)> = Vec::new();
        let mut index: HashMap<usize, usize> = HashMap::new();
        for &(s, e, idx) in &person_mentions {
            let slot = *index.entry(idx).or_insert_with(|| {
                people.push((
                    s,
                    FoundPerson {
                        name: names[idx].0.clone(),
                        roles: Vec::new(),
                        evidence: doc.evidence(s, e),
                    },
                ));
                people.len() - 1
            });
            let mut roles = role_ctx.roles(s, e);
            roles.sort_by_key(|(p, _)| *p);
            let person = &mut people[slot].1;
            for (_, role) in roles {
                for part in role.split('兼') {
                    let part = part.trim();
                    if !part.is_empty() && !person.roles.iter().any(|r| r == part) {
                        person.roles.push(part.to_string());
                    }
                }
            }
        }
        // A role before the first name of a list belongs to every name of it.
        for list in &found_people.lists {
            let Some(&(fs, _)) = list.first() else {
                continue;
            };
            let shared = role_ctx.before(fs);
            for &(s, e) in list.iter().skip(1) {
                let name = doc.slice(s, e);
                if let Some((_, p)) = people.iter_mut().find(|(_, p)| p.name == name) {
                    for (_, role) in &shared {
                        if !p.roles.iter().any(|r| r == role) {
                            p.roles.push(role.clone());
                        }
                    }
                }
            }
        }
        // Byline labels attach to names that may not have a rule mention at that position.
        for (idx, (_, label_roles)) in names.iter().enumerate() {
            if let Some(&slot) = index.get(&idx) {
                let person = &mut people[slot].1;
                for (_, role) in label_roles {
                    if !person.roles.iter().any(|r| r == role) {
                        person.roles.push(role.clone());
                    }
                }
            }
        }
        people.sort_by_key(|(p, _)| *p);

        // Organisations and places: rule spans plus known names, outside people.
        let mut org_spans: Vec<(usize, usize)> = spans
            .orgs
            .iter()
            .copied()
            .filter(|&(s, e)| !person_mask[s..e].iter().all(|b| *b))
            .collect();
        let mut taken = person_mask.clone();
        for (kind, s, e) in &known {
            if *kind == Kind::Organization {
                org_spans.push((*s, *e));
            }
        }
        for &(s, e) in &org_spans {
            taken[s..e].iter_mut().for_each(|b| *b = true);
        }
        for &(s, e) in &spans.venues {
            taken[s..e].iter_mut().for_each(|b| *b = true);
        }
        let mut place_spans = places::find(&doc, &toks, &self.lex, &taken, &spans.venues);
        for (kind, s, e) in &known {
            if *kind == Kind::Place {
                place_spans.push((*s, *e));
            }
        }
        let organizations = names_in_order(&doc, org_spans);
        let places = names_in_order(&doc, place_spans);

        let dates = found_dates(&doc, text.published);
        Found {
            people: people.into_iter().map(|(_, p)| p).collect(),
            organizations,
            places,
            dates,
        }
    }

    /// Every occurrence of a known name, as (kind, start, end) in chars.
    fn known_mentions(&self, doc: &Doc) -> Vec<(Kind, usize, usize)> {
        let Some(ac) = &self.known else {
            return Vec::new();
        };
        ac.find_iter(&doc.text)
            .filter_map(|m| {
                let (kind, _) = self.known_kinds.get(m.pattern().as_usize())?;
                let s = doc.byte_to_char[m.start()] as usize;
                let e = doc.byte_to_char[m.end()] as usize;
                Some((*kind, s, e))
            })
            .collect()
    }

    /// The jieba part-of-speech baseline: nr → person, nt → organisation, ns → place; dates
    /// by the same date rule as the extractor. For comparison in the evaluation only.
    pub fn jieba_baseline(&self, text: &ArticleText<'_>) -> Found {
        let doc = Doc::new(text.title, text.body);
        let mut people: Vec<FoundPerson> = Vec::new();
        let mut orgs: Vec<(usize, usize)> = Vec::new();
        let mut places: Vec<(usize, usize)> = Vec::new();
        for t in self.jieba.tag(&doc.text, true) {
            if t.word.chars().count() < 2 {
                continue;
            }
            match t.tag {
                "nr" if !people.iter().any(|p| p.name == t.word) => {
                    people.push(FoundPerson {
                        name: t.word.to_string(),
                        roles: Vec::new(),
                        evidence: doc.evidence(t.start, t.end),
                    });
                }
                "nt" => orgs.push((t.start, t.end)),
                "ns" => places.push((t.start, t.end)),
                _ => {}
            }
        }
        let dates = found_dates(&doc, text.published);
        Found {
            people,
            organizations: names_in_order(&doc, orgs),
            places: names_in_order(&doc, places),
            dates,
        }
    }
}

/// Distinct names of `spans`, in order of first appearance, with the evidence of that mention.
/// The dates a document gives, each once, in order of first appearance.
fn found_dates(doc: &Doc, published: Option<NaiveDate>) -> Vec<FoundDate> {
    let mut dates: Vec<FoundDate> = Vec::new();
    for hit in dates::find(doc, published) {
        if !dates.iter().any(|d| d.date == hit.date) {
            dates.push(FoundDate {
                date: hit.date,
                text: doc.slice(hit.start, hit.end),
                evidence: doc.evidence(hit.start, hit.end),
            });
        }
    }
    dates
}

fn names_in_order(doc: &Doc, mut spans: Vec<(usize, usize)>) -> Vec<FoundName> {
    spans.sort_unstable();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (s, e) in spans {
        let name = doc.slice(s, e);
        if !name.is_empty() && seen.insert(name.clone()) {
            out.push(FoundName {
                name,
                evidence: doc.evidence(s, e),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
