//! Typed change events through the subscriber interface, on SQLite and (when configured)
//! PostgreSQL: an article's whole way from draft to publication arrives in order, and a
//! subscriber that keeps failing is retried without holding the search index back.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rongmei_app::accounts::users::{UserInput, add_user};
use rongmei_app::articles::input::ArticleInput;
use rongmei_app::events::subscriber::Subscriber;
use rongmei_app::search::query::{SearchParams, build_query};
use rongmei_app::{Actor, App, AppError};
use rongmei_core::{Action, ArticleEvent, EventKind};
use rongmei_store::testing::TestDb;

mod common;

/// Remembers every event it is given.
struct Recorder {
    seen: Mutex<Vec<ArticleEvent>>,
}

impl Subscriber for Recorder {
    fn name(&self) -> &'static str {
        "test-recorder"
    }

    async fn handle(&self, events: &[ArticleEvent]) -> Result<(), AppError> {
        if let Ok(mut s) = self.seen.lock() {
            s.extend_from_slice(events);
        }
        Ok(())
    }
}

/// Fails its first attempts, as a webhook whose receiver is down would.
struct Flaky {
    attempts: AtomicUsize,
    fail_first: usize,
    delivered: Mutex<Vec<ArticleEvent>>,
}

impl Subscriber for Flaky {
    fn name(&self) -> &'static str {
        "test-flaky"
    }

    async fn handle(&self, events: &[ArticleEvent]) -> Result<(), AppError> {
        let n = self.attempts.fetch_add(1, Ordering::SeqCst);
        if n < self.fail_first {
            return Err(AppError::Internal(format!("receiver down (attempt {n})")));
        }
        if let Ok(mut d) = self.delivered.lock() {
            d.extend_from_slice(events);
        }
        Ok(())
    }
}

async fn member(app: &App, login: &str, role: &str) -> Actor {
    let input = UserInput {
        login: login.into(),
        name: None,
        role: role.into(),
        password: "correct horse battery".into(),
    };
    let user = add_user(app.store(), &Actor::command_line(), &input)
        .await
        .expect("add user");
    Actor::user(user, "127.0.0.1")
}

async fn until<T>(what: &str, limit: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_publication_arrives_in_order_and_a_failing_subscriber_does_not_hold_search_back() {
    for db in TestDb::all("a_publication_arrives_in_order").await {
        let store = db.store().await.expect("store");
        let (app, _data) = common::open_app(&store).await;
        let background = app.spawn_background();
        let recorder = Arc::new(Recorder {
            seen: Mutex::new(Vec::new()),
        });
        let flaky = Arc::new(Flaky {
            attempts: AtomicUsize::new(0),
            fail_first: 4,
            delivered: Mutex::new(Vec::new()),
        });
        let subs = [
            app.subscribe(recorder.clone(), app.shared_cursor()),
            app.subscribe(flaky.clone(), app.shared_cursor()),
        ];
        // Both shared cursors are claimed (at the end of the feed) before anything happens.
        until("the shared cursors", Duration::from_secs(5), async || {
            let a = store.cursor_position("test-recorder").await.ok()??;
            let b = store.cursor_position("test-flaky").await.ok()??;
            Some((a, b))
        })
        .await;

        let reporter = member(&app, "reporter", "reporter").await;
        let first = member(&app, "reviewer1", "reviewer1").await;
        let second = member(&app, "reviewer2", "reviewer2").await;
        let chief = member(&app, "chief", "chief").await;
        let written = app
            .create_article(
                &reporter,
                &ArticleInput {
                    title: "图书馆新馆举行开放仪式".into(),
                    column: "news".into(),
                    body: "<p>图书馆新馆今天正式向师生开放，藏书三百万册。</p>".into(),
                    summary: None,
                    tags: None,
                    bylines: None,
                    cover: None,
                },
            )
            .await
            .expect("create");
        let id = written.id;
        app.act(&reporter, id, Action::Submit, None, None, None)
            .await
            .expect("submit");
        for reviewer in [&first, &second, &chief] {
            app.act(reviewer, id, Action::Approve, None, None, None)
                .await
                .expect("approve");
        }
        app.act(&chief, id, Action::Publish, None, None, None)
            .await
            .expect("publish");
        let published = Instant::now();

        // Search sees it within a second, while the flaky subscriber is still failing.
        let query = build_query(
            &SearchParams {
                q: Some("图书馆新馆".into()),
                ..SearchParams::default()
            },
            10,
            0,
        )
        .expect("query");
        until("the search index", Duration::from_secs(1), async || {
            let r = app.search(query.clone()).await.ok()?;
            r.hits.iter().any(|h| h.id == id).then_some(())
        })
        .await;
        let freshness = published.elapsed();
        assert!(
            freshness <= Duration::from_secs(1),
            "search took {freshness:?}"
        );

        let expected = [
            EventKind::Created,
            EventKind::Submitted,
            EventKind::Approved,
            EventKind::Approved,
            EventKind::Approved,
            EventKind::Published,
        ];
        let kinds_of = |events: &[ArticleEvent]| -> Vec<EventKind> {
            events
                .iter()
                .filter(|e| e.article_id == id)
                .map(|e| e.kind)
                .collect()
        };
        let seen = until("the recorder", Duration::from_secs(5), async || {
            let seen = recorder.seen.lock().ok()?.clone();
            (kinds_of(&seen).len() >= expected.len()).then_some(seen)
        })
        .await;
        assert_eq!(kinds_of(&seen), expected);
        let mine: Vec<&ArticleEvent> = seen.iter().filter(|e| e.article_id == id).collect();
        assert!(
            mine.windows(2).all(|w| w[0].seq < w[1].seq),
            "in feed order"
        );
        assert_eq!(mine[0].revision, Some(1));
        assert_eq!(mine[0].actor_id, reporter.as_user().map(|u| u.id));
        assert_eq!(
            mine.last().map(|e| e.status),
            Some(rongmei_core::ArticleStatus::Published)
        );

        // The flaky one was retried and got everything, exactly from where it failed.
        let delivered = until(
            "the retried subscriber",
            Duration::from_secs(15),
            async || {
                let d = flaky.delivered.lock().ok()?.clone();
                (kinds_of(&d).len() >= expected.len()).then_some(d)
            },
        )
        .await;
        assert_eq!(kinds_of(&delivered), expected);
        assert!(flaky.attempts.load(Ordering::SeqCst) > 4);

        background.stop().await;
        for t in subs {
            t.await.expect("a subscriber ends when the node stops");
        }
        // Stopping gave the shared cursors' leases up, at the position delivered.
        let claimed = store
            .claim_cursor("test-recorder", "another-node", 1000, 0)
            .await
            .expect("claim");
        assert_eq!(claimed, Some(seen.last().map_or(0, |e| e.seq)));
        store.close().await;
        db.cleanup().await;
    }
}
