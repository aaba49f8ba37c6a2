//! The metrics listener (`--metrics-bind`) and the middleware that counts
//! HTTP requests by route and status.

use std::net::{SocketAddr, TcpListener};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, App, HttpResponse, HttpServer};

use crate::state::AppState;

/// Middleware: counts every request by its route pattern (`/x/group/kick/{gid}/{uid}`,
/// not the concrete path, so ids do not explode the label set) and status,
/// and observes its latency.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let result = next.call(req).await;
    if let Some(state) = state {
        let (route, status) = match &result {
            Ok(res) => (
                res.request().match_pattern(),
                res.status().as_u16().to_string(),
            ),
            Err(e) => (
                None,
                e.as_response_error().status_code().as_u16().to_string(),
            ),
        };
        let route = route.unwrap_or_else(|| "unmatched".into());
        let m = &state.metrics;
        m.http_requests.with_label_values(&[&route, &status]).inc();
        m.http_latency
            .with_label_values(&[&route])
            .observe(started.elapsed().as_secs_f64());
    }
    result
}

async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    let m = &state.metrics;
    m.live_sockets.set(state.hub.socket_count() as i64);
    m.group_actors.set(state.groups.running_count() as i64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(m.render())
}

/// A running metrics listener.
pub struct MetricsServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    handle: ServerHandle,
}

impl MetricsServer {
    /// Stops the listener.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// Starts the metrics listener on `bind`: one worker, one route.
pub fn serve(state: web::Data<AppState>, bind: SocketAddr) -> Result<MetricsServer, String> {
    let listener =
        TcpListener::bind(bind).map_err(|e| format!("--metrics-bind {bind}: cannot bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)
    .map_err(|e| format!("--metrics-bind {addr}: {e}"))?
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    tracing::info!("metrics at http://{addr}/metrics");
    Ok(MetricsServer { addr, handle })
}
