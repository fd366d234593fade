//! An archive merged into a database that already has content: the archive's articles come in
//! under new ids, with their tags, revisions, specials, view series and audit lines; columns,
//! specials and accounts that exist already (same slug, name or login) are used as they are.
//!
//! Each merged article is keyed (its import key, or one made of its old id and creation time),
//! so merging the same archive again — or a later backup of the same site — adds only what is
//! new. What belongs to the other site alone (its settings, signing key, webhooks, change feed)
//! stays behind and is counted.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::archive::{Kinds, insert_row};
use crate::db::{Result, Store, now_millis};

/// What a merge did, table by table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MergeReport {
    /// Rows added, by table.
    pub added: BTreeMap<String, u64>,
    /// Rows matched to what the database already had (articles merged before, columns,
    /// specials and accounts of the same slug, name or login, dictionaries of the same name).
    pub matched: BTreeMap<String, u64>,
    /// Rows left behind: the other site's own settings, webhooks and change feed, and the
    /// lines of articles merged before.
    pub left: BTreeMap<String, u64>,
}

/// A merge under way: one transaction.
pub struct Merge {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    kinds: Kinds,
    columns: HashMap<i64, i64>,
    /// Columns whose parent came later in the archive: (new id, old parent id).
    orphans: Vec<(i64, i64)>,
    users: HashMap<i64, i64>,
    specials: HashMap<i64, i64>,
    /// Old article id → new id, or `None` for an article merged before.
    articles: HashMap<i64, Option<i64>>,
    report: MergeReport,
}

impl Store {
    /// Starts merging an archive into this database; rows come with [`Merge::insert`], in
    /// the archive's order (parents before children), and nothing is visible until
    /// [`Merge::commit`].
    pub async fn begin_merge(&self) -> Result<Merge> {
        let kinds = self.archive_kinds().await?;
        Ok(Merge {
            tx: self.begin_write().await?,
            kinds,
            columns: HashMap::new(),
            orphans: Vec::new(),
            users: HashMap::new(),
            specials: HashMap::new(),
            articles: HashMap::new(),
            report: MergeReport::default(),
        })
    }
}

