//! One upgraded connection's bytes: client frames in (reassembled into
//! messages, limits checked on each header before its payload is kept) and
//! server frames out (a bounded queue written with vectored writes).
//!
//! An idle connection holds no buffer at all: bytes are read through a stack
//! chunk, and only an incomplete frame is kept on the heap, sized to that
//! frame and released once it is complete.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::frame::{self, Header, OpCode};

/// Bytes read from the socket per system call.
const READ_CHUNK: usize = 4096;
/// Frames written per vectored write.
const WRITE_BATCH: usize = 32;

/// Size and queue limits of a connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest payload of one client frame.
    pub max_frame: u64,
    /// Largest client message, continuation frames put together.
    pub max_message: u64,
    /// Frames waiting to be written after which the peer counts as too slow.
    pub max_queued_frames: usize,
    /// Bytes waiting to be written after which the peer counts as too slow.
    pub max_queued_bytes: usize,
}

/// A complete client message or control frame.
#[derive(Debug)]
pub enum Incoming {
    Text(Vec<u8>),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong,
    /// The client closes, with its code if it gave one.
    Close(Option<u16>),
}

/// Why reading stopped.
#[derive(Debug)]
pub enum ReadError {
    /// A frame or message declared more than the limits allow (close 1009).
    TooBig,
    /// The client broke the protocol (close 1002).
    Protocol(&'static str),
    /// The connection ended or failed.
    Gone,
}

/// A server frame waiting to be written.
struct Out {
    head: [u8; 10],
    head_len: u8,
    body: Bytes,
    /// Bytes of head and body already written.
    sent: usize,
}

impl Out {
    fn len(&self) -> usize {
        usize::from(self.head_len) + self.body.len()
    }

    /// The unwritten parts.
    fn slices(&self) -> [&[u8]; 2] {
        let head = &self.head[..usize::from(self.head_len)];
        if self.sent < head.len() {
            [&head[self.sent..], &self.body]
        } else {
            [&[], &self.body[self.sent - head.len()..]]
        }
    }
}

/// A message arriving in continuation frames.
struct Partial {
    text: bool,
    bytes: Vec<u8>,
}

/// The connection of one socket.
pub struct Conn {
    io: TcpStream,
    limits: Limits,
    /// An incomplete frame (header first); empty and unallocated when idle.
    rbuf: Vec<u8>,
    partial: Option<Partial>,
    out: VecDeque<Out>,
    out_bytes: usize,
    /// Since when the queue has waited without a byte taken by the peer.
    stalled_since: Option<Instant>,
    close_queued: bool,
    aborted: bool,
}

impl Conn {
    /// A connection whose first bytes (read with the upgrade request) are
    /// `early`; `first_out` (the handshake answer) is written before any frame.
    pub fn new(io: TcpStream, early: &[u8], first_out: &[u8], limits: Limits) -> Self {
        let mut conn = Self {
            io,
            limits,
            rbuf: early.to_vec(),
            partial: None,
            out: VecDeque::new(),
            out_bytes: 0,
            stalled_since: None,
            close_queued: false,
            aborted: false,
        };
        if !first_out.is_empty() {
            conn.stalled_since = Some(Instant::now());
            conn.out_bytes = first_out.len();
            conn.out.push_back(Out {
                head: [0; 10],
                head_len: 0,
                body: Bytes::copy_from_slice(first_out),
                sent: 0,
            });
        }
        conn
    }

