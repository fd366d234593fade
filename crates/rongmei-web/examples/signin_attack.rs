//! A bounded sign-in attack on one login, to measure what the fair throttling promises:
//! `--attempts` wrong passwords from `--addresses` client addresses (sent as `X-Forwarded-For`;
//! the server must run with `--trust-proxy`), spread evenly over `--seconds`, round-robin over
//! the addresses (each address's next try comes as late as possible, the attacker's best case).
//! Meanwhile the real member signs in with the right password every `--every` seconds, each
//! time from an address that never failed. Prints the attacker's success rate (must be 0) and
//! the member's waits. Loopback targets only.
//!
//! cargo run --release -p rongmei-web --example signin_attack -- --url http://127.0.0.1:8080 \
//!     --login chief --password 'the right one' --attempts 10000 --addresses 1000 --seconds 60

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    url: String,
    login: String,
    password: String,
    attempts: u64,
    addresses: u64,
    seconds: f64,
    every: f64,
    connections: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        login: "chief".into(),
        password: String::new(),
        attempts: 10_000,
        addresses: 1_000,
        seconds: 60.0,
        every: 5.0,
        connections: 128,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|e| format!("{v}: {e}"));
        let real = |v: String| v.parse::<f64>().map_err(|e| format!("{v}: {e}"));
        match flag.as_str() {
            "--url" => a.url = value()?,
            "--login" => a.login = value()?,
            "--password" => a.password = value()?,
            "--attempts" => a.attempts = num(value()?)?,
            "--addresses" => a.addresses = num(value()?)?.clamp(1, 60_000),
            "--seconds" => a.seconds = real(value()?)?.max(1.0),
            "--every" => a.every = real(value()?)?.max(0.5),
            "--connections" => a.connections = num(value()?)?.clamp(1, 1024),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if a.password.is_empty() {
        return Err("give the member's --password".into());
    }
    if !(a.url.starts_with("http://127.") || a.url.starts_with("http://localhost")) {
        return Err(format!(
            "{}: attacks are only sent to loopback addresses",
            a.url
        ));
    }
    Ok(a)
}

/// Attacker address k, from the benchmarking range 198.18.0.0/15 (only ever a header).
fn attacker(k: u64) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + k as u32)
}

#[derive(Default)]
struct Tally {
    signed_in: AtomicU64,
    wrong: AtomicU64,
    refused: AtomicU64,
    other: AtomicU64,
}

async fn try_sign_in(
    http: &reqwest::Client,
    url: &str,
    login: &str,
    password: &str,
    addr: Ipv4Addr,
) -> Result<u16, reqwest::Error> {
    let r = http
        .post(url)
        .header("x-forwarded-for", addr.to_string())
        .json(&serde_json::json!({"login": login, "password": password}))
        .send()
        .await?;
    let status = r.status().as_u16();
    let _ = r.bytes().await;
    Ok(status)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("signin_attack: {e}");
            std::process::exit(2);
        }
    };
    let url = format!("{}/api/v1/session", args.url.trim_end_matches('/'));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections as usize)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("HTTP client");
    let tally = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let interval = args.seconds / args.attempts.max(1) as f64;
    let mut attackers = Vec::new();
    for _ in 0..args.connections {
        let (http, url, args, tally, next) = (
            http.clone(),
            url.clone(),
            args.clone(),
            tally.clone(),
            next.clone(),
        );
        attackers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= args.attempts {
                    break;
                }
                // Attempt i leaves at i × interval: the attack keeps its pace, however slowly
                // the server answers.
                let due = Duration::from_secs_f64(i as f64 * interval);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
                let addr = attacker(i % args.addresses);
                let guess = format!("guess-{i}");
                let slot = match try_sign_in(&http, &url, &args.login, &guess, addr).await {
                    Ok(200) => &tally.signed_in,
                    Ok(401) => &tally.wrong,
                    Ok(429) => &tally.refused,
                    _ => &tally.other,
                };
                slot.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    // The member, from a new address each time (a phone on mobile data, a colleague's desk).
    let mut waits = Vec::new();
    let mut refused_member = 0;
    let mut k = 0u32;
    while started.elapsed().as_secs_f64() < args.seconds {
        tokio::time::sleep(Duration::from_secs_f64(args.every)).await;
        k += 1;
        let addr = Ipv4Addr::new(192, 0, 2, (k % 250) as u8 + 1);
        let asked = Instant::now();
        match try_sign_in(&http, &url, &args.login, &args.password, addr).await {
            Ok(200) => waits.push(asked.elapsed()),
            Ok(s) => {
                refused_member += 1;
                eprintln!("the member was refused: {s}");
            }
            Err(e) => {
                refused_member += 1;
                eprintln!("the member's request failed: {e}");
            }
        }
    }
    for t in attackers {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (ok, wrong, refused, other) = (
        tally.signed_in.load(Ordering::Relaxed),
        tally.wrong.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        tally.other.load(Ordering::Relaxed),
    );
    let sent = ok + wrong + refused + other;
    println!(
        "attack: {sent} wrong passwords for {:?} from {} addresses in {elapsed:.1} s",
        args.login, args.addresses
    );
    println!(
        "  signed in {ok} (success rate {:.4}%), password checked and wrong {wrong}, refused before the check (429) {refused}, other {other}",
        100.0 * ok as f64 / sent.max(1) as f64
    );
    waits.sort();
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    if let (Some(first), Some(last)) = (waits.first(), waits.last()) {
        println!(
            "member: {} of {} sign-ins from fresh addresses succeeded; wait min {:.0} ms, median {:.0} ms, max {:.0} ms",
            waits.len(),
            waits.len() + refused_member,
            ms(first),
            ms(&waits[waits.len() / 2]),
            ms(last)
        );
    } else {
        println!("member: none of {refused_member} sign-ins succeeded");
    }
    if ok > 0 || refused_member > 0 {
        std::process::exit(1);
    }
}
