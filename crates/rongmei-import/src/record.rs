//! What every reader shares: the record, its errors, and the checks of titles and times.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use rongmei_core::{NewArticle, SHANGHAI};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}:{line}: {message}", file.display())]
    Invalid {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: unsupported file type (expected .txt, .jsonl or a WordPress export .xml)", file.display())]
    Unsupported { file: PathBuf },
}

/// One record read from a file, with where it came from for messages and progress.
#[derive(Debug, Clone)]
pub struct Record {
    pub file: PathBuf,
    pub line: usize,
    pub article: NewArticle,
}

pub(crate) fn invalid(file: &Path, line: usize, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        file: file.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads a publish time: RFC 3339 keeps its offset; the forms legacy Chinese sites print
/// (`2023-06-01 22:05`, `2023/6/1`, `2023年6月1日 22:05`) are Asia/Shanghai.
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let norm: String = s
        .replace(['年', '月', '/', '.'], "-")
        .replace(['日', 'T'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let norm = norm.trim_end_matches('-');
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(norm, fmt) {
            return t.and_local_timezone(SHANGHAI).single();
        }
    }
    NaiveDate::parse_from_str(norm, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(SHANGHAI).single())
}

pub(crate) fn check_title(file: &Path, line: usize, title: &str) -> Result<(), ImportError> {
    if title.trim().is_empty() {
        return Err(invalid(file, line, "title is empty"));
    }
    if title.chars().count() > 500 {
        return Err(invalid(file, line, "title is longer than 500 characters"));
    }
    Ok(())
}
