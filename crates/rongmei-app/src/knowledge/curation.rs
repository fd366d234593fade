//! Curation in the newsroom: editors see what extraction found in an article with its evidence,
//! and confirm, reject, rename or add names (kept per article across every re-extraction); and
//! they merge two entities, split a written form off one, or rename one. Everything is audited.

use rongmei_core::workflow::may_read;
use rongmei_core::{EntityKind, Role, User, Verdict, clean_entity_name};
use rongmei_store::{Correction, DatedMention, Mention};
use serde::Deserialize;

use crate::actor::Actor;
use crate::app::App;
use crate::articles::reads::not_yours;
use crate::error::AppError;

/// Who may correct knowledge: the reviewers and the editors above them.
pub const CURATORS: &[Role] = &[Role::Reviewer1, Role::Reviewer2, Role::Chief, Role::Admin];

/// One article's knowledge as the newsroom sees it.
#[derive(Debug, Clone)]
pub struct ArticleKnowledge {
    pub article_id: i64,
    pub title: String,
    pub mentions: Vec<Mention>,
    pub dates: Vec<DatedMention>,
    /// The editors' corrections, rejected names included (they are no longer mentions).
    pub corrections: Vec<Correction>,
    /// Whether extraction has read the article's current version.
    pub current: bool,
}

/// An editor's correction of one name in one article.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CorrectionForm {
    pub kind: String,
    pub name: String,
    /// `confirm`, `reject`, `add`, `undo` (extraction decides again) or `rename` (to `to`).
    pub action: String,
    #[serde(default)]
    pub to: String,
    /// Roles, separated by 、 or commas (for `add`, `confirm` and `rename`).
    #[serde(default)]
    pub roles: String,
}

/// An editor's change to an entity itself.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct EntityForm {
    pub kind: String,
    pub name: String,
    /// `merge` (into `to`), `split` (the written form `name` becomes its own entity) or
    /// `rename` (to `to`).
    pub action: String,
    #[serde(default)]
    pub to: String,
}

pub(crate) fn kind_field(s: &str) -> Result<EntityKind, AppError> {
    EntityKind::parse(s.trim())
        .ok_or_else(|| AppError::field("kind", "类别须是 person、organization 或 place"))
}

fn name_field(field: &str, s: &str) -> Result<String, AppError> {
    clean_entity_name(s)
        .ok_or_else(|| AppError::field(field, "名称须是 1 到 40 个字，不含换行、尖括号和斜杠"))
}

