//! The actor context of a socket: an actix context (mailbox, timers, spawned
//! futures) that owns its connection. One task per socket polls the actor and
//! then writes whatever the actor queued, so the actor keeps running (its
//! heartbeat, its mailbox, its write deadline) while the peer reads nothing.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix::dev::{AsyncContextParts, ContextFut, ContextParts, Envelope, Mailbox, ToEnvelope};
use actix::fut::ActorFuture;
use actix::{Actor, ActorContext, ActorState, Addr, AsyncContext, Handler, Message, SpawnHandle};
use bytes::Bytes;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::Sleep;

use super::conn::{Conn, Incoming, Limits, ReadError};
use super::frame::OpCode;

/// Messages handled per wake-up before the other work of the task gets a turn.
const READ_BATCH: usize = 64;
/// How long a closing socket may take to write what it still has queued.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Close codes (RFC 6455 7.4.1).
pub mod code {
    /// The server goes away.
    pub const AWAY: u16 = 1001;
    /// The client broke the protocol.
    pub const PROTOCOL: u16 = 1002;
    /// A policy was broken (flooding, session ended, too slow).
    pub const POLICY: u16 = 1008;
    /// A message over the size limit.
    pub const TOO_BIG: u16 = 1009;
    /// The server cannot serve the socket.
    pub const ERROR: u16 = 1011;
}

/// An actor that runs one socket.
pub trait SocketActor: Actor<Context = SocketCtx<Self>> {
    /// A complete client message or control frame.
    fn message(&mut self, msg: Incoming, ctx: &mut SocketCtx<Self>);
}

/// The context of a socket actor.
pub struct SocketCtx<A: Actor<Context = SocketCtx<A>>> {
    parts: ContextParts<A>,
    conn: Conn,
}

impl<A: Actor<Context = Self>> SocketCtx<A> {
    /// Queues a text frame; `false` when the outgoing queue is full (the
    /// peer does not keep up) or the socket is closing.
    pub fn text(&mut self, text: Bytes) -> bool {
        self.conn.queue(OpCode::Text, text)
    }

    /// Queues a ping.
    pub fn ping(&mut self) -> bool {
        self.conn.queue(OpCode::Ping, Bytes::new())
    }

    /// Queues the pong for a ping's payload.
    pub fn pong(&mut self, payload: Vec<u8>) -> bool {
        self.conn.queue(OpCode::Pong, payload.into())
    }

    /// Queues a close frame and stops the actor; the frame is written after.
    pub fn close(&mut self, code: u16, reason: &str) {
        self.conn.close(code, reason);
        self.parts.stop();
    }

    /// Stops the actor and drops the connection without writing anything
    /// more (a peer that takes no bytes could not receive a close frame).
    pub fn abort(&mut self) {
        self.conn.abort();
        self.parts.stop();
    }

    /// How long queued frames have waited without the peer taking a byte.
    pub fn write_stalled_for(&self) -> Option<Duration> {
        self.conn.stalled_for()
    }

    /// Messages the mailbox takes before senders see it as full.
    pub fn set_mailbox_capacity(&mut self, cap: usize) {
        self.parts.set_mailbox_capacity(cap);
    }
}

impl<A: Actor<Context = Self>> ActorContext for SocketCtx<A> {
    fn stop(&mut self) {
        self.parts.stop();
    }

    fn terminate(&mut self) {
        self.parts.terminate();
    }

    fn state(&self) -> ActorState {
        self.parts.state()
    }
}

impl<A: Actor<Context = Self>> AsyncContext<A> for SocketCtx<A> {
    fn spawn<F>(&mut self, fut: F) -> SpawnHandle
    where
        F: ActorFuture<A, Output = ()> + 'static,
    {
        self.parts.spawn(fut)
    }

    fn wait<F>(&mut self, fut: F)
    where
        F: ActorFuture<A, Output = ()> + 'static,
    {
        self.parts.wait(fut);
    }

    fn waiting(&self) -> bool {
        self.parts.waiting()
            || matches!(
                self.parts.state(),
                ActorState::Stopping | ActorState::Stopped
            )
    }

