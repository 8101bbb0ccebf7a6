//! A fake W&B server seeded like the local demo team, for trying the W&B path without an account:
//!
//! ```sh
//! cargo run --example fake_wandb -- --port 8080 [--copies N]   # N more automations, for timing
//! WANDB_API_KEY=<the key it prints> cargo run -- --backend wandb --base-url http://127.0.0.1:8080 list
//! ```

#[path = "../tests/it/support/fake_wandb/mod.rs"]
mod fake_wandb;

/// `--port PORT` (8080) and `--copies N` (0), in any order.
fn args() -> Result<(u16, usize), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut port, mut copies) = (8080, 0);
    let usage = || "usage: fake_wandb [--port PORT] [--copies N]".to_string();
    for pair in args.chunks(2) {
        match pair {
            [flag, v] if flag == "--port" => {
                port = v
                    .parse()
                    .map_err(|_| format!("--port takes a number, got {v:?}"))?;
            }
            [flag, v] if flag == "--copies" => {
                copies = v
                    .parse()
                    .map_err(|_| format!("--copies takes a number, got {v:?}"))?;
            }
            _ => return Err(usage()),
        }
    }
    Ok((port, copies))
}

#[tokio::main]
async fn main() {
    let (port, copies) = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match fake_wandb::FakeWandb::demo_on(port).await {
        Ok(fake) => {
            fake.state().add_copies(copies);
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
