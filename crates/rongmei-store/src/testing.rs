//! Fresh databases for tests: the same test runs on SQLite always and on PostgreSQL whenever
//! `RONGMEI_TEST_DATABASE_URL` is set, each in a database of its own.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::db::{Result, Store};

pub const PG_ENV: &str = "RONGMEI_TEST_DATABASE_URL";

/// A throwaway database, dropped (PostgreSQL) or deleted with its folder (SQLite) by
/// [`TestDb::cleanup`] or, when a test panics before that, as the value is dropped.
pub struct TestDb {
    pub url: String,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    admin_url: Option<String>,
    db_name: Option<String>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir for a test database");
        let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
        TestDb {
            url,
            label: "sqlite",
            _dir: Some(dir),
            admin_url: None,
            db_name: None,
        }
    }

    /// A new empty PostgreSQL database, or `None` (after saying so) when the variable is unset.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let Ok(base) = std::env::var(PG_ENV) else {
            eprintln!("{test}: PostgreSQL part skipped: {PG_ENV} unset");
            return None;
        };
        let name = format!(
            "rongmei_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros() % 1_000_000_000
        );
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
            .await
            .expect("connect to RONGMEI_TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create a test database");
        let url = replace_db_name(&base, &name);
        Some(TestDb {
            url,
            label: "postgres",
            _dir: None,
            admin_url: Some(base),
            db_name: Some(name),
        })
    }

    /// Both backends that this run can test.
    pub async fn all(test: &str) -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite().await];
        if let Some(pg) = TestDb::postgres(test).await {
            v.push(pg);
        }
        v
    }

    pub async fn store(&self) -> Result<Store> {
        Store::connect(&self.url).await
    }

    pub async fn cleanup(mut self) {
        if let (Some(admin), Some(name)) = (self.admin_url.take(), self.db_name.take()) {
            drop_database(&admin, &name).await;
        }
    }
}

impl Drop for TestDb {
    /// A test that panics never reaches [`TestDb::cleanup`]; its database goes here. Drop cannot
    /// await and may run on a test's runtime, so a thread with a runtime of its own does it.
    fn drop(&mut self) {
        let (Some(admin), Some(name)) = (self.admin_url.take(), self.db_name.take()) else {
            return;
        };
        let dropper = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(drop_database(&admin, &name));
            }
        });
        let _ = dropper.join();
    }
}

async fn drop_database(admin: &str, name: &str) {
    if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await;
    }
}

/// `postgres://u@h:p/db?x` with another database name.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host_part = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}
