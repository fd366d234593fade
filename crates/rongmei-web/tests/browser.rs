//! The newsroom in a real browser: Debian's headless Chromium driven through chromedriver over
//! WebDriver (fantoccini). Two parts, all through the pages a person uses:
//!
//! - [`workflow`]: a reporter writes an article in the rich editor, reviewers reject and approve
//!   it, the chief publishes; the public page and the site search show it.
//! - [`tour`]: every newsroom page (sign-in, dashboard, editor, article, preview, history,
//!   queue, audit log, users, dictionaries, password, analytics) at a phone's 390 px and a
//!   laptop's 1366 px, each checked for sideways scrolling, squeezed table columns, broken
//!   status badges and English in the interface ([`screens`]).
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`apt-get install chromium
//! chromium-driver`); without them the test says so and passes.
//!
//! Artifacts: a screenshot after each step (`01-login.png`, …, `NN-phone-390-users.png`,
//! `NN-desktop-1366-users.png`), the browser's console log (`console.log`) and chromedriver's own
//! log (`chromedriver.log`) are kept in `browser-artifacts/` in the cargo target folder:
//! `$CARGO_TARGET_DIR/browser-artifacts` when `CARGO_TARGET_DIR` is set, else
//! `<workspace>/target/browser-artifacts`. A failing run also leaves `failure.png` and
//! `failure.html` there.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
use rongmei_store::testing::TestDb;

mod common;
#[path = "browser/driver.rs"]
mod driver;
#[path = "browser/page.rs"]
mod page;
#[path = "browser/screens.rs"]
mod screens;
#[path = "browser/tour.rs"]
mod tour;
#[path = "browser/workflow.rs"]
mod workflow;

use common::{Server, add_users, seed_and_demo};
use driver::{Driver, artifacts_dir, capabilities};
use page::Browser;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any one expected thing (an element, a page, a loaded picture) may take to appear.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// A PNG picture for the upload: a small gradient, big enough not to be a tracking pixel.
fn write_png(dir: &Path) -> PathBuf {
    let img = image::RgbImage::from_fn(240, 160, |x, y| {
        image::Rgb([(x % 256) as u8, (y * 3 % 256) as u8, 140])
    });
    let path = dir.join("试运行现场.png");
    img.save(&path).expect("write the test PNG");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newsroom_in_a_real_browser() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        common::tool_missing(
            "browser test skipped: chromium/chromedriver not installed (apt-get install chromium chromium-driver)",
        );
        return;
    }
    let started = Instant::now();
    let artifacts = artifacts_dir();
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    for entry in std::fs::read_dir(&artifacts)
        .expect("read artifacts dir")
        .flatten()
    {
        let _ = std::fs::remove_file(entry.path());
    }

    let db = TestDb::sqlite().await;
    seed_and_demo(&db).await;
    add_users(
        &db,
        &[
            ("reporter", "reporter"),
            ("reviewer1", "reviewer1"),
            ("reviewer2", "reviewer2"),
            ("chief", "chief"),
            ("admin", "admin"),
        ],
    )
    .await;
    let srv = Server::start(&db, false).await;
    let files = tempfile::tempdir().expect("temp dir");
    let png = write_png(files.path());

    let mut driver = Driver::start(&artifacts.join("chromedriver.log")).await;
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(capabilities());
    let client = builder
        .connect(&driver.url())
        .await
        .expect("a WebDriver session with headless Chromium");
    let session = client
        .session_id()
        .await
        .expect("session id")
        .expect("a session id");
    driver.session = Some(session.clone());

    let browser = Browser {
        c: client.clone(),
        base: srv.base.clone(),
        driver_url: driver.url(),
        session,
        artifacts: artifacts.clone(),
        shots: 0,
        console: Vec::new(),
        screen: None,
    };
    // The scenario runs as its own task so that a failed assertion still lets us save the page,
    // quit the browser and stop chromedriver before the failure is reported.
    let outcome = tokio::spawn(scenario(browser, png)).await;
    if outcome.is_err() {
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(artifacts.join("failure.png"), png);
        }
        if let Ok(html) = client.source().await {
            let _ = std::fs::write(artifacts.join("failure.html"), html);
        }
    }
    if client.close().await.is_ok() {
        driver.session = None;
    }
    drop(driver);
    srv.stop().await;
    db.cleanup().await;
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(p) => std::panic::resume_unwind(p),
            Err(e) => panic!("browser scenario did not finish: {e}"),
        }
    }
    println!(
        "browser test passed in {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        artifacts.display()
    );
}

async fn scenario(mut b: Browser, png: PathBuf) {
    let published = workflow::scenario(&mut b, png).await;
    tour::tour(&mut b, published).await;
}
