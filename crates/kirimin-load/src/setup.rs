//! Getting a run ready: signed-in users, socket ids, groups with members,
//! open sockets. Every step runs with bounded concurrency and reports failures
//! into the scenario's error tally instead of stopping the run.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures_util::stream::{self, StreamExt};

use crate::api::{Api, User};
use crate::http::SourceAddrs;
use crate::report::{ErrorTally, Progress};
use crate::ws::{self, Socket};

/// Everything scenarios share.
#[derive(Debug, Clone)]
pub struct Env {
    pub server: SocketAddr,
    pub api: Arc<Api>,
    pub sources: Arc<SourceAddrs>,
    /// Concurrent HTTP requests during setup.
    pub concurrency: usize,
    /// WebSocket handshakes in flight at once.
    pub handshakes: usize,
    /// No progress lines.
    pub quiet: bool,
    /// Open files this process may hold.
    pub fd_limit: u64,
}

impl Env {
    /// Runs `f` for every item, at most `limit` at a time, with a progress
    /// line; failures are counted in `errors`. Results keep the input order.
    pub async fn each<I, T, F, Fut>(
        &self,
        label: &str,
        items: Vec<I>,
        limit: usize,
        errors: &Arc<ErrorTally>,
        f: F,
    ) -> Vec<Option<T>>
    where
        F: Fn(I) -> Fut,
        Fut: Future<Output = Result<T, String>>,
    {
        let done = Arc::new(AtomicU64::new(0));
        let progress = Progress::start(
            label,
            items.len() as u64,
            done.clone(),
            errors.clone(),
            self.quiet,
        );
        let f = &f;
        let mut out: Vec<(usize, Option<T>)> = stream::iter(items.into_iter().enumerate())
            .map(|(i, item)| {
                let done = done.clone();
                async move {
                    let r = f(item).await;
                    done.fetch_add(1, Ordering::Relaxed);
                    (i, r)
                }
            })
            .buffer_unordered(limit.max(1))
            .map(|(i, r)| match r {
                Ok(v) => (i, Some(v)),
                Err(e) => {
                    errors.add(&format!("{label}: {e}"));
                    (i, None)
                }
            })
            .collect()
            .await;
        progress.finish().await;
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, v)| v).collect()
    }

    /// `n` freshly signed-in users (failed sign-ins are left out and counted).
    pub async fn users(&self, n: usize, errors: &Arc<ErrorTally>) -> Vec<User> {
        let api = self.api.clone();
        self.each("sign-in", vec![(); n], self.concurrency, errors, |_| {
            let api = api.clone();
            async move { api.sign_in().await }
        })
        .await
        .into_iter()
        .flatten()
        .collect()
    }

    /// A fresh socket id for each user (None where isUser failed).
    pub async fn socket_ids(
        &self,
        users: &[User],
        errors: &Arc<ErrorTally>,
    ) -> Vec<Option<String>> {
        let api = self.api.clone();
        self.each(
            "socket ids",
            users.to_vec(),
            self.concurrency,
            errors,
            |u| {
                let api = api.clone();
                async move { api.socket_id(&u).await }
            },
        )
        .await
    }

    /// Opens one socket per user with a socket id, `handshakes` at a time.
    /// Returns the sockets (None where opening failed) and the seconds taken.
    pub async fn open_sockets(
        &self,
        users: &[User],
        ids: &[Option<String>],
        errors: &Arc<ErrorTally>,
    ) -> (Vec<Option<Socket>>, f64) {
        let items: Vec<(String, Option<String>)> = users
            .iter()
            .zip(ids)
            .map(|(u, id)| (u.cookie.clone(), id.clone()))
            .collect();
        let (server, sources) = (self.server, self.sources.clone());
        let start = Instant::now();
        let sockets = self
            .each("sockets", items, self.handshakes, errors, |(cookie, id)| {
                let sources = sources.clone();
                async move {
                    let id = id.ok_or("no socket id")?;
                    ws::open(server, &sources, &cookie, &id).await
                }
            })
            .await;
        (sockets, start.elapsed().as_secs_f64())
    }

    /// Signs in, fetches socket ids, opens sockets: users and their sockets.
    pub async fn connected_users(
        &self,
        n: usize,
        errors: &Arc<ErrorTally>,
    ) -> (Vec<User>, Vec<Option<Socket>>) {
        let users = self.users(n, errors).await;
        let ids = self.socket_ids(&users, errors).await;
        let (sockets, _) = self.open_sockets(&users, &ids, errors).await;
        (users, sockets)
    }

    /// `groups` groups of `members` users each (the first is the owner), the
    /// others joined through the invite link. Needs `groups * members` users.
    pub async fn groups(
        &self,
        users: &[User],
        groups: usize,
        members: usize,
        errors: &Arc<ErrorTally>,
    ) -> Vec<Group> {
        let api = self.api.clone();
        let plan: Vec<Vec<User>> = users
            .chunks(members)
            .take(groups)
            .map(|c| c.to_vec())
            .collect();
        let inner = (self.concurrency / groups.max(1)).clamp(1, 32);
        self.each(
            "groups",
            plan,
            self.concurrency.min(64),
            errors,
            |members| {
                let api = api.clone();
                async move {
                    let owner = members.first().ok_or("no owner")?;
                    let (gid, link) = api.create_group(owner, "load").await?;
                    let joins = stream::iter(members.iter().skip(1))
                        .map(|m| api.join(m, &gid, &link))
                        .buffer_unordered(inner)
                        .collect::<Vec<_>>()
                        .await;
                    if let Some(Err(e)) = joins.into_iter().find(|r| r.is_err()) {
                        return Err(format!("join: {e}"));
                    }
                    Ok(Group { gid, link, members })
                }
            },
        )
        .await
        .into_iter()
        .flatten()
        .collect()
    }

    /// Says whether `planned` more open files fit under the limit; when not,
    /// how many do (keeping `reserve` for HTTP connections and the rest).
    pub fn fd_budget(&self, planned: usize, reserve: usize) -> Result<usize, (usize, String)> {
        let open_now = count_open_fds();
        let room = (self.fd_limit as usize).saturating_sub(open_now + reserve);
        if planned <= room {
            Ok(planned)
        } else {
            Err((
                room,
                format!(
                    "open-file limit: {planned} sockets planned but only {room} fit under \
                     RLIMIT_NOFILE {} ({open_now} open, {reserve} kept for HTTP); capped",
                    self.fd_limit
                ),
            ))
        }
    }
}

/// A group of the run with its members (owner first).
#[derive(Debug, Clone)]
pub struct Group {
    pub gid: String,
    pub link: String,
    pub members: Vec<User>,
}

fn count_open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// Resident set size of process `pid` in bytes, from `/proc/<pid>/status`.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Raises the soft open-file limit to the hard one; returns the limit in force.
pub fn raise_fd_limit() -> u64 {
    // Up to the hard limit; on failure what the soft limit already is.
    rlimit::increase_nofile_limit(u64::MAX)
        .or_else(|_| rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft))
        .unwrap_or(1024)
}
