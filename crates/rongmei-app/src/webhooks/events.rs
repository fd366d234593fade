//! The events endpoints subscribe to, named as the contract names them.

use rongmei_core::EventKind;

/// The events an endpoint may ask for, as the contract names them.
pub const EVENTS: [&str; 7] = [
    "article.published",
    "article.updated",
    "article.retracted",
    "article.scheduled",
    "article.submitted",
    "article.approved",
    "article.rejected",
];

/// The webhook event a change-feed entry is, if any (a new draft is not one).
pub fn event_name(kind: EventKind) -> Option<&'static str> {
    Some(match kind {
        EventKind::Created => return None,
        EventKind::Updated => "article.updated",
        EventKind::Submitted => "article.submitted",
        EventKind::Approved => "article.approved",
        EventKind::Rejected => "article.rejected",
        EventKind::Published => "article.published",
        EventKind::Scheduled => "article.scheduled",
        EventKind::Retracted => "article.retracted",
    })
}

/// What an event type is called on the newsroom's pages.
pub fn event_label(name: &str) -> &'static str {
    match name {
        "article.published" => "发布",
        "article.updated" => "修改",
        "article.retracted" => "撤稿",
        "article.scheduled" => "定时发布",
        "article.submitted" => "送审",
        "article.approved" => "审核通过",
        "article.rejected" => "退回",
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_but_creation_has_a_webhook_name_from_the_contract() {
        for kind in EventKind::ALL {
            match event_name(kind) {
                Some(name) => {
                    assert!(EVENTS.contains(&name), "{name}");
                    assert_ne!(event_label(name), "其他");
                }
                None => assert_eq!(kind, EventKind::Created),
            }
        }
    }
}
