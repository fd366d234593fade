//! Places: gazetteer names at word boundaries outside organisation names, single-char province
//! forms after a verb of movement (来陕, 驻闽, 援疆), and venues found with the organisations.

use crate::lexicon::Lexicon;
use crate::phrase::Toks;
use crate::text::Doc;

/// Set phrases where 中国 does not name the country as a place.
const CHINA_PHRASES_AFTER: [&str; 14] = [
    "特色",
    "梦",
    "式",
    "方案",
    "智慧",
    "故事",
    "力量",
    "精神",
    "道路",
    "声音",
    "制造",
    "共产党",
    "人民",
    "特点",
];
/// Words that end the name of an event, programme or award: a place at the start of such a
/// name (2017年吉林省高校青年教师课堂教学大赛) is part of the name, not a mention of the place.
const EVENT_HEADS: [&str; 16] = [
    "大赛",
    "比赛",
    "竞赛",
    "规划",
    "计划",
    "工程",
    "项目",
    "先进单位",
    "奖",
    "论坛",
    "博览会",
    "运动会",
    "选拔赛",
    "联赛",
    "锦标赛",
    "研讨会",
];
/// Longest stretch of noun words between such a place and the event head.
const EVENT_REACH: usize = 20;
const CHINA_PHRASES_BEFORE: &[&str] = &["美丽", "健康", "平安", "数字", "法治", "新"];

/// Chars after which a one-char province form is a place (来陕, 在京, 援疆).
const MOVE_BEFORE: &str = "来在驻援赴进入离返抵留回";

pub(crate) fn find(
    doc: &Doc,
    toks: &Toks<'_>,
    lex: &Lexicon,
    taken: &[bool],
    venues: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = venues.to_vec();
    if let Some(ac) = &lex.places_ac {
        for m in ac.find_iter(&doc.text) {
            let s = doc.byte_to_char[m.start()] as usize;
            let e = doc.byte_to_char[m.end()] as usize;
            if (s..e).any(|i| taken.get(i).copied().unwrap_or(true)) || doc.excluded(s, e) {
                continue;
            }
            if !(toks.is_start(s) || toks.get(s).is_some_and(|t| t.tag == "ns")) {
                continue;
            }
            let word = &doc.text[m.start()..m.end()];
            if inside_event_name(doc, toks, e) {
                continue;
            }
            if word == "中国"
                && (CHINA_PHRASES_AFTER.iter().any(|p| doc.starts_with(e, p))
                    || CHINA_PHRASES_BEFORE.iter().any(|p| doc.ends_with(s, p)))
            {
                continue;
            }
            out.push((s, e));
        }
    }
    for i in 1..doc.len() {
        let c = doc.at(i);
        if lex.province_abbr.contains(c)
            && MOVE_BEFORE.contains(doc.at(i - 1))
            && !taken.get(i).copied().unwrap_or(true)
            && !doc.excluded(i, i + 1)
            && toks.get(i).is_none_or(|t| t.e <= i + 1)
        {
            out.push((i, i + 1));
        }
    }
    out.sort_unstable();
    out
}

/// Whether noun words after `e` run into an event, programme or award head without a verb or
/// punctuation in between.
fn inside_event_name(doc: &Doc, toks: &Toks<'_>, e: usize) -> bool {
    let mut pos = e;
    while pos < doc.len() && pos - e <= EVENT_REACH {
        let Some(t) = toks.get(pos) else {
            return false;
        };
        if EVENT_HEADS.iter().any(|h| t.word.ends_with(h)) {
            return true;
        }
        let nounish = matches!(
            t.tag.chars().next(),
            Some('n' | 'j' | 'b' | 'm' | 'q' | 'a')
        ) || t.tag == "vn"
            || matches!(t.word, "“" | "”");
        if !nounish || t.e <= pos {
            return false;
        }
        pos = t.e;
    }
    false
}
