//! Webhook figures against a running server (started with `--webhook-allow-private`), with a
//! receiver on 127.0.0.1 that this program runs:
//!
//! - delay: `--articles` articles taken one after another through review to publication; the
//!   time from each publish answer to the receiver getting its `article.published` (p50, p99);
//! - throughput: `--events` edits of those published articles by `--workers` concurrent editors;
//!   `article.updated` deliveries per second, from the first edit to the last delivery.
//!
//! Accounts `reporter`, `r1`, `r2`, `chief` and `admin` share `--password`. Loopback only.
//!
//! cargo run --release -p rongmei-web --example webhook_load -- --url http://127.0.0.1:8080 \
//!     --password 'their password' --articles 200 --events 2000 --workers 16

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

struct Args {
    url: String,
    password: String,
    articles: usize,
    events: usize,
    workers: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        password: String::new(),
        articles: 200,
        events: 2000,
        workers: 16,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|e| format!("{v}: {e}"));
        match flag.as_str() {
            "--url" => a.url = value()?,
            "--password" => a.password = value()?,
            "--articles" => a.articles = num(value()?)?.clamp(1, 10_000),
            "--events" => a.events = num(value()?)?.clamp(1, 100_000),
            "--workers" => a.workers = num(value()?)?.clamp(1, 256),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if !(a.url.starts_with("http://127.") || a.url.starts_with("http://localhost")) {
        return Err(format!("{}: only loopback servers are measured", a.url));
    }
    if a.password.is_empty() {
        return Err("give the accounts' --password".into());
    }
    Ok(a)
}

/// Arrivals by event type, each with the article id and when it came.
type Arrivals = Arc<Mutex<HashMap<String, Vec<(i64, Instant)>>>>;

async fn receiver(arrivals: Arrivals) -> Result<String, String> {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let arrivals = arrivals.clone();
            async move {
                let now = Instant::now();
                if let Ok(v) = serde_json::from_str::<Value>(&body)
                    && let (Some(t), Some(id)) = (v["type"].as_str(), v["data"]["id"].as_i64())
                    && let Ok(mut a) = arrivals.lock()
                {
                    a.entry(t.to_string()).or_default().push((id, now));
                }
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}/hook",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Value,
) -> Result<Value, String> {
    let resp = http
        .request(method, &url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{url}: {status} {v}"));
    }
    Ok(v)
}

async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    login: &str,
    pw: &str,
) -> Result<String, String> {
    let v = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"login": login, "password": pw}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json::<Value>()
        .await
        .map_err(|e| e.to_string())?;
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or(format!("signing in as {login}: {v}"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

async fn wait_for(
    arrivals: &Arrivals,
    kind: &str,
    n: usize,
    limit: Duration,
) -> Result<(), String> {
    let start = Instant::now();
    loop {
        let got = arrivals
            .lock()
            .map(|a| a.get(kind).map_or(0, Vec::len))
            .unwrap_or(0);
        if got >= n {
            return Ok(());
        }
        if start.elapsed() > limit {
            return Err(format!(
                "only {got} of {n} {kind} deliveries within {limit:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = parse_args()?;
    let base = args.url.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .map_err(|e| e.to_string())?;
    let mut tokens = HashMap::new();
    for login in ["reporter", "r1", "r2", "chief", "admin"] {
        tokens.insert(login, sign_in(&http, &base, login, &args.password).await?);
    }
    let arrivals: Arrivals = Arc::default();
    let hook = receiver(arrivals.clone()).await?;
    call(
        &http,
        reqwest::Method::POST,
        format!("{base}/api/v1/webhooks"),
        &tokens["admin"],
        json!({"url": hook, "events": ["article.published", "article.updated"]}),
    )
    .await?;

    // Delay: one article at a time, so each delivery is measured alone.
    let mut published_at = HashMap::new();
    for i in 0..args.articles {
        let v = call(
            &http,
            reqwest::Method::POST,
            format!("{base}/api/v1/articles"),
            &tokens["reporter"],
            json!({"title": format!("推送基准稿件 {i}"), "column": "news",
                   "body": "<p>推送基准测试的正文。</p>"}),
        )
        .await?;
        let id = v["id"].as_i64().ok_or("no id")?;
        for (login, action) in [
            ("reporter", "submit"),
            ("r1", "approve"),
            ("r2", "approve"),
            ("chief", "approve"),
            ("chief", "publish"),
        ] {
            call(
                &http,
                reqwest::Method::POST,
                format!("{base}/api/v1/articles/{id}/actions"),
                &tokens[login],
                json!({"action": action}),
            )
            .await?;
        }
        published_at.insert(id, Instant::now());
    }
    wait_for(
        &arrivals,
        "article.published",
        args.articles,
        Duration::from_secs(60),
    )
    .await?;
    let mut delays: Vec<Duration> = arrivals
        .lock()
        .map_err(|_| "poisoned")?
        .get("article.published")
        .map(|v| {
            v.iter()
                .filter_map(|(id, at)| {
                    published_at
                        .get(id)
                        .map(|p| at.saturating_duration_since(*p))
                })
                .collect()
        })
        .unwrap_or_default();
    delays.sort();
    println!(
        "publish → delivery over {} articles: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        delays.len(),
        percentile(&delays, 0.5).as_secs_f64() * 1000.0,
        percentile(&delays, 0.99).as_secs_f64() * 1000.0,
        delays.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );

    // Throughput: many edits at once; each worker edits its own articles, in turn.
    let ids: Vec<i64> = published_at.keys().copied().collect();
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..args.workers {
        let (http, base, token) = (http.clone(), base.clone(), tokens["chief"].clone());
        let mine: Vec<i64> = ids
            .iter()
            .copied()
            .enumerate()
            .filter(|(k, _)| k % args.workers == w)
            .map(|(_, id)| id)
            .collect();
        let count = args.events / args.workers + usize::from(w < args.events % args.workers);
        workers.push(tokio::spawn(async move {
            for n in 0..count {
                let Some(id) = mine.get(n % mine.len().max(1)) else {
                    return Err("more workers than articles".to_string());
                };
                call(
                    &http,
                    reqwest::Method::PUT,
                    format!("{base}/api/v1/articles/{id}"),
                    &token,
                    json!({"body": format!("<p>推送基准测试的正文，第 {n} 次修改。</p>")}),
                )
                .await?;
            }
            Ok(())
        }));
    }
    for w in workers {
        w.await.map_err(|e| e.to_string())??;
    }
    let written = started.elapsed();
    wait_for(
        &arrivals,
        "article.updated",
        args.events,
        Duration::from_secs(300),
    )
    .await?;
    let last = arrivals
        .lock()
        .map_err(|_| "poisoned")?
        .get("article.updated")
        .and_then(|v| v.iter().map(|(_, at)| *at).max())
        .ok_or("no updates")?;
    let span = last.duration_since(started);
    println!(
        "{} edits written in {:.2} s ({:.0}/s); all delivered {:.2} s after the first: {:.0} deliveries/s",
        args.events,
        written.as_secs_f64(),
        args.events as f64 / written.as_secs_f64(),
        span.as_secs_f64(),
        args.events as f64 / span.as_secs_f64()
    );
    Ok(())
}
