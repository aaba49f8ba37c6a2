//! Prometheus metrics (`--metrics-bind`): one registry per server, rendered
//! as Prometheus text at `GET /metrics` on a listener of its own, so the API
//! port never exposes them. Gauges that mirror live state (sockets, group
//! actors) are read when scraped; counters and histograms are updated where
//! things happen.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

/// Every metric of one server.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// Live WebSockets (set at scrape time).
    pub live_sockets: IntGauge,
    /// Running group actors (set at scrape time).
    pub group_actors: IntGauge,
    /// HTTP requests by route pattern and status.
    pub http_requests: IntCounterVec,
    /// HTTP request latency by route pattern, seconds.
    pub http_latency: HistogramVec,
    /// Signal frames handed to sockets.
    pub signals_delivered: IntCounter,
    /// Sockets closed because they could not keep up.
    pub slow_sockets_closed: IntCounter,
    /// Writes per group-commit batch.
    pub writer_batch_size: Histogram,
    /// Time from a batch's start to its commit (or rollback), seconds.
    pub writer_commit_seconds: Histogram,
    /// Requests refused by the rate limit (HTTP and socket frames).
    pub rate_limited: IntCounter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn registered<M: prometheus::core::Collector + Clone + 'static>(registry: &Registry, m: M) -> M {
    // Names are fixed and unique here: registering cannot collide.
    if let Err(e) = registry.register(Box::new(m.clone())) {
        tracing::warn!("metric not registered: {e}");
    }
    m
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        let registry =
            Registry::new_custom(Some("kirimin".into()), None).unwrap_or_else(|_| Registry::new());
        // The names and options below are constants: building them cannot
        // fail at run time (only at start, for a typo, which a test catches).
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let counter = |name: &str, help: &str| IntCounter::new(name, help).expect("valid metric");
        let live_sockets = registered(&registry, gauge("live_sockets", "Live WebSockets"));
        let group_actors = registered(&registry, gauge("group_actors", "Running group actors"));
        let http_requests = registered(
            &registry,
            IntCounterVec::new(
                Opts::new("http_requests_total", "HTTP requests by route and status"),
                &["route", "status"],
            )
            .expect("valid metric"),
        );
        let http_latency = registered(
            &registry,
            HistogramVec::new(
                HistogramOpts::new("http_request_seconds", "HTTP request latency by route")
                    .buckets(vec![
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                    ]),
                &["route"],
            )
            .expect("valid metric"),
        );
        let signals_delivered = registered(
            &registry,
            counter("signals_delivered_total", "Signal frames handed to sockets"),
        );
        let slow_sockets_closed = registered(
            &registry,
            counter(
                "slow_sockets_closed_total",
                "Sockets closed because they could not keep up",
            ),
        );
        let writer_batch_size = registered(
            &registry,
            Histogram::with_opts(
                HistogramOpts::new("writer_batch_size", "Writes per group-commit batch")
                    .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
            )
            .expect("valid metric"),
        );
        let writer_commit_seconds = registered(
            &registry,
            Histogram::with_opts(
                HistogramOpts::new(
                    "writer_commit_seconds",
                    "Group-commit batch time to commit or roll back",
                )
                .buckets(vec![
                    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5,
                ]),
            )
            .expect("valid metric"),
        );
        let rate_limited = registered(
            &registry,
            counter(
                "rate_limited_total",
                "Requests and socket floods refused by the rate limit",
            ),
        );
        Self {
            registry,
            live_sockets,
            group_actors,
            http_requests,
            http_latency,
            signals_delivered,
            slow_sockets_closed,
            writer_batch_size,
            writer_commit_seconds,
            rate_limited,
        }
    }

    /// Prometheus text of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!("cannot encode metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
