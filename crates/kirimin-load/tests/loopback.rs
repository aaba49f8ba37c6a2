//! The built `kirimin-load` binary refuses any server that is not on
//! loopback, before it sends anything, and goes on with one that is.

use std::process::{Command, Output};

fn run(server: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kirimin-load"))
        .args(["--server", server, "--quiet", "connect", "--users", "1"])
        .output()
        .expect("kirimin-load runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn non_loopback_servers_are_refused() {
    for server in ["10.0.0.1:80", "192.168.1.20:8080", "[2001:db8::1]:80"] {
        let out = run(server);
        assert_eq!(out.status.code(), Some(2), "{server}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("only drives loopback servers; {server} is not")),
            "{server}: {}",
            stderr(&out)
        );
        assert!(
            out.stdout.is_empty(),
            "{server}: no report for a refused run"
        );
    }
}

#[test]
fn loopback_servers_pass_the_check() {
    // Nothing listens on port 1: the run gets past the loopback check and
    // stops at the health check instead.
    for server in ["127.0.0.1:1", "127.5.5.5:1"] {
        let out = run(server);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{server}: {err}");
        assert!(!err.contains("only drives loopback"), "{server}: {err}");
        assert!(
            err.contains(&format!("no Kirimin server answers /healthz at {server}")),
            "{server}: {err}"
        );
    }
}
