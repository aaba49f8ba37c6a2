//! A deliberately small HTTP/1.1 client: keep-alive connections to one
//! loopback server, JSON bodies, a `Cookie` header per request. A general
//! client would do, but this one costs one buffer per pooled connection and
//! nothing else, which matters when the load generator shares two cores with
//! the server it measures. A request that may have reached the server is
//! never sent a second time unless it is a GET.

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

    /// Sends one request. A request that may have reached the server is
    /// never sent again unless it is a GET: a POST is sent at most once, so a
    /// failure is reported, not hidden behind a second message or kick.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Response, String> {
        let head = self.head(method, path, cookie, body.map_or(0, |b| b.len()));
        let (conn, reused) = match self.take_idle() {
            Some(c) => (c, true),
            None => (self.connect().await?, false),
        };
        match self.send(conn, &head, body).await {
            // A GET changes nothing, so a reused connection that failed (the
            // server closed it just as the request went out) may try again.
            Err(e) if reused && e != TIMEOUT && is_safe(method) => {
                let fresh = self.connect().await?;
                self.send(fresh, &head, body).await
            }
            other => other,
        }
    }

    async fn connect(&self) -> Result<Conn, String> {
        let stream = self
            .sources
            .connect(self.server)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        Ok(BufReader::with_capacity(8 * 1024, stream))
    }

    /// One exchange with a deadline; the connection goes back to the pool
    /// when the server keeps it open.
    async fn send(
        &self,
        mut conn: Conn,
        head: &[u8],
        body: Option<&[u8]>,
    ) -> Result<Response, String> {
        match tokio::time::timeout(REQUEST_TIMEOUT, exchange(&mut conn, head, body)).await {
            Ok(Ok((resp, keep))) => {
                if keep {
                    self.put_idle(conn);
                }
                Ok(resp)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(TIMEOUT.into()),
        }
    }

    fn put_idle(&self, conn: Conn) {
        let mut idle = self.idle.lock().expect("pool");
        if idle.len() < MAX_IDLE {
            idle.push((conn, Instant::now()));
        }
    }

    /// The most recently used idle connection that is still young enough
    /// and that the server has not closed: nothing has been sent on it yet,
    /// so skipping a closed one costs no request.
    fn take_idle(&self) -> Option<Conn> {
        let mut idle = self.idle.lock().expect("pool");
        idle.retain(|(_, at)| at.elapsed() < MAX_IDLE_AGE);
        while let Some((conn, _)) = idle.pop() {
            if still_open(&conn) {
                return Some(conn);
            }
        }
        None
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

/// The error text of a request that ran out of time.
const TIMEOUT: &str = "timeout";

/// Whether `method` may be sent twice without changing more on the server
/// than once (only GET and HEAD among what the load generator sends).
fn is_safe(method: &str) -> bool {
    matches!(method, "GET" | "HEAD")
}

/// Whether an idle pooled connection is still usable: no stray bytes
/// buffered, and a non-blocking peek finds neither the server's close (a
/// read of 0) nor an error, only "nothing to read yet".
fn still_open(conn: &Conn) -> bool {
    if !conn.buffer().is_empty() {
        return false;
    }
    let mut probe = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    matches!(
        socket2::SockRef::from(conn.get_ref()).peek(&mut probe),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
    )
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
