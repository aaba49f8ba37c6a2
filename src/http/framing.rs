//! HTTP framing errors in the envelope. actix-http's HTTP/1 dispatcher
//! answers a request it cannot parse (a bad `Content-Length`, a head over its
//! limit, a head that never finishes) by itself, before any service or
//! middleware sees it, with a bare status and an empty body. Each connection's
//! stream is wrapped in [`Guarded`], which recognises exactly those answers
//! as they are written (an error status with `content-length: 0`: every
//! answer of the app itself carries an envelope body) and writes the same
//! status with the envelope instead. An answer that shares its write with an
//! earlier pipelined response stays bare: the connection does not allow it.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::error::ErrorCode;

/// A connection's stream, with the dispatcher's bare error answers rewritten.
pub struct Guarded {
    io: TcpStream,
    /// An envelope answer being written, and how much of it is out.
    pending: Option<(Vec<u8>, usize)>,
}

impl Guarded {
    /// Wraps an accepted connection.
    pub fn new(io: TcpStream) -> Self {
        Self { io, pending: None }
    }

    /// The TCP stream.
    pub fn get_ref(&self) -> &TcpStream {
        &self.io
    }

    /// The TCP stream, for an upgraded connection (nothing is pending then:
    /// only a connection's last answer is ever rewritten).
    pub fn into_inner(self) -> TcpStream {
        self.io
    }

    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, sent)) = self.pending.as_mut() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
            if *sent == bytes.len() {
                self.pending = None;
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// Longest bare error answer looked at (theirs are about 100 bytes).
const MAX_BARE_ANSWER: usize = 512;

/// The envelope version of `buf` when `buf` is exactly one bare error answer.
pub fn envelope_for(buf: &[u8]) -> Option<Vec<u8>> {
    // Cheap refusal first: this runs on every write of every connection.
    if buf.len() > MAX_BARE_ANSWER
        || !buf.starts_with(b"HTTP/1.")
        || !matches!(buf.get(9), Some(b'4' | b'5'))
    {
        return None;
    }
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    if head_end + 4 != buf.len() {
        return None;
    }
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.split(' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let status: u16 = parts.next()?.parse().ok()?;
    if !(400..600).contains(&status) {
        return None;
    }
    let mut headers = Vec::new();
    let mut empty = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("content-length") {
            empty = value.trim() == "0";
        } else if !name.eq_ignore_ascii_case("content-type") {
            headers.push(line);
        }
    }
    if !empty {
        return None;
    }
    let body =
        serde_json::json!({ "ok": false, "code": status, "msg": ErrorCode::for_status(status).msg() }).to_string();
    let mut out = format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for line in headers {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(envelope) = envelope_for(buf) {
            tracing::debug!("answering an HTTP framing error with the envelope");
            this.pending = Some((envelope, 0));
            // Taken whole; what is left goes out on the next write, flush or shutdown.
            let _ = this.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::envelope_for;

    #[test]
    fn bare_error_answers_get_the_envelope() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(envelope_for(bare).unwrap()).unwrap();
        let body = r#"{"code":400,"msg":"BAD_REQUEST","ok":false}"#;
        assert_eq!(
            out,
            format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\ndate: x\r\n\r\n{body}",
                body.len()
            )
        );
        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert!(String::from_utf8(envelope_for(big).unwrap())
            .unwrap()
            .ends_with(r#""msg":"HEADERS_TOO_LARGE","ok":false}"#));
    }

    #[test]
    fn other_writes_pass_unchanged() {
        for buf in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 44\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"{\"ok\":false}",
            b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n",
        ] {
            assert_eq!(envelope_for(buf), None, "{}", String::from_utf8_lossy(buf));
        }
    }
}
