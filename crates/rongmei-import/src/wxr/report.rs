//! What reading an export yields: the records and a report of everything else.

use std::collections::BTreeMap;

use rongmei_core::ArticleStatus;

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

impl WxrReport {
    pub(crate) fn absorb(&mut self, header: &Header) {
        self.wxr_version.clone_from(&header.wxr_version);
        self.site.clone_from(&header.site);
    }

    /// Whether items counted as `kind/status` (`post/draft`) become records.
    pub fn is_imported(kind: &str) -> bool {
        imported_kind(kind)
    }

    /// How many items become records (posts published, scheduled, draft, pending or private).
    pub fn imported(&self) -> usize {
        self.items
            .iter()
            .filter(|(kind, _)| imported_kind(kind))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The records of a WXR file with its report.
#[derive(Debug, Clone, Default)]
pub struct WxrImport {
    pub records: Vec<Record>,
    pub report: WxrReport,
}

/// What the channel says before and between items.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub wxr_version: Option<String>,
    pub site: Option<String>,
    /// `wp:author_login` → display name.
    pub authors: BTreeMap<String, String>,
    /// `wp:category`: nicename → (name, parent nicename).
    pub categories: BTreeMap<String, (String, String)>,
}

/// What a post's WordPress status becomes here; other statuses (trash, inherit for
/// revisions, auto-draft) are left behind. A private post is not for the public: a draft.
pub(crate) fn status_of(wp_status: &str) -> Option<ArticleStatus> {
    match wp_status {
        "publish" => Some(ArticleStatus::Published),
        "future" => Some(ArticleStatus::Scheduled),
        "draft" | "private" => Some(ArticleStatus::Draft),
        "pending" => Some(ArticleStatus::Submitted),
        _ => None,
    }
}

/// Whether items counted as `kind/status` become records.
pub fn imported_kind(kind: &str) -> bool {
    kind.strip_prefix("post/")
        .is_some_and(|status| status_of(status).is_some())
}
