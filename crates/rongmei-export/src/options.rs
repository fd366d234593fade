//! What an export is asked to do, and what it did.

use std::path::PathBuf;

/// What to export, and where.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub dir: PathBuf,
    /// The live server that answers search, the API and view counts; `None` when the static
    /// host passes `/api/` and `/search` on to it.
    pub api_base: Option<String>,
    /// Render every page even when its sources did not change.
    pub full: bool,
}

/// What one run did.
#[derive(Debug, Default, Clone)]
pub struct ExportReport {
    /// Files written (folder-relative), in order.
    pub written: Vec<String>,
    /// Files deleted: retracted articles, pages past a listing's end, pictures no page shows.
    pub deleted: Vec<String>,
    /// Pages and files rendered (whether or not their bytes changed).
    pub rendered: usize,
    /// Files in the export after the run.
    pub files: usize,
    pub media_copied: usize,
    /// Pictures a page shows that no node has (the live site would not show them either).
    pub media_missing: Vec<String>,
    /// The change feed's position the export is current with.
    pub seq: i64,
    /// Every page was rendered (no usable manifest, a site-wide change, or `full`).
    pub full: bool,
    pub seconds: f64,
}
