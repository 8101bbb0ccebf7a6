//! A fake W&B server seeded like the local demo team, for trying the W&B path without an account:
//!
//! ```sh
//! cargo run --example fake_wandb -- --port 8080
//! WANDB_API_KEY=<the key it prints> cargo run -- --backend wandb --base-url http://127.0.0.1:8080 list
//! ```

#[path = "../tests/it/support/fake_wandb/mod.rs"]
mod fake_wandb;

fn port_from_args() -> Result<u16, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(8080),
        [flag, port] if flag == "--port" => port
            .parse()
            .map_err(|_| format!("--port takes a number, got {port:?}")),
        _ => Err("usage: fake_wandb [--port PORT]".into()),
    }
}

#[tokio::main]
async fn main() {
    let port = match port_from_args() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match fake_wandb::FakeWandb::demo_on(port).await {
        Ok(fake) => {
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
