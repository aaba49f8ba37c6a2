//! Log set-up for the binary: `RUST_LOG` (default `info`), colours only on a
//! terminal and without `NO_COLOR`, and malformed requests below ERROR.
//!
//! actix-http logs every connection it drops for a framing error (bad
//! `Content-Length`, headers too large, garbage) at ERROR, although only the
//! client is at fault. Those events are kept out of the output and logged
//! again here: framing errors at DEBUG, other connection errors at WARN.

use std::fmt::Write as _;
use std::io::IsTerminal;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// The target actix-http logs dropped connections under.
const DISPATCHER: &str = "actix_http::h1::dispatcher";

fn is_dispatcher_error(meta: &Metadata<'_>) -> bool {
    *meta.level() == Level::ERROR && meta.target() == DISPATCHER
}

/// Installs the global subscriber.
pub fn init() {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(!no_color && std::io::stdout().is_terminal())
        .with_filter(filter_fn(|meta| !is_dispatcher_error(meta)));
    tracing_subscriber::registry()
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with(fmt)
        .with(Relog)
        .init();
}

/// Logs actix-http's connection errors again at the level they deserve.
struct Relog;

#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for Relog {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !is_dispatcher_error(event.metadata()) {
            return;
        }
        let mut msg = Message::default();
        event.record(&mut msg);
        if msg.0.contains("parse error") {
            tracing::debug!(target: "kirimin::http", "malformed request, connection closed: {}", msg.0);
        } else {
            tracing::warn!(target: "kirimin::http", "connection error: {}", msg.0);
        }
    }
}
