//! Finding importable files and reading them with the reader their format needs.

use std::path::{Path, PathBuf};

use crate::jsonl::parse_jsonl;
use crate::record::{ImportError, Record, invalid};
use crate::txt::parse_txt;
use crate::wxr::{WxrReport, parse_wxr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Txt,
    Jsonl,
    /// A WordPress export (WXR).
    Wxr,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "txt" => Some(Format::Txt),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "xml" => Some(Format::Wxr),
            _ => None,
        }
    }
}

/// Expands files and folders (recursively, sorted for a stable order) into importable files.
/// A file named explicitly must have a known format; inside folders, other files are passed over.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Format)>, ImportError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| ImportError::Io {
            file: p.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            let fmt = Format::of(p).ok_or_else(|| ImportError::Unsupported { file: p.clone() })?;
            out.push((p.clone(), fmt));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Format)>) -> Result<(), ImportError> {
    let io = |source| ImportError::Io {
        file: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if let Some(fmt) = Format::of(&p) {
            out.push((p, fmt));
        }
    }
    Ok(())
}

/// Reads and parses one file.
pub fn read_file(path: &Path, format: Format) -> Result<Vec<Record>, ImportError> {
    Ok(read_file_with_report(path, format)?.0)
}

/// Reads and parses one file; a WordPress export also gives its report (what else it held,
/// and every warning). An export is read as a stream, never whole.
pub fn read_file_with_report(
    path: &Path,
    format: Format,
) -> Result<(Vec<Record>, Option<WxrReport>), ImportError> {
    let io = |source| ImportError::Io {
        file: path.to_path_buf(),
        source,
    };
    if format == Format::Wxr {
        let file = std::fs::File::open(path).map_err(io)?;
        let out = parse_wxr(path, std::io::BufReader::with_capacity(1 << 16, file))?;
        return Ok((out.records, Some(out.report)));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = decode_utf8(path, &bytes)?;
    let records = if format == Format::Txt {
        vec![Record {
            file: path.to_path_buf(),
            line: 1,
            article: parse_txt(path, text)?,
        }]
    } else {
        parse_jsonl(path, text)?
    };
    Ok((records, None))
}

fn decode_utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        invalid(
            path,
            line,
            format!(
                "not valid UTF-8 (byte offset {}); convert the file to UTF-8",
                e.valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_time;

    #[test]
    fn times_in_legacy_forms() {
        let want = "2023-06-01T22:05:00+08:00";
        for s in [
            "2023-06-01 22:05",
            "2023-06-01T22:05:00+08:00",
            "2023/06/01 22:05",
            "2023年6月1日 22:05",
            "2023-06-01 22:05:00",
        ] {
            assert_eq!(
                parse_time(s).map(|t| t.to_rfc3339()).as_deref(),
                Some(want),
                "{s}"
            );
        }
        assert_eq!(
            parse_time("2023-06-01").map(|t| t.to_rfc3339()).as_deref(),
            Some("2023-06-01T00:00:00+08:00")
        );
        assert_eq!(
            parse_time("2023-06-01T14:05:00Z")
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2023-06-01T14:05:00+00:00")
        );
        assert!(parse_time("yesterday").is_none());
        assert!(parse_time("2023-13-45").is_none());
    }

    #[test]
    fn malformed_utf8_names_the_line() {
        let err = decode_utf8(Path::new("a.txt"), b"ok\nok\n\xff\xfe").unwrap_err();
        assert!(
            err.to_string().starts_with("a.txt:3: not valid UTF-8"),
            "{err}"
        );
    }
}