    fn cancel_future(&mut self, handle: SpawnHandle) -> bool {
        self.parts.cancel_future(handle)
    }

    fn address(&self) -> Addr<A> {
        self.parts.address()
    }
}

impl<A: Actor<Context = Self>> AsyncContextParts<A> for SocketCtx<A> {
    fn parts(&mut self) -> &mut ContextParts<A> {
        &mut self.parts
    }
}

impl<A, M> ToEnvelope<A, M> for SocketCtx<A>
where
    A: Actor<Context = Self> + Handler<M>,
    M: Message + Send + 'static,
    M::Result: Send,
{
    fn pack(msg: M, tx: Option<oneshot::Sender<M::Result>>) -> Envelope<A> {
        Envelope::new(msg, tx)
    }
}

/// Feeds client messages to the actor; ends (stopping the actor) when the
/// connection does.
struct Reader;

impl<A: SocketActor> ActorFuture<A> for Reader {
    type Output = ();

    fn poll(
        self: Pin<&mut Self>,
        act: &mut A,
        ctx: &mut SocketCtx<A>,
        task: &mut Context<'_>,
    ) -> Poll<()> {
        for _ in 0..READ_BATCH {
            if ctx.state() != ActorState::Running {
                return Poll::Ready(());
            }
            match ctx.conn.poll_next(task) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(msg)) => act.message(msg, ctx),
                Poll::Ready(Err(ReadError::TooBig)) => {
                    tracing::debug!("client frame over the size limit, closing");
                    ctx.close(code::TOO_BIG, "message too big");
                    return Poll::Ready(());
                }
                Poll::Ready(Err(ReadError::Protocol(why))) => {
                    tracing::debug!("client broke the protocol ({why}), closing");
                    ctx.close(code::PROTOCOL, why);
                    return Poll::Ready(());
                }
                Poll::Ready(Err(ReadError::Gone)) => {
                    ctx.abort();
                    return Poll::Ready(());
                }
            }
        }
        // A client sending fast: let the mailbox and the writer have a turn.
        task.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The task of one socket: the actor first, then the writes.
struct SocketTask<A: SocketActor> {
    fut: ContextFut<A, SocketCtx<A>>,
    /// Set once the actor stopped with frames still queued.
    grace: Option<Pin<Box<Sleep>>>,
}

impl<A: SocketActor> Future for SocketTask<A> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.fut.alive() {
            let _ = Pin::new(&mut this.fut).poll(cx);
        }
        let alive = this.fut.alive();
        let conn = &mut this.fut.ctx().conn;
        // Dropping the task stops a live actor (its `stopped` runs).
        if conn.is_aborted() {
            return Poll::Ready(());
        }
        if let Poll::Ready(Err(e)) = conn.poll_flush(cx) {
            tracing::debug!("socket write failed: {e}");
            return Poll::Ready(());
        }
        if alive {
            return Poll::Pending;
        }
        if conn.is_flushed() {
            let _ = conn.poll_shutdown(cx);
            return Poll::Ready(());
        }
        let grace = this
            .grace
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(CLOSE_GRACE)));
        grace.as_mut().poll(cx)
    }
}

/// The connection an actor is started on.
pub struct Upgraded<'a> {
    pub io: TcpStream,
    /// Bytes read along with the upgrade request (early client frames).
    pub early: &'a [u8],
    /// The handshake answer, not yet written: it goes out once the actor has
    /// started, so a client that sees it is already registered everywhere.
    pub answer: &'a [u8],
}

/// Starts `actor` on an upgraded connection.
pub fn start<A: SocketActor>(actor: A, conn: Upgraded<'_>, limits: Limits) -> Addr<A> {
    let mailbox = Mailbox::default();
    let mut ctx = SocketCtx {
        parts: ContextParts::new(mailbox.sender_producer()),
        conn: Conn::new(conn.io, conn.early, conn.answer, limits),
    };
    ctx.spawn(Reader);
    let addr = ctx.address();
    actix::spawn(SocketTask {
        fut: ContextFut::new(ctx, actor, mailbox),
        grace: None,
    });
    addr
}
