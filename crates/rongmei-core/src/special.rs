//! A 专题 (special): a curated set of articles from any column, in the editors' order, with its
//! own page and feeds, and a banner on the home page while it is featured.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Special {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The banner picture's address.
    pub cover: Option<String>,
    /// Specials are listed by this, smallest first.
    pub position: i64,
    /// Shown as a banner on the home page.
    pub featured: bool,
}

/// A slug as specials and columns take them: lower-case ASCII letters, digits and `-`, 1 to 64
/// characters, not starting or ending with `-`.
pub fn valid_slug(slug: &str) -> bool {
    (1..=64).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_lower_case_words() {
        assert!(valid_slug("er-shi-da"));
        assert!(valid_slug("2024"));
        assert!(!valid_slug(""));
        assert!(!valid_slug("Big"));
        assert!(!valid_slug("-a"));
        assert!(!valid_slug("专题"));
        assert!(!valid_slug(&"a".repeat(65)));
    }

    #[test]
    fn a_slug_may_not_end_with_a_dash_or_hold_other_signs() {
        assert!(valid_slug(&"a".repeat(64)));
        assert!(valid_slug("xi-qian-70"));
        assert!(!valid_slug("a-"));
        assert!(!valid_slug("er_shi_da"));
        assert!(!valid_slug("er shi da"));
    }
}
