mod common;

use common::{SEED_ID, corpus, decoys, doc, ids, open, search, search_q, seed};
use rongmei_search::{
    MatchTier, SearchConfig, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults,
    SortOrder,
};

/// The hits that hold every word (the first tier).
fn full_ids(r: &SearchResults) -> Vec<i64> {
    r.hits
        .iter()
        .filter(|h| h.tier == MatchTier::Full)
        .map(|h| h.id)
        .collect()
}

fn assert_seed_checks(idx: &SearchIndex) {
    // Readers' questions: question and filler words are optional, the rest must hold.
    for q in [
        "西迁精神的内涵是什么",
        "交大融媒体中心在哪里",
        "西安交大宣传部联学活动报道",
        "成进讲话全文",
        // Pinyin, read back into the Chinese of the seed's body.
        "xiqian jingshen",
    ] {
        let r = search(idx, q);
        assert!(
            ids(&r).iter().take(3).any(|&id| id == SEED_ID),
            "{q} finds the seed in the top 3: {:?}",
            ids(&r)
        );
    }
    // A quoted phrase stays strict: nothing partial.
    let r = search_q(
        idx,
        SearchQuery {
            q: "\"学习习近平\"".into(),
            limit: 100,
            ..SearchQuery::default()
        },
    );
    assert!(r.hits.iter().all(|h| h.tier == MatchTier::Full), "{r:#?}");
    assert!(ids(&r).contains(&SEED_ID));

    let r = search(idx, "西迁精神");
    assert_eq!(
        ids(&r).first(),
        Some(&SEED_ID),
        "西迁精神 ranks the seed first: {r:#?}"
    );

    let r = search(idx, "融媒体中心");
    let hit = r
        .hits
        .iter()
        .find(|h| h.id == SEED_ID)
        .expect("融媒体中心 finds the seed");
    assert!(
        hit.snippet_html.contains("<mark>融媒体中心</mark>"),
        "融媒体中心 is one mark: {}",
        hit.snippet_html
    );

    let r = search(idx, "端木怡雯");
    assert_eq!(ids(&r).first(), Some(&SEED_ID), "端木怡雯: {r:#?}");
    let hit = &r.hits[0];
    assert!(
        hit.snippet_html.contains("<mark>端木怡雯</mark>"),
        "{}",
        hit.snippet_html
    );

    let r = search(idx, "西遷精神");
    assert_eq!(ids(&r).first(), Some(&SEED_ID), "西遷精神 (traditional)");

    // Dozens of corpus articles contain this phrase; the seed must be among them.
    let r = search_q(
        idx,
        SearchQuery {
            q: "\"学习习近平\"".into(),
            limit: 100,
            ..SearchQuery::default()
        },
    );
    assert!(r.total <= 100, "{}", r.total);
    assert!(
        ids(&r).contains(&SEED_ID),
        "quoted 学习习近平: {:?}",
        ids(&r)
    );

    let r = search(idx, "西迁 -同济");
    assert!(
        !ids(&r).contains(&SEED_ID),
        "西迁 -同济 leaves the seed out"
    );
    assert!(
        r.total > 0 || idx.doc_count() < 10,
        "西迁 -同济 still finds others"
    );
}

#[test]
fn seed_acceptance() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    let mut docs = decoys();
    docs.push(seed());
    idx.upsert(&docs).expect("upsert");
    assert_seed_checks(&idx);

    let r = search(&idx, "西迁 -同济");
    assert_eq!(ids(&r), vec![2], "only the decoy without 同济 remains");

    // No article holds all three; the seed holds two of them.
    let r = search(&idx, "西迁精神 联学 冬训营");
    assert!(full_ids(&r).is_empty(), "{r:#?}");
    assert_eq!(ids(&r).first(), Some(&SEED_ID), "{r:#?}");

    let r = search(&idx, "西迁精神");
    let top = &r.hits[0];
    let titled = search(&idx, "联学 主题教育");
    assert_eq!(ids(&titled).first(), Some(&SEED_ID));
    assert!(
        titled.hits[0].title_html.contains("<mark>主题教育</mark>"),
        "{}",
        titled.hits[0].title_html
    );
    let visible = top
        .snippet_html
        .replace("<mark>", "")
        .replace("</mark>", "");
    assert!(visible.chars().count() <= 150, "snippet length: {visible}");
}

