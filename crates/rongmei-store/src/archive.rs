//! Tables as rows of JSON, for the archive: read inside one snapshot (a consistent copy while
//! servers write), written back into an empty database of either backend.
//!
//! Values keep their type: integers, reals, text, and bytes as `{"base64": "…"}`. On the way in,
//! each value is bound with the type of the target column, so a `NULL` is a typed `NULL` on
//! PostgreSQL too, and identity sequences are moved past the restored ids.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Column, Row};

use crate::db::{Backend, Result, Store, StoreError, placeholders};

/// A table the archive carries: its name, the order rows are read in, and whether it holds
/// secrets (written only when asked for).
pub struct ArchiveTable {
    pub name: &'static str,
    order_by: &'static str,
    pub secret: bool,
}

const fn table(name: &'static str, order_by: &'static str, secret: bool) -> ArchiveTable {
    ArchiveTable {
        name,
        order_by,
        secret,
    }
}

/// Everything lasting, parents before children. Left out on purpose: sessions, sign-in
/// failures and the 30-minute dedupe windows (they expire anyway), the nodes' own bookkeeping
/// (cursors, signals, rebuild reports, heartbeats) and media blobs (the files travel as files).
pub const ARCHIVE_TABLES: &[ArchiveTable] = &[
    table("columns", "id", false),
    table("users", "id", false),
    table("articles", "id", false),
    table("article_tags", "article_id, tag", false),
    table("specials", "id", false),
    table("special_articles", "special_id, article_id", false),
    // The editors' knowledge work; what extraction derives is made again after a restore.
    table("entities", "id", false),
    table("entity_aliases", "kind, alias", false),
    table("entity_corrections", "article_id, kind, written", false),
    table("revisions", "id", false),
    table("audit_log", "id", false),
    table("article_changes", "seq", false),
    table("view_stats", "article_id, period, bucket, channel", false),
    // Readers' searches, counted per day and query: aggregates that name no one.
    table("search_query_days", "day, query", false),
    table("dictionaries", "name", false),
    // The key that signs view tokens and hashes readers' addresses.
    table("settings", "name", true),
    table("webhook_endpoints", "id", true),
    table("webhook_deliveries", "id", true),
    table("webhook_attempts", "id", true),
];

/// Columns that hold a secret inside a table that is otherwise archived.
const SECRET_COLUMNS: &[(&str, &str)] = &[("users", "password_hash")];

const PAGE: i64 = 2000;

fn value_of(row: &AnyRow, i: usize) -> Result<Value> {
    let kind = row.column(i).type_info().kind();
    let v = match kind {
        AnyTypeInfoKind::Null => Value::Null,
        AnyTypeInfoKind::Bool => row
            .try_get::<Option<bool>, _>(i)?
            .map_or(Value::Null, Value::from),
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(Value::Null, Value::from),
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::from),
        AnyTypeInfoKind::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(Value::Null, Value::from),
        AnyTypeInfoKind::Blob => match row.try_get::<Option<Vec<u8>>, _>(i)? {
            Some(b) => serde_json::json!({ "base64": BASE64.encode(&b) }),
            None => Value::Null,
        },
    };
    Ok(v)
}

/// Takes each row read (with its table's name); an error stops the read.
pub type RowSink<'a> = dyn FnMut(&str, Map<String, Value>) -> std::io::Result<()> + Send + 'a;

/// How a column takes values on the way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Real,
    Text,
    Bytes,
}

