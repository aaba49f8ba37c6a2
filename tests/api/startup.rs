//! Flags, start-up and shutdown of the built binary (issue 11 items 14-16).

use serde_json::json;

use crate::common::request;
use crate::process::{command, Proc};

/// Runs the binary with `args` and `env` until it exits by itself.
fn refused(args: &[&str], env: &[(&str, &str)]) -> (i32, Vec<String>) {
    let mut cmd = command(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (status, lines) = Proc::spawn(cmd).finish();
    (status.code().unwrap_or(-1), lines)
}

#[actix_web::test]
async fn boolean_env_twins_take_1_and_0() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_string_lossy().into_owned();
    for (value, exposed) in [("1", true), ("true", true), ("0", false), ("false", false)] {
        let mut cmd = command(&["--bind", "127.0.0.1:0", "--data-dir", &data]);
        cmd.env("KIRIMIN_DEV_EXPOSE_OTP", value);
        let mut proc = Proc::spawn(cmd);
        let base = proc.base();
        let res = request(
            &base,
            "POST",
            "/x/auth/sign-in",
            None,
            Some(json!({ "email": format!("b{value}@example.com") }).to_string()),
            true,
        )
        .await;
        let data = res.assert_ok();
        assert_eq!(data["code"].is_string(), exposed, "value {value}: {data}");
        let (status, _) = proc.terminate();
        assert!(status.success(), "value {value}: {status:?}");
    }
}

/// Flags, environment, and the flag the refusal must name.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn nonsense_values_stop_the_server_with_one_line_naming_the_flag() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_string_lossy().into_owned();
    let cases: &[Case] = &[
        (&["--workers", "0"], &[], "--workers"),
        (&["--session-days", "0"], &[], "--session-days"),
        (&["--bind", "not-an-address"], &[], "--bind"),
        (&[], &[("KIRIMIN_BIND", "localhost")], "--bind"),
        (&["--group-member-limit", "-1"], &[], "--group-member-limit"),
        (&["--group-own-limit", "-3"], &[], "--group-own-limit"),
        (&["--ws-ping-ms", "0"], &[], "--ws-ping-ms"),
        (
            &["--ws-ping-ms", "5000", "--ws-timeout-ms", "1000"],
            &[],
            "--ws-timeout-ms",
        ),
        (&["--rate-limit", "fast"], &[], "--rate-limit"),
        (
            &[],
            &[("KIRIMIN_DEV_EXPOSE_OTP", "maybe")],
            "--dev-expose-otp",
        ),
        (&["--public-host", "http://x/"], &[], "--public-host"),
        // A build without PostgreSQL refuses its URLs as a flag error.
        #[cfg(not(feature = "postgres"))]
        (
            &["--database-url", "postgres://me:secret@db/kirimin"],
            &[],
            "--database-url",
        ),
    ];
    for (args, env, flag) in cases {
        let mut all = vec!["--data-dir", data.as_str()];
        if !env.iter().any(|(k, _)| *k == "KIRIMIN_BIND") {
            all.extend(["--bind", "127.0.0.1:0"]);
        }
        all.extend_from_slice(args);
        let (code, lines) = refused(&all, env);
        let text = lines.join("\n");
        assert_eq!(code, 2, "{args:?} {env:?}: {text}");
        assert_eq!(lines.len(), 1, "{args:?} {env:?}: {text}");
        assert!(text.contains(flag), "{args:?} {env:?}: {text}");
        assert!(!text.contains("panicked"), "{text}");
        assert!(!text.contains("secret"), "a password in the output: {text}");
    }
}

