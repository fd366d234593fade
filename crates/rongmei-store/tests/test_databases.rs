//! Test databases never outlive their test: a test that panics before its cleanup still leaves
//! no PostgreSQL database behind.

use rongmei_store::testing::{PG_ENV, TestDb};

async fn exists(admin: &str, name: &str) -> bool {
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(admin)
        .await
        .expect("connect to the admin database");
    let found: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .expect("look the database up");
    found.is_some()
}

#[tokio::test]
async fn a_test_database_is_dropped_even_when_its_test_panics() {
    let Ok(admin) = std::env::var(PG_ENV) else {
        eprintln!("a_test_database_is_dropped_even_when_its_test_panics: skipped: {PG_ENV} unset");
        return;
    };
    sqlx::any::install_default_drivers();
    let db = TestDb::postgres("panicking_test")
        .await
        .expect("a PostgreSQL test database");
    let name = db.url.rsplit('/').next().unwrap_or_default().to_string();
    assert!(exists(&admin, &name).await, "{name} was created");

    let failed = tokio::spawn(async move {
        let _db = db;
        panic!("a test that fails before its cleanup");
    })
    .await;
    assert!(failed.is_err(), "the test panicked");
    assert!(!exists(&admin, &name).await, "{name} is left behind");
}
