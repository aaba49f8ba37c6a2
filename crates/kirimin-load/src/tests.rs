//! Short runs of every scenario against an in-process server. They assert
//! zero errors and that every delivery is accounted for, never timings.

use std::sync::Arc;

use kirimin_testkit::ThreadServer;

use super::*;

/// A server on its own thread, set up as the load generator needs it
/// (codes exposed, no per-address connection cap).
fn start_server(extra: &[&str]) -> ThreadServer {
    let mut args = vec!["--dev-expose-otp", "--max-connections-per-ip", "0"];
    args.extend_from_slice(extra);
    ThreadServer::start(&args)
}

fn env_for(server: &ThreadServer) -> Env {
    let sources = Arc::new(http::SourceAddrs::default());
    let client = http::Client::new(server.addr, sources.clone());
    Env {
        server: server.addr,
        api: api::Api::new(client, 16),
        sources,
        concurrency: 8,
        handshakes: 8,
        quiet: true,
        fd_limit: setup::raise_fd_limit(),
    }
}

fn value(report: &Report, name: &str) -> f64 {
    report
        .values
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no value {name} in {}", report.table()))
}

fn assert_clean(report: &Report) {
    assert_eq!(report.total_errors(), 0, "{}", report.table());
    // The JSON form carries the same numbers.
    let j = report.json();
    assert_eq!(j["error_total"], 0);
    assert_eq!(j["scenario"], report.scenario.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_holds_every_socket() {
    let server = start_server(&["--ws-ping-ms", "200"]);
    let env = env_for(&server);
    let args = connect::ConnectArgs {
        users: 20,
        hold: 1,
        ready_file: None,
    };
    let report = connect::run(&env, &args, Some(std::process::id())).await;
    assert_clean(&report);
    assert_eq!(value(&report, "sockets opened"), 20.0);
    assert_eq!(value(&report, "sockets alive at end"), 20.0);
    assert!(value(&report, "server bytes per socket").is_finite());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kick_signals_all_arrive() {
    let server = start_server(&[]);
    let env = env_for(&server);
    let args = kick::KickArgs {
        groups: 2,
        members: 4,
        rate: 10.0,
        duration: 1,
        idle: 3,
    };
    let report = kick::run(&env, &args).await;
    assert_clean(&report);
    assert!(value(&report, "kicks") >= 8.0, "{}", report.table());
    let all = &report
        .latencies
        .iter()
        .find(|(k, _)| k.contains("all signals"))
        .expect("hist")
        .1;
    assert_eq!(all.len() as f64, value(&report, "kicks"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_accounts_for_every_delivery() {
    let server = start_server(&[]);
    let env = env_for(&server);
    let args = chat::ChatArgs {
        groups: 2,
        members: 4,
        rate: 40.0,
        duration: 1,
        history: 5,
        senders: 0,
        inflight: 4,
        global: false,
        ready_file: None,
    };
    let report = chat::run(&env, &args, "chat").await;
    assert_clean(&report);
    assert_eq!(value(&report, "messages accepted"), 40.0);
    assert_eq!(value(&report, "deliveries expected"), 40.0 * 3.0);
    assert_eq!(value(&report, "deliveries"), 40.0 * 3.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_reaches_every_member() {
    let server = start_server(&["--group-member-limit", "30"]);
    let env = env_for(&server);
    let args = chat::FanoutArgs {
        members: 30,
        rate: 20.0,
        duration: 1,
        senders: 2,
        inflight: 2,
    };
    let report = chat::run(&env, &args.as_chat(), "fanout").await;
    assert_clean(&report);
    assert_eq!(value(&report, "messages accepted"), 20.0);
    assert_eq!(value(&report, "deliveries"), 20.0 * 29.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_room_reaches_every_other_user_once() {
    let server = start_server(&[]);
    let env = env_for(&server);
    let ready = std::env::temp_dir().join(format!("kirimin-load-ready-{}", std::process::id()));
    let _ = std::fs::remove_file(&ready);
    let args = chat::GlobalArgs {
        users: 25,
        rate: 20.0,
        duration: 1,
        senders: 3,
        inflight: 2,
        ready_file: Some(ready.clone()),
    };
    let report = chat::run(&env, &args.as_chat(), "global").await;
    assert_clean(&report);
    assert_eq!(value(&report, "messages accepted"), 20.0);
    assert_eq!(value(&report, "deliveries"), 20.0 * 24.0);
    assert!(
        ready.exists(),
        "the ready file is written once sockets are open"
    );
    let _ = std::fs::remove_file(&ready);
}

#[test]
fn scenario_flags_parse() {
    let cli = Cli::try_parse_from([
        "kirimin-load",
        "--server",
        "127.0.0.1:80",
        "chat",
        "--history",
        "3",
    ])
    .expect("parses");
    assert!(matches!(cli.scenario, Scenario::Chat(ref a) if a.history == 3));
}
