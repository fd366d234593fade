//! A bounded load generator for view counting: exactly `--requests` page loads against one or
//! more nodes, from `--clients` distinct client addresses sent as `X-Forwarded-For` (the
//! servers must run with `--trust-proxy`). Loopback targets only.
//!
//! cargo run --release -p rongmei-web --example viewload -- --url http://127.0.0.1:8080/articles/1 \
//!     --requests 50000 --clients 2000 --connections 64

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

struct Args {
    urls: Vec<String>,
    requests: u64,
    clients: u64,
    first_client: u64,
    connections: u64,
    /// Stop at the first failed request (the server went away).
    stop_on_error: bool,
    /// Stop sending after this long, whatever is left of `requests`.
    max_seconds: Option<f64>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        urls: Vec::new(),
        requests: 50_000,
        clients: 2_000,
        first_client: 0,
        connections: 64,
        stop_on_error: false,
        max_seconds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|e| format!("{v}: {e}"));
        match flag.as_str() {
            "--url" => a.urls.push(value()?),
            "--requests" => a.requests = num(value()?)?,
            "--clients" => a.clients = num(value()?)?.max(1),
            "--first-client" => a.first_client = num(value()?)?,
            "--connections" => a.connections = num(value()?)?.clamp(1, 1024),
            "--stop-on-error" => a.stop_on_error = true,
            "--max-seconds" => {
                let v = value()?;
                a.max_seconds = Some(v.parse::<f64>().map_err(|e| format!("{v}: {e}"))?);
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if a.urls.is_empty() {
        return Err("give at least one --url".into());
    }
    for u in &a.urls {
        if !(u.starts_with("http://127.")
            || u.starts_with("http://localhost")
            || u.starts_with("http://[::1]"))
        {
            return Err(format!("{u}: load is only sent to loopback addresses"));
        }
    }
    Ok(a)
}

/// Client k: an address from the benchmarking range 198.18.0.0/15 (sent only as a header) and,
/// past its 131,072 addresses, a browser build number that tells clients apart.
fn client_of(k: u64) -> (Ipv4Addr, String) {
    let addr = Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + (k % (1 << 17)) as u32);
    (addr, format!("{BROWSER} build/{}", k >> 17))
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("viewload: {e}");
            std::process::exit(2);
        }
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(1024)
        .build()
        .expect("client");
    let next = Arc::new(AtomicU64::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let last_ok_micros = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let (args, http, next, ok, failed, last_ok) = (
            args.clone(),
            http.clone(),
            next.clone(),
            ok.clone(),
            failed.clone(),
            last_ok_micros.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= args.requests
                    || args
                        .max_seconds
                        .is_some_and(|m| started.elapsed().as_secs_f64() >= m)
                {
                    break;
                }
                let client = i % args.clients;
                // Round by round a client moves to the next node, so with several nodes every
                // client reaches each of them (no address-sticky balancer).
                let url = &args.urls[((i + i / args.clients) % args.urls.len() as u64) as usize];
                let (addr, agent) = client_of(args.first_client + client);
                let resp = http
                    .get(url)
                    .header("user-agent", agent)
                    .header("x-forwarded-for", addr.to_string())
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        ok.fetch_add(1, Ordering::Relaxed);
                        last_ok.fetch_max(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        if args.stop_on_error {
                            next.store(args.requests, Ordering::Relaxed);
                        }
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let ok = ok.load(Ordering::Relaxed);
    let failed = failed.load(Ordering::Relaxed);
    // The rate over the time requests were answered, not the tail after a server went away.
    let secs = last_ok_micros.load(Ordering::Relaxed) as f64 / 1e6;
    println!(
        "sent {} ok {} failed {} in {secs:.2} s ({:.0} ok/s)",
        ok + failed,
        ok,
        failed,
        ok as f64 / secs.max(1e-9)
    );
}
