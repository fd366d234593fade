//! Files the public pages link to.

/// The stylesheet every public page links to.
pub const CSS: &str = include_str!("../static/site.css");
/// Changes the stylesheet's URL when a release changes it, so caches never mix versions.
pub const CSS_VERSION: &str = env!("CARGO_PKG_VERSION");
