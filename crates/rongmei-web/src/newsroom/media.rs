//! Uploaded images: receiving them (multipart field `file`) and serving them.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;

use crate::api::openapi::{InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{Member, bearer, session_cookie};
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
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        AppError::Malformed(format!("file: 无法读取上传的内容（{}）", e.body_text()))
    })? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" && file.is_none() {
            let file_name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::TooLarge("file: 上传的文件过大".into()))?;
            file = Some((bytes.to_vec(), file_name));
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.push((name, text));
        }
    }
    let (bytes, file_name) = file.ok_or_else(|| AppError::field("file", "没有收到上传的文件"))?;
    Ok(Upload {
        bytes,
        file_name,
        fields,
    })
}

/// The multipart form of an upload, as the description shows it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A JPEG, PNG, WebP or GIF image, at most 20 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// `POST /api/v1/media`.
#[utoipa::path(
    post, path = "/api/v1/media", tag = "tools", security(("bearer" = []), ("session_cookie" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored, with thumbnails", body = rongmei_media::StoredImage), MemberErrors, InputErrors)
)]
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
/// How long anyone may keep a public image: a day, not a year, so that a retracted article's
/// images leave browser and CDN caches within a day (the server refuses them at once).
const PUBLIC_MEDIA_CACHE: &str = "public, max-age=86400";

/// An uploaded image: to anyone when a published article shows it, else to the newsroom only
/// (drafts, articles in review, retracted ones) and never kept by a shared cache.
pub async fn serve(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let public = state.app().media_is_public(&path).await?;
    if !public {
        let token = bearer(&headers).or_else(|| session_cookie(&headers));
        let member = match token {
            Some(t) => state.app().authenticate(t).await?.is_some(),
            None => false,
        };
        if !member {
            return Err(AppError::NotFound("没有这个文件".into()).into());
        }
    }
    let Some(file) = state.app().media_file(&path).await? else {
        return Err(AppError::NotFound("没有这个文件".into()).into());
    };
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        Err(_) => return Err(AppError::NotFound("没有这个文件".into()).into()),
    };
    let mut out = HeaderMap::new();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(rongmei_media::content_type_of(&file)),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public {
            PUBLIC_MEDIA_CACHE
        } else {
            "private, no-store"
        }),
    );
    Ok((out, bytes).into_response())
}
