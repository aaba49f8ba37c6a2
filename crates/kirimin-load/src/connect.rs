//! `connect`: N signed-in users each open a socket and hold it, answering the
//! server's pings: connects/s, sockets alive at the end, server memory per socket.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::report::{ErrorTally, Progress, Report};
use crate::setup::{rss_bytes, Env};
use crate::ws::{self, ReaderCtx};

/// Parameters of the connect scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Signed-in users, one socket each.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Seconds to hold the sockets open.
    #[arg(long, default_value_t = 10)]
    pub hold: u64,
    /// File written once every socket is open (so other runs can start while these are held).
    #[arg(long)]
    pub ready_file: Option<std::path::PathBuf>,
}

/// Runs the scenario; `server_pid` enables the memory figures.
pub async fn run(env: &Env, args: &ConnectArgs, server_pid: Option<u32>) -> Report {
    let mut report = Report::new("connect");
    report.param("users", args.users);
    report.param("hold_s", args.hold);
    let errors = Arc::new(ErrorTally::default());
    let mut n = args.users;
    match env.fd_budget(n, env.concurrency + 64) {
        Ok(_) => {}
        Err((fit, note)) => {
            report.notes.push(note);
            n = fit;
        }
    }

    let t = Instant::now();
    let users = env.users(n, &errors).await;
    report.value("signed in", users.len() as f64);
    report.value("sign-ins/s", users.len() as f64 / t.elapsed().as_secs_f64());
    let ids = env.socket_ids(&users, &errors).await;
    // The HTTP connections of setup would otherwise count against the sockets.
    env.api.http.close_idle();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = server_pid.and_then(rss_bytes);

    let (sockets, secs) = env.open_sockets(&users, &ids, &errors).await;
    let opened = sockets.iter().filter(|s| s.is_some()).count();
    report.value("sockets opened", opened as f64);
    report.value("connects/s", opened as f64 / secs.max(1e-9));

    let (stop_tx, stop_rx) = watch::channel(false);
    let dropped = Arc::new(AtomicU64::new(0));
    let hold = Duration::from_secs(args.hold);
    let ctx = ReaderCtx {
        stop: stop_rx,
        deadline: Instant::now() + hold + Duration::from_secs(30),
        events: None,
        deliveries: None,
        dropped: dropped.clone(),
    };
    let readers: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| ws::spawn_reader(s, i, ctx.clone())))
        .collect();
    // Let the server settle (buffers of the handshakes freed) before measuring.
    tokio::time::sleep(Duration::from_secs(1).min(hold)).await;
    let rss_open = server_pid.and_then(rss_bytes);
    if let Some(path) = &args.ready_file {
        if let Err(e) = std::fs::write(path, format!("{opened}\n")) {
            report
                .notes
                .push(format!("cannot write {}: {e}", path.display()));
        }
    }

    let held = Arc::new(AtomicU64::new(0));
    let progress = Progress::start(
        "holding (s)",
        args.hold,
        held.clone(),
        errors.clone(),
        env.quiet,
    );
    let start = Instant::now();
    while start.elapsed() < hold {
        tokio::time::sleep(Duration::from_millis(250).min(hold)).await;
        held.store(start.elapsed().as_secs(), Ordering::Relaxed);
    }
    progress.finish().await;
    let rss_after = server_pid.and_then(rss_bytes);
    let alive = opened as u64 - dropped.load(Ordering::Relaxed);
    report.value("sockets alive at end", alive as f64);
    report.error("socket dropped while held", dropped.load(Ordering::Relaxed));

    if let (Some(before), Some(open), Some(after)) = (rss_before, rss_open, rss_after) {
        report.value("server RSS before sockets (KiB)", (before / 1024) as f64);
        report.value("server RSS with sockets open (KiB)", (open / 1024) as f64);
        report.value("server RSS at end of hold (KiB)", (after / 1024) as f64);
        if opened > 0 {
            // Measured right after the sockets opened: other runs may share
            // the server during the hold and grow its memory.
            let per = (open as f64 - before as f64) / opened as f64;
            report.value("server bytes per socket", per.round());
        }
    }
    let _ = stop_tx.send(true);
    for r in readers {
        let _ = r.await;
    }
    report.errors_from(&errors);
    report
}
