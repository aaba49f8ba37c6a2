//! A deliberately small HTTP/1.1 client: keep-alive connections to one
//! loopback server, JSON bodies, a `Cookie` header per request. A general
//! client would do, but this one costs one buffer per pooled connection and
//! nothing else, which matters when the load generator shares two cores with
//! the server it measures.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

/// Longest time one request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest response body accepted (isUser of a user in many big groups).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most idle connections kept for reuse.
const MAX_IDLE: usize = 512;
/// Idle connections older than this are not reused: the server (actix-web's
/// keep-alive is 5 s) may be closing them just as a request goes out.
const MAX_IDLE_AGE: Duration = Duration::from_secs(2);
/// Most header lines read from one response.
const MAX_HEADERS: usize = 64;

/// Hands out source addresses `127.0.0.2 ..= 127.0.0.254` in turn, so that
/// thousands of connections to one server port do not exhaust the ephemeral
/// ports of a single source address.
#[derive(Debug, Default)]
pub struct SourceAddrs {
    next: AtomicU32,
}

impl SourceAddrs {
    /// The next source address, port chosen by the kernel.
    pub fn next(&self) -> SocketAddr {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let last = 2 + (n % 253) as u8;
        SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)), 0)
    }

    /// A TCP connection to `server` from the next source address.
    pub async fn connect(&self, server: SocketAddr) -> std::io::Result<TcpStream> {
        let socket = TcpSocket::new_v4()?;
        socket.bind(self.next())?;
        socket.set_nodelay(true)?;
        socket.connect(server).await
    }
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// `name=value` of a `kirimin_session` cookie the response set.
    pub session_cookie: Option<String>,
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

type Conn = BufReader<TcpStream>;

/// A keep-alive client for one server.
#[derive(Debug)]
pub struct Client {
    server: SocketAddr,
    host: String,
    idle: Mutex<Vec<(Conn, Instant)>>,
    sources: std::sync::Arc<SourceAddrs>,
}

impl Client {
    /// A client for `server`, taking source addresses from `sources`.
    pub fn new(server: SocketAddr, sources: std::sync::Arc<SourceAddrs>) -> Self {
        Self {
            server,
            host: server.to_string(),
            idle: Mutex::new(Vec::new()),
            sources,
        }
    }

    /// Sends one request; a reused connection that turns out dead is replaced once.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Response, String> {
        let head = self.head(method, path, cookie, body.map_or(0, |b| b.len()));
        for attempt in 0..2 {
            let pooled = if attempt == 0 { self.take_idle() } else { None };
            let (mut conn, reused) = match pooled {
                Some(c) => (c, true),
                None => (
                    BufReader::with_capacity(
                        8 * 1024,
                        self.sources
                            .connect(self.server)
                            .await
                            .map_err(|e| format!("connect: {e}"))?,
                    ),
                    false,
                ),
            };
            let res = tokio::time::timeout(REQUEST_TIMEOUT, exchange(&mut conn, &head, body)).await;
            match res {
                Ok(Ok((resp, keep))) => {
                    if keep {
                        let mut idle = self.idle.lock().expect("pool");
                        if idle.len() < MAX_IDLE {
                            idle.push((conn, Instant::now()));
                        }
                    }
                    return Ok(resp);
                }
                // A keep-alive connection the server closed while it was idle:
                // nothing was processed, so the request goes again on a fresh one.
                Ok(Err(_)) if reused => continue,
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err("timeout".into()),
            }
        }
        Err("connection failed twice".into())
    }

    /// The most recently used idle connection that is still young enough.
    fn take_idle(&self) -> Option<Conn> {
        let mut idle = self.idle.lock().expect("pool");
        idle.retain(|(_, at)| at.elapsed() < MAX_IDLE_AGE);
        idle.pop().map(|(c, _)| c)
    }

    fn head(&self, method: &str, path: &str, cookie: Option<&str>, len: usize) -> Vec<u8> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
            self.host
        );
        if let Some(c) = cookie {
            head.push_str("Cookie: ");
            head.push_str(c);
            head.push_str("\r\n");
        }
        if method != "GET" {
            head.push_str("Content-Type: application/json\r\n");
            head.push_str(&format!("Content-Length: {len}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    /// Drops every idle connection (before a scenario that needs the files).
    pub fn close_idle(&self) {
        self.idle.lock().expect("pool").clear();
    }
}

/// Writes one request and reads its response. The bool says whether the
/// connection may be reused.
async fn exchange(
    conn: &mut Conn,
    head: &[u8],
    body: Option<&[u8]>,
) -> Result<(Response, bool), String> {
    let io = |e: std::io::Error| format!("io: {e}");
    {
        let stream = conn.get_mut();
        match body {
            Some(b) if head.len() + b.len() <= 16 * 1024 => {
                let mut all = Vec::with_capacity(head.len() + b.len());
                all.extend_from_slice(head);
                all.extend_from_slice(b);
                stream.write_all(&all).await.map_err(io)?;
            }
            Some(b) => {
                stream.write_all(head).await.map_err(io)?;
                stream.write_all(b).await.map_err(io)?;
            }
            None => stream.write_all(head).await.map_err(io)?,
        }
    }
    let mut line = String::new();
    if conn.read_line(&mut line).await.map_err(io)? == 0 {
        return Err("closed before the status line".into());
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut keep = true;
    let mut session_cookie = None;
    for _ in 0..MAX_HEADERS {
        line.clear();
        if conn.read_line(&mut line).await.map_err(io)? == 0 {
            return Err("closed inside the headers".into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let Some((name, value)) = l.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            keep = !value.eq_ignore_ascii_case("close");
        } else if name.eq_ignore_ascii_case("set-cookie") && value.starts_with("kirimin_session=") {
            session_cookie = value.split(';').next().map(str::to_string);
        }
    }
    let body = if chunked {
        read_chunked(conn).await?
    } else if let Some(n) = length {
        if n > MAX_BODY {
            return Err(format!("body of {n} bytes is too large"));
        }
        let mut buf = vec![0; n];
        conn.read_exact(&mut buf).await.map_err(io)?;
        buf
    } else {
        keep = false;
        let mut buf = Vec::new();
        conn.take(MAX_BODY as u64)
            .read_to_end(&mut buf)
            .await
            .map_err(io)?;
        buf
    };
    Ok((
        Response {
            status,
            session_cookie,
            body,
        },
        keep,
    ))
}

async fn read_chunked(conn: &mut Conn) -> Result<Vec<u8>, String> {
    let io = |e: std::io::Error| format!("io: {e}");
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        conn.read_line(&mut line).await.map_err(io)?;
        let size_text = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        if body.len() + size > MAX_BODY {
            return Err("chunked body too large".into());
        }
        if size == 0 {
            // Trailers end with an empty line.
            for _ in 0..MAX_HEADERS {
                line.clear();
                if conn.read_line(&mut line).await.map_err(io)? == 0 || line.trim().is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        conn.read_exact(&mut body[start..]).await.map_err(io)?;
        line.clear();
        conn.read_line(&mut line).await.map_err(io)?;
    }
}
