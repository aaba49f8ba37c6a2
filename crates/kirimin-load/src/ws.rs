//! Light WebSocket clients: small buffers, one reader task per socket that
//! answers pings, accounts for message deliveries and forwards other signals.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::http::SourceAddrs;

/// One client socket.
pub type Socket = WebSocketStream<TcpStream>;

/// Longest a WebSocket handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);

/// Buffers sized for thousands of mostly idle sockets: tungstenite's default
/// read buffer is 128 KiB per connection, far more than a signal needs.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024)
        .max_message_size(Some(1024 * 1024))
        .max_frame_size(Some(1024 * 1024))
}

/// Opens `/socket?id=` for a signed-in user from the next source address.
pub async fn open(
    server: SocketAddr,
    sources: &SourceAddrs,
    cookie: &str,
    socket_id: &str,
) -> Result<Socket, String> {
    let fut = async {
        let stream = sources
            .connect(server)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let mut req = format!("ws://{server}/socket?id={socket_id}")
            .into_client_request()
            .map_err(|e| e.to_string())?;
        req.headers_mut().insert(
            "Cookie",
            HeaderValue::from_str(cookie).map_err(|e| e.to_string())?,
        );
        let (ws, _) = tokio_tungstenite::client_async_with_config(req, stream, Some(config()))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        Ok(ws)
    };
    tokio::time::timeout(HANDSHAKE_TIMEOUT, fut)
        .await
        .map_err(|_| "handshake timeout".to_string())?
}

/// A signal other than a message, handed to the scenario that waits for it.
#[derive(Debug, Clone)]
pub struct Event {
    /// Index of the socket that received it.
    pub sock: usize,
    pub at: Instant,
    pub kind: String,
    pub from: String,
    pub groupid: String,
}

/// Shared accounting of message deliveries.
#[derive(Debug)]
pub struct Deliveries {
    /// Send times in message texts are microseconds since this instant.
    pub epoch: Instant,
    /// Send → delivery, microseconds.
    pub latency: Mutex<Histogram<u64>>,
    pub delivered: AtomicU64,
    pub duplicates: AtomicU64,
}

impl Deliveries {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            epoch: Instant::now(),
            latency: Mutex::new(crate::report::histogram()),
            delivered: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
        })
    }

    /// The text of message `seq`, stamped with the current time.
    pub fn text(&self, seq: u64) -> String {
        format!("lt {seq} {}", self.epoch.elapsed().as_micros())
    }

    fn parse(text: &str) -> Option<(u64, u64)> {
        let mut parts = text.strip_prefix("lt ")?.split(' ');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    }
}

/// What a reader needs besides its socket.
#[derive(Debug, Clone)]
pub struct ReaderCtx {
    /// Flips to true when the scenario ends.
    pub stop: watch::Receiver<bool>,
    /// The reader ends at the latest here.
    pub deadline: Instant,
    /// Where non-message signals go, if anywhere.
    pub events: Option<mpsc::UnboundedSender<Event>>,
    /// Message accounting, if the scenario sends messages.
    pub deliveries: Option<Arc<Deliveries>>,
    /// Counts sockets that closed before the scenario ended.
    pub dropped: Arc<AtomicU64>,
}

/// What one socket saw.
#[derive(Debug, Default)]
pub struct SockStats {
    /// Sequence numbers of the messages delivered here.
    pub seqs: HashSet<u64>,
    /// Whether the socket ended before the scenario did.
    pub dropped: bool,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    groupid: Option<String>,
    #[serde(default)]
    chat: Option<WireChat>,
}

#[derive(Deserialize)]
struct WireChat {
    #[serde(default)]
    text: Option<String>,
}

/// Runs a reader for socket `sock` until the scenario stops, the deadline
/// passes, or the server closes the socket.
pub fn spawn_reader(mut ws: Socket, sock: usize, mut ctx: ReaderCtx) -> JoinHandle<SockStats> {
    tokio::spawn(async move {
        let mut stats = SockStats::default();
        let deadline = tokio::time::Instant::from_std(ctx.deadline);
        loop {
            if *ctx.stop.borrow() {
                break;
            }
            let next = tokio::select! {
                _ = ctx.stop.changed() => break,
                _ = tokio::time::sleep_until(deadline) => break,
                next = ws.next() => next,
            };
            match next {
                Some(Ok(Message::Text(text))) => on_text(text.as_str(), sock, &ctx, &mut stats),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    stats.dropped = true;
                    ctx.dropped.fetch_add(1, Ordering::Relaxed);
                    return stats;
                }
                // Pings are answered by tungstenite on the next read.
                Some(Ok(_)) => {}
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
        stats
    })
}

/// Send time and sequence of a load message, found without parsing the whole
/// frame: message signals of a large group carry every member's user object,
/// and parsing those on every delivery would make the client the bottleneck.
/// Only a key can appear unescaped as `"text":"lt `.
fn quick_message(text: &str) -> Option<(u64, u64)> {
    if !text.contains("\"type\":\"sendmessage\"") {
        return None;
    }
    let at = text.find("\"text\":\"lt ")?;
    let rest = &text[at + "\"text\":\"".len()..];
    let end = rest.find('"')?;
    Deliveries::parse(&rest[..end])
}

fn on_text(text: &str, sock: usize, ctx: &ReaderCtx, stats: &mut SockStats) {
    if let (Some(d), Some((seq, sent_us))) = (&ctx.deliveries, quick_message(text)) {
        record_delivery(d, stats, seq, sent_us);
        return;
    }
    let Ok(wire) = serde_json::from_str::<Wire>(text) else {
        return;
    };
    if wire.kind == "sendmessage" {
        if let Some(d) = &ctx.deliveries {
            let parsed = wire
                .chat
                .as_ref()
                .and_then(|c| c.text.as_deref())
                .and_then(Deliveries::parse);
            if let Some((seq, sent_us)) = parsed {
                record_delivery(d, stats, seq, sent_us);
            }
            return;
        }
    }
    if let Some(tx) = &ctx.events {
        let _ = tx.send(Event {
            sock,
            at: Instant::now(),
            kind: wire.kind,
            from: wire.from,
            groupid: wire.groupid.unwrap_or_default(),
        });
    }
}

fn record_delivery(d: &Deliveries, stats: &mut SockStats, seq: u64, sent_us: u64) {
    let now_us = d.epoch.elapsed().as_micros() as u64;
    if stats.seqs.insert(seq) {
        d.delivered.fetch_add(1, Ordering::Relaxed);
        let _ = d
            .latency
            .lock()
            .expect("histogram")
            .record(now_us.saturating_sub(sent_us).max(1));
    } else {
        d.duplicates.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod quick_tests {
    use super::quick_message;

    #[test]
    fn finds_the_load_marker_in_a_message_signal() {
        let frame = r#"{"chat":{"id":"x","text":"lt 42 1234"},"from":"1","type":"sendmessage","users":[{"displayname":"\"text\":\"lt 9 9"}]}"#;
        assert_eq!(quick_message(frame), Some((42, 1234)));
        assert_eq!(
            quick_message(r#"{"type":"memberjoin","text":"lt 1 2"}"#),
            None
        );
    }
}
