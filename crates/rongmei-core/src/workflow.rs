//! The three-stage review (三审) as a state machine with separation of duties.
//!
//! `draft → submitted → first_passed (初审) → second_passed (复审) → approved (终审) → published |
//! scheduled`; `reject` returns an article in review to `draft`; `retract` takes a published one
//! down. Nobody reviews an article they wrote, and nobody passes two different stages of one
//! article, even when they hold several roles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::article::ArticleStatus;
use crate::user::{Role, User};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    Approve,
    Reject,
    Publish,
    Schedule,
    Retract,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Submit,
        Action::Approve,
        Action::Reject,
        Action::Publish,
        Action::Schedule,
        Action::Retract,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Publish => "publish",
            Action::Schedule => "schedule",
            Action::Retract => "retract",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "送审",
            Action::Approve => "通过",
            Action::Reject => "退回",
            Action::Publish => "发布",
            Action::Schedule => "定时发布",
            Action::Retract => "撤稿",
        }
    }
}

/// Why an action or edit is refused; each maps to one HTTP status at the edge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The actor's roles or history do not allow it (403).
    #[error("{0}")]
    Forbidden(String),
    /// The article's state does not allow it (409).
    #[error("{0}")]
    Conflict(String),
    /// The request lacks something the action needs, such as a reason (422).
    #[error("{0}")]
    Invalid(String),
}

/// The Chinese name of a state, for pages and audit lines.
pub fn status_label(s: ArticleStatus) -> &'static str {
    match s {
        ArticleStatus::Draft => "草稿",
        ArticleStatus::Submitted => "待初审",
        ArticleStatus::FirstPassed => "待复审",
        ArticleStatus::SecondPassed => "待终审",
        ArticleStatus::Approved => "待发布",
        ArticleStatus::Scheduled => "定时发布",
        ArticleStatus::Published => "已发布",
        ArticleStatus::Retracted => "已撤稿",
    }
}

/// Why an action decided on an article in state `seen` is refused once someone has moved the
/// article on (409): the one wording for the application's check and the store's.
pub fn moved_on(article_id: i64, seen: ArticleStatus) -> String {
    format!(
        "稿件 {article_id} 已不在“{}”状态：有人先处理了它，请刷新页面",
        status_label(seen)
    )
}

/// The review stage an article waits in, and the role that passes it.
pub fn stage_role(s: ArticleStatus) -> Option<Role> {
    match s {
        ArticleStatus::Submitted => Some(Role::Reviewer1),
        ArticleStatus::FirstPassed => Some(Role::Reviewer2),
        ArticleStatus::SecondPassed => Some(Role::Chief),
        _ => None,
    }
}

/// The states whose articles wait for someone holding `role`.
pub fn waiting_for(role: Role) -> &'static [ArticleStatus] {
    match role {
        Role::Reviewer1 => &[ArticleStatus::Submitted],
        Role::Reviewer2 => &[ArticleStatus::FirstPassed],
        Role::Chief => &[ArticleStatus::SecondPassed, ArticleStatus::Approved],
        Role::Reporter | Role::Admin => &[],
    }
}

/// What the rules need to know about one requested action.
pub struct ActionRequest<'a> {
    pub actor: &'a User,
    pub author_id: Option<i64>,
    pub status: ArticleStatus,
    /// The states from which this actor has passed this article before (their earlier approvals).
    pub passed_by_actor: &'a [ArticleStatus],
    pub action: Action,
    pub comment: Option<&'a str>,
    pub at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Decides the state an action leads to, or why it may not happen.
