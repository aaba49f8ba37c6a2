//! Builds the shared state and the HTTP server; used by `main` and by tests.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_http::error::DispatchError;
use actix_http::{HttpService, Protocol};
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::rt::net::TcpStream;
use actix_web::{web, App};

use crate::auth::mailer::Mailer;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::session::{identify, SessionStore};
use crate::config::Config;
use crate::files::FileStore;
use crate::http;
use crate::http::framing::Guarded;
use crate::push::{vapid::Vapid, Pusher};
use crate::realtime::{hub::Hub, registry::GroupRegistry, socket_ids::SocketIds};
use crate::state::AppState;

/// How often expired sessions and idle rate buckets are dropped.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(60);

/// A server that is accepting requests.
pub struct RunningServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The shared state (tests read the database and hub through it).
    pub state: web::Data<AppState>,
    /// Where `GET /metrics` answers, with `--metrics-bind`.
    pub metrics_addr: Option<SocketAddr>,
    metrics_server: Option<http::metrics::MetricsServer>,
    handle: ServerHandle,
    stopped: Arc<AtomicBool>,
    /// The data directory stays locked while the server runs (SQLite only).
    _lock: Option<crate::data_dir::DataDirLock>,
    task: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Graceful stop: every socket gets a close frame, in-flight requests finish.
    pub async fn stop(self) {
        self.stopped.store(true, Ordering::Relaxed);
        self.state.hub.close_all();
        // Give the close frames a moment to be written before the workers go.
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        self.handle.stop(true).await;
        let _ = self.task.await;
        if let Some(metrics) = &self.metrics_server {
            metrics.stop().await;
        }
        self.state.global.stop();
        self.state.groups.stop();
    }

    /// Waits until the server ends by itself.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Opens the database (creating the data dir), binds, and starts serving.
