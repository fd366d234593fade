//! What reading an export yields: the records and a report of everything else.

use std::collections::BTreeMap;

use crate::record::Record;

/// What a WXR file held besides the records: counts per kind and every warning.
#[derive(Debug, Clone, Default)]
pub struct WxrReport {
    pub wxr_version: Option<String>,
    pub site: Option<String>,
    /// Items by `wp:post_type` and `wp:status` (`post/publish`, `post/draft`, `page/publish`,
    /// `attachment/inherit` …), as found.
    pub items: BTreeMap<String, usize>,
    pub comments: usize,
    /// `FILE:LINE: message`, in file order.
    pub warnings: Vec<String>,
    /// Old permalink → the article's source id, for the redirect map.
    pub permalinks: Vec<(String, String)>,
}

/// The records of a WXR file with its report.
#[derive(Debug, Clone, Default)]
pub struct WxrImport {
    pub records: Vec<Record>,
    pub report: WxrReport,
}
