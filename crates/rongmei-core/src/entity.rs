//! Knowledge entities: the kinds of thing an article mentions, and the editors' verdicts on what
//! extraction found.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Person,
    Organization,
    Place,
}

impl EntityKind {
    pub const ALL: [EntityKind; 3] = [
        EntityKind::Person,
        EntityKind::Organization,
        EntityKind::Place,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Place => "place",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The path segment of its public pages (`/people/成进`).
    pub fn segment(self) -> &'static str {
        match self {
            EntityKind::Person => "people",
            EntityKind::Organization => "organizations",
            EntityKind::Place => "places",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "人物",
            EntityKind::Organization => "机构",
            EntityKind::Place => "地点",
        }
    }
}

/// An editor's word on one name in one article; it outlives every re-extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Right: kept even when extraction no longer finds it, and recognised in later articles.
    Confirmed,
    /// Wrong: never proposed again for this article.
    Rejected,
    /// Missed by extraction, added by hand (also recognised in later articles).
    Added,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Rejected => "rejected",
            Verdict::Added => "added",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [Verdict::Confirmed, Verdict::Rejected, Verdict::Added]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Checks a name an editor types: trimmed, 1–40 characters, no line breaks or markup.
pub fn clean_entity_name(s: &str) -> Option<String> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0
        || n > 40
        || s.chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>' | '/'))
    {
        return None;
    }
    Some(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_verdicts_round_trip() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(EntityKind::Person.segment(), "people");
        assert_eq!(Verdict::parse("rejected"), Some(Verdict::Rejected));
        assert_eq!(Verdict::parse("maybe"), None);
    }

    #[test]
    fn entity_names_are_checked() {
        assert_eq!(clean_entity_name(" 成进 ").as_deref(), Some("成进"));
        assert_eq!(clean_entity_name(""), None);
        assert_eq!(clean_entity_name("a/b"), None);
        assert_eq!(clean_entity_name("<b>x</b>"), None);
        assert_eq!(clean_entity_name(&"长".repeat(41)), None);
    }

    #[test]
    fn kinds_are_named_and_shown_in_chinese() {
        let named: Vec<(&str, &str, &str)> = EntityKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), k.segment(), k.label()))
            .collect();
        assert_eq!(
            named,
            [
                ("person", "people", "人物"),
                ("organization", "organizations", "机构"),
                ("place", "places", "地点"),
            ]
        );
        assert_eq!(EntityKind::parse("people"), None);
    }

    #[test]
    fn verdicts_are_spelled_as_stored() {
        for (v, name) in [
            (Verdict::Confirmed, "confirmed"),
            (Verdict::Rejected, "rejected"),
            (Verdict::Added, "added"),
        ] {
            assert_eq!(v.as_str(), name);
            assert_eq!(Verdict::parse(name), Some(v));
        }
    }

    #[test]
    fn a_name_of_exactly_forty_characters_is_accepted() {
        let forty = "西".repeat(40);
        assert_eq!(clean_entity_name(&forty), Some(forty.clone()));
        assert_eq!(
            clean_entity_name("西安交通大学"),
            Some("西安交通大学".into())
        );
    }

    #[test]
    fn line_breaks_and_markup_are_refused_in_names() {
        for bad in ["王树国\n校长", "西安\t交大", "a>b", "   "] {
            assert_eq!(clean_entity_name(bad), None, "{bad:?}");
        }
    }
}
