//! The API's documentation in the newsroom: the OpenAPI description rendered on the server, so
//! it reads without any outside script or stylesheet.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_core::Links;
use serde_json::Value;

use super::frame::{Frame, page};
use crate::error::WebResult;
use crate::extract::PageMember;
use crate::state::AppState;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

struct Tag {
    name: String,
    description: String,
    operations: Vec<Operation>,
}

struct Operation {
    anchor: String,
    method: String,
    path: String,
    description: String,
    signed_in: bool,
    parameters: Vec<(String, String, bool, String)>,
    body: Option<String>,
    responses: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "newsroom/api_docs.html")]
struct DocsPage<'a> {
    links: &'a Links,
    frame: Frame,
    title: String,
    description: String,
    tags: Vec<Tag>,
}

/// `#/components/schemas/WriteResult` → `WriteResult`; arrays as `[WriteResult]`.
fn schema_name(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if schema["type"] == "array" {
        return format!("[{}]", schema_name(&schema["items"]));
    }
    match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".into(),
    }
}

fn content_schema(content: &Value) -> String {
    content
        .as_object()
        .map(|c| {
            c.iter()
                .map(|(media, v)| format!("{} ({media})", schema_name(&v["schema"])))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn tags_of(doc: &Value) -> Vec<Tag> {
    let mut tags: Vec<Tag> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Tag {
            name: text(&t["name"]),
            description: text(&t["description"]),
            operations: Vec::new(),
        })
        .collect();
    let Some(paths) = doc["paths"].as_object() else {
        return tags;
    };
    for (path, item) in paths {
        for method in METHODS {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            let operation = Operation {
                anchor: text(&op["operationId"]),
                method: method.to_uppercase(),
                path: path.clone(),
                description: [text(&op["summary"]), text(&op["description"])]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n"),
                signed_in: op["security"].is_array(),
                parameters: op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        (
                            format!("{} ({})", text(&p["name"]), text(&p["in"])),
                            schema_name(&p["schema"]),
                            p["required"].as_bool().unwrap_or(false),
                            text(&p["description"]),
                        )
                    })
                    .collect(),
                body: op["requestBody"]["content"]
                    .is_object()
                    .then(|| content_schema(&op["requestBody"]["content"])),
                responses: op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(code, r)| {
                        (
                            code.clone(),
                            text(&r["description"]),
                            content_schema(&r["content"]),
                        )
                    })
                    .collect(),
            };
            let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
            match tags.iter_mut().find(|t| t.name == tag) {
                Some(t) => t.operations.push(operation),
                None => tags.push(Tag {
                    name: tag,
                    description: String::new(),
                    operations: vec![operation],
                }),
            }
        }
    }
    tags.retain(|t| !t.operations.is_empty());
    tags
}

/// `GET /newsroom/api`: every operation by tag, with its parameters, body and answers.
pub async fn docs(State(state): State<AppState>, PageMember(m): PageMember) -> WebResult<Response> {
    let doc = serde_json::to_value(crate::routes::api_description()).unwrap_or(Value::Null);
    page(
        StatusCode::OK,
        &DocsPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            title: text(&doc["info"]["title"]),
            description: text(&doc["info"]["description"]),
            tags: tags_of(&doc),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_described_operation_is_on_the_page() {
        let doc = serde_json::to_value(crate::routes::api_description()).expect("JSON");
        let tags = tags_of(&doc);
        let count: usize = tags.iter().map(|t| t.operations.len()).sum();
        assert_eq!(count, 33);
        let create = tags
            .iter()
            .flat_map(|t| &t.operations)
            .find(|o| o.method == "POST" && o.path == "/api/v1/articles")
            .expect("create article");
        assert_eq!(
            create.body.as_deref(),
            Some("ArticleInput (application/json)")
        );
        assert!(create.signed_in);
        assert!(
            create
                .responses
                .iter()
                .any(|(c, _, s)| c == "201" && s.contains("WriteResult"))
        );
    }
}