#[test]
fn seed_acceptance_in_corpus() {
    let Some(mut docs) = corpus() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    docs.push(seed());
    let n = idx
        .rebuild(&mut docs.clone().into_iter(), &|_| {})
        .expect("rebuild");
    assert_eq!(n as usize, docs.len());
    assert!(!idx.needs_rebuild());
    assert_seed_checks(&idx);
}

#[test]
fn unknown_name_found_through_bigrams_without_dictionary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "").expect("write");
    let idx = SearchIndex::open(&SearchConfig {
        index_dir: tmp.path().join("index"),
        user_dict: Some(empty.clone()),
        aliases: Some(empty),
    })
    .expect("open");
    let mut docs = decoys();
    docs.push(seed());
    idx.upsert(&docs).expect("upsert");
    for q in [
        "端木怡雯",
        "\"端木怡雯\"",
        "\"木怡\"",
        "吴广明",
        "\"梁辉主持\"",
    ] {
        let r = search(&idx, q);
        assert_eq!(ids(&r), vec![SEED_ID], "{q}");
    }
}

#[test]
fn aliases_match_each_other() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[
        doc(1, "西北工业大学新闻", "西北工业大学举办活动。"),
        doc(2, "西工大新闻", "西工大学生获奖。"),
        doc(3, "西安交通大学新闻", "西安交通大学召开会议。"),
        doc(4, "交大新闻", "交大学子在创新港实习。"),
        doc(5, "其他新闻", "中国西部科技创新港建设加快。"),
    ])
    .expect("upsert");
    let mut got = ids(&search(&idx, "西工大"));
    got.sort_unstable();
    assert_eq!(got, vec![1, 2]);
    let mut got = ids(&search(&idx, "西安交大"));
    got.sort_unstable();
    assert_eq!(got, vec![3, 4]);
    let mut got = ids(&search(&idx, "创新港"));
    got.sort_unstable();
    assert_eq!(got, vec![4, 5]);
}

#[test]
fn latin_words_and_numbers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[
        doc(
            1,
            "ChatGPT 讲座",
            "人工智能 AI 讲座在 2023 年举行，主讲 OpenAI 研究员。",
        ),
        doc(2, "招生简章", "2024 年招生计划发布。He said nothing."),
    ])
    .expect("upsert");
    assert_eq!(ids(&search(&idx, "chatgpt")), vec![1]);
    assert_eq!(
        ids(&search(&idx, "AI")),
        vec![1],
        "ai must not match inside said"
    );
    assert_eq!(ids(&search(&idx, "2024")), vec![2]);
    let r = search(&idx, "CHATGPT");
    assert!(r.hits[0].title_html.contains("<mark>ChatGPT</mark>"));
}

/// Title, body, column name, tags and bylines share one bigram field for matching; a
/// phrase must still not run from the end of one into the start of the next.
#[test]
fn phrases_do_not_cross_from_one_field_into_the_next() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    let mut d = doc(1, "校园开放日甲乙", "乙丙丁举行");
    d.column_name = "综合新闻".into();
    d.tags = vec!["招生宣传".into(), "传媒学院".into()];
    d.bylines = vec!["端木怡雯".into(), "雯华".into()];
    idx.upsert(&[d]).expect("upsert");
    for crossing in ["\"甲乙丙\"", "\"新闻校园\"", "\"宣传媒\"", "\"怡雯华\""] {
        assert_eq!(search(&idx, crossing).total, 0, "{crossing} crosses values");
    }
    for inside in [
        "\"开放日甲乙\"",
        "\"乙丙丁\"",
        "综合新闻",
        "招生宣传",
        "传媒学院",
        "端木怡雯",
        "雯华",
    ] {
        assert_eq!(ids(&search(&idx, inside)), vec![1], "{inside}");
    }
}

