//! The development-set evaluation shared by the benchmark and the integration test: loading the
//! hand-annotated articles and scoring an extractor against them (exact string match, micro
//! averages over distinct strings per article).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::{ArticleText, Found};

/// One annotated article with its text.
#[derive(Debug, Clone)]
pub struct GoldArticle {
    pub source_id: String,
    pub title: String,
    pub body: String,
    pub published: Option<NaiveDate>,
    /// (name, roles)
    pub people: Vec<(String, Vec<String>)>,
    pub organizations: Vec<String>,
    pub places: Vec<String>,
    pub dates: Vec<NaiveDate>,
}

impl GoldArticle {
    pub fn text(&self) -> ArticleText<'_> {
        ArticleText {
            title: &self.title,
            body: &self.body,
            published: self.published,
        }
    }
}

#[derive(Deserialize)]
struct DevLine {
    source_id: String,
    published_at: Option<String>,
    people: Vec<DevPerson>,
    organizations: Vec<String>,
    places: Vec<String>,
    dates: Vec<String>,
}

#[derive(Deserialize)]
struct DevPerson {
    name: String,
    roles: Vec<String>,
}

/// One line of `corpus/articles.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct CorpusArticle {
    pub source_id: String,
    pub title: String,
    pub published_at: Option<String>,
    pub body: String,
}

impl CorpusArticle {
    pub fn published(&self) -> Option<NaiveDate> {
        parse_date(self.published_at.as_deref())
    }
}

fn parse_date(s: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s?.get(..10)?, "%Y-%m-%d").ok()
}

/// Every article of `corpus/articles.jsonl` under `shared`.
pub fn load_corpus(shared: &Path) -> Result<Vec<CorpusArticle>, String> {
    let path = shared.join("corpus/articles.jsonl");
    let data = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

/// The seed article file: `标题:` / `发布日期:` / `浏览次数:` / `正文内容:` then paragraphs.
fn load_seed(path: &Path) -> Result<(String, String), String> {
    let data = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut title = String::new();
    let mut body: Vec<&str> = Vec::new();
    let mut in_body = false;
    for line in data.lines() {
        if in_body {
            if !line.trim().is_empty() {
                body.push(line);
            }
        } else if let Some(t) = line.strip_prefix("标题:") {
            title = t.trim().to_string();
        } else if line.starts_with("正文内容:") {
            in_body = true;
        }
    }
    Ok((title, body.join("\n")))
}

/// The development set under `shared` (`knowledge/dev.jsonl`, bodies from the corpus and seed).
pub fn load_dev(shared: &Path) -> Result<Vec<GoldArticle>, String> {
    let corpus: HashMap<String, CorpusArticle> = load_corpus(shared)?
        .into_iter()
        .map(|a| (a.source_id.clone(), a))
        .collect();
    let path = shared.join("knowledge/dev.jsonl");
    let data = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let d: DevLine = serde_json::from_str(line).map_err(|e| format!("dev.jsonl: {e}"))?;
        let (title, body) = if d.source_id == "seed" {
            let seed_dir = shared.join("seed");
            let entry = fs::read_dir(&seed_dir)
                .map_err(|e| format!("{}: {e}", seed_dir.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .min()
                .ok_or("no seed article")?;
            load_seed(&entry)?
        } else {
            let a = corpus
                .get(&d.source_id)
                .ok_or_else(|| format!("{} not in corpus", d.source_id))?;
            (a.title.clone(), a.body.clone())
        };
        out.push(GoldArticle {
            published: parse_date(d.published_at.as_deref()),
            source_id: d.source_id,
            title,
            body,
            people: d.people.into_iter().map(|p| (p.name, p.roles)).collect(),
            organizations: d.organizations,
            places: d.places,
            dates: d.dates.iter().filter_map(|s| parse_date(Some(s))).collect(),
        });
    }
    Ok(out)
}

/// True positives, false positives, false negatives.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add<T: Eq + std::hash::Hash>(&mut self, gold: &HashSet<T>, found: &HashSet<T>) {
        self.tp += gold.intersection(found).count();
        self.fp += found.difference(gold).count();
        self.fn_ += gold.difference(found).count();
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    pub person: Prf,
    pub organization: Prf,
    pub place: Prf,
    pub date: Prf,
    /// (person, role) pairs: tp = gold pairs found, fn = gold pairs missed, fp = found pairs of
    /// gold people that the annotation does not have.
    pub role: Prf,
}

/// Scores of one article's extraction against its annotation.
pub fn score_one(gold: &GoldArticle, found: &Found) -> Scores {
    let mut s = Scores::default();
    let set = |v: &mut dyn Iterator<Item = String>| v.collect::<HashSet<String>>();
    s.person.add(
        &set(&mut gold.people.iter().map(|p| p.0.clone())),
        &set(&mut found.people.iter().map(|p| p.name.clone())),
    );
    s.organization.add(
        &set(&mut gold.organizations.iter().cloned()),
        &set(&mut found.organizations.iter().map(|o| o.name.clone())),
    );
    s.place.add(
        &set(&mut gold.places.iter().cloned()),
        &set(&mut found.places.iter().map(|o| o.name.clone())),
    );
    let gd: HashSet<NaiveDate> = gold.dates.iter().copied().collect();
    let fd: HashSet<NaiveDate> = found.dates.iter().map(|d| d.date).collect();
    s.date.add(&gd, &fd);
    let gold_people: HashSet<&str> = gold.people.iter().map(|p| p.0.as_str()).collect();
    let gr: HashSet<(String, String)> = gold
        .people
        .iter()
        .flat_map(|(n, rs)| rs.iter().map(move |r| (n.clone(), r.clone())))
        .collect();
    let fr: HashSet<(String, String)> = found
        .people
        .iter()
        .filter(|p| gold_people.contains(p.name.as_str()))
        .flat_map(|p| p.roles.iter().map(move |r| (p.name.clone(), r.clone())))
        .collect();
    s.role.add(&gr, &fr);
    s
}

/// Micro-averaged scores of `extract` over the whole set.
pub fn score(gold: &[GoldArticle], extract: impl Fn(&ArticleText<'_>) -> Found) -> Scores {
    let mut total = Scores::default();
    for g in gold {
        let s = score_one(g, &extract(&g.text()));
        for (t, x) in [
            (&mut total.person, s.person),
            (&mut total.organization, s.organization),
            (&mut total.place, s.place),
            (&mut total.date, s.date),
            (&mut total.role, s.role),
        ] {
            t.tp += x.tp;
            t.fp += x.fp;
            t.fn_ += x.fn_;
        }
    }
    total
}
