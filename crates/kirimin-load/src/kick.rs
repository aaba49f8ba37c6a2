//! `kick`: G groups of M connected members; owners kick members and the
//! members rejoin through the invite link, at a target rate. Measures the time
//! from the kick request to `memberleave` on every other member and
//! `memberkick` on the kicked user.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::sync::{mpsc, watch};

use crate::report::{histogram, ErrorTally, Progress, Report};
use crate::setup::{Env, Group};
use crate::ws::{self, Event, ReaderCtx};

/// How long the signals of one kick may take before they count as missing.
const SIGNAL_WAIT: Duration = Duration::from_secs(5);

/// Parameters of the kick scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct KickArgs {
    /// Groups.
    #[arg(long, default_value_t = 10)]
    pub groups: usize,
    /// Members per group, the owner included (at least 3).
    #[arg(long, default_value_t = 10)]
    pub members: usize,
    /// Kicks per second over all groups.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Seconds of kicking.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Extra signed-in sockets that only idle (to measure kicks with many sockets open).
    #[arg(long, default_value_t = 0)]
    pub idle: usize,
}

#[derive(Default)]
struct Hists {
    request: Option<Histogram<u64>>,
    leave: Option<Histogram<u64>>,
    kick: Option<Histogram<u64>>,
    all: Option<Histogram<u64>>,
}

/// Runs the scenario.
pub async fn run(env: &Env, args: &KickArgs) -> Report {
    let mut report = Report::new("kick");
    report.param("groups", args.groups);
    report.param("members", args.members);
    report.param("rate", args.rate);
    report.param("duration_s", args.duration);
    report.param("idle", args.idle);
    let errors = Arc::new(ErrorTally::default());
    let members = args.members.max(3);
    let mut idle = args.idle;
    let wanted = args.groups * members + idle;
    if let Err((fit, note)) = env.fd_budget(wanted, env.concurrency + 64) {
        report.notes.push(note);
        idle = fit.saturating_sub(args.groups * members);
    }

    let users = env.users(args.groups * members, &errors).await;
    let groups = env.groups(&users, args.groups, members, &errors).await;
    let (_idle_users, idle_sockets) = env.connected_users(idle, &errors).await;
    report.value("idle sockets", idle_sockets.iter().flatten().count() as f64);

    let (stop_tx, stop_rx) = watch::channel(false);
    let dropped = Arc::new(AtomicU64::new(0));
    let run_for = Duration::from_secs(args.duration);
    let base_ctx = ReaderCtx {
        stop: stop_rx,
        deadline: Instant::now() + run_for + Duration::from_secs(120),
        events: None,
        deliveries: None,
        dropped: dropped.clone(),
    };
    let mut readers = Vec::new();
    for s in idle_sockets.into_iter().flatten() {
        readers.push(ws::spawn_reader(s, usize::MAX, base_ctx.clone()));
    }
    // One event channel per group; socket index = member index.
    let mut channels = Vec::new();
    for g in &groups {
        let (tx, rx) = mpsc::unbounded_channel();
        let ids = env.socket_ids(&g.members, &errors).await;
        let (sockets, _) = env.open_sockets(&g.members, &ids, &errors).await;
        let ctx = ReaderCtx {
            events: Some(tx),
            ..base_ctx.clone()
        };
        for (i, s) in sockets.into_iter().enumerate() {
            if let Some(s) = s {
                readers.push(ws::spawn_reader(s, i, ctx.clone()));
            }
        }
        channels.push(rx);
    }
    // Sockets attach to their group actors asynchronously.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let hists = Arc::new(Mutex::new(Hists {
        request: Some(histogram()),
        leave: Some(histogram()),
        kick: Some(histogram()),
        all: Some(histogram()),
    }));
    let kicks = Arc::new(AtomicU64::new(0));
    let per_group_period =
        Duration::from_secs_f64(groups.len().max(1) as f64 / args.rate.max(0.001));
    let total = (args.rate * args.duration as f64) as u64;
    let progress = Progress::start("kicks", total, kicks.clone(), errors.clone(), env.quiet);
    let start = Instant::now();
    let mut drivers = Vec::new();
    for (gi, (g, rx)) in groups.into_iter().zip(channels).enumerate() {
        let (env, errors, hists, kicks) =
            (env.clone(), errors.clone(), hists.clone(), kicks.clone());
        // Spread the groups' first kicks over one period.
        let offset = per_group_period.mul_f64(gi as f64 / args.groups.max(1) as f64);
        drivers.push(tokio::spawn(async move {
            drive(
                &env,
                g,
                rx,
                start + offset,
                per_group_period,
                run_for,
                &errors,
                &hists,
                &kicks,
            )
            .await
        }));
    }
    for d in drivers {
        let _ = d.await;
    }
    let secs = start.elapsed().as_secs_f64();
    progress.finish().await;
    let _ = stop_tx.send(true);
    for r in readers {
        let _ = r.await;
    }

    let n = kicks.load(Ordering::Relaxed);
    report.value("kicks", n as f64);
    report.value("kicks/s", n as f64 / secs.max(1e-9));
    report.error("socket dropped", dropped.load(Ordering::Relaxed));
    let mut h = hists.lock().expect("hists");
    let rows = [
        ("kick request (HTTP)", h.request.take()),
        ("kick → memberleave (each member)", h.leave.take()),
        ("kick → memberkick (kicked)", h.kick.take()),
        ("kick → all signals delivered", h.all.take()),
    ];
    for (name, hist) in rows {
        report
            .latencies
            .push((name.into(), hist.unwrap_or_else(histogram)));
    }
    report.errors_from(&errors);
    report
}