pub fn decide(req: &ActionRequest<'_>) -> Result<ArticleStatus, WorkflowError> {
    use ArticleStatus as S;
    let actor = req.actor;
    let is_author = req.author_id == Some(actor.id);
    let comment = req.comment.map(str::trim).filter(|c| !c.is_empty());
    let conflict = || {
        WorkflowError::Conflict(format!(
            "稿件当前状态为“{}”，不能{}（可能有人已先处理，请刷新页面）",
            status_label(req.status),
            req.action.label()
        ))
    };
    match req.action {
        Action::Submit => {
            if req.status != S::Draft {
                return Err(conflict());
            }
            if !is_author {
                return Err(WorkflowError::Forbidden("只有作者本人可以提交送审".into()));
            }
            Ok(S::Submitted)
        }
        Action::Approve | Action::Reject => {
            let any_reviewer = [Role::Reviewer1, Role::Reviewer2, Role::Chief]
                .iter()
                .any(|r| actor.has(*r));
            if !any_reviewer {
                return Err(WorkflowError::Forbidden(format!(
                    "只有审核人员可以{}稿件",
                    req.action.label()
                )));
            }
            let needed = match (req.action, req.status) {
                (_, s) if stage_role(s).is_some() => stage_role(s),
                // The chief may still send back an approved or scheduled article.
                (Action::Reject, S::Approved | S::Scheduled) => Some(Role::Chief),
                _ => None,
            };
            let Some(needed) = needed else {
                return Err(conflict());
            };
            if !actor.has(needed) {
                return Err(WorkflowError::Forbidden(format!(
                    "这一审核环节需要“{}”角色",
                    needed.label()
                )));
            }
            if is_author {
                return Err(WorkflowError::Forbidden("不能审核自己撰写的稿件".into()));
            }
            if req.action == Action::Reject {
                if comment.is_none() {
                    return Err(WorkflowError::Invalid("退回稿件时请填写修改意见".into()));
                }
                return Ok(S::Draft);
            }
            if req.passed_by_actor.iter().any(|s| *s != req.status) {
                return Err(WorkflowError::Forbidden(
                    "同一篇稿件的两个审核环节不能由同一人通过".into(),
                ));
            }
            Ok(match req.status {
                S::Submitted => S::FirstPassed,
                S::FirstPassed => S::SecondPassed,
                _ => S::Approved,
            })
        }
        Action::Publish | Action::Schedule => {
            if !actor.has(Role::Chief) {
                return Err(WorkflowError::Forbidden(format!(
                    "只有终审可以{}",
                    req.action.label()
                )));
            }
            if !matches!(req.status, S::Approved | S::Scheduled) {
                return Err(conflict());
            }
            if req.action == Action::Publish {
                return Ok(S::Published);
            }
            match req.at {
                None => Err(WorkflowError::Invalid(
                    "定时发布需要填写发布时间（at）".into(),
                )),
                Some(at) if at <= req.now => {
                    Err(WorkflowError::Invalid("定时发布的时间必须晚于现在".into()))
                }
                Some(_) => Ok(S::Scheduled),
            }
        }
        Action::Retract => {
            if !(actor.has(Role::Chief) || actor.is_admin()) {
                return Err(WorkflowError::Forbidden("只有终审或管理员可以撤稿".into()));
            }
            if req.status != S::Published {
                return Err(conflict());
            }
            if comment.is_none() {
                return Err(WorkflowError::Invalid("撤稿需要填写原因".into()));
            }
            Ok(S::Retracted)
        }
    }
}

/// Whether `actor` may edit an article in `status` written by `author_id`.
pub fn may_edit(
    actor: &User,
    author_id: Option<i64>,
    status: ArticleStatus,
) -> Result<(), WorkflowError> {
    use ArticleStatus as S;
    let is_author = author_id == Some(actor.id);
    match status {
        S::Draft if is_author => Ok(()),
        S::Draft => Err(WorkflowError::Forbidden("草稿只能由作者本人修改".into())),
        S::Submitted | S::FirstPassed | S::SecondPassed => {
            let needed = stage_role(status).unwrap_or(Role::Chief);
            if actor.has(needed) && !is_author {
                Ok(())
            } else if is_author {
                Err(WorkflowError::Conflict(
                    "稿件正在审核中：需审核人退回后，作者才能修改".into(),
                ))
            } else {
                Err(WorkflowError::Forbidden(format!(
                    "这一环节只有“{}”可以修改稿件",
                    needed.label()
                )))
            }
        }
        S::Approved | S::Scheduled | S::Published => {
            if actor.has(Role::Chief) {
                Ok(())
            } else {
                Err(WorkflowError::Forbidden(
                    "已通过终审或已发布的稿件只能由终审修改".into(),
                ))
            }
        }
        S::Retracted => Err(WorkflowError::Conflict("已撤下的稿件不能再修改".into())),
    }
}