#[test]
fn an_unusable_data_dir_or_database_fails_at_once_naming_the_path() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").expect("file");
    let data_under_file = file.join("data");
    let data_under_file = data_under_file.to_string_lossy().into_owned();
    let good_data = dir.path().join("data").to_string_lossy().into_owned();
    let db_is_dir = dir.path().to_string_lossy().into_owned();
    let db_under_file = file.join("kirimin.db").to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--data-dir", &data_under_file], &data_under_file),
        // Nothing listens on port 1: named, without its password.
        #[cfg(feature = "postgres")]
        (
            vec![
                "--data-dir",
                &good_data,
                "--database-url",
                "postgres://me:secret@127.0.0.1:1/kirimin",
            ],
            "postgres://me:***@127.0.0.1:1/kirimin",
        ),
        (
            vec!["--data-dir", &good_data, "--database-url", &db_is_dir],
            &db_is_dir,
        ),
        (
            vec!["--data-dir", &good_data, "--database-url", &db_under_file],
            &db_under_file,
        ),
    ];
    for (args, path) in cases {
        let mut all = vec!["--bind", "127.0.0.1:0"];
        all.extend(args.iter().copied());
        let (code, lines) = refused(&all, &[]);
        let text = lines.join("\n");
        assert_ne!(code, 0, "{text}");
        assert_eq!(lines.len(), 1, "one line, not retries: {text}");
        assert!(text.contains(path), "names {path}: {text}");
        assert!(!text.contains("secret"), "a password in the output: {text}");
    }
}

#[actix_web::test]
async fn startup_says_where_everything_is_and_shutdown_says_stopped() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let data = data.to_string_lossy().into_owned();
    let mut proc = Proc::spawn(command(&["--bind", "127.0.0.1:0", "--data-dir", &data]));
    let base = proc.base();
    proc.wait_for(&format!("data directory: {data}"));
    proc.wait_for(&format!("database: SQLite file {data}/kirimin.db"));
    proc.wait_for(&format!("web client: {base}/app"));
    proc.wait_for("sign-in codes are written to this log at level INFO");
    request(&base, "GET", "/healthz", None, None, true)
        .await
        .assert_ok();

    // A second server on the same data directory refuses to start.
    let (code, lines) = refused(&["--bind", "127.0.0.1:0", "--data-dir", &data], &[]);
    let text = lines.join("\n");
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("already using the data directory"), "{text}");
    assert!(text.contains(&data), "{text}");

    let (status, lines) = proc.terminate();
    assert!(status.success(), "{status:?}");
    let last = lines.last().cloned().unwrap_or_default();
    assert!(last.contains("stopped"), "last line: {last:?}");
    // Output to a pipe carries no colour codes.
    let all = lines.join("\n");
    assert!(
        !all.contains('\u{1b}'),
        "colour codes in piped logs: {all:?}"
    );
    assert!(!all.contains("0.0.0.0"), "{all}");
}

#[test]
fn binding_every_address_without_a_public_host_warns() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_string_lossy().into_owned();
    let mut proc = Proc::spawn(command(&["--bind", "0.0.0.0:0", "--data-dir", &data]));
    let line = proc.wait_for("without --public-host");
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("0.0.0.0"), "{line}");
    let (status, _) = proc.terminate();
    assert!(status.success());
}

#[test]
fn no_color_set_gives_plain_logs() {
    // Tests have no terminal, so this checks NO_COLOR alongside the pipe rule.
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_string_lossy().into_owned();
    let mut cmd = command(&["--bind", "127.0.0.1:0", "--data-dir", &data]);
    cmd.env("NO_COLOR", "1");
    let mut proc = Proc::spawn(cmd);
    proc.base();
    let (status, lines) = proc.terminate();
    assert!(status.success());
    assert!(!lines.join("\n").contains('\u{1b}'));
}

/// Sends raw bytes on a new connection; returns the answer's status line.
fn raw_status(base: &str, bytes: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(base.trim_start_matches("http://")).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .expect("timeout");
    let _ = stream.write_all(bytes);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn http_framing_errors_are_logged_below_error() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_string_lossy().into_owned();
    let mut cmd = command(&["--bind", "127.0.0.1:0", "--data-dir", &data]);
    cmd.env("RUST_LOG", "info,kirimin::http=debug");
    let mut proc = Proc::spawn(cmd);
    let base = proc.base();
    let bad_length = b"POST /x/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}";
    assert!(raw_status(&base, bad_length).starts_with("HTTP/1.1 400"));
    let mut huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 200_000));
    huge.extend_from_slice(b"\r\n\r\n");
    assert!(raw_status(&base, &huge).starts_with("HTTP/1.1 431"));
    proc.wait_for("malformed request, connection closed");
    let (status, lines) = proc.terminate();
    assert!(status.success());
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains("ERROR")).collect();
    assert!(errors.is_empty(), "{errors:?}");
}
