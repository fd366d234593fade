//! What `rongmei import` says about WordPress exports: what each held, what was left behind and
//! why, every warning, and — for `--dry-run` — every article that would be written.

use std::path::{Path, PathBuf};

use rongmei_app::wordpress::UploadsReport;
use rongmei_import::{Record, WxrReport};

pub struct ImportOptions {
    /// Saved pages of a site-group site, and the profile to read them with.
    pub pages: Option<PathBuf>,
    pub profile: String,
    pub dry_run: bool,
    pub media: Option<PathBuf>,
    pub redirects: Option<PathBuf>,
}

/// `http://site/wp-content/uploads/` for every site exported, with both schemes (exports made
/// before a site moved to https link to both).
pub fn upload_prefixes(exports: &[WxrReport]) -> Vec<String> {
    let mut out = Vec::new();
    for site in exports.iter().filter_map(|r| r.site.as_deref()) {
        let bare = site
            .trim_end_matches('/')
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        for scheme in ["http://", "https://"] {
            let p = format!("{scheme}{bare}/wp-content/uploads/");
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Counts per kind on standard error, then every warning.
pub fn print_report(file: &Path, report: &WxrReport, articles: usize) {
    let left: Vec<String> = report
        .items
        .iter()
        .filter(|(k, _)| k.as_str() != "post/publish")
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    eprintln!(
        "{}: WordPress export (WXR {}) of {}: {articles} published posts become articles; not imported: {}; {} comments kept with their articles; {} warnings",
        file.display(),
        report.wxr_version.as_deref().unwrap_or("?"),
        report.site.as_deref().unwrap_or("an unnamed site"),
        if left.is_empty() {
            "nothing".to_string()
        } else {
            left.join(", ")
        },
        report.comments,
        report.warnings.len()
    );
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
}

/// Every article a run would write, then the count.
pub fn print_dry_run(records: &[Record]) {
    for r in records {
        let a = &r.article;
        println!(
            "{}:{}\t{}\t{}\t{}",
            r.file.display(),
            r.line,
            a.published_at
                .map(|t| t.format("%Y-%m-%d %H:%M %:z").to_string())
                .unwrap_or_else(|| "（无日期）".into()),
            a.column.as_deref().unwrap_or("news"),
            a.title
        );
    }
    println!(
        "dry run: {} articles would be imported; nothing was written",
        records.len()
    );
}

pub fn print_uploads(report: &UploadsReport) {
    eprintln!(
        "media: {} files stored; {} linked files not in the folder; {} refused",
        report.stored,
        report.missing.len(),
        report.refused.len()
    );
    for url in &report.missing {
        eprintln!("media: not in the uploads folder, link kept: {url}");
    }
    for (url, why) in &report.refused {
        eprintln!("media: refused, link kept: {url}: {why}");
    }
}
