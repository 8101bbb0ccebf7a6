//! A webhook receiver on loopback for timing the engine from outside (the `tools/engine_*.sh`
//! scripts): it prints one line per request, `<unix ms> <method and path> <delivery id>`, and
//! answers 200 at once, after `--hang SECS`, or with a body of `--huge BYTES`.
//!
//! ```sh
//! cargo run --release --example receiver -- --port 9000 [--hang 120 | --huge 1073741824]
//! ```

// Only part of the tests' HTTP server is used here.
#[allow(dead_code)]
#[path = "../tests/it/support/fake_wandb/http.rs"]
mod http;

use http::{HttpReply, serve};
use std::io::Write;
use std::time::Duration;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut port, mut hang, mut huge) = (9000u16, None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} takes a value"))?;
        let number = value
            .parse::<u64>()
            .map_err(|_| format!("{flag} takes a number, got {value:?}"))?;
        match flag.as_str() {
            "--port" => port = u16::try_from(number).map_err(|e| e.to_string())?,
            "--hang" => hang = Some(Duration::from_secs(number)),
            "--huge" => huge = Some(number),
            _ => return Err("usage: receiver [--port P] [--hang SECS | --huge BYTES]".into()),
        }
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on {port}: {e}"))?;
        serve(listener, move |r| {
            let at = jiff::Timestamp::now().as_millisecond();
            let id = r.header("x-wbauto-delivery").unwrap_or("-").to_string();
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{at} {} {id}", r.target.replace(' ', "_"));
            let _ = out.flush();
            match huge {
                Some(bytes) => HttpReply::Stream { status: 200, bytes },
                None => HttpReply::Respond {
                    status: 200,
                    headers: Vec::new(),
                    body: "{\"ok\":true}".into(),
                    delay: hang,
                },
            }
        })
        .await;
        Ok(())
    })
}
