//! Readers for legacy archives. Each turns a file into [`NewArticle`]s or an error that names the
//! file and line, so an import can check everything before it writes anything.

mod files;
mod jsonl;
mod pages;
mod record;
mod txt;
mod wxr;

pub use files::{Format, collect_files, read_file, read_file_with_report};
pub use jsonl::parse_jsonl;
pub use pages::{PagesImport, Profile, parse_pages};
pub use record::{ImportError, Record, parse_time};
pub use txt::parse_txt;
pub use wxr::{WxrExport, WxrImport, WxrReport, parse_wxr, scan_wxr, wordpress_html};
