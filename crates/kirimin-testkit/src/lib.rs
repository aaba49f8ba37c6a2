//! The one test-server helper of the workspace: a real kirimin server in
//! process, on a free loopback port, over a fresh data directory (a real
//! SQLite file). The API tests (`tests/api`) and the load generator's tests
//! both start their servers through it. With `KIRIMIN_TEST_DATABASE=postgres`
//! every server gets a fresh database on the harness's own PostgreSQL instead
//! (see [`postgres`]).

use std::net::SocketAddr;

pub mod postgres;

use kirimin::{Config, RunningServer};
use tempfile::TempDir;

/// Flags every test server gets before the test's own.
pub const BASE_ARGS: &[&str] = &[
    "--bind",
    "127.0.0.1:0",
    "--rate-limit",
    "off",
    "--workers",
    "2",
];

/// True when this test run's servers use PostgreSQL: tests of SQLite-only
/// behaviour skip themselves (saying so) when it is.
pub fn on_postgres() -> bool {
    postgres::enabled()
}

/// A running server with its own data dir, on the current actix system.
pub struct Server {
    /// The running server; `None` only while a test has taken it to stop it.
    pub server: Option<RunningServer>,
    /// The data directory (database file, uploads).
    pub dir: TempDir,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    args: Vec<String>,
}

impl Server {
    /// Starts a server with [`BASE_ARGS`] (and a fresh PostgreSQL database
    /// when the suite runs on PostgreSQL) and then `extra` (later flags win).
    pub async fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args: Vec<String> = BASE_ARGS.iter().map(|s| s.to_string()).collect();
        if postgres::enabled() {
            args.extend(["--database-url".into(), postgres::fresh_database_url()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut me = Self {
            server: None,
            dir,
            base: String::new(),
            args,
        };
        me.boot().await;
        me
    }

    async fn boot(&mut self) {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let config = Config::with_data_dir(self.dir.path(), &args).expect("config");
        let server = kirimin::start(config).await.expect("server starts");
        self.base = format!("http://{}", server.addr);
        self.server = Some(server);
    }

    /// Stops the server gracefully and starts a new one on the same data dir.
    /// The port stays the same, so signed-in users keep working.
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            let addr = server.addr.to_string();
            server.stop().await;
            self.args.extend(["--bind".to_string(), addr]);
        }
        self.boot().await;
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.as_ref().expect("running").addr
    }

    /// The shared state of the running server.
    pub fn state(&self) -> &kirimin::state::AppState {
        &self.server.as_ref().expect("running").state
    }

    /// Runs a closure on a pooled database connection.
    pub fn db<T>(&self, f: impl FnOnce(&mut kirimin::db::DbConn) -> T) -> T {
        let mut conn = self.state().pool.get().expect("db connection");
        f(&mut conn)
    }

    /// An account for `email` with a live session, written straight into
    /// the database and the session store, for tests where the sign-in flow
    /// is not what they test (the auth tests go through it). Returns the
    /// user id and the cookie pair `kirimin_session=TOKEN`.
    pub async fn create_user(&self, email: &str) -> (String, String) {
        let (user, _) = self
            .db(|c| kirimin::db::users::find_or_create(c, email))
            .expect("user row");
        let state = self.state();
        let token = state
            .sessions
            .create(&state.pool, &user.id, state.config.session_days)
            .await
            .expect("session row");
        (
            user.id,
            format!("{}={token}", kirimin::auth::session::COOKIE),
        )
    }
}

/// A [`Server`] on a thread of its own with its own actix system, for tests
/// that run on another runtime (the load generator's run on tokio's).
/// Dropping it stops the server and waits for the thread.
pub struct ThreadServer {
    /// The address the server listens on.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ThreadServer {
    /// Starts a server with [`BASE_ARGS`] and then `extra`.
    pub fn start(extra: &[&str]) -> Self {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            actix_rt::System::new().block_on(async move {
                let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
                let mut server = Server::start(&extra).await;
                addr_tx.send(server.addr()).expect("addr");
                let _ = stop_rx.await;
                if let Some(running) = server.server.take() {
                    running.stop().await;
                }
            });
        });
        let addr = addr_rx.recv().expect("server address");
        Self {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for ThreadServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
