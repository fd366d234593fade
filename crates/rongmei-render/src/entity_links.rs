//! The block of names at the end of an article page: people, organisations and places, each a
//! link to its page.

use rongmei_core::{EntityKind, Links};
use rongmei_store::Mention;

/// One kind of name in an article's block: its label and each name with its link.
pub struct EntityGroup {
    pub label: &'static str,
    pub names: Vec<EntityLink>,
}

pub struct EntityLink {
    pub written: String,
    pub href: String,
    /// The roles this article gives, joined with 、.
    pub roles: String,
}

/// The article page's block: people, organisations, places, each linking to its page.
pub(crate) fn groups(links: &Links, mentions: &[Mention]) -> Vec<EntityGroup> {
    EntityKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let names: Vec<EntityLink> = mentions
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| EntityLink {
                    written: m.written.clone(),
                    href: links.entity(kind, &m.entity),
                    roles: m.roles.join("、"),
                })
                .collect();
            (!names.is_empty()).then_some(EntityGroup {
                label: kind.label(),
                names,
            })
        })
        .collect()
}
