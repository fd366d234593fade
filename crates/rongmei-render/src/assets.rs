//! Files the public pages link to.

/// The stylesheet every public page links to.
pub const CSS: &str = include_str!("../static/site.css");
/// Changes the stylesheet's URL whenever its content changes (not only with the package
/// version), so a browser never keeps last week's rules with this week's pages.
pub static CSS_VERSION: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{:016x}", fnv1a(CSS.as_bytes())));

/// The search boxes' suggestions, served beside the stylesheet; live pages only (a static
/// copy has no server to ask).
pub const SUGGEST_JS: &str = include_str!("../static/suggest.js");
pub static SUGGEST_JS_VERSION: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{:016x}", fnv1a(SUGGEST_JS.as_bytes())));

/// FNV-1a: a content fingerprint for a cache-busting URL, not a security hash.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}
