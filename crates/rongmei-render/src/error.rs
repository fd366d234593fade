#[derive(Debug, thiserror::Error)]
#[error("rendering a page failed: {0}")]
pub struct RenderError(#[from] askama::Error);

impl From<RenderError> for rongmei_app::AppError {
    fn from(e: RenderError) -> Self {
        rongmei_app::AppError::Internal(e.to_string())
    }
}