fn roles_field(s: &str) -> Result<Vec<String>, AppError> {
    let mut roles: Vec<String> = Vec::new();
    for r in s.split(['、', ',', '，', '\n']) {
        let r = r.trim();
        if r.is_empty() {
            continue;
        }
        let r = name_field("roles", r)?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if roles.len() > 20 {
        return Err(AppError::field("roles", "一个人最多 20 个职务"));
    }
    Ok(roles)
}

fn curator(actor: &Actor) -> Result<&User, AppError> {
    actor.require_any(CURATORS)?;
    actor.member()
}

/// Whether `user` curates what extraction finds (the 人物与机构 pages).
pub fn is_curator(user: &User) -> bool {
    CURATORS.iter().any(|r| user.has(*r))
}

impl App {
    /// A curator who may read the article: its names come with sentences of its text, so a
    /// draft's stay with those who may read the draft.
    async fn curator_of<'a>(
        &self,
        actor: &'a Actor,
        article_id: i64,
    ) -> Result<&'a User, AppError> {
        let user = curator(actor)?;
        let meta = self.article_meta(article_id).await?;
        if !may_read(user, meta.author_id, meta.status) {
            return Err(not_yours(meta.status));
        }
        Ok(user)
    }

    /// What extraction found in an article, for its curators (any status they may read).
    pub async fn article_knowledge(
        &self,
        actor: &Actor,
        article_id: i64,
    ) -> Result<ArticleKnowledge, AppError> {
        self.curator_of(actor, article_id).await?;
        let article = self.any_article(article_id).await?;
        let store = self.store();
        Ok(ArticleKnowledge {
            article_id,
            title: article.title,
            mentions: store.article_mentions(article_id).await?,
            dates: store.article_dates(article_id).await?,
            corrections: store.corrections_of(article_id).await?,
            current: store.knowledge_current(article_id).await?,
        })
    }

    /// Applies an editor's correction to one article and extracts it again at once, so the
    /// page that follows shows the result.
    pub async fn correct_knowledge(
        &self,
        actor: &Actor,
        article_id: i64,
        form: CorrectionForm,
    ) -> Result<(), AppError> {
        let user = self.curator_of(actor, article_id).await?;
        let kind = kind_field(&form.kind)?;
        let name = name_field("name", &form.name)?;
        let roles = roles_field(&form.roles)?;
        let store = self.store();
        let put = |written: String, verdict: Verdict, roles: Vec<String>| async move {
            let c = Correction {
                kind,
                written,
                verdict,
                roles,
            };
            store.set_correction(user, &actor.ip, article_id, &c).await
        };
        match form.action.as_str() {
            "confirm" => put(name, Verdict::Confirmed, roles).await?,
            "reject" => put(name, Verdict::Rejected, vec![]).await?,
            "add" => put(name, Verdict::Added, roles).await?,
            "rename" => {
                let to = name_field("to", &form.to)?;
                if to == name {
                    return Err(AppError::field("to", "新名称与原名称相同"));
                }
                // The right form keeps the roles the wrong one had, unless new ones are given.
                let roles = if roles.is_empty() {
                    store
                        .article_mentions(article_id)
                        .await?
                        .into_iter()
                        .find(|m| m.kind == kind && m.written == name)
                        .map(|m| m.roles)
                        .unwrap_or_default()
                } else {
                    roles
                };
                put(name, Verdict::Rejected, vec![]).await?;
                put(to, Verdict::Added, roles).await?;
            }
            "undo" => {
                if !store
                    .clear_correction(user, &actor.ip, article_id, kind, &name)
                    .await?
                {
                    return Err(AppError::NotFound(format!("“{name}”没有可撤销的更正")));
                }
            }
            _ => {
                return Err(AppError::field(
                    "action",
                    "操作须是 confirm、reject、add、rename 或 undo",
                ));
            }
        }
        self.extract_knowledge(&[article_id]).await?;
        Ok(())
    }

    /// Merges, splits or renames an entity. Returns the name of the entity to show next.
    pub async fn edit_entity(&self, actor: &Actor, form: EntityForm) -> Result<String, AppError> {
        let user = curator(actor)?;
        let kind = kind_field(&form.kind)?;
        let name = name_field("name", &form.name)?;
        let store = self.store();
        let find = |n: String| async move {
            store
                .entity_by_alias(kind, &n)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("没有叫“{n}”的{}", kind.label())))
        };
        let shown = match form.action.as_str() {
            "merge" => {
                let to = name_field("to", &form.to)?;
                let (from, _) = find(name).await?;
                let (into, into_name) = find(to).await?;
                store.merge_entities(user, &actor.ip, from, into).await?;
                into_name
            }
            "split" => {
                store.split_alias(user, &actor.ip, kind, &name).await?;
                name
            }
            "rename" => {
                let to = name_field("to", &form.to)?;
                let (id, _) = find(name).await?;
                store.rename_entity(user, &actor.ip, id, &to).await?;
                to
            }
            _ => {
                return Err(AppError::field("action", "操作须是 merge、split 或 rename"));
            }
        };
        // Entity pages and article blocks name entities: every cached page may show one.
        self.notify(0);
        Ok(shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_split_on_the_enumeration_comma_and_deduplicated() {
        assert_eq!(
            roles_field("党委常委、宣传部部长，宣传部部长").expect("roles"),
            ["党委常委", "宣传部部长"]
        );
        assert!(roles_field("").expect("none").is_empty());
        assert!(roles_field("<script>").is_err());
    }

    #[test]
    fn kinds_are_checked() {
        assert_eq!(kind_field(" person ").expect("kind"), EntityKind::Person);
        assert!(kind_field("thing").is_err());
    }
}