#[test]
fn full_matches_hold_every_word_and_rank_above_partial_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[
        doc(1, "图书馆开放", "图书馆今日开放。"),
        doc(
            2,
            "图书馆开放时间调整",
            "暑假期间图书馆开放时间调整，实验室照常。",
        ),
        doc(3, "实验室安全", "实验室安全检查。"),
    ])
    .expect("upsert");
    let r = search(&idx, "图书馆 实验室");
    assert_eq!(full_ids(&r), vec![2]);
    // Then those holding one of the two words, marked with the word they hold.
    assert_eq!(ids(&r), vec![2, 1, 3]);
    assert_eq!(r.total, 3);
    assert_eq!(r.hits[1].tier, MatchTier::Partial);
    assert_eq!(r.hits[1].matched, ["图书馆"]);
    assert_eq!(r.hits[2].matched, ["实验室"]);
    // A page past the full matches starts in the partial ones.
    let second = search_q(
        &idx,
        SearchQuery {
            q: "图书馆 实验室".into(),
            limit: 1,
            offset: 1,
            ..SearchQuery::default()
        },
    );
    assert_eq!(ids(&second), vec![1]);
    assert_eq!(second.total, 3);
    let r = search(&idx, "图书馆开放时间");
    assert_eq!(ids(&r).first(), Some(&2));
}

#[test]
fn upsert_replaces_and_delete_removes_immediately() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    assert!(idx.needs_rebuild(), "a new index needs a rebuild");
    idx.upsert(&[doc(7, "旧标题", "旧的正文内容")])
        .expect("upsert");
    assert_eq!(ids(&search(&idx, "旧标题")), vec![7]);
    idx.upsert(&[doc(7, "新标题", "新的正文内容")])
        .expect("upsert");
    assert_eq!(idx.doc_count(), 1);
    assert!(full_ids(&search(&idx, "旧标题")).is_empty());
    assert_eq!(ids(&search(&idx, "新标题")), vec![7]);
    idx.delete(&[7, 8]).expect("delete");
    assert_eq!(idx.doc_count(), 0);
    assert!(
        search(&idx, "新标题").hits.is_empty(),
        "nothing left at all"
    );
}

#[test]
fn rebuild_replaces_everything_and_reports_progress() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[doc(1, "将被清除", "旧内容")]).expect("upsert");
    let seen = std::cell::Cell::new(0);
    let docs: Vec<SearchDoc> = (0..2500)
        .map(|i| doc(100 + i, &format!("第{i}号文章"), "批量重建的正文"))
        .collect();
    let n = idx
        .rebuild(&mut docs.into_iter(), &|n| seen.set(n))
        .expect("rebuild");
    assert_eq!(n, 2500);
    assert_eq!(seen.get(), 2500);
    assert_eq!(idx.doc_count(), 2500);
    assert!(full_ids(&search(&idx, "将被清除")).is_empty());
    assert!(!idx.needs_rebuild());
    // The rebuild writes with a writer of its own; the usual one is back afterwards.
    idx.upsert(&[doc(9, "重建之后", "照常更新")])
        .expect("upsert after rebuild");
    assert_eq!(full_ids(&search(&idx, "重建之后")), vec![9]);
    idx.delete(&[9]).expect("delete after rebuild");
    drop(idx);
    let idx = open(tmp.path());
    assert!(!idx.needs_rebuild(), "a completed rebuild is remembered");
    assert_eq!(idx.doc_count(), 2500);
}

#[test]
fn corrupt_index_is_recreated() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.rebuild(&mut vec![doc(1, "标题", "正文")].into_iter(), &|_| {})
        .expect("rebuild");
    drop(idx);
    let keep = tmp.path().join("keep-me.txt");
    std::fs::write(&keep, "not ours").expect("write");
    std::fs::write(tmp.path().join("meta.json"), b"\x00garbage{{{").expect("write");
    let idx = open(tmp.path());
    assert!(idx.needs_rebuild());
    assert_eq!(idx.doc_count(), 0);
    assert!(
        keep.exists(),
        "files that are not the index's are left alone"
    );
    idx.upsert(&[doc(2, "新的", "可以继续使用")])
        .expect("upsert");
    assert_eq!(ids(&search(&idx, "继续使用")), vec![2]);
}

