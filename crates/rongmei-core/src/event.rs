//! What happened to an article, as the change feed records it: written in the same transaction as
//! the change itself, read by every consumer (search index, page caches, webhooks, exports) at
//! its own pace.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::article::ArticleStatus;
use crate::workflow::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A new article: a newsroom draft, or an imported one (then already published).
    Created,
    /// Content changed: an edit, or a re-import with new content.
    Updated,
    Submitted,
    /// A review stage passed; the event's status says which (初审, 复审 or 终审).
    Approved,
    Rejected,
    Published,
    Scheduled,
    Retracted,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Created,
        EventKind::Updated,
        EventKind::Submitted,
        EventKind::Approved,
        EventKind::Rejected,
        EventKind::Published,
        EventKind::Scheduled,
        EventKind::Retracted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Submitted => "submitted",
            EventKind::Approved => "approved",
            EventKind::Rejected => "rejected",
            EventKind::Published => "published",
            EventKind::Scheduled => "scheduled",
            EventKind::Retracted => "retracted",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The event a workflow action produces.
    pub fn of_action(action: Action) -> EventKind {
        match action {
            Action::Submit => EventKind::Submitted,
            Action::Approve => EventKind::Approved,
            Action::Reject => EventKind::Rejected,
            Action::Publish => EventKind::Published,
            Action::Schedule => EventKind::Scheduled,
            Action::Retract => EventKind::Retracted,
        }
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleEvent {
    /// Position in the feed; increases with every entry, with possible holes.
    pub seq: i64,
    pub article_id: i64,
    pub kind: EventKind,
    /// The article's state after the change.
    pub status: ArticleStatus,
    /// The article's revision after the change (imported articles have none).
    pub revision: Option<i64>,
    /// Who did it; `None` for imports and the scheduler.
    pub actor_id: Option<i64>,
    pub at: DateTime<Utc>,
}

impl ArticleEvent {
    /// Whether readers can see a difference: the article is public now, or just stopped being
    /// public. Search and page caches only need these.
    pub fn touches_public(&self) -> bool {
        self.status == ArticleStatus::Published || self.kind == EventKind::Retracted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_follow_actions() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(EventKind::of_action(Action::Retract), EventKind::Retracted);
        assert_eq!(EventKind::parse("deleted"), None);
    }

    #[test]
    fn each_workflow_action_produces_its_event() {
        for (action, kind) in [
            (Action::Submit, EventKind::Submitted),
            (Action::Approve, EventKind::Approved),
            (Action::Reject, EventKind::Rejected),
            (Action::Publish, EventKind::Published),
            (Action::Schedule, EventKind::Scheduled),
            (Action::Retract, EventKind::Retracted),
        ] {
            assert_eq!(EventKind::of_action(action), kind);
        }
        let names: Vec<&str> = EventKind::ALL.into_iter().map(EventKind::as_str).collect();
        assert_eq!(
            names,
            [
                "created",
                "updated",
                "submitted",
                "approved",
                "rejected",
                "published",
                "scheduled",
                "retracted",
            ]
        );
    }

    fn event(kind: EventKind, status: ArticleStatus) -> ArticleEvent {
        ArticleEvent {
            seq: 1001,
            article_id: 42,
            kind,
            status,
            revision: Some(3),
            actor_id: Some(7),
            at: "2024-05-23T02:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn readers_see_a_change_only_to_a_public_article_or_a_retraction() {
        assert!(event(EventKind::Published, ArticleStatus::Published).touches_public());
        assert!(event(EventKind::Updated, ArticleStatus::Published).touches_public());
        assert!(event(EventKind::Retracted, ArticleStatus::Retracted).touches_public());
        assert!(!event(EventKind::Created, ArticleStatus::Draft).touches_public());
        assert!(!event(EventKind::Updated, ArticleStatus::Draft).touches_public());
        assert!(!event(EventKind::Approved, ArticleStatus::FirstPassed).touches_public());
        assert!(!event(EventKind::Scheduled, ArticleStatus::Scheduled).touches_public());
    }
}
