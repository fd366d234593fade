//! What can stop an export.

use std::path::PathBuf;

use rongmei_app::AppError;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("另一个导出正在写入 {0}（同一目录一次只能有一个导出）")]
    Busy(PathBuf),
    #[error("rendering: {0}")]
    Render(#[from] rongmei_render::RenderError),
    #[error("the export's worker stopped: {0}")]
    Worker(String),
}

impl ExportError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ExportError {
        let path = path.into();
        move |source| ExportError::Io { path, source }
    }
}
