//! The one error of the application layer. It says what went wrong in the newsroom's terms; the
//! web adapter alone decides which HTTP status that is.

/// Why a use case refused or failed. Messages are for the person who asked (Chinese where a
/// newsroom user reads them); `Internal` details go to the log only.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    /// The request itself cannot be read (a malformed number, a body that is not JSON).
    #[error("{0}")]
    Malformed(String),
    /// Nobody is signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but this person may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The article or account is not in a state that allows it (someone acted first).
    #[error("{0}")]
    Conflict(String),
    /// Well-formed but refused: a missing reason, a blocked publication, a field out of range.
    /// The details (publication-check hits, field errors) go to the client with the message.
    #[error("{0}")]
    Invalid(String, Option<serde_json::Value>),
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts; try again after this many seconds.
    #[error("{0}")]
    RateLimited(String, u64),
    /// Existed and was taken down on purpose (a retracted article).
    #[error("{0}")]
    Gone(String),
    /// Not available yet or for a while (the search index is being built); try again soon.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// A field error: `field: message`, without details.
    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::Invalid(message.into(), None)
    }

    /// A refused field: the message names it (`title: …`) and the details carry it as
    /// `{"field": "title"}`, so a form can point at it.
    pub fn field(field: &str, message: impl std::fmt::Display) -> AppError {
        AppError::Invalid(
            format!("{field}: {message}"),
            Some(serde_json::json!({ "field": field })),
        )
    }

    /// What may be shown to anyone: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "服务器内部错误，请稍后再试 (internal error)".to_string(),
            other => other.to_string(),
        }
    }

    /// Writes an internal failure to the log (other errors are the caller's, not ours).
    pub fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
    }
}

/// What a user sees while the disk is full: the write was refused whole and can be repeated
/// once an administrator has made room.
const STORAGE_FULL: &str = "服务器存储空间已满，本次保存未生效；请联系管理员腾出空间后重试。";

impl From<rongmei_store::StoreError> for AppError {
    fn from(e: rongmei_store::StoreError) -> Self {
        use rongmei_store::StoreError as S;
        match e {
            S::Conflict(m) => AppError::Conflict(m),
            S::NotFound(m) => AppError::NotFound(format!("{m} 不存在")),
            S::Invalid(m) => AppError::Invalid(m, None),
            e if e.is_unstorable_value() => {
                tracing::warn!(error = %e, "a value the database cannot store");
                AppError::Invalid(
                    "内容含有无法保存的字符（如空字符）或过长，请检查后重试".into(),
                    None,
                )
            }
            e if e.is_storage_full() => {
                tracing::error!(error = %e, "the database's disk is full");
                AppError::Unavailable(STORAGE_FULL.into())
            }
            e if e.is_unavailable() => {
                tracing::warn!(error = %e, "database unavailable");
                AppError::Unavailable("数据库暂时不可用，请稍后再试。".into())
            }
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl From<rongmei_core::WorkflowError> for AppError {
    fn from(e: rongmei_core::WorkflowError) -> Self {
        use rongmei_core::WorkflowError as W;
        match e {
            W::Forbidden(m) => AppError::Forbidden(m),
            W::Conflict(m) => AppError::Conflict(m),
            W::Invalid(m) => AppError::Invalid(m, None),
        }
    }
}

impl From<rongmei_search::SearchError> for AppError {
    fn from(e: rongmei_search::SearchError) -> Self {
        if e.is_bad_request() {
            AppError::Malformed(e.to_string())
        } else {
            AppError::Internal(e.to_string())
        }
    }
}

impl From<rongmei_media::MediaError> for AppError {
    fn from(e: rongmei_media::MediaError) -> Self {
        use rongmei_media::MediaError as M;
        match e {
            M::Unsupported => AppError::field("file", "只接受 JPEG、PNG、GIF 和 WebP 格式的图片"),
            M::TooLarge => AppError::TooLarge("file: 图片文件过大".into()),
            M::Corrupt(m) => AppError::field("file", format!("无法读取这张图片（{m}）")),
            M::Io(e) if e.kind() == std::io::ErrorKind::StorageFull => {
                tracing::error!(error = %e, "the media folder's disk is full");
                AppError::Unavailable(STORAGE_FULL.into())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("background task: {e}"))
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
