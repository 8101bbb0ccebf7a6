//! Posts events to a running `wbauto engine` as fast as it takes them, for timing it from
//! outside (`tools/engine_throughput.sh`): `--events N` run-state events (runs `r0`…) in arrays
//! of `--batch`, `--concurrency` requests at once, each request with its own idempotency key.
//! Prints how many were accepted, in how long, and the rate.
//!
//! ```sh
//! cargo run --release --example post_events -- --url http://127.0.0.1:8642/v1/events \
//!     --token "$(cat token)" --events 200000 --batch 500 --concurrency 4
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Args {
    url: String,
    token: String,
    events: usize,
    batch: usize,
    concurrency: usize,
    project: String,
}

fn args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut out = Args {
        url: "http://127.0.0.1:8642/v1/events".into(),
        token: String::new(),
        events: 200_000,
        batch: 500,
        concurrency: 4,
        project: "acme/vision".into(),
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} takes a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag} takes a number"))
        };
        match flag.as_str() {
            "--url" => out.url = value.clone(),
            "--token" => out.token = value.trim().to_string(),
            "--events" => out.events = number()?,
            "--batch" => out.batch = number()?.max(1),
            "--concurrency" => out.concurrency = number()?.max(1),
            "--project" => out.project = value.clone(),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(out)
}

fn main() -> Result<(), String> {
    let args = args()?;
    let bodies: Vec<String> = (0..args.events)
        .collect::<Vec<_>>()
        .chunks(args.batch)
        .map(|chunk| {
            let events: Vec<serde_json::Value> = chunk
                .iter()
                .map(|i| serde_json::json!({"type": "run_state", "project": args.project, "run": format!("r{i}"), "state": "failed"}))
                .collect();
            serde_json::Value::Array(events).to_string()
        })
        .collect();
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let started = Instant::now();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut workers = Vec::new();
        for _ in 0..args.concurrency {
            let (client, bodies, next, accepted) = (
                client.clone(),
                bodies.clone(),
                next.clone(),
                accepted.clone(),
            );
            let (url, token) = (args.url.clone(), args.token.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(body) = bodies.get(i) else { return };
                    loop {
                        let answer = client
                            .post(&url)
                            .bearer_auth(&token)
                            .header("content-type", "application/json")
                            .header("idempotency-key", format!("post-events-{i}"))
                            .body(body.clone())
                            .send()
                            .await;
                        match answer.map(|a| a.status().as_u16()) {
                            Ok(202) => {
                                let n = body.matches("\"type\"").count();
                                accepted.fetch_add(n, Ordering::SeqCst);
                                break;
                            }
                            Ok(503) => {
                                tokio::time::sleep(std::time::Duration::from_millis(100)).await
                            }
                            Ok(other) => {
                                eprintln!("request {i}: HTTP {other}");
                                break;
                            }
                            Err(e) => {
                                eprintln!("request {i}: {e}");
                                break;
                            }
                        }
                    }
                }
            }));
        }
        for w in workers {
            let _ = w.await;
        }
    });
    let took = started.elapsed().as_secs_f64();
    let n = accepted.load(Ordering::SeqCst);
    println!(
        "accepted {n} events in {took:.3} s: {:.0} events/s",
        n as f64 / took
    );
    Ok(())
}
