//! Matching an article's fields against the dictionaries.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rongmei_core::{Block, Body, Byline};
use serde::Serialize;

use crate::dict::{DictError, Dictionaries, SensitiveAction, Severity};
use crate::normalize::normalize;

/// Characters of context shown on each side of a hit.
const CONTEXT_CHARS: usize = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Sensitive,
    Expression,
}

/// One finding, shaped for the editor: where it is, what it is, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct Hit {
    /// `title`, `body`, `caption`, `alt`, `byline`, `tag`, `summary`, or whatever name the
    /// caller gave in [`Checker::check_fields`].
    pub field: String,
    /// Which of several fields of that name: the block index in the body for `body`, `caption`
    /// and `alt` hits from [`Checker::check_article`], the position in the list for `tag` and
    /// `byline`, and otherwise the count of earlier fields with the same name (so 0 for a title).
    pub index: usize,
    pub kind: HitKind,
    pub severity: Severity,
    /// The original text of the match, including any spaces or zero-width characters inside it.
    pub matched: String,
    /// Char offsets (not bytes: the editor counts characters) of the match in the field text.
    pub start: usize,
    pub end: usize,
    /// Up to 15 characters on each side and the match itself, with `…` where the field goes on.
    pub context: String,
    pub suggestion: Option<String>,
    pub note: Option<String>,
}

impl Hit {
    /// The field's Chinese name, as newsroom pages and messages say it.
    pub fn field_label(&self) -> &str {
        match self.field.as_str() {
            "title" => "标题",
            "body" => "正文",
            "caption" => "图片说明",
            "alt" => "图片替代文字",
            "byline" => "署名",
            "tag" => "标签",
            "summary" => "摘要",
            other => other,
        }
    }

    /// Where the hit is, in Chinese: 标题, 正文第3段, 第2个标签 …
    pub fn position(&self) -> String {
        let n = self.index + 1;
        match self.field.as_str() {
            "title" | "summary" => self.field_label().to_string(),
            "body" => format!("正文第{n}段"),
            "caption" | "alt" => format!("正文第{n}段的{}", self.field_label()),
            "tag" => format!("第{n}个标签"),
            "byline" => format!("第{n}条署名"),
            _ => format!("{}第{n}处", self.field_label()),
        }
    }
}

/// True when any hit must stop publication.
pub fn blocks(hits: &[Hit]) -> bool {
    hits.iter().any(|h| h.severity == Severity::Block)
}

#[derive(Debug, Clone)]
struct Rule {
    kind: HitKind,
    /// `None` for entries that only shield shorter ones.
    severity: Option<Severity>,
    suggestion: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Clone)]
struct Matcher {
    ac: AhoCorasick,
    rules: Vec<Rule>,
}

impl Matcher {
    /// Later entries with the same normalised form replace earlier ones, the way a later line in
    /// a config file overrides an earlier one.
    fn build(entries: Vec<(String, Rule)>) -> Result<Matcher, DictError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        for (word, rule) in entries {
            let key = normalize(&word).text;
            match index.get(&key) {
                Some(&i) => rules[i] = rule,
                None => {
                    index.insert(key.clone(), patterns.len());
                    patterns.push(key);
                    rules.push(rule);
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        Ok(Matcher { ac, rules })
    }
}

/// An immutable matcher over both dictionaries; cheap to share behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Checker {
    sensitive: Matcher,
    expressions: Matcher,
    entries: usize,
}

impl Checker {
    pub fn new(dicts: &Dictionaries) -> Result<Checker, DictError> {
        let sensitive = dicts
            .sensitive
            .iter()
            .map(|e| {
                let severity = match e.action {
                    SensitiveAction::Report(s) => Some(s),
                    SensitiveAction::Allow => None,
                };
                let rule = Rule {
                    kind: HitKind::Sensitive,
                    severity,
                    suggestion: None,
                    note: e.note.clone(),
                };
                (e.word.clone(), rule)
            })
            .collect();
        let expressions = dicts
            .expressions
            .iter()
            .map(|e| {
                let rule = Rule {
                    kind: HitKind::Expression,
                    // Wording is the editor's call; only sensitive words can stop publication.
                    severity: e.right.as_ref().map(|_| Severity::Warn),
                    suggestion: e.right.clone(),
                    note: e.note.clone(),
                };
                (e.wrong.clone(), rule)
            })
            .collect();
        let sensitive = Matcher::build(sensitive)?;
        let expressions = Matcher::build(expressions)?;
        let entries = sensitive.rules.len() + expressions.rules.len();
        Ok(Checker {
            sensitive,
            expressions,
            entries,
        })
    }