/// Whether `actor` may read an article (its content, revisions, comments and history).
///
/// A draft belongs to its author until it is submitted; in review it belongs to the reviewers
/// of its stage and of the stages it has passed; once approved, to every reviewer; once public
/// (published or retracted), to the whole newsroom. Chiefs and admins read everything.
pub fn may_read(actor: &User, author_id: Option<i64>, status: ArticleStatus) -> bool {
    use ArticleStatus as S;
    if author_id == Some(actor.id) || actor.has(Role::Chief) || actor.is_admin() {
        return true;
    }
    match status {
        S::Draft => false,
        S::Submitted => actor.has(Role::Reviewer1),
        S::FirstPassed | S::SecondPassed => {
            actor.has(Role::Reviewer1) || actor.has(Role::Reviewer2)
        }
        S::Approved | S::Scheduled => actor.has(Role::Reviewer1) || actor.has(Role::Reviewer2),
        S::Published | S::Retracted => true,
    }
}

/// The actions `actor` could take now, for the buttons an editor page shows.
pub fn available_actions(
    actor: &User,
    author_id: Option<i64>,
    status: ArticleStatus,
    passed_by_actor: &[ArticleStatus],
    now: DateTime<Utc>,
) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|action| {
            let req = ActionRequest {
                actor,
                author_id,
                status,
                passed_by_actor,
                action: *action,
                comment: Some("x"),
                at: Some(now + chrono::Duration::hours(1)),
                now,
            };
            decide(&req).is_ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleStatus as S;

    #[test]
    fn a_draft_is_private_until_submitted_then_belongs_to_its_stage() {
        let author = user(1, &[Role::Reporter]);
        let other = user(2, &[Role::Reporter]);
        let r1 = user(3, &[Role::Reviewer1]);
        let r2 = user(4, &[Role::Reviewer2]);
        let chief = user(5, &[Role::Chief]);
        let admin = user(6, &[Role::Admin]);
        for who in [&author, &chief, &admin] {
            assert!(may_read(who, Some(1), S::Draft));
        }
        for who in [&other, &r1, &r2] {
            assert!(!may_read(who, Some(1), S::Draft));
        }
        assert!(may_read(&r1, Some(1), S::Submitted));
        assert!(!may_read(&r2, Some(1), S::Submitted));
        assert!(!may_read(&other, Some(1), S::Submitted));
        assert!(may_read(&r2, Some(1), S::FirstPassed));
        assert!(!may_read(&other, Some(1), S::Approved));
        assert!(may_read(&other, Some(1), S::Published));
    }

    fn user(id: i64, roles: &[Role]) -> User {
        User {
            id,
            login: format!("u{id}"),
            name: format!("U{id}"),
            roles: roles.to_vec(),
            disabled: false,
        }
    }

    fn run(
        actor: &User,
        author: i64,
        status: S,
        passed: &[S],
        action: Action,
        comment: Option<&str>,
    ) -> Result<S, WorkflowError> {
        let now = Utc::now();
        decide(&ActionRequest {
            actor,
            author_id: Some(author),
            status,
            passed_by_actor: passed,
            action,
            comment,
            at: None,
            now,
        })
    }

    #[test]
    fn actions_are_named_as_the_api_spells_them_and_labelled_in_chinese() {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            names,
            [
                "submit", "approve", "reject", "publish", "schedule", "retract"
            ]
        );
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            assert_eq!(Action::parse(&format!(" {} ", a.as_str())), Some(a));
        }
        assert_eq!(Action::parse("delete"), None);
        let labels: Vec<&str> = Action::ALL.iter().map(|a| a.label()).collect();
        assert_eq!(labels, ["送审", "通过", "退回", "发布", "定时发布", "撤稿"]);
        assert_eq!(status_label(S::Submitted), "待初审");
        assert_eq!(status_label(S::Retracted), "已撤稿");
    }

    #[test]
    fn each_role_waits_for_its_own_stage() {
        assert_eq!(waiting_for(Role::Reviewer1), [S::Submitted]);
        assert_eq!(waiting_for(Role::Reviewer2), [S::FirstPassed]);
        assert_eq!(waiting_for(Role::Chief), [S::SecondPassed, S::Approved]);
        assert!(waiting_for(Role::Reporter).is_empty());
    }

    #[test]
    fn the_chief_may_send_back_an_approved_or_scheduled_article_and_nobody_else() {
        let chief = user(4, &[Role::Chief]);
        let r2 = user(3, &[Role::Reviewer2]);
        for s in [S::Approved, S::Scheduled] {
            let back = run(&chief, 1, s, &[], Action::Reject, Some("标题有误"));
            assert_eq!(back, Ok(S::Draft), "{s:?}");
            assert!(matches!(
                run(&r2, 1, s, &[], Action::Reject, Some("x")),
                Err(WorkflowError::Forbidden(_))
            ));
        }
        assert!(matches!(
            run(&chief, 1, S::Published, &[], Action::Reject, Some("x")),
            Err(WorkflowError::Conflict(_))
        ));
    }

    #[test]
    fn nobody_but_its_author_edits_a_draft() {
        let author = user(1, &[Role::Reporter]);
        assert_eq!(may_edit(&author, Some(1), S::Draft), Ok(()));
        for roles in [
            &[Role::Reporter][..],
            &[Role::Reviewer1],
            &[Role::Chief],
            &[Role::Admin],
        ] {
            assert!(matches!(
                may_edit(&user(9, roles), Some(1), S::Draft),
                Err(WorkflowError::Forbidden(_))
            ));
        }
    }

    #[test]
    fn either_reviewer_reads_an_article_between_the_stages() {
        let r1 = user(3, &[Role::Reviewer1]);
        let r2 = user(4, &[Role::Reviewer2]);
        for s in [S::FirstPassed, S::SecondPassed, S::Approved, S::Scheduled] {
            assert!(may_read(&r1, Some(1), s), "初审 reads {s:?}");
            assert!(may_read(&r2, Some(1), s), "复审 reads {s:?}");
        }
    }

    #[test]
    fn the_chief_is_offered_publishing_and_scheduling_an_approved_article() {
        let chief = user(4, &[Role::Chief]);
        let now = Utc::now();
        let offered = available_actions(&chief, Some(1), S::Approved, &[], now);
        assert_eq!(
            offered,
            [Action::Reject, Action::Publish, Action::Schedule],
            "scheduling is offered for a time after now"
        );
        assert!(
            available_actions(&user(1, &[Role::Reporter]), Some(1), S::Approved, &[], now)
                .is_empty()
        );
    }

    #[test]
    fn the_happy_path_runs_through_three_stages() {
        let reporter = user(1, &[Role::Reporter]);
        let r1 = user(2, &[Role::Reviewer1]);
        let r2 = user(3, &[Role::Reviewer2]);
        let chief = user(4, &[Role::Chief]);
        assert_eq!(
            run(&reporter, 1, S::Draft, &[], Action::Submit, None),
            Ok(S::Submitted)
        );
        assert_eq!(
            run(&r1, 1, S::Submitted, &[], Action::Approve, None),
            Ok(S::FirstPassed)
        );
        assert_eq!(
            run(&r2, 1, S::FirstPassed, &[], Action::Approve, None),
            Ok(S::SecondPassed)
        );
        assert_eq!(
            run(&chief, 1, S::SecondPassed, &[], Action::Approve, None),
            Ok(S::Approved)
        );
        assert_eq!(
            run(&chief, 1, S::Approved, &[], Action::Publish, None),
            Ok(S::Published)
        );
        assert_eq!(
            run(
                &chief,
                1,
                S::Published,
                &[],
                Action::Retract,
                Some("事实有误")
            ),
            Ok(S::Retracted)
        );
    }

    #[test]
    fn roles_states_and_duties_are_enforced() {
        let reporter = user(1, &[Role::Reporter]);
        let r1 = user(2, &[Role::Reviewer1]);
        let both = user(5, &[Role::Reviewer1, Role::Reviewer2]);
        let chief = user(4, &[Role::Chief]);
        assert!(matches!(
            run(&reporter, 1, S::Submitted, &[], Action::Approve, None),
            Err(WorkflowError::Forbidden(_))
        ));
        assert!(matches!(
            run(&r1, 1, S::Draft, &[], Action::Approve, None),
            Err(WorkflowError::Conflict(_))
        ));
        assert!(matches!(
            run(&r1, 1, S::FirstPassed, &[], Action::Approve, None),
            Err(WorkflowError::Forbidden(_))
        ));
        // Passed stage one, may not pass stage two with a second role.
        assert!(matches!(
            run(
                &both,
                1,
                S::FirstPassed,
                &[S::Submitted],
                Action::Approve,
                None
            ),
            Err(WorkflowError::Forbidden(_))
        ));
        // Passing the same stage again after a rejection is fine.
        assert_eq!(
            run(
                &both,
                1,
                S::Submitted,
                &[S::Submitted],
                Action::Approve,
                None
            ),
            Ok(S::FirstPassed)
        );
        // Own article.
        let self_reviewer = user(1, &[Role::Reporter, Role::Reviewer1]);
        assert!(matches!(
            run(&self_reviewer, 1, S::Submitted, &[], Action::Approve, None),
            Err(WorkflowError::Forbidden(_))
        ));
        assert!(matches!(
            run(&r1, 1, S::Submitted, &[], Action::Reject, None),
            Err(WorkflowError::Invalid(_))
        ));
        assert_eq!(
            run(
                &r1,
                1,
                S::Submitted,
                &[],
                Action::Reject,
                Some("补充图片说明")
            ),
            Ok(S::Draft)
        );
        assert!(matches!(
            run(&chief, 1, S::Published, &[], Action::Retract, Some("  ")),
            Err(WorkflowError::Invalid(_))
        ));
        assert!(matches!(
            run(&reporter, 2, S::Draft, &[], Action::Submit, None),
            Err(WorkflowError::Forbidden(_))
        ));
        assert!(matches!(
            run(&chief, 1, S::Published, &[], Action::Publish, None),
            Err(WorkflowError::Conflict(_))
        ));
    }

    #[test]
    fn scheduling_needs_a_future_time() {
        let chief = user(4, &[Role::Chief]);
        let now = Utc::now();
        let req = |at| ActionRequest {
            actor: &chief,
            author_id: Some(1),
            status: S::Approved,
            passed_by_actor: &[],
            action: Action::Schedule,
            comment: None,
            at,
            now,
        };
        assert!(matches!(decide(&req(None)), Err(WorkflowError::Invalid(_))));
        assert!(matches!(
            decide(&req(Some(now - chrono::Duration::minutes(1)))),
            Err(WorkflowError::Invalid(_))
        ));
        assert_eq!(
            decide(&req(Some(now + chrono::Duration::minutes(5)))),
            Ok(S::Scheduled)
        );
    }

    #[test]
    fn edits_follow_the_stage() {
        let reporter = user(1, &[Role::Reporter]);
        let r1 = user(2, &[Role::Reviewer1]);
        assert!(may_edit(&reporter, Some(1), S::Draft).is_ok());
        assert!(matches!(
            may_edit(&reporter, Some(1), S::Submitted),
            Err(WorkflowError::Conflict(_))
        ));
        assert!(may_edit(&r1, Some(1), S::Submitted).is_ok());
        assert!(matches!(
            may_edit(&r1, Some(1), S::FirstPassed),
            Err(WorkflowError::Forbidden(_))
        ));
        assert_eq!(
            available_actions(&r1, Some(1), S::Submitted, &[], Utc::now()),
            vec![Action::Approve, Action::Reject]
        );
    }

    #[test]
    fn a_late_action_is_told_who_moved_the_article_on_in_chinese() {
        assert_eq!(
            moved_on(42, S::Submitted),
            "稿件 42 已不在“待初审”状态：有人先处理了它，请刷新页面"
        );
    }
}