#[test]
fn other_schema_version_is_recreated() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.rebuild(&mut vec![doc(1, "标题", "正文")].into_iter(), &|_| {})
        .expect("rebuild");
    drop(idx);
    std::fs::write(
        tmp.path().join("rongmei-search.json"),
        r#"{"schema_version": 999, "analysis": "0"}"#,
    )
    .expect("write");
    let idx = open(tmp.path());
    assert!(idx.needs_rebuild());
    assert_eq!(idx.doc_count(), 0);
}

#[test]
fn changed_dictionary_asks_for_rebuild_without_wiping() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path().join("i").as_path());
    idx.rebuild(&mut vec![doc(1, "标题", "正文")].into_iter(), &|_| {})
        .expect("rebuild");
    drop(idx);
    let dict = tmp.path().join("dict.txt");
    std::fs::write(&dict, "新词语 nz\n").expect("write");
    let idx = SearchIndex::open(&SearchConfig {
        index_dir: tmp.path().join("i"),
        user_dict: Some(dict),
        aliases: None,
    })
    .expect("open");
    assert!(idx.needs_rebuild());
    assert_eq!(idx.doc_count(), 1);
}

#[test]
fn second_writer_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let _idx = open(tmp.path());
    let err = SearchIndex::open(&SearchConfig {
        index_dir: tmp.path().to_path_buf(),
        ..SearchConfig::default()
    });
    assert!(matches!(err, Err(SearchError::Locked { .. })), "{err:?}");
}

fn dated(id: i64, column: &str, at: Option<i64>) -> SearchDoc {
    SearchDoc {
        column_slug: column.into(),
        published_at: at,
        ..doc(id, &format!("校园新闻{id}"), "校园新闻正文")
    }
}

#[test]
fn filters_sorting_and_pagination() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    let docs: Vec<SearchDoc> = (1..=25)
        .map(|i| {
            let col = if i % 2 == 0 { "even" } else { "odd" };
            let at = (i % 5 != 0).then_some(1_600_000_000 + i * 86_400);
            dated(i, col, at)
        })
        .collect();
    idx.upsert(&docs).expect("upsert");

    let base = SearchQuery {
        q: "校园新闻".into(),
        limit: 10,
        ..SearchQuery::default()
    };
    let r = search_q(&idx, base.clone());
    assert_eq!(r.total, 25);
    assert_eq!(r.hits.len(), 10);

    let newest = SearchQuery {
        sort: SortOrder::Newest,
        limit: 100,
        ..base.clone()
    };
    let r = search_q(&idx, newest.clone());
    let dates: Vec<Option<i64>> = r.hits.iter().map(|h| h.published_at).collect();
    assert_eq!(dates.len(), 25);
    assert_eq!(dates[0], Some(1_600_000_000 + 24 * 86_400));
    assert!(dates[..20].windows(2).all(|w| w[0] > w[1]), "{dates:?}");
    assert!(
        dates[20..].iter().all(Option::is_none),
        "undated last: {dates:?}"
    );

    // Pages join up without gaps or repeats.
    let mut seen = Vec::new();
    for page in 0..3 {
        let r = search_q(
            &idx,
            SearchQuery {
                limit: 10,
                offset: page * 10,
                ..newest.clone()
            },
        );
        assert_eq!(r.total, 25);
        seen.extend(ids(&r));
    }
    let mut all = ids(&search_q(&idx, newest.clone()));
    assert_eq!(seen, all);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 25);

    let r = search_q(
        &idx,
        SearchQuery {
            column: Some("even".into()),
            limit: 100,
            ..base.clone()
        },
    );
    assert_eq!(r.total, 12);
    assert!(r.hits.iter().all(|h| h.column == "even"));

    let r = search_q(
        &idx,
        SearchQuery {
            from: Some(1_600_000_000 + 10 * 86_400),
            to: Some(1_600_000_000 + 20 * 86_400),
            limit: 100,
            ..base.clone()
        },
    );
    // Days 10..=20 without the undated 10, 15, 20.
    assert_eq!(r.total, 8);

    let r = search_q(
        &idx,
        SearchQuery {
            from: Some(0),
            limit: 100,
            ..base.clone()
        },
    );
    assert_eq!(r.total, 20, "a date filter leaves undated articles out");

    let r = search_q(
        &idx,
        SearchQuery {
            limit: 0,
            ..base.clone()
        },
    );
    assert_eq!((r.total, r.hits.len()), (25, 0));

    let r = idx.search(&SearchQuery {
        from: Some(10),
        to: Some(5),
        ..base.clone()
    });
    assert!(matches!(r, Err(SearchError::InvalidQuery(_))));
}