fn int(obj: &Map<String, Value>, key: &str) -> Option<i64> {
    obj.get(key).and_then(Value::as_i64)
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Replaces `obj[key]`, an id of the archive, with the database's id through `map`; an id the
/// map does not know becomes null.
fn remap(obj: &mut Map<String, Value>, key: &str, map: &HashMap<i64, i64>) {
    if let Some(old) = int(obj, key) {
        obj.insert(
            key.to_string(),
            map.get(&old).map_or(Value::Null, |n| Value::from(*n)),
        );
    }
}

impl Merge {
    fn count(which: &mut BTreeMap<String, u64>, table: &str) {
        *which.entry(table.to_string()).or_default() += 1;
    }

    async fn find(&mut self, sql: &'static str, value: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar::<_, i64>(sql)
            .bind(value.to_string())
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    async fn add(&mut self, table: &str, mut obj: Map<String, Value>) -> Result<i64> {
        obj.remove("id");
        let id = insert_row(&mut self.tx, &self.kinds, table, &obj, true).await?;
        Self::count(&mut self.report.added, table);
        Ok(id.unwrap_or_default())
    }

    async fn add_child(&mut self, table: &str, obj: Map<String, Value>) -> Result<()> {
        insert_row(&mut self.tx, &self.kinds, table, &obj, false).await?;
        Self::count(&mut self.report.added, table);
        Ok(())
    }

    /// The new id of an article of the archive, when it came in with this merge.
    fn article(&self, obj: &Map<String, Value>) -> Option<i64> {
        int(obj, "article_id").and_then(|old| self.articles.get(&old).copied().flatten())
    }

    /// Merges one row of `table`, as the archive has it.
    pub async fn insert(&mut self, table: &str, mut obj: Map<String, Value>) -> Result<()> {
        let old_id = int(&obj, "id");
        match table {
            "columns" => {
                let found = self
                    .find(
                        "SELECT id FROM columns WHERE slug = $1 OR name = $1 ORDER BY id LIMIT 1",
                        text(&obj, "slug"),
                    )
                    .await?;
                let found = match found {
                    Some(id) => Some(id),
                    None => {
                        self.find("SELECT id FROM columns WHERE name = $1", text(&obj, "name"))
                            .await?
                    }
                };
                let new = match found {
                    Some(id) => {
                        Self::count(&mut self.report.matched, table);
                        id
                    }
                    None => {
                        let parent = int(&obj, "parent_id");
                        remap(&mut obj, "parent_id", &self.columns);
                        let id = self.add(table, obj).await?;
                        if let Some(p) = parent.filter(|p| !self.columns.contains_key(p)) {
                            self.orphans.push((id, p));
                        }
                        id
                    }
                };
                if let Some(old) = old_id {
                    self.columns.insert(old, new);
                }
            }
            "users" => {
                let new = match self
                    .find("SELECT id FROM users WHERE login = $1", text(&obj, "login"))
                    .await?
                {
                    Some(id) => {
                        Self::count(&mut self.report.matched, table);
                        id
                    }
                    None => self.add(table, obj).await?,
                };
                if let Some(old) = old_id {
                    self.users.insert(old, new);
                }
            }
            "specials" => {
                let new = match self
                    .find(
                        "SELECT id FROM specials WHERE slug = $1",
                        text(&obj, "slug"),
                    )
                    .await?
                {
                    Some(id) => {
                        Self::count(&mut self.report.matched, table);
                        id
                    }
                    None => self.add(table, obj).await?,
                };
                if let Some(old) = old_id {
                    self.specials.insert(old, new);
                }
            }
            "articles" => {
                let Some(old) = old_id else {
                    return Ok(());
                };
                let key = match text(&obj, "import_key") {
                    "" => format!("merged:{old}:{}", int(&obj, "created_at").unwrap_or(0)),
                    k => k.to_string(),
                };
                if self
                    .find("SELECT id FROM articles WHERE import_key = $1", &key)
                    .await?
                    .is_some()
                {
                    Self::count(&mut self.report.matched, table);
                    self.articles.insert(old, None);
                    return Ok(());
                }
                obj.insert("import_key".into(), Value::from(key));
                remap(&mut obj, "column_id", &self.columns);
                remap(&mut obj, "author_id", &self.users);
                let new = self.add(table, obj).await?;
                self.articles.insert(old, Some(new));
            }
            "article_tags" | "view_stats" | "revisions" | "special_articles" | "audit_log"
            | "entity_corrections" => {
                let Some(article) = self.article(&obj) else {
                    // A line of an article merged before (or, for the audit log, of no
                    // article: the other site's sign-ins and account changes).
                    Self::count(&mut self.report.left, table);
                    return Ok(());
                };
                obj.insert("article_id".into(), Value::from(article));
                match table {
                    "revisions" => {
                        remap(&mut obj, "column_id", &self.columns);
                        remap(&mut obj, "editor_id", &self.users);
                        self.add(table, obj).await?;
                    }
                    "audit_log" => {
                        remap(&mut obj, "actor_id", &self.users);
                        self.add(table, obj).await?;
                    }
                    "entity_corrections" => {
                        remap(&mut obj, "actor_id", &self.users);
                        self.add_child(table, obj).await?;
                    }
                    "special_articles" => {
                        remap(&mut obj, "special_id", &self.specials);
                        self.add_child(table, obj).await?;
                    }
                    _ => self.add_child(table, obj).await?,
                }
            }
            "dictionaries" => {
                if self
                    .find(
                        "SELECT 1 FROM dictionaries WHERE name = $1",
                        text(&obj, "name"),
                    )
                    .await?
                    .is_some()
                {
                    Self::count(&mut self.report.matched, table);
                } else {
                    self.add_child(table, obj).await?;
                }
            }
            // The other site's own: its signing key, webhooks and change feed.
            _ => Self::count(&mut self.report.left, table),
        }
        Ok(())
    }

    /// Attaches late parents, records the new articles in the change feed (so every node
    /// indexes them) and commits.
    pub async fn commit(mut self) -> Result<MergeReport> {
        for (id, old_parent) in std::mem::take(&mut self.orphans) {
            let parent = self.columns.get(&old_parent).copied();
            sqlx::query("UPDATE columns SET parent_id = $1 WHERE id = $2")
                .bind(parent)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
        }
        let now = now_millis();
        let mut added: Vec<i64> = self.articles.values().filter_map(|v| *v).collect();
        added.sort_unstable();
        for id in added {
            sqlx::query(
                "INSERT INTO article_changes (article_id, changed_at, kind, status, revision, actor_id) \
                 SELECT id, $1, 'created', status, revision, NULL FROM articles WHERE id = $2",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        }
        self.tx.commit().await?;
        Ok(self.report)
    }
}