    /// The next client message; `Pending` until one is complete.
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Incoming, ReadError>> {
        loop {
            if let Some(msg) = self.next_buffered()? {
                return Poll::Ready(Ok(msg));
            }
            let mut chunk = [0u8; READ_CHUNK];
            let mut buf = ReadBuf::new(&mut chunk);
            match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(_)) => return Poll::Ready(Err(ReadError::Gone)),
                Poll::Ready(Ok(())) if buf.filled().is_empty() => {
                    return Poll::Ready(Err(ReadError::Gone))
                }
                Poll::Ready(Ok(())) => self.rbuf.extend_from_slice(buf.filled()),
            }
        }
    }

    /// Takes the next complete message out of the bytes read so far.
    fn next_buffered(&mut self) -> Result<Option<Incoming>, ReadError> {
        loop {
            let Some(header) =
                frame::parse_header(&self.rbuf).map_err(|e| ReadError::Protocol(e.0))?
            else {
                return Ok(None);
            };
            self.check_limits(&header)?;
            // Within the limits, so the frame fits in memory.
            let total = header.size + header.len as usize;
            if self.rbuf.len() < total {
                // Room for exactly this frame, once: never more than the limit.
                self.rbuf.reserve_exact(total - self.rbuf.len());
                return Ok(None);
            }
            let mut payload = self.rbuf[header.size..total].to_vec();
            frame::unmask(&mut payload, header.mask, 0);
            self.consume(total);
            if let Some(msg) = self.assemble(header, payload)? {
                return Ok(Some(msg));
            }
        }
    }

    fn check_limits(&self, header: &Header) -> Result<(), ReadError> {
        if header.op.is_control() {
            return Ok(());
        }
        let so_far = self.partial.as_ref().map_or(0, |p| p.bytes.len() as u64);
        if header.len > self.limits.max_frame
            || so_far.saturating_add(header.len) > self.limits.max_message
        {
            return Err(ReadError::TooBig);
        }
        Ok(())
    }

    /// Drops `n` bytes from the front of the read buffer, giving the memory
    /// back once nothing (or little) is left in it.
    fn consume(&mut self, n: usize) {
        self.rbuf.drain(..n);
        if self.rbuf.is_empty() {
            self.rbuf = Vec::new();
        } else if self.rbuf.capacity() > READ_CHUNK && self.rbuf.len() < self.rbuf.capacity() / 4 {
            self.rbuf.shrink_to(READ_CHUNK.max(self.rbuf.len()));
        }
    }

    /// Puts a frame into its message; `Some` when a message is complete.
    fn assemble(
        &mut self,
        header: Header,
        payload: Vec<u8>,
    ) -> Result<Option<Incoming>, ReadError> {
        let data = |text: bool, bytes: Vec<u8>| {
            if text {
                Incoming::Text(bytes)
            } else {
                Incoming::Binary(bytes)
            }
        };
        Ok(match header.op {
            OpCode::Ping => Some(Incoming::Ping(payload)),
            OpCode::Pong => Some(Incoming::Pong),
            OpCode::Close => Some(Incoming::Close(
                payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]])),
            )),
            OpCode::Text | OpCode::Binary => {
                if self.partial.is_some() {
                    return Err(ReadError::Protocol("new message inside a fragmented one"));
                }
                let text = header.op == OpCode::Text;
                if header.fin {
                    Some(data(text, payload))
                } else {
                    self.partial = Some(Partial {
                        text,
                        bytes: payload,
                    });
                    None
                }
            }
            OpCode::Continue => {
                let Some(partial) = self.partial.as_mut() else {
                    tracing::debug!("continuation frame without a first frame, ignored");
                    return Ok(None);
                };
                partial.bytes.extend_from_slice(&payload);
                if header.fin {
                    self.partial.take().map(|p| data(p.text, p.bytes))
                } else {
                    None
                }
            }
        })
    }

    /// Queues a server frame; `false` (and nothing queued) when the queue is
    /// at its bound or the socket is closing.
    pub fn queue(&mut self, op: OpCode, body: Bytes) -> bool {
        if self.close_queued || self.aborted {
            return false;
        }
        if self.out.len() >= self.limits.max_queued_frames
            || self.out_bytes + body.len() > self.limits.max_queued_bytes
        {
            return false;
        }
        self.push(op, body);
        true
    }

    fn push(&mut self, op: OpCode, body: Bytes) {
        let (head, head_len) = frame::server_header(op, body.len());
        let out = Out {
            head,
            head_len,
            body,
            sent: 0,
        };
        self.out_bytes += out.len();
        if self.out.is_empty() {
            self.stalled_since = Some(Instant::now());
        }
        self.out.push_back(out);
    }

    /// Queues a close frame (past the queue bound); nothing is queued after it.
    pub fn close(&mut self, code: u16, reason: &str) {
        if !self.close_queued && !self.aborted {
            self.push(OpCode::Close, frame::close_payload(code, reason).into());
            self.close_queued = true;
        }
    }

    /// Gives up on the peer: nothing more is written, the connection ends.
    pub fn abort(&mut self) {
        self.aborted = true;
        self.out.clear();
        self.out_bytes = 0;
    }

    /// Whether the connection is being given up.
    pub fn is_aborted(&self) -> bool {
        self.aborted
    }

    /// Whether nothing waits to be written.
    pub fn is_flushed(&self) -> bool {
        self.out.is_empty()
    }

    /// How long queued frames have waited without the peer taking a byte.
    pub fn stalled_for(&self) -> Option<Duration> {
        self.stalled_since.map(|t| t.elapsed())
    }

    /// Writes queued frames until the queue is empty or the socket is full.
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.out.is_empty() {
            let mut slices = [IoSlice::new(&[]); WRITE_BATCH * 2];
            let mut used = 0;
            for out in self.out.iter().take(WRITE_BATCH) {
                for part in out.slices() {
                    if !part.is_empty() {
                        slices[used] = IoSlice::new(part);
                        used += 1;
                    }
                }
            }
            let written = match Pin::new(&mut self.io).poll_write_vectored(cx, &slices[..used]) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
            };
            self.advance(written);
        }
        Poll::Ready(Ok(()))
    }

    fn advance(&mut self, mut written: usize) {
        self.out_bytes -= written;
        self.stalled_since = Some(Instant::now());
        while written > 0 {
            let Some(front) = self.out.front_mut() else {
                break;
            };
            let left = front.len() - front.sent;
            if written >= left {
                written -= left;
                self.out.pop_front();
            } else {
                front.sent += written;
                written = 0;
            }
        }
        if self.out.is_empty() {
            // An idle socket keeps no queue memory.
            self.stalled_since = None;
            self.out = VecDeque::new();
        }
    }

    /// Starts a clean end of the write side (FIN); errors do not matter here.
    pub fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.io).poll_shutdown(cx).map(|_| ())
    }
}
