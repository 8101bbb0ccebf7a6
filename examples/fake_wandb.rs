//! A fake W&B server seeded like the local demo team, for trying the W&B path without an account:
//!
//! ```sh
//! cargo run --example fake_wandb -- --port 8080 [--copies N] [--executions N] [--from-memory] [--old] [--page-delay-ms N]
//! ```
//!
//! `--copies N` adds N automations, `--executions N` adds N executions of `loss-spike` to the
//! demo's automation history (acme/vision), and `--from-memory` answers a query it has answered
//! before from memory, as a server with a warm cache would (all three for timing a client);
//! `--old` makes it a server older than automation history; `--page-delay-ms N` answers every
//! history page after a connection's first N ms late, as a slow server does;
//!
//! ```sh
//! WANDB_API_KEY=<the key it prints> cargo run -- --backend wandb --base-url http://127.0.0.1:8080 list
//! ```

#[path = "../tests/it/support/fake_wandb/mod.rs"]
mod fake_wandb;

/// What the command line asks for.
struct Args {
    port: u16,
    copies: usize,
    executions: usize,
    from_memory: bool,
    old: bool,
    page_delay_ms: usize,
}

/// `--port PORT` (8080), `--copies N` (0), `--executions N` (0), `--from-memory`, `--old` and
/// `--page-delay-ms N` (0), in any order.
fn args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        port: 8080,
        copies: 0,
        executions: 0,
        from_memory: false,
        old: false,
        page_delay_ms: 0,
    };
    let usage = "usage: fake_wandb [--port PORT] [--copies N] [--executions N] [--from-memory] [--old] [--page-delay-ms N]";
    while let Some(flag) = args.next() {
        let mut number = |name: &str| {
            let v = args.next().ok_or(format!("{name} takes a number"))?;
            v.parse::<usize>()
                .map_err(|_| format!("{name} takes a number, got {v:?}"))
        };
        match flag.as_str() {
            "--port" => {
                parsed.port = u16::try_from(number("--port")?)
                    .map_err(|_| "--port takes a port number (at most 65535)".to_string())?;
            }
            "--copies" => parsed.copies = number("--copies")?,
            "--executions" => parsed.executions = number("--executions")?,
            "--from-memory" => parsed.from_memory = true,
            "--old" => parsed.old = true,
            "--page-delay-ms" => parsed.page_delay_ms = number("--page-delay-ms")?,
            _ => return Err(usage.to_string()),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match fake_wandb::FakeWandb::demo_on(args.port).await {
        Ok(fake) => {
            fake.state().add_copies(args.copies);
            fake.state().add_executions("loss-spike", args.executions);
            if args.old {
                fake.state().history_missing = Some(400);
            }
            if args.page_delay_ms > 0 {
                let delay = std::time::Duration::from_millis(args.page_delay_ms as u64);
                fake.state().history_delay = Some((1, delay));
            }
            if args.from_memory {
                fake.state().memory = Some(Default::default());
            }
            println!("fake W&B serving the demo team at {}", fake.url);
            println!(
                "try: WANDB_API_KEY={} cargo run -- --base-url {} list",
                fake_wandb::API_KEY,
                fake.url
            );
            std::future::pending::<()>().await;
        }
        Err(e) => {
            eprintln!("cannot start the fake W&B server: {e}");
            std::process::exit(1);
        }
    }
}
