//! Runs the built `kirimin` binary as a separate process: flags, start-up
//! and shutdown as a self-hoster sees them (exit code and output).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// A `kirimin` process with its output collected line by line.
pub struct Proc {
    child: Child,
    lines: Receiver<String>,
    /// Every line read so far (stdout and stderr interleaved).
    pub seen: Vec<String>,
}

/// The binary with a clean environment: no `KIRIMIN_*`, `RUST_LOG` or `NO_COLOR`
/// from the caller, so only what a test sets counts.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kirimin"));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("KIRIMIN_") || key == "RUST_LOG" || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    cmd.args(args);
    cmd
}

impl Proc {
    /// Starts `cmd` with piped output.
    pub fn spawn(mut cmd: Command) -> Self {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("kirimin binary starts");
        let (tx, lines) = channel();
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx2.send(line);
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The process id (for `/proc/<pid>/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (up to 30 s) for a line containing `needle`; returns it.
    pub fn wait_for(&mut self, needle: &str) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "no line with {needle:?}; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// The `http://host:port` the server says it listens on.
    pub fn base(&mut self) -> String {
        let line = self.wait_for("listening on http://");
        let at = line.find("http://").expect("url");
        line[at..]
            .split_whitespace()
            .next()
            .expect("url")
            .to_string()
    }

    /// Sends SIGTERM and waits for the process to end; returns its exit status.
    pub fn terminate(self) -> (ExitStatus, Vec<String>) {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM delivered");
        self.finish()
    }

    /// Waits (up to 30 s) for the process to end by itself.
    pub fn finish(mut self) -> (ExitStatus, Vec<String>) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("kirimin did not end; output:\n{}", self.seen.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader threads end with the pipes; collect what is left.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(500)) {
            self.seen.push(line);
        }
        (status, std::mem::take(&mut self.seen))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
