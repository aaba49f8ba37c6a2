//! `kirimin-load`: a load generator for servers speaking the Kirimin API.
//!
//! It uses only the public API (sign-in through the `--dev-expose-otp` code,
//! groups, messages, WebSocket signals) and only loopback addresses. Each
//! scenario shows a progress line on stderr and ends with a table of counts,
//! errors and latency percentiles (or JSON with `--json`).
//!
//! Scenarios: `connect`, `kick`, `chat` (with `--history N`), `fanout`, `global`.

mod api;
mod chat;
mod connect;
mod http;
mod kick;
mod report;
mod setup;
mod ws;

#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::report::Report;
use crate::setup::Env;

/// Load generator for a Kirimin server (loopback only).
#[derive(Debug, Parser)]
#[command(name = "kirimin-load", version)]
struct Cli {
    /// Server address; must be a loopback address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    server: SocketAddr,
    /// Process id of the server, to read its memory from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Print the result as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also append the markdown table to this file.
    #[arg(long)]
    table_out: Option<std::path::PathBuf>,
    /// No progress lines.
    #[arg(long)]
    quiet: bool,
    /// HTTP requests in flight during setup.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// WebSocket handshakes in flight.
    #[arg(long, default_value_t = 128)]
    handshakes: usize,
    /// Runtime worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// N users each open a socket and hold it.
    Connect(connect::ConnectArgs),
    /// Owners kick members, members rejoin; kick → signal latency.
    Kick(kick::KickArgs),
    /// Group messages at a target rate; every delivery accounted for.
    Chat(chat::ChatArgs),
    /// One large group receives messages: deliveries/s.
    Fanout(chat::FanoutArgs),
    /// The global room: every connected user receives every message.
    Global(chat::GlobalArgs),
}

fn main() {
    let cli = Cli::parse();
    if !cli.server.ip().is_loopback() {
        eprintln!(
            "kirimin-load only drives loopback servers; {} is not",
            cli.server
        );
        std::process::exit(2);
    }
    let fd_limit = setup::raise_fd_limit();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.threads.max(1))
        .enable_all()
        .build()
        .expect("tokio runtime");
    let report = rt.block_on(async {
        let env = make_env(cli.server, &cli, fd_limit);
        if !env.api.healthy().await {
            eprintln!("no Kirimin server answers /healthz at {}", cli.server);
            std::process::exit(2);
        }
        run(&env, &cli.scenario, cli.server_pid).await
    });
    if let Some(path) = &cli.table_out {
        use std::io::Write;
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| writeln!(f, "{}", report.table()));
        if let Err(e) = appended {
            eprintln!("cannot write {}: {e}", path.display());
        }
    }
    if cli.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report.json()).expect("json")
        );
    } else {
        println!("{}", report.table());
    }
    // Readers and connections end with the runtime.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
}

fn make_env(server: SocketAddr, cli: &Cli, fd_limit: u64) -> Env {
    let sources = Arc::new(http::SourceAddrs::default());
    let client = http::Client::new(server, sources.clone());
    Env {
        server,
        api: api::Api::new(client, cli.concurrency.max(1) * 2),
        sources,
        concurrency: cli.concurrency.max(1),
        handshakes: cli.handshakes.max(1),
        quiet: cli.quiet,
        fd_limit,
    }
}

async fn run(env: &Env, scenario: &Scenario, server_pid: Option<u32>) -> Report {
    let mut report = match scenario {
        Scenario::Connect(a) => connect::run(env, a, server_pid).await,
        Scenario::Kick(a) => kick::run(env, a).await,
        Scenario::Chat(a) => chat::run(env, a, "chat").await,
        Scenario::Fanout(a) => chat::run(env, &a.as_chat(), "fanout").await,
        Scenario::Global(a) => chat::run(env, &a.as_chat(), "global").await,
    };
    report.param("fd_limit", env.fd_limit);
    report
}