impl Store {
    /// Reads every archived table inside one snapshot, handing each row (as a JSON object) to
    /// `sink` with its table's name. Secrets are blanked or left out unless `with_secrets`.
    pub async fn snapshot_tables(&self, with_secrets: bool, sink: &mut RowSink<'_>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        for t in ARCHIVE_TABLES.iter().filter(|t| with_secrets || !t.secret) {
            let mut offset = 0;
            loop {
                let sql = format!(
                    "SELECT * FROM {} ORDER BY {} LIMIT {PAGE} OFFSET {offset}",
                    t.name, t.order_by
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(&mut *tx)
                    .await?;
                for row in &rows {
                    let mut obj = Map::new();
                    for (i, c) in row.columns().iter().enumerate() {
                        let secret = !with_secrets && SECRET_COLUMNS.contains(&(t.name, c.name()));
                        let v = if secret {
                            Value::String(String::new())
                        } else {
                            value_of(row, i)?
                        };
                        obj.insert(c.name().to_string(), v);
                    }
                    sink(t.name, obj)
                        .map_err(|e| StoreError::Invalid(format!("writing the archive: {e}")))?;
                }
                if (rows.len() as i64) < PAGE {
                    break;
                }
                offset += PAGE;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many articles and accounts there are: a database with either is not empty.
    pub async fn content_counts(&self) -> Result<(i64, i64)> {
        let a = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM articles")
            .fetch_one(&self.pool)
            .await?;
        let u = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok((a, u))
    }

    async fn column_kinds(&self, table: &str) -> Result<Vec<(String, Kind)>> {
        let rows: Vec<(String, String)> = match self.backend {
            Backend::Postgres => sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&self.pool)
            .await?,
            Backend::Sqlite => {
                let sql = format!("SELECT name, type FROM pragma_table_info('{table}')");
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(name, ty)| {
                let ty = ty.to_ascii_lowercase();
                let kind = if ty.contains("int") {
                    Kind::Int
                } else if ty.contains("real") || ty.contains("double") || ty.contains("float") {
                    Kind::Real
                } else if ty.contains("blob") || ty.contains("bytea") {
                    Kind::Bytes
                } else {
                    Kind::Text
                };
                (name, kind)
            })
            .collect())
    }

    /// The columns of every archived table with how each takes values.
    pub(crate) async fn archive_kinds(&self) -> Result<Kinds> {
        let mut kinds = Kinds::new();
        for t in ARCHIVE_TABLES {
            kinds.insert(t.name, self.column_kinds(t.name).await?);
        }
        Ok(kinds)
    }

    /// Starts replacing the contents of every archived table, in one transaction: rows are
    /// added with [`Restore::insert`] and nothing is visible (or kept, on failure) until
    /// [`Restore::commit`]. The caller checks that the database is empty first.
    pub async fn begin_restore(&self) -> Result<Restore> {
        let kinds = self.archive_kinds().await?;
        let mut tx = self.begin_write().await?;
        for t in ARCHIVE_TABLES.iter().rev() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", t.name)))
                .execute(&mut *tx)
                .await?;
        }
        Ok(Restore {
            tx,
            kinds,
            backend: self.backend,
            rows: 0,
        })
    }
}

/// Every archived table's columns, with how each takes values.
pub(crate) type Kinds = std::collections::HashMap<&'static str, Vec<(String, Kind)>>;

/// Inserts one row given as a JSON object; with `returning`, gives the new row's `id`.
pub(crate) async fn insert_row(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    kinds: &Kinds,
    table: &str,
    obj: &Map<String, Value>,
    returning: bool,
) -> Result<Option<i64>> {
    let cols = kinds
        .get(table)
        .ok_or_else(|| StoreError::Invalid(format!("归档里有未知的表 {table}")))?;
    if let Some(unknown) = obj.keys().find(|k| !cols.iter().any(|(c, _)| c == *k)) {
        return Err(StoreError::Invalid(format!(
            "归档里的 {table} 有本版本没有的列 {unknown}：请用导出它的（或更新的）Rongmei 版本恢复"
        )));
    }
    let present: Vec<&(String, Kind)> = cols.iter().filter(|(c, _)| obj.contains_key(c)).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}){}",
        present
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        placeholders(present.len()),
        if returning { " RETURNING id" } else { "" }
    );
    let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
    for (c, kind) in &present {
        let v = &obj[c.as_str()];
        let bad = || StoreError::Invalid(format!("{table}.{c}: 值 {v} 的类型不对"));
        q = match kind {
            Kind::Int => q.bind(match v {
                Value::Null => None,
                v => Some(v.as_i64().ok_or_else(bad)?),
            }),
            Kind::Real => q.bind(match v {
                Value::Null => None,
                v => Some(v.as_f64().ok_or_else(bad)?),
            }),
            Kind::Text => q.bind(match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }),
            Kind::Bytes => q.bind(match v {
                Value::Null => None,
                v => Some(
                    v["base64"]
                        .as_str()
                        .and_then(|s| BASE64.decode(s).ok())
                        .ok_or_else(bad)?,
                ),
            }),
        };
    }
    if returning {
        Ok(Some(q.fetch_one(&mut **tx).await?))
    } else {
        q.fetch_optional(&mut **tx).await?;
        Ok(None)
    }
}

/// A restore under way: one transaction over every archived table.
pub struct Restore {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    kinds: Kinds,
    backend: Backend,
    rows: u64,
}

impl Restore {
    /// Adds one row to a table; columns the table does not have are refused.
    pub async fn insert(&mut self, table: &str, obj: &Map<String, Value>) -> Result<()> {
        insert_row(&mut self.tx, &self.kinds, table, obj, false).await?;
        self.rows += 1;
        Ok(())
    }

    /// Moves identity sequences past the restored ids and commits; returns the rows added.
    pub async fn commit(mut self) -> Result<u64> {
        if self.backend == Backend::Postgres {
            let identities: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND is_identity = 'YES'",
            )
            .fetch_all(&mut *self.tx)
            .await?;
            for (table, column) in identities {
                if !ARCHIVE_TABLES.iter().any(|t| t.name == table) {
                    continue;
                }
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                     GREATEST((SELECT COALESCE(MAX({column}), 0) FROM {table}), 1))"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        self.tx.commit().await?;
        Ok(self.rows)
    }
}