pub async fn start(config: Config) -> Result<RunningServer, String> {
    // SQLite is one node: its data dir is locked. Nodes on PostgreSQL share
    // their data dir (uploads), so it is only created and checked.
    let lock = if crate::db::is_postgres_url(&config.database_url()) {
        crate::data_dir::prepare(&config.data_dir)?;
        None
    } else {
        Some(crate::data_dir::DataDirLock::acquire(&config.data_dir)?)
    };
    let peer = config.load_peer_config()?;
    let url = config.database_url();
    let subject = config.vapid_subject.clone();
    let (pool, vapid, socket_key) = web::block(move || {
        let pool = crate::db::open(&url)?;
        let key = socket_id_key(&pool)?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let vapid =
            Vapid::load_or_create(&mut conn, &subject).map_err(|e| format!("VAPID key: {e}"))?;
        Ok::<_, String>((pool, vapid, key))
    })
    .await
    .map_err(|e| e.to_string())??;
    end_leftover_calls(&pool).await?;
    let listener =
        TcpListener::bind(config.bind).map_err(|e| format!("cannot bind {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mailer = Mailer::new(config.smtp_url.as_deref(), &config.smtp_from)?;
    let metrics = crate::metrics::Metrics::new();
    let state = web::Data::new(AppState {
        public_host: config
            .public_host
            .clone()
            .unwrap_or_else(|| addr.to_string()),
        limiter: config.rate_limit.0.map(RateLimiter::new),
        files: FileStore::new(&config.data_dir),
        sessions: SessionStore::default(),
        hub: Hub::default(),
        groups: GroupRegistry::new(group_threads()),
        socket_ids: SocketIds::new(&socket_key),
        push: Pusher::new(vapid),
        global: Default::default(),
        mailer,
        writer: crate::db::writer::Writer::new(config.database_url(), metrics.clone()),
        metrics,
        calls: Default::default(),
        peer,
        pool,
        config,
    });
    let workers = state
        .config
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let server = serve(listener, state.clone(), workers)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let handle = server.handle();
    let task = actix_web::rt::spawn(server);
    let metrics_server = match state.config.metrics_bind {
        Some(bind) => Some(http::metrics::serve(state.clone(), bind)?),
        None => None,
    };
    let stopped = Arc::new(AtomicBool::new(false));
    spawn_housekeeping(state.clone(), stopped.clone());
    Ok(RunningServer {
        addr,
        state,
        metrics_addr: metrics_server.as_ref().map(|m| m.addr),
        metrics_server,
        handle,
        stopped,
        task,
        _lock: lock,
    })
}

/// Time a client has to send a request's head, and to take the last bytes
/// of a closing connection (actix-web's defaults).
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The HTTP server: actix-server with actix-http's service around the
/// actix-web `App`, built by hand (as `HttpServer` does) so that upgrade
/// requests go to [`http::upgrade`], which takes WebSockets off the HTTP/1
/// dispatcher.
fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    workers: usize,
) -> std::io::Result<Server> {
    let addr = listener.local_addr()?;
    let conn_limit = crate::conn_limit::ConnLimit::new(state.config.max_connections_per_ip);
    let make_app = move || {
        App::new()
            .app_data(state.clone())
            .configure(http::routes)
            .default_service(http::default_service())
            .wrap(from_fn(identify))
            .wrap(from_fn(http::guard::envelope))
            .wrap(from_fn(http::metrics::track))
    };
    Ok(Server::build()
        .workers(workers)
        .backlog(4096)
        .disable_signals()
        .shutdown_timeout(5)
        .listen("kirimin", listener, move || {
            let conn_limit = conn_limit.clone();
            let app = make_app().into_factory().map_err(|e| e.error_response());
            let http = HttpService::build()
                .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
                .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
                .local_addr(addr)
                .on_connect_ext(move |io: &Guarded, ext: _| {
                    crate::conn_limit::on_connect(&conn_limit, io.get_ref(), ext)
                })
                .upgrade(http::upgrade::factory(make_app.clone()))
                .finish(map_config(app, |_| AppConfig::default()));
            // As `HttpService::tcp`, with the stream wrapped (`http::framing`).
            fn_service(|io: TcpStream| {
                let peer = io.peer_addr().ok();
                std::future::ready(Ok::<_, DispatchError>((
                    Guarded::new(io),
                    Protocol::Http1,
                    peer,
                )))
            })
            .and_then(http)
        })?
        .run())
}

/// Threads for group actors: one per core. Measured on 2 cores (chat, 10
/// groups x 10 members, A/B alternated): with one group thread the server
/// accepted 2,211-2,678 msg/s against 2,701-3,664 before group actors left
/// the HTTP workers; with two, 2,191-2,845 against 2,180-2,919.
fn group_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Calls still live in the database were cut off by a stop: they end now.
async fn end_leftover_calls(pool: &crate::db::Pool) -> Result<(), String> {
    let now = crate::ids::now_ms();
    let ended = crate::db::write(pool, move |c| crate::chat::calls::end_leftovers(c, now))
        .await
        .map_err(|e| format!("cannot end calls left over: {e}"))?;
    if ended > 0 {
        tracing::info!(ended, "ended calls left over from the last run");
    }
    Ok(())
}

/// The key that signs socket ids, shared through the database.
fn socket_id_key(pool: &crate::db::Pool) -> Result<Vec<u8>, String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let fresh = crate::ids::random_hex(32);
    let hex_key = crate::db::secrets::get_or_create(
        &mut conn,
        crate::realtime::socket_ids::SECRET_NAME,
        &fresh,
    )
    .map_err(|e| format!("cannot read the socket id key: {e}"))?;
    hex::decode(hex_key).map_err(|e| format!("socket id key is not hex: {e}"))
}

fn spawn_housekeeping(state: web::Data<AppState>, stopped: Arc<AtomicBool>) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(HOUSEKEEPING_EVERY);
        loop {
            tick.tick().await;
            if stopped.load(Ordering::Relaxed) {
                break;
            }
            if let Some(limiter) = &state.limiter {
                limiter.prune();
            }
            if let Err(e) = state.sessions.prune(&state.pool).await {
                tracing::warn!("session cleanup failed: {e}");
            }
        }
    });
}
