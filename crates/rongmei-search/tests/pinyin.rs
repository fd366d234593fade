//! Pinyin: a query typed without a Chinese input method finds the Chinese it spells, below
//! every match of the query as typed; a query with no full match says what was meant.

mod common;

use common::{SEED_ID, decoys, doc, ids, open, search, seed};
use rongmei_search::{MatchTier, SearchDoc, SearchIndex};

fn seeded(dir: &std::path::Path) -> SearchIndex {
    let idx = open(dir);
    let mut docs = decoys();
    docs.push(seed());
    idx.upsert(&docs).expect("upsert");
    idx
}

#[test]
fn full_pinyin_joined_or_apart_finds_the_seed_by_its_body() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = seeded(tmp.path());
    // 西迁精神 is in the seed's body only: bodies are matched word by word.
    for q in ["xiqian jingshen", "xiqianjingshen", "XiQian JingShen"] {
        let r = search(&idx, q);
        assert!(
            ids(&r).iter().take(3).any(|&id| id == SEED_ID),
            "{q} finds the seed in the top 3: {r:#?}"
        );
        let hit = r.hits.iter().find(|h| h.id == SEED_ID).expect("seed hit");
        assert!(hit.pinyin, "{q}: marked as found by pinyin");
        assert_eq!(hit.tier, MatchTier::Partial, "{q}");
        assert_eq!(hit.matched, ["西迁精神"], "{q}: says what it read");
        assert!(
            hit.snippet_html.contains("<mark>西迁"),
            "{q}: {}",
            hit.snippet_html
        );
        assert_eq!(r.full_total, 0, "{q}");
        assert_eq!(r.did_you_mean.as_deref(), Some("西迁精神"), "{q}");
    }
}

#[test]
fn initials_find_titles_and_mark_what_they_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = seeded(tmp.path());
    idx.upsert(&[doc(60, "【专题】弘扬西迁精神", "报告会举行。")])
        .expect("upsert");
    for q in ["xqjs", "xiqian jingshen", "hongyang xiqian"] {
        let r = search(&idx, q);
        let hit = r.hits.iter().find(|h| h.id == 60).expect("title hit");
        assert!(hit.pinyin);
        assert!(hit.title_html.contains("<mark>"), "{q}: {}", hit.title_html);
    }
    // The title read as xqjs first; then what its Chinese finds (the seed's body).
    let r = search(&idx, "xqjs");
    assert_eq!(ids(&r), vec![60, SEED_ID]);
    assert_eq!(r.hits[0].matched, ["西迁精神"]);
    assert!(r.hits[0].title_html.contains("<mark>西迁精神</mark>"));
}

#[test]
fn pinyin_matches_rank_below_matches_of_the_query_as_typed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = seeded(tmp.path());
    idx.upsert(&[doc(
        50,
        "Xiqian jingshen: an English lecture",
        "The words xiqian and jingshen, written in Latin letters.",
    )])
    .expect("upsert");
    let r = search(&idx, "xiqian jingshen");
    assert_eq!(ids(&r).first(), Some(&50), "{r:#?}");
    assert_eq!(r.hits[0].tier, MatchTier::Full);
    assert!(!r.hits[0].pinyin);
    assert!(ids(&r).contains(&SEED_ID));
    assert_eq!(r.total, r.hits.len());
    // No "did you mean" when the query found what it said.
    assert_eq!(r.did_you_mean, None);
}

#[test]
fn polyphones_are_spelled_as_their_word_reads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[
        doc(1, "中国银行走进校园", "招聘宣讲。"),
        doc(2, "重庆校友会成立", "校友相聚。"),
    ])
    .expect("upsert");
    assert_eq!(ids(&search(&idx, "yinhang")), vec![1]);
    assert!(ids(&search(&idx, "yinxing")).is_empty());
    assert_eq!(ids(&search(&idx, "chongqing")), vec![2]);
    assert!(ids(&search(&idx, "zhongqing")).is_empty());
}

#[test]
fn people_tags_and_columns_are_found_by_pinyin_too() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[SearchDoc {
        tags: vec!["主题教育".into()],
        bylines: vec!["成进".into()],
        ..doc(7, "学习会议举行", "会议在西安举行。")
    }])
    .expect("upsert");
    for q in ["chengjin", "zhuti jiaoyu", "ztjy", "xinwen"] {
        let r = search(&idx, q);
        assert_eq!(ids(&r), vec![7], "{q}");
        // Nothing in the title to show: the match was a name or a tag.
        assert!(r.hits[0].matched.is_empty(), "{q}");
    }
}

#[test]
fn a_mistyped_chinese_word_gets_the_word_that_sounds_the_same() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = seeded(tmp.path());
    let r = search(&idx, "西迁精深");
    assert_eq!(r.full_total, 0);
    assert_eq!(r.did_you_mean.as_deref(), Some("西迁精神"));
    // A query that finds what it says has no suggestion.
    assert_eq!(search(&idx, "西迁精神").did_you_mean, None);
    // Nor does one nothing sounds like.
    assert_eq!(search(&idx, "量子纠缠").did_you_mean, None);
}

#[test]
fn quoted_phrases_and_exclusions_never_read_as_pinyin() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = seeded(tmp.path());
    let r = search(&idx, "\"xiqian\"");
    assert!(r.hits.iter().all(|h| !h.pinyin), "{r:#?}");
    let r = search(&idx, "xiqian -jingshen");
    assert!(r.hits.iter().all(|h| !h.pinyin), "{r:#?}");
}