    /// A checker that finds nothing: what runs when no dictionary could ever be loaded.
    pub fn empty() -> Checker {
        // Building over no patterns cannot fail.
        Checker::new(&Dictionaries::default()).unwrap_or_else(|_| unreachable!())
    }

    /// Distinct entries across both dictionaries.
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Heap bytes of the two automata, for the operator who wonders what a big list costs.
    pub fn memory_usage(&self) -> usize {
        self.sensitive.ac.memory_usage() + self.expressions.ac.memory_usage()
    }

    /// Checks named texts; hits come in field order, then by position.
    pub fn check_fields(&self, fields: &[(&str, &str)]) -> Vec<Hit> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (name, text) in fields {
            let n = seen.entry(name).or_insert(0);
            self.check_one(name, *n, text, &mut out);
            *n += 1;
        }
        out
    }

    /// Checks everything of an article a reader sees: title, headings and paragraphs, the text of
    /// rich HTML blocks, image captions and alt texts, tags and the names in bylines.
    pub fn check_article(
        &self,
        title: &str,
        body: &Body,
        tags: &[String],
        bylines: &[Byline],
    ) -> Vec<Hit> {
        let mut out = Vec::new();
        self.check_one("title", 0, title, &mut out);
        for (i, block) in body.blocks.iter().enumerate() {
            match block {
                Block::Paragraph { text } | Block::Heading { text, .. } => {
                    self.check_one("body", i, text, &mut out);
                }
                Block::Html { .. } => {
                    // Offsets then count in the text the reader sees, not in the markup; to_text
                    // is the one place that knows how to take the markup off.
                    let text = Body {
                        blocks: vec![block.clone()],
                    }
                    .to_text();
                    self.check_one("body", i, &text, &mut out);
                }
                Block::Image { alt, caption, .. } => {
                    if let Some(c) = caption {
                        self.check_one("caption", i, c, &mut out);
                    }
                    self.check_one("alt", i, alt, &mut out);
                }
            }
        }
        for (i, t) in tags.iter().enumerate() {
            self.check_one("tag", i, t, &mut out);
        }
        for (i, b) in bylines.iter().enumerate() {
            self.check_one("byline", i, &b.name, &mut out);
        }
        out
    }

    fn check_one(&self, field: &str, index: usize, text: &str, out: &mut Vec<Hit>) {
        if text.is_empty() || self.is_empty() {
            return;
        }
        let norm = normalize(text);
        let mut spans: Vec<(usize, usize, Severity, &Rule)> = Vec::new();
        for m in [&self.sensitive, &self.expressions] {
            for found in m.ac.find_iter(&norm.text) {
                // Shielding entries took part in the match only to hide what they contain.
                let Some((rule, severity)) = m
                    .rules
                    .get(found.pattern().as_usize())
                    .and_then(|r| Some((r, r.severity?)))
                else {
                    continue;
                };
                if splits_latin_word(&norm.text, found.start(), found.end()) {
                    continue;
                }
                if let Some((s, e)) = norm.original_span(found.start(), found.end()) {
                    spans.push((s, e, severity, rule));
                }
            }
        }
        if spans.is_empty() {
            return;
        }
        spans.sort_by_key(|(s, e, _, r)| (*s, *e, r.kind == HitKind::Expression));
        let chars: Vec<char> = text.chars().collect();
        for (s, e, severity, rule) in spans {
            let from = s.saturating_sub(CONTEXT_CHARS);
            let to = (e + CONTEXT_CHARS).min(chars.len());
            let mut context = String::new();
            if from > 0 {
                context.push('…');
            }
            context.extend(&chars[from..to]);
            if to < chars.len() {
                context.push('…');
            }
            out.push(Hit {
                field: field.to_string(),
                index,
                kind: rule.kind,
                severity,
                matched: chars[s..e].iter().collect(),
                start: s,
                end: e,
                context,
                suggestion: rule.suggestion.clone(),
                note: rule.note.clone(),
            });
        }
    }
}

