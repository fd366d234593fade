//! Uploaded images: receiving them (multipart field `file`) and serving them.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;

use crate::error::WebResult;
use crate::extract::Member;
use crate::state::AppState;

/// A multipart upload: the file and the other fields.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::Malformed(format!("upload: {}", e.body_text())))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" && file.is_none() {
            let file_name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::TooLarge(format!("upload: {}", e.body_text())))?;
            file = Some((bytes.to_vec(), file_name));
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.push((name, text));
        }
    }
    let (bytes, file_name) = file.ok_or_else(|| AppError::invalid("file: no file uploaded"))?;
    Ok(Upload {
        bytes,
        file_name,
        fields,
    })
}

/// `POST /api/v1/media`.
pub async fn upload(
    State(state): State<AppState>,
    m: Member,
    multipart: Multipart,
) -> WebResult<Response> {
    let upload = read_upload(multipart).await?;
    let stored = state
        .app()
        .upload_image(&m.actor, upload.bytes, upload.file_name)
        .await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

/// Uploaded images, by their content-addressed names: they never change, so caches keep them.
/// A file uploaded on another node is fetched from the shared database on first request.
pub async fn serve(State(state): State<AppState>, Path(path): Path<String>) -> WebResult<Response> {
    let Some(file) = state.app().media_file(&path).await? else {
        return Ok((StatusCode::NOT_FOUND, "no such file").into_response());
    };
    Ok(match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(rongmei_media::content_type_of(&file)),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(rongmei_media::CACHE_CONTROL),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            (headers, bytes).into_response()
        }
        Err(_) => (StatusCode::NOT_FOUND, "no such file").into_response(),
    })
}
