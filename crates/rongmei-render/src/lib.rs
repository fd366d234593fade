//! The public site's HTML, rendered without a request: the same renderer serves live pages, the
//! newsroom's preview, the static export (later) and the feeds. Every URL comes from the links
//! builder, so a configured base URL reaches every page.

pub mod analytics;
pub mod assets;
pub mod channels;
pub mod chart;
pub mod entities;
mod entity_links;
pub mod error;
pub mod feeds;
pub mod pages;
pub mod sitemaps;

pub use error::RenderError;
pub use pages::{ArticleHtml, Mode, Renderer, SearchHit, SearchView};
