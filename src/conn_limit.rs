//! A cap on the connections one IP address holds open at a time.
//!
//! Every accepted connection takes a slot for its address; the slot is a
//! guard kept in the connection's data, so it is given back whenever the
//! connection ends, however it ends. A connection over the cap is shut down
//! at once, before anything is read from it.

use std::cell::Cell;
use std::net::IpAddr;
use std::sync::Arc;

use dashmap::DashMap;

/// Open connections per address.
#[derive(Debug)]
pub struct ConnLimit {
    cap: usize,
    open: DashMap<IpAddr, usize>,
}

/// One connection's slot; dropping it gives the slot back.
#[derive(Debug)]
pub struct ConnSlot {
    ip: IpAddr,
    limit: Arc<ConnLimit>,
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        self.limit.release(self.ip);
    }
}

/// A connection's slot in its connection data. An upgraded WebSocket takes
/// it out and keeps it for its own life, which outlasts the HTTP dispatcher.
#[derive(Default)]
pub struct SlotCell(Cell<Option<ConnSlot>>);

impl SlotCell {
    /// The slot, once.
    pub fn take(&self) -> Option<ConnSlot> {
        self.0.take()
    }
}

impl ConnLimit {
    /// At most `cap` connections per address (`0`: no cap).
    pub fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            cap,
            open: DashMap::new(),
        })
    }

    /// A slot for a connection from `ip`, or `None` when it already holds `cap`.
    pub fn acquire(self: &Arc<Self>, ip: IpAddr) -> Option<ConnSlot> {
        let mut n = self.open.entry(ip).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        drop(n);
        Some(ConnSlot {
            ip,
            limit: self.clone(),
        })
    }

    fn release(&self, ip: IpAddr) {
        if let dashmap::mapref::entry::Entry::Occupied(mut e) = self.open.entry(ip) {
            *e.get_mut() -= 1;
            if *e.get() == 0 {
                e.remove();
            }
        }
    }

    /// Whether there is a cap at all.
    pub fn is_on(&self) -> bool {
        self.cap > 0
    }
}

/// Called for every accepted connection: `TCP_NODELAY`, then a slot for its
/// address or an immediate shutdown.
pub fn on_connect(
    limit: &Arc<ConnLimit>,
    tcp: &actix_web::rt::net::TcpStream,
    ext: &mut actix_web::dev::Extensions,
) {
    // Signals and answers are small writes that must leave at once: without
    // `TCP_NODELAY` a frame written while the previous one is unacknowledged
    // waits for the peer's delayed ACK (about 40 ms on Linux).
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!("TCP_NODELAY not set: {e}");
    }
    if !limit.is_on() {
        return;
    }
    let Ok(peer) = tcp.peer_addr() else {
        return;
    };
    match limit.acquire(peer.ip()) {
        Some(slot) => {
            ext.insert(SlotCell(Cell::new(Some(slot))));
        }
        None => {
            tracing::debug!(ip = %peer.ip(), "too many connections from one address, closing");
            // Shut the connection down; actix then sees end of stream and
            // drops it.
            if let Err(e) = socket2::SockRef::from(tcp).shutdown(std::net::Shutdown::Both) {
                tracing::debug!("cannot shut an over-limit connection down: {e}");
            }
        }
    }
}