/// Latin entries match whole words only: `shit` must not flag the name Yamashita. Hanzi have no
/// word boundaries to check, which is why expression entries are whole wrong forms instead.
fn splits_latin_word(text: &str, start: usize, end: usize) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let (before, matched, after) = (&text[..start], &text[start..end], &text[end..]);
    (alnum(matched.chars().next()) && alnum(before.chars().next_back()))
        || (alnum(matched.chars().next_back()) && alnum(after.chars().next()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dict::{parse_expressions, parse_sensitive};
    use std::path::Path;

    fn checker(sensitive: &str, expressions: &str) -> Checker {
        let p = Path::new("t");
        let d = Dictionaries {
            sensitive: parse_sensitive(sensitive, p).expect("sensitive"),
            expressions: parse_expressions(expressions, p).expect("expressions"),
        };
        Checker::new(&d).expect("checker")
    }

    fn matched(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.matched.as_str()).collect()
    }

    #[test]
    fn finds_expressions_through_spaces_and_zero_width() {
        let c = checker("", "其它\t其他\t统一用“其他”\n");
        let text = "学校和其 它单位，以及其\u{200B}它部门、其它。";
        let hits = c.check_fields(&[("body", text)]);
        assert_eq!(matched(&hits), ["其 它", "其\u{200B}它", "其它"]);
        let chars: Vec<char> = text.chars().collect();
        for h in &hits {
            let span: String = chars[h.start..h.end].iter().collect();
            assert_eq!(span, h.matched);
            assert_eq!(h.suggestion.as_deref(), Some("其他"));
            assert_eq!(h.severity, Severity::Warn);
            assert_eq!(h.kind, HitKind::Expression);
        }
        assert_eq!((hits[0].start, hits[0].end), (3, 6));
        assert_eq!(hits[0].note.as_deref(), Some("统一用“其他”"));
    }

    #[test]
    fn positions_are_said_in_chinese() {
        let c = checker("", "其它\t其他\n");
        let hits = c.check_fields(&[("title", "其它"), ("body", "一"), ("body", "其它")]);
        let at: Vec<String> = hits.iter().map(Hit::position).collect();
        assert_eq!(at, ["标题", "正文第2段"]);
        assert_eq!(hits[1].field_label(), "正文");
    }

    #[test]
    fn leftmost_longest_prefers_the_whole_wrong_form() {
        let c = checker("", "截止\t截至\n截止到\t截至\n");
        let hits = c.check_fields(&[("body", "截止到6月底")]);
        assert_eq!(matched(&hits), ["截止到"]);
    }

    #[test]
    fn a_short_wrong_form_does_not_flag_the_longer_correct_word() {
        // Whole wrong forms never touch correct words that share a character.
        let c = checker("", "好象\t好像\n");
        assert!(c.check_fields(&[("body", "具有象征性的意义")]).is_empty());
        assert_eq!(
            matched(&c.check_fields(&[("body", "好象下雨了")])),
            ["好象"]
        );
        // A single-character entry needs the correct words that contain it listed with `=`;
        // being longer, they win the leftmost-longest match and shield it.
        let c = checker("", "象\t像\n象征\t=\n");
        assert!(c.check_fields(&[("body", "具有象征性的意义")]).is_empty());
        assert_eq!(matched(&c.check_fields(&[("body", "长得很象他")])), ["象"]);
    }

    #[test]
    fn block_and_warn() {
        let c = checker("坏词\tblock\t说明\n小词\n大坏词语\tallow\n", "其它\t其他\n");
        let hits = c.check_fields(&[("title", "小词"), ("body", "其它")]);
        assert_eq!(hits.len(), 2);
        assert!(!blocks(&hits));
        let hits = c.check_fields(&[("title", "一个坏词"), ("summary", "ＸＸ坏词")]);
        assert!(blocks(&hits));
        assert_eq!(hits[0].note.as_deref(), Some("说明"));
        assert_eq!(hits[0].kind, HitKind::Sensitive);
        assert!(c.check_fields(&[("body", "这是大坏词语")]).is_empty());
    }

    #[test]
    fn ascii_matches_ignore_case_and_width() {
        let c = checker("fuck\tblock\n", "");
        let hits = c.check_fields(&[("body", "他说 FuCk，又说ｆｕｃｋ")]);
        assert_eq!(matched(&hits), ["FuCk", "ｆｕｃｋ"]);
        assert!(c.check_fields(&[("body", "Dr. Fuckson, fuck2")]).is_empty());
        assert_eq!(
            matched(&c.check_fields(&[("body", "fuck!中文fuck")])),
            ["fuck", "fuck"]
        );
    }

    #[test]
    fn context_has_fifteen_chars_each_side() {
        let c = checker("坏\tblock\n", "");
        let text = format!("{}坏{}", "一".repeat(20), "二".repeat(20));
        let hits = c.check_fields(&[("body", &text)]);
        assert_eq!(
            hits[0].context,
            format!("…{}坏{}…", "一".repeat(15), "二".repeat(15))
        );
        let hits = c.check_fields(&[("body", "坏")]);
        assert_eq!(hits[0].context, "坏");
    }

    #[test]
    fn article_fields_and_indexes() {
        let c = checker("坏\tblock\n", "其它\t其他\n");
        let body = Body {
            blocks: vec![
                Block::Paragraph {
                    text: "其它".into(),
                },
                Block::Image {
                    src: "a.jpg".into(),
                    alt: "坏".into(),
                    caption: Some("其它".into()),
                },
                Block::Html {
                    html: "<p>a &amp; <b>其它</b></p>".into(),
                },
                Block::Heading {
                    level: 2,
                    text: "坏".into(),
                },
            ],
        };
        let hits = c.check_article(
            "题其它",
            &body,
            &["标签".into(), "坏".into()],
            &[Byline {
                role: "摄影".into(),
                name: "其它".into(),
            }],
        );
        let got: Vec<(&str, usize, usize)> = hits
            .iter()
            .map(|h| (h.field.as_str(), h.index, h.start))
            .collect();
        assert_eq!(
            got,
            [
                ("title", 0, 1),
                ("body", 0, 0),
                ("caption", 1, 0),
                ("alt", 1, 0),
                ("body", 2, 4),
                ("body", 3, 0),
                ("tag", 1, 0),
                ("byline", 0, 0),
            ]
        );
        let json = serde_json::to_value(&hits[0]).expect("json");
        assert_eq!(json["kind"], "expression");
        assert_eq!(json["severity"], "warn");
        assert_eq!(json["suggestion"], "其他");
    }

    #[test]
    fn both_dictionaries_report_overlapping_hits() {
        let c = checker("其它部门\twarn\n", "其它\t其他\n");
        let hits = c.check_fields(&[("body", "其它部门")]);
        let kinds: Vec<(HitKind, usize)> = hits.iter().map(|h| (h.kind, h.end)).collect();
        assert_eq!(kinds, [(HitKind::Expression, 2), (HitKind::Sensitive, 4)]);
    }

    #[test]
    fn every_kind_of_field_is_named_as_the_newsroom_says_it() {
        let c = checker("", "其它\t其他\n");
        let hits = c.check_fields(&[
            ("title", "其它"),
            ("summary", "其它"),
            ("body", "其它"),
            ("caption", "其它"),
            ("alt", "其它"),
            ("tag", "其它"),
            ("byline", "其它"),
            ("keywords", "其它"),
        ]);
        let at: Vec<String> = hits.iter().map(Hit::position).collect();
        assert_eq!(
            at,
            [
                "标题",
                "摘要",
                "正文第1段",
                "正文第1段的图片说明",
                "正文第1段的图片替代文字",
                "第1个标签",
                "第1条署名",
                "keywords第1处",
            ]
        );
        let article = c.check_article(
            "",
            &Body {
                blocks: vec![
                    Block::Paragraph { text: "一".into() },
                    Block::Image {
                        src: "/media/a.jpg".into(),
                        alt: "其它".into(),
                        caption: Some("其它".into()),
                    },
                ],
            },
            &["校园".into(), "其它".into()],
            &[Byline {
                role: "记者".into(),
                name: "其它".into(),
            }],
        );
        let at: Vec<String> = article.iter().map(Hit::position).collect();
        assert_eq!(
            at,
            [
                "正文第2段的图片说明",
                "正文第2段的图片替代文字",
                "第2个标签",
                "第1条署名",
            ]
        );
    }

    #[test]
    fn the_sensitive_hit_comes_first_where_both_dictionaries_flag_the_same_words() {
        // The one that may block publication is what the editor must see first.
        let c = checker(
            "台湾总统\twarn\t涉台表述，请核实\n",
            "台湾总统\t台湾地区领导人\n",
        );
        let hits = c.check_fields(&[("body", "会见台湾总统候选人")]);
        let got: Vec<(HitKind, usize, usize)> =
            hits.iter().map(|h| (h.kind, h.start, h.end)).collect();
        assert_eq!(
            got,
            [(HitKind::Sensitive, 2, 6), (HitKind::Expression, 2, 6)]
        );
        assert_eq!(hits[1].suggestion.as_deref(), Some("台湾地区领导人"));
    }

    #[test]
    fn memory_is_what_the_two_dictionaries_take_together() {
        let sensitive = crate::dict::DictionaryKind::Sensitive.default_text();
        let expressions = crate::dict::DictionaryKind::Expressions.default_text();
        let none = checker("", "").memory_usage();
        let s = checker(sensitive, "").memory_usage();
        let e = checker("", expressions).memory_usage();
        // A longer list costs more, whichever dictionary it is in ...
        assert!(s > none && e > none, "{none} {s} {e}");
        // ... and the two costs add up.
        assert_eq!(checker(sensitive, expressions).memory_usage() + none, s + e);
    }

    #[test]
    fn empty_checker_and_duplicates() {
        assert!(Checker::empty().check_fields(&[("t", "其它")]).is_empty());
        let c = checker("坏\tblock\nＢＡＤ\twarn\n坏\twarn\n", "");
        assert_eq!(c.len(), 2);
        let hits = c.check_fields(&[("t", "坏")]);
        assert_eq!(hits[0].severity, Severity::Warn);
    }
}
