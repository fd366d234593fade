//! JSON lines: one article an object with `title`, `published_at`, `views`, `column`, `body`
//! (paragraphs separated by `\n`) and optional `tags`, `bylines`, `source_id`, `summary`.
//! Keys Rongmei has no field for are kept in the article's `extra` so nothing is lost.

use std::path::Path;

use rongmei_core::{Body, Byline, NewArticle};
use serde_json::{Map, Value};

use crate::record::{ImportError, Record, check_title, invalid, parse_time};

const KNOWN: &[&str] = &[
    "title",
    "published_at",
    "views",
    "column",
    "body",
    "tags",
    "bylines",
    "source_id",
    "summary",
];

pub fn parse_jsonl(file: &Path, text: &str) -> Result<Vec<Record>, ImportError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| invalid(file, line_no, format!("not valid JSON: {e}")))?;
        let Value::Object(obj) = value else {
            return Err(invalid(file, line_no, "expected a JSON object"));
        };
        let article = parse_object(file, line_no, obj)?;
        out.push(Record {
            file: file.to_path_buf(),
            line: line_no,
            article,
        });
    }
    Ok(out)
}

fn parse_object(
    file: &Path,
    line: usize,
    mut obj: Map<String, Value>,
) -> Result<NewArticle, ImportError> {
    let err = |m: String| invalid(file, line, m);
    let title = match obj.remove("title") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(err("`title` must be a string".into())),
        None => return Err(err("`title` is missing".into())),
    };
    check_title(file, line, &title)?;
    let published_at = match obj.remove("published_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(
            parse_time(&s)
                .ok_or_else(|| err(format!("`published_at` is not an RFC 3339 time: {s:?}")))?,
        ),
        Some(_) => return Err(err("`published_at` must be a string or null".into())),
    };
    let views = match obj.remove("views") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .filter(|v| *v >= 0)
                .ok_or_else(|| err(format!("`views` must be a whole number ≥ 0, found {n}")))?,
        ),
        Some(_) => return Err(err("`views` must be an integer or null".into())),
    };
    let column = opt_string(&mut obj, "column")
        .map_err(err)?
        .filter(|c| !c.trim().is_empty());
    let body = match obj.remove("body") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(err("`body` must be a string".into())),
        None => return Err(err("`body` is missing".into())),
    };
    let tags = match obj.remove("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|t| match t {
                Value::String(s) => Ok(s),
                _ => Err(err("`tags` must be a list of strings".into())),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(err("`tags` must be a list of strings".into())),
    };
    let bylines = match obj.remove("bylines") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|b| byline(b).map_err(&err))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect(),
        Some(_) => return Err(err("`bylines` must be a list".into())),
    };
    let source_id = opt_string(&mut obj, "source_id")
        .map_err(err)?
        .filter(|s| !s.trim().is_empty());
    let summary = opt_string(&mut obj, "summary").map_err(err)?;
    debug_assert!(KNOWN.iter().all(|k| !obj.contains_key(*k)));
    Ok(NewArticle {
        title,
        column,
        column_parents: Vec::new(),
        tags,
        bylines,
        published_at,
        summary,
        body: Body::from_plain_text(&body),
        views,
        status: rongmei_core::ArticleStatus::Published,
        source_id,
        extra: obj,
    })
}

fn opt_string(obj: &mut Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{key}` must be a string or null")),
    }
}

/// A byline is `"摄影：李四"` or `{"role": "摄影", "name": "李四"}`.
fn byline(v: Value) -> Result<Option<Byline>, String> {
    match v {
        Value::String(s) => Ok(Byline::parse(&s)),
        Value::Object(mut o) => {
            let name = match o.remove("name") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                _ => return Err("a byline object needs a non-empty `name`".into()),
            };
            let role = match o.remove("role") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                None | Some(Value::Null) => "文字".to_string(),
                _ => return Err("a byline's `role` must be a string".into()),
            };
            Ok(Some(Byline { role, name }))
        }
        _ => Err("each byline must be a string or an object".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_fields_and_keeps_unknown_ones() {
        let line = r#"{"title":"标题","published_at":"2021-05-28T10:00:00+08:00","views":5,"column":"国内","body":"一。\n二。","tags":["a"],"bylines":["摄影：李四",{"role":"编辑","name":"王五"}],"source_id":"x:1","source":"repo:path"}"#;
        let recs = parse_jsonl(Path::new("a.jsonl"), line).unwrap();
        let a = &recs[0].article;
        assert_eq!(a.views, Some(5));
        assert_eq!(a.column.as_deref(), Some("国内"));
        assert_eq!(a.bylines.len(), 2);
        assert_eq!(a.bylines[1].role, "编辑");
        assert_eq!(a.source_id.as_deref(), Some("x:1"));
        assert_eq!(
            a.extra.get("source"),
            Some(&Value::String("repo:path".into()))
        );
        assert_eq!(a.body.to_text(), "一。\n二。");
    }

    #[test]
    fn a_broken_line_is_named() {
        let text = "{\"title\":\"a\",\"body\":\"b\"}\n\n{\"title\":\"a\",\"body\":\n";
        let e = parse_jsonl(Path::new("a.jsonl"), text).unwrap_err();
        assert!(
            e.to_string().starts_with("a.jsonl:3: not valid JSON"),
            "{e}"
        );
        let e = parse_jsonl(
            Path::new("a.jsonl"),
            r#"{"title":"a","body":"b","views":-1}"#,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("a.jsonl:1: `views`"), "{e}");
        let e = parse_jsonl(Path::new("a.jsonl"), r#"{"title":"","body":"b"}"#).unwrap_err();
        assert!(e.to_string().contains("title is empty"), "{e}");
        let e = parse_jsonl(Path::new("a.jsonl"), r#"[1]"#).unwrap_err();
        assert!(e.to_string().contains("expected a JSON object"), "{e}");
    }
}
