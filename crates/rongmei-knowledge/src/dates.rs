//! Calendar dates: 2023年5月23日, 2017-6-12, 2017.6.23, 5月23日 (the publish year, or the year
//! the article states when it has no publish date), ranges (6月22日至23日, 7月31日至8月4日),
//! day-only dates after a month (6月20日、21日), and 明年/去年/今年.

use chrono::{Datelike, NaiveDate};

use crate::text::Doc;

pub(crate) struct DateHit {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
}

/// Digits at `i` (ASCII or full-width), as (value, length); at most `max` of them.
fn number(doc: &Doc, i: usize, max: usize) -> Option<(u32, usize)> {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < max {
        let c = doc.at(i + n);
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        v = v * 10 + d;
        n += 1;
    }
    if n == 0 || is_digit(doc.at(i + n)) {
        return None;
    }
    Some((v, n))
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn skip_spaces(doc: &Doc, mut i: usize) -> usize {
    while matches!(doc.at(i), ' ' | '\u{3000}') {
        i += 1;
    }
    i
}

/// Years the article states (2019年, 2008级, 2019届, 2020-2021学年度), for articles without a
/// publish date.
fn stated_years(doc: &Doc) -> Vec<(usize, i32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        if is_digit(doc.at(i))
            && (i == 0 || !is_digit(doc.at(i - 1)))
            && let Some((y, 4)) = number(doc, i, 4)
            && (1900..=2100).contains(&y)
        {
            let after = doc.at(i + 4);
            if matches!(after, '年' | '级' | '届') {
                out.push((i, y as i32));
            } else if matches!(after, '-' | '—' | '–' | '至')
                && let Some((y2, 4)) = number(doc, i + 5, 4)
            {
                // A school year names its second year for events in autumn and later.
                out.push((i, y2 as i32));
                i += 9;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn year_for(published: Option<i32>, stated: &[(usize, i32)], pos: usize) -> Option<i32> {
    if let Some(y) = published {
        return Some(y);
    }
    stated
        .iter()
        .rev()
        .find(|(p, _)| *p < pos)
        .or_else(|| stated.first())
        .map(|(_, y)| *y)
}

/// `M月D日` at `i`: (month, day, end).
fn month_day(doc: &Doc, i: usize) -> Option<(u32, u32, usize)> {
    let (m, ml) = number(doc, i, 2)?;
    let j = skip_spaces(doc, i + ml);
    if doc.at(j) != '月' {
        return None;
    }
    let j = skip_spaces(doc, j + 1);
    let (d, dl) = number(doc, j, 2)?;
    let k = skip_spaces(doc, j + dl);
    if !matches!(doc.at(k), '日' | '号') {
        return None;
    }
    Some((m, d, k + 1))
}

/// `D日` at `i`: (day, end).
fn day_only(doc: &Doc, i: usize) -> Option<(u32, usize)> {
    let (d, dl) = number(doc, i, 2)?;
    matches!(doc.at(i + dl), '日' | '号').then_some((d, i + dl + 1))
}

pub(crate) fn find(doc: &Doc, published: Option<NaiveDate>) -> Vec<DateHit> {
    let stated = if published.is_none() {
        stated_years(doc)
    } else {
        Vec::new()
    };
    let pub_year = published.map(|d| d.year());
    let mut out = Vec::new();
    // The month (and year) of the last date, for day-only dates and ranges.
    let mut last: Option<(i32, u32)> = None;
    let mut i = 0;
    let n = doc.len();
    while i < n {
        if !is_digit(doc.at(i)) || (i > 0 && is_digit(doc.at(i - 1))) || doc.excluded(i, i + 1) {
            i += 1;
            continue;
        }
        let start = i;
        let mut hit: Option<(i32, u32, u32, usize)> = None;
        if let Some((y, 4)) = number(doc, i, 4) {
            let j = skip_spaces(doc, i + 4);
            if doc.at(j) == '年' {
                let k = skip_spaces(doc, j + 1);
                if let Some((m, d, e)) = month_day(doc, k) {
                    hit = Some((y as i32, m, d, e));
                }
            } else if matches!(doc.at(j), '-' | '.' | '/')
                && let Some((m, ml)) = number(doc, j + 1, 2)
                && doc.at(j + 1 + ml) == doc.at(j)
                && let Some((d, dl)) = number(doc, j + 2 + ml, 2)
            {
                hit = Some((y as i32, m, d, j + 2 + ml + dl));
            }
        } else if let Some((m, d, e)) = month_day(doc, i) {
            let y = if doc.ends_with(i, "明年") || doc.ends_with(i, "次年") {
                year_for(pub_year, &stated, i).map(|y| y + 1)
            } else if doc.ends_with(i, "去年") {
                year_for(pub_year, &stated, i).map(|y| y - 1)
            } else {
                year_for(pub_year, &stated, i)
            };
            if let Some(y) = y {
                hit = Some((y, m, d, e));
            } else {
                // No year anywhere: the date is skipped, but the month still frames 至D日.
                i = e;
                continue;
            }
        } else if let Some((d, e)) = day_only(doc, i)
            && let Some((y, m)) = last
            && doc.at(i.wrapping_sub(1)) != '月'
        {
            hit = Some((y, m, d, e));
        }
        let Some((y, m, d, mut e)) = hit else {
            i += 1;
            continue;
        };
        let Some(date) = NaiveDate::from_ymd_opt(y, m, d) else {
            i = e;
            continue;
        };
        last = Some((y, m));
        let mut dates = vec![date];
        // A range or list continues with another month-day or day (至23日, 、21日, 至8月4日).
        loop {
            let sep = doc.at(e);
            if !matches!(sep, '至' | '到' | '—' | '-' | '~' | '～' | '、' | '–') {
                break;
            }
            let k = skip_spaces(doc, e + 1);
            if let Some((m2, d2, e2)) = month_day(doc, k) {
                let y2 = if m2 < m { y + 1 } else { y };
                if let Some(d) = NaiveDate::from_ymd_opt(y2, m2, d2) {
                    dates.push(d);
                    last = Some((y2, m2));
                }
                e = e2;
            } else if let Some((d2, e2)) = day_only(doc, k) {
                if let Some(d) = NaiveDate::from_ymd_opt(y, m, d2) {
                    dates.push(d);
                }
                e = e2;
            } else {
                break;
            }
        }
        for date in dates {
            out.push(DateHit {
                date,
                start,
                end: e,
            });
        }
        i = e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(body: &str, published: Option<NaiveDate>) -> Vec<String> {
        let doc = Doc::new("", body);
        find(&doc, published)
            .into_iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    fn pubd(y: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, 6, 1)
    }

    #[test]
    fn month_day_takes_the_publish_year() {
        assert_eq!(
            dates("5月23日，西安交大党委宣传部", pubd(2023)),
            ["2023-05-23"]
        );
    }

    #[test]
    fn ranges_give_both_ends() {
        assert_eq!(
            dates("6月22日至23日，校党委书记带领", pubd(2022)),
            ["2022-06-22", "2022-06-23"]
        );
        assert_eq!(
            dates("2022年7月31日至8月4日，培训班在贵州遵义举办", None),
            ["2022-07-31", "2022-08-04"]
        );
        assert_eq!(
            dates("6月20日、21日，报告会召开", pubd(2017)),
            ["2017-06-20", "2017-06-21"]
        );
    }

    #[test]
    fn next_year_and_day_only() {
        assert_eq!(
            dates("会议同意明年1月12日至14日召开全会", pubd(2025)),
            ["2026-01-12", "2026-01-14"]
        );
        assert_eq!(
            dates("中新网福州5月28日电 28日，发布会在福州举行", pubd(2021)),
            ["2021-05-28", "2021-05-28"]
        );
    }

    #[test]
    fn numeric_forms_and_missing_years() {
        assert_eq!(dates("校工会\n2017.6.23", pubd(2017)), ["2017-06-23"]);
        assert_eq!(dates("社会科学部 2017-6-12", pubd(2017)), ["2017-06-12"]);
        assert!(dates("7月31日，项目对接会举行", None).is_empty());
        assert_eq!(
            dates("我校2020-2021学年度评选。9月29日，评选落幕", None),
            ["2021-09-29"]
        );
        assert!(dates("2653-2968，第13天，2月30日", pubd(2020)).is_empty());
    }
}
