//! `chat`, `fanout` and `global`: members of groups (or every user, in the
//! global room) send messages at a target rate; every member's socket
//! accounts for each delivery. Missing and duplicated deliveries are errors.
//! `chat` can pre-fill each room with history first.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::report::{histogram, ErrorTally, Progress, Report};
use crate::setup::Env;
use crate::ws::{self, Deliveries, ReaderCtx};

/// How long deliveries may trail the last accepted message.
const DRAIN_WAIT: Duration = Duration::from_secs(15);

/// Accepted messages of one group: (sequence, index of the sending member).
type Accepted = Mutex<Vec<(u64, usize)>>;

/// Parameters of the chat scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// Groups.
    #[arg(long, default_value_t = 10)]
    pub groups: usize,
    /// Members per group, the owner included.
    #[arg(long, default_value_t = 10)]
    pub members: usize,
    /// Messages per second over all groups.
    #[arg(long, default_value_t = 500.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Messages put into each room before measuring.
    #[arg(long, default_value_t = 0)]
    pub history: usize,
    /// Members per group that send (0: all).
    #[arg(long, default_value_t = 0)]
    pub senders: usize,
    /// Send requests in flight at once.
    #[arg(long, default_value_t = 64)]
    pub inflight: usize,
    /// Send to the global room instead of groups (set by `global`).
    #[arg(skip)]
    pub global: bool,
    /// Written once every socket is open (set by `global`).
    #[arg(skip)]
    pub ready_file: Option<std::path::PathBuf>,
}

/// Parameters of the fan-out scenario: one large group.
#[derive(Debug, Clone, clap::Args)]
pub struct FanoutArgs {
    /// Members of the group (start the server with a raised --group-member-limit).
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// Messages per second.
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Members that send.
    #[arg(long, default_value_t = 4)]
    pub senders: usize,
    /// Send requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub inflight: usize,
}

impl FanoutArgs {
    /// The chat run this fan-out is.
    pub fn as_chat(&self) -> ChatArgs {
        ChatArgs {
            groups: 1,
            members: self.members,
            rate: self.rate,
            duration: self.duration,
            history: 0,
            senders: self.senders,
            inflight: self.inflight,
            global: false,
            ready_file: None,
        }
    }
}

/// The global room's id.
const GLOBAL_ROOM: &str = "696969";

/// Parameters of the global-room scenario: every user has one socket and
/// gets every message of the room but their own.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Connected users.
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    /// Messages per second into the global room.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 15)]
    pub duration: u64,
    /// Users that send.
    #[arg(long, default_value_t = 4)]
    pub senders: usize,
    /// Send requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub inflight: usize,
    /// A file written once every socket is open (to start another run beside it).
    #[arg(long)]
    pub ready_file: Option<std::path::PathBuf>,
}

impl GlobalArgs {
    /// The chat run this global-room run is.
    pub fn as_chat(&self) -> ChatArgs {
        ChatArgs {
            groups: 1,
            members: self.users,
            rate: self.rate,
            duration: self.duration,
            history: 0,
            senders: self.senders,
            inflight: self.inflight,
            global: true,
            ready_file: self.ready_file.clone(),
        }
    }
}