#[test]
fn hostile_queries_get_clear_answers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[seed()]).expect("upsert");
    let symbols: String = "!@#$%^&*()_+{}|:\"<>?~`-=[]\\;',./，。、；：？！“”‘’（）【】《》—…"
        .chars()
        .cycle()
        .take(10_000)
        .collect();
    let cases: Vec<(String, bool)> = vec![
        (String::new(), false),
        ("   ".into(), false),
        (symbols.clone(), false),
        (symbols.chars().take(900).collect(), false),
        ("的 了 the and".into(), false),
        ("\"西迁".into(), true),
        ("西迁\"".into(), true),
        ("\"\"\"".into(), false),
        ("- -- ---".into(), false),
        ("-同济".into(), true),
        ("西迁 AND OR NOT title:x body:[a TO b] *?~".into(), true),
        ("西迁".repeat(300), true),
        ("西迁".repeat(600), false),
        ("😀 emoji \u{0000} \u{202e} 西迁".into(), true),
        (format!("{}西迁", "\u{200b}".repeat(50)), true),
    ];
    for (q, ok) in cases {
        let r = idx.search(&SearchQuery {
            q: q.clone(),
            limit: 10,
            ..SearchQuery::default()
        });
        match r {
            Ok(_) if ok => {}
            Err(e) if !ok => {
                assert!(e.is_bad_request(), "{e}");
                assert!(!e.to_string().is_empty());
            }
            other => panic!(
                "query {:?} gave {other:?}",
                q.chars().take(40).collect::<String>()
            ),
        }
    }
    let r = idx.search(&SearchQuery {
        q: "西迁".into(),
        limit: usize::MAX,
        offset: usize::MAX,
        ..SearchQuery::default()
    });
    assert!(matches!(r, Err(SearchError::InvalidQuery(_))));
    let r = search_q(
        &idx,
        SearchQuery {
            q: "西迁".into(),
            limit: usize::MAX,
            ..SearchQuery::default()
        },
    );
    assert_eq!(r.hits.len(), 1);
}

#[test]
fn results_serialize() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    idx.upsert(&[seed()]).expect("upsert");
    let r = search(&idx, "西迁精神");
    let json = serde_json::to_value(&r).expect("serialize");
    assert_eq!(json["total"], 1);
    assert_eq!(json["hits"][0]["id"], SEED_ID);
    assert!(json["hits"][0]["snippet_html"].as_str().is_some());
    assert!(json["took_ms"].as_f64().is_some());
}

/// Every XSS payload of the web tests, typed as a query against articles that hold them: an
/// answer or a clear refusal, never a panic (`--><script>…` excluded a phrase in a way that
/// tripped tantivy's phrase scorer).
#[test]
fn markup_typed_as_a_query_is_answered_or_refused_never_a_panic() {
    const PAYLOADS: &str = include_str!("../../../fixtures/xss/payloads.txt");
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = open(tmp.path());
    let list: Vec<&str> = PAYLOADS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let docs: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, p)| {
            doc(
                i as i64 + 1,
                &format!("{p} 载荷{i:03}"),
                &format!("载荷{i:03} {p} {p}"),
            )
        })
        .collect();
    idx.upsert(&docs).expect("upsert");
    for p in &list {
        for q in [p.to_string(), format!("载荷 {p}")] {
            let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                idx.search(&SearchQuery {
                    q: q.clone(),
                    limit: 10,
                    ..SearchQuery::default()
                })
            }));
            match answer {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => assert!(e.is_bad_request(), "{q:?}: {e}"),
                Err(_) => panic!("{q:?}: the search panicked"),
            }
        }
    }
}
