//! The API's documentation in the newsroom: the OpenAPI description rendered on the server, so
//! it reads without any outside script or stylesheet.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_core::Links;
use serde_json::Value;
use utoipa::openapi::OpenApi;

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

/// `GET /newsroom/api`: every operation by tag, with its parameters, body and answers. The
/// description is the one the route table built and `/api/openapi.json` serves.
pub async fn docs(
    State(state): State<AppState>,
    Extension(description): Extension<Arc<OpenApi>>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let doc = serde_json::to_value(description.as_ref()).unwrap_or(Value::Null);
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
    fn operations_are_grouped_by_tag_with_their_body_and_answers() {
        let doc = serde_json::json!({
            "tags": [{"name": "articles", "description": "写稿"}],
            "paths": {"/api/v1/articles": {"post": {
                "operationId": "create_article", "tags": ["articles"],
                "security": [{"bearer": []}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleInput"}}}},
                "responses": {"201": {"description": "A new draft", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WriteResult"}}}}}
            }}}
        });
        let tags = tags_of(&doc);
        assert_eq!(tags.len(), 1);
        let create = &tags[0].operations[0];
        assert_eq!(
            (create.method.as_str(), create.path.as_str()),
            ("POST", "/api/v1/articles")
        );
        assert_eq!(
            create.body.as_deref(),
            Some("ArticleInput (application/json)")
        );
        assert!(create.signed_in);
        assert_eq!(create.responses[0].2, "WriteResult (application/json)");
    }
}
