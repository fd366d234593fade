//! The connection: one pool over SQLite or PostgreSQL, migrated on connect, and the error every
//! query answers with.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database holds a schema version this binary does not know: a newer Rongmei migrated
    /// it. Running on would misread its data.
    #[error(
        "this database was migrated by a newer version of Rongmei (it has schema version {found}; \
         this binary knows versions up to {known}): run the newer version, or restore a backup \
         made before the upgrade"
    )]
    TooNew { found: i64, known: i64 },
    #[error(
        "unsupported database URL {0:?} (expected sqlite://PATH or postgres://USER@HOST:PORT/DB)"
    )]
    BadUrl(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
    /// The row changed under the caller (a concurrent action) or a unique value is taken.
    #[error("{0}")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(String),
}

impl StoreError {
    /// The database's disk is full (SQLite `SQLITE_FULL`, PostgreSQL `53100 disk_full`): the
    /// statement was rolled back and nothing is corrupt; it succeeds again once there is room.
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(db)) => db
                .code()
                .is_some_and(|c| matches!(c.as_ref(), "13" | "53100")),
            StoreError::Db(sqlx::Error::Io(e)) => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    /// The database refused a value as text it cannot hold: PostgreSQL has no NUL character in
    /// TEXT (`22021`, `22P05`) and no index entry past a third of a page (`54000`). Inputs are
    /// checked before they get here; this keeps anything that slips through a refusal, not a
    /// server error, and SQLite (which stores both) is held to the same checks upstream.
    pub fn is_unstorable_value(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(db)) => db
                .code()
                .is_some_and(|c| matches!(c.as_ref(), "22021" | "22P05" | "54000")),
            _ => false,
        }
    }

    /// The database cannot be reached or is shutting down or starting up: a state that passes
    /// by itself (a restart, a failover), not a fault in the request. Callers answer "try again".
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Db(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            // PostgreSQL: class 08 (connection exception) and 57P01–57P03 (shutting down,
            // crash shutdown, cannot connect now). SQLite: busy or locked past the timeout.
            sqlx::Error::Database(db) => db.code().is_some_and(|c| {
                c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "5" | "6")
            }),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// The default database: a SQLite file inside the data folder.
    pub fn default_url(data_dir: &Path) -> String {
        format!("sqlite://{}", data_dir.join("rongmei.sqlite").display())
    }

    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let url = match backend {
            // Create the file on first start instead of failing on a fresh data folder.
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            // While PostgreSQL is away (a restart, a failover) a request waits this long for a
            // connection before it answers 503; readers should not wait ten seconds for that.
            // SQLite has no network to lose: its waits are lock waits, worth longer patience.
            .acquire_timeout(match backend {
                Backend::Sqlite => Duration::from_secs(10),
                Backend::Postgres => Duration::from_secs(3),
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets the server read while an import or the view flusher writes.
                        conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .after_release(move |conn, _| {
                Box::pin(async move {
                    if backend != Backend::Sqlite {
                        return Ok(true);
                    }
                    // A released connection must hold no transaction. One that failed on a full
                    // disk can keep SQLite's write lock after its rollback failed too, and every
                    // other writer then waits out the busy timeout, even once there is room again.
                    // "no transaction is active" is the normal answer; anything else retires the
                    // connection (closing it releases the lock).
                    match conn.execute("ROLLBACK").await {
                        Ok(_) => Ok(true),
                        Err(e) => Ok(e.to_string().contains("no transaction is active")),
                    }
                })
            })
            .connect_with(options)
            .await?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        match migrator.run(&pool).await {
            Ok(()) => {}
            Err(sqlx::migrate::MigrateError::VersionMissing(found)) => {
                pool.close().await;
                let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
                return Err(StoreError::TooNew { found, known });
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A transaction that writes. On SQLite it takes the write lock at its start (`BEGIN
    /// IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that reads before it
    /// writes fails at once (SQLITE_BUSY_SNAPSHOT, no waiting) when another connection commits
    /// in between, which a background writer such as knowledge extraction makes common.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }
}

pub(crate) fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `$1,$2,…,$n`: the bind parameters of an `IN (…)` list, in the one syntax both backends read
/// through the Any driver.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}