/// Kicks the members of one group in turn until the run time is over.
#[allow(clippy::too_many_arguments)]
async fn drive(
    env: &Env,
    g: Group,
    mut rx: mpsc::UnboundedReceiver<Event>,
    first: Instant,
    period: Duration,
    run_for: Duration,
    errors: &ErrorTally,
    hists: &Mutex<Hists>,
    kicks: &AtomicU64,
) {
    let owner = g.members[0].clone();
    let n = g.members.len();
    let end = first + run_for;
    let max_kicks = (run_for.as_secs_f64() / period.as_secs_f64()).ceil() as u64 + 1;
    for k in 0..max_kicks {
        let at = first + period.mul_f64(k as f64);
        if at >= end {
            break;
        }
        tokio::time::sleep_until(at.into()).await;
        let victim = 1 + (k as usize % (n - 1));
        let victim_id = g.members[victim].id.clone();
        while rx.try_recv().is_ok() {}
        let t0 = Instant::now();
        if let Err(e) = env.api.kick(&owner, &g.gid, &victim_id).await {
            errors.add(&format!("kick: {e}"));
            continue;
        }
        let req = t0.elapsed();
        kicks.fetch_add(1, Ordering::Relaxed);
        // memberleave on everyone else, memberkick on the victim.
        let mut waiting: Vec<bool> = (0..n).map(|_| true).collect();
        let mut left = n;
        let mut last = Duration::ZERO;
        let (mut leaves, mut kicked) = (Vec::new(), None);
        let deadline = tokio::time::Instant::from_std(t0 + SIGNAL_WAIT);
        while left > 0 {
            let ev = match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(ev)) => ev,
                _ => break,
            };
            if ev.groupid != g.gid || ev.sock >= n || !waiting[ev.sock] {
                continue;
            }
            let wanted = if ev.sock == victim {
                ev.kind == "memberkick" && ev.from == owner.id
            } else {
                ev.kind == "memberleave" && ev.from == victim_id
            };
            if wanted {
                waiting[ev.sock] = false;
                left -= 1;
                let lat = ev.at.saturating_duration_since(t0);
                last = last.max(lat);
                if ev.sock == victim {
                    kicked = Some(lat);
                } else {
                    leaves.push(lat);
                }
            }
        }
        {
            let mut h = hists.lock().expect("hists");
            record(&mut h.request, req);
            for l in &leaves {
                record(&mut h.leave, *l);
            }
            if let Some(l) = kicked {
                record(&mut h.kick, l);
            }
            if left == 0 {
                record(&mut h.all, last);
            }
        }
        if left > 0 {
            for _ in 0..left {
                errors.add("kick signal missing after 5 s");
            }
        }
        // Rejoin, and wait until the others saw it so the next kick starts clean.
        if let Err(e) = env.api.join(&g.members[victim], &g.gid, &g.link).await {
            errors.add(&format!("rejoin: {e}"));
            continue;
        }
        let mut joins = 0;
        let deadline = tokio::time::Instant::now() + SIGNAL_WAIT;
        while joins < n - 1 {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(ev)) if ev.kind == "memberjoin" && ev.from == victim_id => joins += 1,
                Ok(Some(_)) => {}
                _ => {
                    errors.add("memberjoin missing after 5 s");
                    break;
                }
            }
        }
    }
}

fn record(h: &mut Option<Histogram<u64>>, d: Duration) {
    if let Some(h) = h {
        let _ = h.record((d.as_micros() as u64).max(1));
    }
}
