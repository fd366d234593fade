//! What `rongmei import` says about WordPress exports: what each held, what was left behind and
//! why, every warning, and — for `--dry-run` — every article that would be written.

use std::path::PathBuf;

use rongmei_app::wordpress::UploadsReport;
use rongmei_import::{Record, WxrExport, WxrReport};

pub struct ImportOptions {
    /// Saved pages of a site-group site, and the profile to read them with.
    pub pages: Option<PathBuf>,
    pub profile: String,
    pub dry_run: bool,
    /// Merge a Rongmei archive into a database that has content.
    pub merge: bool,
    pub media: Option<PathBuf>,
    pub redirects: Option<PathBuf>,
}

/// `http://site/wp-content/uploads/` for every site exported, with both schemes (exports made
/// before a site moved to https link to both).
pub fn upload_prefixes<'a>(exports: impl Iterator<Item = &'a WxrReport>) -> Vec<String> {
    let mut out = Vec::new();
    for site in exports.filter_map(|r| r.site.as_deref()) {
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

/// What an export holds, per kind, on standard error.
pub fn print_counts(export: &WxrExport) {
    let report = &export.report;
    let (taken, left): (Vec<_>, Vec<_>) = report
        .items
        .iter()
        .map(|(k, n)| (k, format!("{k} {n}")))
        .partition(|(k, _)| rongmei_import::WxrReport::is_imported(k));
    let list = |v: Vec<(&String, String)>| {
        if v.is_empty() {
            "nothing".to_string()
        } else {
            v.into_iter().map(|(_, s)| s).collect::<Vec<_>>().join(", ")
        }
    };
    eprintln!(
        "{}: WordPress export (WXR {}) of {}: {} posts become articles ({}); not imported: {}; {} comments kept with their articles",
        export.path().display(),
        report.wxr_version.as_deref().unwrap_or("?"),
        report.site.as_deref().unwrap_or("an unnamed site"),
        export.posts,
        list(taken),
        list(left),
        report.comments,
    );
}

/// Every warning reading an export gave.
pub fn print_warnings(report: &WxrReport) {
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
}

/// One line of a dry run: where, when, which column, status, title.
pub fn print_record(r: &Record) {
    let a = &r.article;
    println!(
        "{}:{}\t{}\t{}\t{}\t{}",
        r.file.display(),
        r.line,
        a.published_at
            .map(|t| t.format("%Y-%m-%d %H:%M %:z").to_string())
            .unwrap_or_else(|| "（无日期）".into()),
        a.column.as_deref().unwrap_or("news"),
        a.status.as_str(),
        a.title
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
