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

#[test]
fn nonsense_values_stop_the_server_with_one_line_naming_the_flag() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_string_lossy().into_owned();
    let cases: &[(&[&str], &[(&str, &str)], &str)] = &[
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
