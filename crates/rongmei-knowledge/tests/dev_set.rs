//! The development set as a regression test: the seed article exactly, the whole set against
//! the goals. Skipped when the shared data is absent (fails instead with
//! RONGMEI_REQUIRE_SHARED=1).

use chrono::NaiveDate;
use rongmei_knowledge::evaluation::{GoldArticle, load_dev, score};
use rongmei_knowledge::{Extractor, Known};

fn dev() -> Option<Vec<GoldArticle>> {
    rongmei_testkit::shared("knowledge/dev.jsonl")?;
    Some(load_dev(&rongmei_testkit::shared_dir()).expect("development set loads"))
}

#[test]
fn seed_article_is_extracted_exactly() {
    let Some(dev) = dev() else { return };
    let seed = dev.iter().find(|a| a.source_id == "seed").expect("seed");
    let ex = Extractor::new(Known::default());
    let found = ex.extract(&seed.text());
    assert_eq!(seed.people.len(), 16);
    for (name, roles) in &seed.people {
        let p = found
            .people
            .iter()
            .find(|p| &p.name == name)
            .unwrap_or_else(|| panic!("{name} not found"));
        let mut got = p.roles.clone();
        let mut want = roles.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "roles of {name}");
        assert!(p.evidence.contains(name.as_str()) && p.evidence.chars().count() <= 120);
    }
    for org in ["西安交通大学", "西安交大", "交大"] {
        assert!(
            found.organizations.iter().any(|o| o.name == org),
            "{org} not found as organisation"
        );
    }
    let dates: Vec<NaiveDate> = found.dates.iter().map(|d| d.date).collect();
    let want: Vec<NaiveDate> = ["2023-05-23", "2023-05-26", "2023-05-31"]
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
    assert_eq!(dates, want);
}

#[test]
fn dev_set_meets_the_goals() {
    let Some(dev) = dev() else { return };
    let ex = Extractor::new(Known::default());
    let s = score(&dev, |a| ex.extract(a));
    println!(
        "person F1 {:.3}, role recall {:.3}, organisation F1 {:.3}, place F1 {:.3}, date F1 {:.3}",
        s.person.f1(),
        s.role.recall(),
        s.organization.f1(),
        s.place.f1(),
        s.date.f1()
    );
    assert!(s.person.f1() >= 0.90, "person F1 {}", s.person.f1());
    assert!(s.role.recall() >= 0.80, "role recall {}", s.role.recall());
    assert!(
        s.organization.f1() >= 0.75,
        "organisation F1 {}",
        s.organization.f1()
    );
    assert!(s.date.f1() >= 0.90, "date F1 {}", s.date.f1());
}