/// Runs `chat` (or `fanout`, named by `scenario`).
pub async fn run(env: &Env, args: &ChatArgs, scenario: &str) -> Report {
    let mut report = Report::new(scenario);
    report.param("groups", args.groups);
    report.param("members", args.members);
    report.param("rate", args.rate);
    report.param("duration_s", args.duration);
    if args.history > 0 {
        report.param("history", args.history);
    }
    if args.senders > 0 {
        report.param("senders", args.senders);
    }
    let errors = Arc::new(ErrorTally::default());
    let members = args.members.max(2);
    let mut group_count = args.groups.max(1);
    if let Err((fit, note)) =
        env.fd_budget(group_count * members, env.concurrency + args.inflight + 64)
    {
        report.notes.push(note);
        group_count = (fit / members).max(1);
    }

    let users = env.users(group_count * members, &errors).await;
    let groups = if args.global {
        // One room of everyone: no group to create or join.
        vec![crate::setup::Group {
            gid: GLOBAL_ROOM.into(),
            link: String::new(),
            members: users,
        }]
    } else {
        env.groups(&users, group_count, members, &errors).await
    };
    if args.history > 0 {
        prefill(env, &groups, args.history, &errors).await;
    }

    // Sockets; socket index = position of the member in `all`.
    let all: Vec<(usize, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(gi, g)| (0..g.members.len()).map(move |mi| (gi, mi)))
        .collect();
    let flat_users: Vec<_> = all
        .iter()
        .map(|&(gi, mi)| groups[gi].members[mi].clone())
        .collect();
    let ids = env.socket_ids(&flat_users, &errors).await;
    let (sockets, _) = env.open_sockets(&flat_users, &ids, &errors).await;
    let deliveries = Deliveries::new();
    let (stop_tx, stop_rx) = watch::channel(false);
    let dropped = Arc::new(AtomicU64::new(0));
    let run_for = Duration::from_secs(args.duration);
    let ctx = ReaderCtx {
        stop: stop_rx,
        deadline: Instant::now() + run_for + DRAIN_WAIT + Duration::from_secs(60),
        events: None,
        deliveries: Some(deliveries.clone()),
        dropped: dropped.clone(),
    };
    let readers: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, s)| s.map(|s| ws::spawn_reader(s, i, ctx.clone())))
        .collect();
    // Sockets attach to their group actors asynchronously.
    tokio::time::sleep(Duration::from_millis(300)).await;
    if let Some(path) = &args.ready_file {
        if let Err(e) = std::fs::write(path, b"ready") {
            report
                .notes
                .push(format!("cannot write {}: {e}", path.display()));
        }
    }

    // Senders: (group, member) pairs in turn.
    let senders_per_group = if args.senders == 0 {
        members
    } else {
        args.senders.min(members)
    };
    let senders: Vec<(usize, usize)> = (0..senders_per_group)
        .flat_map(|mi| (0..groups.len()).map(move |gi| (gi, mi)))
        .collect();
    let total = (args.rate * args.duration as f64).max(1.0) as u64;
    // accepted[group] = (sequence, sender member index)
    let accepted: Arc<Vec<Accepted>> =
        Arc::new(groups.iter().map(|_| Mutex::new(Vec::new())).collect());
    let send_lat = Arc::new(Mutex::new(histogram()));
    let next = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let progress = Progress::start("messages", total, sent.clone(), errors.clone(), env.quiet);
    let groups = Arc::new(groups);
    let senders = Arc::new(senders);
    let start = Instant::now();
    // A server slower than the offered rate does not stretch the run: what
    // is not sent by then is counted as not attempted.
    let give_up = start + run_for + Duration::from_secs(1);
    let mut workers = Vec::new();
    for _ in 0..args.inflight.max(1).min(total as usize) {
        let (env, groups, senders, accepted) = (
            env.clone(),
            groups.clone(),
            senders.clone(),
            accepted.clone(),
        );
        let (next, sent, errors, send_lat, deliveries) = (
            next.clone(),
            sent.clone(),
            errors.clone(),
            send_lat.clone(),
            deliveries.clone(),
        );
        let rate = args.rate.max(0.001);
        workers.push(tokio::spawn(async move {
            for _ in 0..total {
                let seq = next.fetch_add(1, Ordering::Relaxed);
                if seq >= total || Instant::now() > give_up {
                    break;
                }
                let at = start + Duration::from_secs_f64(seq as f64 / rate);
                tokio::time::sleep_until(at.into()).await;
                let (gi, mi) = senders[seq as usize % senders.len()];
                let g = &groups[gi];
                let t0 = Instant::now();
                match env
                    .api
                    .send_group(&g.members[mi], &g.gid, &deliveries.text(seq))
                    .await
                {
                    Ok(_) => {
                        let _ = send_lat
                            .lock()
                            .expect("hist")
                            .record((t0.elapsed().as_micros() as u64).max(1));
                        accepted[gi].lock().expect("accepted").push((seq, mi));
                    }
                    Err(e) => errors.add(&format!("send: {e}")),
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let send_secs = start.elapsed().as_secs_f64();
    progress.finish().await;

    // Expected deliveries: every accepted message to every other member.
    let n_accepted: usize = accepted
        .iter()
        .map(|a| a.lock().expect("accepted").len())
        .sum();
    let expected: u64 = groups
        .iter()
        .zip(accepted.iter())
        .map(|(g, a)| a.lock().expect("accepted").len() as u64 * (g.members.len() as u64 - 1))
        .sum();
    let drain_start = Instant::now();
    while deliveries.delivered.load(Ordering::Relaxed) < expected
        && drain_start.elapsed() < DRAIN_WAIT
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deliver_secs = start.elapsed().as_secs_f64();
    let _ = stop_tx.send(true);

    let (mut missing, mut unexpected, mut no_socket) = (0u64, 0u64, 0u64);
    for (i, r) in readers.into_iter().enumerate() {
        let (gi, mi) = all[i];
        let want: HashSet<u64> = accepted[gi]
            .lock()
            .expect("accepted")
            .iter()
            .filter(|(_, from)| *from != mi)
            .map(|(seq, _)| *seq)
            .collect();
        let Some(r) = r else {
            no_socket += want.len() as u64;
            continue;
        };
        let got = r.await.map(|s| s.seqs).unwrap_or_default();
        missing += want.difference(&got).count() as u64;
        unexpected += got.difference(&want).count() as u64;
    }
    let delivered = deliveries.delivered.load(Ordering::Relaxed);
    report.value("messages attempted", sent.load(Ordering::Relaxed) as f64);
    report.value("messages accepted", n_accepted as f64);
    report.value(
        "accepted messages/s",
        n_accepted as f64 / send_secs.max(1e-9),
    );
    report.value("deliveries expected", expected as f64);
    report.value("deliveries", delivered as f64);
    report.value("deliveries/s", delivered as f64 / deliver_secs.max(1e-9));
    report.error("delivery missing", missing);
    report.error(
        "delivery duplicated",
        deliveries.duplicates.load(Ordering::Relaxed),
    );
    report.error("delivery of a message not accepted", unexpected);
    report.error("delivery impossible: socket did not open", no_socket);
    report.error("socket dropped", dropped.load(Ordering::Relaxed));
    report.latencies.push((
        "send (HTTP, persisted)".into(),
        send_lat.lock().expect("hist").clone(),
    ));
    report.latencies.push((
        "send → delivery".into(),
        deliveries.latency.lock().expect("hist").clone(),
    ));
    report.errors_from(&errors);
    report
}

/// Puts `n` messages into every group's room, from its members in turn.
async fn prefill(env: &Env, groups: &[crate::setup::Group], n: usize, errors: &Arc<ErrorTally>) {
    let items: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (0..groups.len()).map(move |g| (g, i)))
        .collect();
    let api = env.api.clone();
    env.each("history", items, env.concurrency, errors, |(gi, i)| {
        let g = &groups[gi];
        let api = api.clone();
        async move {
            let m = &g.members[i % g.members.len()];
            api.send_group(m, &g.gid, &format!("history {i}"))
                .await
                .map(|_| ())
        }
    })
    .await;
}
