//! Test harness: a real server on a free port with a fresh data dir, real
//! HTTP through awc, real WebSocket clients.

use std::time::Duration;

use actix_codec::Framed;
use awc::ws::{Codec, Frame, Message};
use awc::BoxedSocket;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};

/// True (after saying why on stderr) when this run's servers use PostgreSQL
/// and the calling test checks SQLite-only behaviour; the test then returns.
pub fn skip_on_postgres(why: &str) -> bool {
    let skip = kirimin_testkit::on_postgres();
    if skip {
        eprintln!("skipped on PostgreSQL: {why}");
    }
    skip
}

/// True (after saying why on stderr) when this run's servers use SQLite and
/// the calling test checks PostgreSQL-only behaviour; the test then returns.
pub fn skip_on_postgres_only(why: &str) -> bool {
    let skip = !kirimin_testkit::on_postgres();
    if skip {
        eprintln!("skipped on SQLite: {why}");
    }
    skip
}

/// A running server with its own data dir (the workspace's one test-server
/// helper), plus the HTTP calls of the tests.
pub struct TestServer(kirimin_testkit::Server);

impl std::ops::Deref for TestServer {
    type Target = kirimin_testkit::Server;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for TestServer {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// A plain HTTP answer: status, headers, JSON body (Null when not JSON).
pub struct Answer {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The `msg` of the envelope.
    pub fn msg(&self) -> &str {
        self.body["msg"].as_str().unwrap_or("")
    }

    /// Asserts a failure envelope with this status and msg.
    #[track_caller]
    pub fn assert_err(&self, status: u16, msg: &str) {
        assert_eq!(
            (self.status, self.msg()),
            (status, msg),
            "body: {}",
            self.body
        );
        assert_eq!(self.body["ok"], json!(false), "body: {}", self.body);
        assert_eq!(self.body["code"], json!(status), "body: {}", self.body);
    }

    /// Asserts a success envelope and returns `data`.
    #[track_caller]
    pub fn assert_ok(&self) -> Value {
        assert_eq!(self.status, 200, "body: {}", self.body);
        assert_eq!(self.body["ok"], json!(true), "body: {}", self.body);
        assert_eq!(self.body["code"], json!(200), "body: {}", self.body);
        assert_eq!(self.body["msg"], json!("OK"), "body: {}", self.body);
        self.body["data"].clone()
    }
}

/// The HTTP client of the tests (30 s timeout, redirects not followed).
pub fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .disable_redirects()
        .finish()
}

impl TestServer {
    /// A server with the test defaults (rate limit off, codes exposed).
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// A server with extra flags, sign-in codes exposed.
    pub async fn start_with(extra: &[&str]) -> Self {
        let mut args = vec!["--dev-expose-otp"];
        args.extend_from_slice(extra);
        Self::start_plain(&args).await
    }

    /// A server with only the base flags (no exposed codes) and `extra`.
    pub async fn start_plain(extra: &[&str]) -> Self {
        Self(kirimin_testkit::Server::start(extra).await)
    }

    /// Sends a request with an optional cookie and raw body.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<String>,
        accept_json: bool,
    ) -> Answer {
        request(&self.base, method, path, cookie, body, accept_json).await
    }

    /// An anonymous JSON POST.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.raw("POST", path, None, Some(body.to_string()), true)
            .await
    }

    /// An anonymous GET.
    pub async fn get(&self, path: &str) -> Answer {
        self.raw("GET", path, None, None, true).await
    }

    /// Requests a sign-in code for `email` and returns it (needs `--dev-expose-otp`).
    pub async fn code_for(&self, email: &str) -> String {
        code_for_at(&self.base, email).await
    }

    /// Signs `email` in through the exposed code; returns the signed-in user.
    pub async fn sign_in(&self, email: &str) -> TestUser {
        sign_in_at(&self.base, email).await
    }

    /// A signed-in user for `email`, made straight in the database: for
    /// tests where the sign-in flow is not under test (`sign_in` goes
    /// through it).
    pub async fn user(&self, email: &str) -> TestUser {
        let (id, cookie) = self.create_user(email).await;
        TestUser {
            id,
            cookie,
            base: self.base.clone(),
        }
    }

    /// `n` fresh signed-in users, made straight in the database.
    pub async fn users(&self, n: usize) -> Vec<TestUser> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let email = format!(
                "{}@example.com",
                kirimin::ids::alphanumeric(12).to_lowercase()
            );
            out.push(self.user(&email).await);
        }
        out
    }
}

/// A sign-in code for `email` from the server at `base` (needs `--dev-expose-otp`).
pub async fn code_for_at(base: &str, email: &str) -> String {
    let body = json!({ "email": email }).to_string();
    request(base, "POST", "/x/auth/sign-in", None, Some(body), true)
        .await
        .assert_ok()["code"]
        .as_str()
        .expect("code exposed")
        .to_string()
}

/// Signs `email` in at the server at `base` (any server: in process or a child).
pub async fn sign_in_at(base: &str, email: &str) -> TestUser {
    let code = code_for_at(base, email).await;
    let body = json!({ "email": email, "code": code }).to_string();
    let res = request(base, "POST", "/x/auth/verify", None, Some(body), true).await;
    let data = res.assert_ok();
    let cookie = session_cookie(&res).expect("session cookie");
    TestUser {
        id: data["user"]["id"].as_str().expect("id").to_string(),
        cookie,
        base: base.to_string(),
    }
}

/// `name=value` of the session cookie set by a response.
pub fn session_cookie(res: &Answer) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kirimin_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

/// A signed-in user.
#[derive(Clone)]
pub struct TestUser {
    pub id: String,
    /// `kirimin_session=...`
    pub cookie: String,
    base: String,
}

impl TestUser {
    async fn send(&self, method: &str, path: &str, body: Option<String>) -> Answer {
        request(&self.base, method, path, Some(&self.cookie), body, true).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send("POST", path, Some(body.to_string())).await
    }

    /// A POST with a raw body (malformed JSON, huge bodies).
    pub async fn post_raw(&self, path: &str, body: String) -> Answer {
        self.send("POST", path, Some(body)).await
    }

    /// A POST whose body is raw bytes (invalid UTF-8).
    pub async fn post_bytes(&self, path: &str, body: Vec<u8>) -> Answer {
        let mut res = client()
            .post(format!("{}{path}", self.base))
            .insert_header(("Cookie", self.cookie.clone()))
            .insert_header(("Accept", "application/json"))
            .insert_header(("Content-Type", "application/json"))
            .send_body(body)
            .await
            .expect("request sent");
        let bytes = res.body().await.expect("body");
        Answer {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// `isUser` data.
    pub async fn is_user(&self) -> Value {
        self.get("/x/auth/isUser").await.assert_ok()
    }

    /// `isUser` data, or `None` when the connection was refused or dropped
    /// (tests at a connections-per-IP limit retry).
    pub async fn try_is_user(&self) -> Option<Value> {
        let mut res = client()
            .get(format!("{}/x/auth/isUser", self.base))
            .insert_header(("Cookie", self.cookie.clone()))
            .send()
            .await
            .ok()?;
        let body: Value = res.json().await.ok()?;
        Some(body["data"].clone())
    }

    /// Opens a WebSocket at `/socket` with a fresh socket id.
    pub async fn socket(&self) -> WsClient {
        let id = self.is_user().await["socket"]["id"]
            .as_str()
            .expect("socket id")
            .to_string();
        self.socket_at(&format!("/socket?id={id}"))
            .await
            .expect("socket opens")
    }

    /// Opens a WebSocket at `path` with this user's cookie; Err(status) when refused.
    pub async fn socket_at(&self, path: &str) -> Result<WsClient, u16> {
        connect_ws(&self.base, path, Some(&self.cookie)).await
    }
}

/// One HTTP request against `base`.
pub async fn request(
    base: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<String>,
    accept_json: bool,
) -> Answer {
    let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = client().request(method, format!("{base}{path}"));
    if let Some(c) = cookie {
        req = req.insert_header(("Cookie", c.to_string()));
    }
    if accept_json {
        req = req.insert_header(("Accept", "application/json"));
    }
    let mut res = match body {
        Some(b) => {
            req.insert_header(("Content-Type", "application/json"))
                .send_body(b)
                .await
        }
        None => req.send().await,
    }
    .expect("request sent");
    let bytes = res.body().limit(20 * 1024 * 1024).await.expect("body");
    Answer {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// Opens a WebSocket; Err(status) when the server refuses the upgrade, and
/// Err(0) when the connection ends before any answer (e.g. the server closed
/// a connection over its per-address cap).
pub async fn connect_ws(base: &str, path: &str, cookie: Option<&str>) -> Result<WsClient, u16> {
    let mut req = client()
        .ws(format!("{base}{path}"))
        .max_frame_size(4 * 1024 * 1024);
    if let Some(c) = cookie {
        req = req.header("Cookie", c.to_string());
    }
    match req.connect().await {
        Ok((_, framed)) => Ok(WsClient { framed }),
        Err(awc::error::WsClientError::InvalidResponseStatus(s)) => Err(s.as_u16()),
        Err(awc::error::WsClientError::SendRequest(e)) => {
            eprintln!("websocket connection failed before an answer: {e}");
            Err(0)
        }
        Err(e) => panic!("websocket connect failed: {e}"),
    }
}

/// What a socket read produced.
#[derive(Debug)]
pub enum Read {
    Signal(Value),
    Closed(Option<awc::ws::CloseReason>),
    Timeout,
}

/// A real WebSocket client that answers pings while reading.
pub struct WsClient {
    framed: Framed<BoxedSocket, Codec>,
}

impl WsClient {
    /// Reads until a text frame, a close, or `wait` passes.
    pub async fn read(&mut self, wait: Duration) -> Read {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.framed.next()).await;
            match next {
                Err(_) => return Read::Timeout,
                Ok(None) => return Read::Closed(None),
                Ok(Some(Err(_))) => return Read::Closed(None),
                Ok(Some(Ok(frame))) => match frame {
                    Frame::Text(bytes) => {
                        return Read::Signal(
                            serde_json::from_slice(&bytes).expect("signal is JSON"),
                        )
                    }
                    Frame::Ping(data) => {
                        let _ = self.framed.send(Message::Pong(data)).await;
                    }
                    Frame::Close(reason) => return Read::Closed(reason),
                    _ => {}
                },
            }
        }
    }

    /// The next signal; panics on close or after 15 s (generous, so a
    /// loaded CI machine does not turn slowness into a failure).
    pub async fn signal(&mut self) -> Value {
        match self.read(Duration::from_secs(15)).await {
            Read::Signal(v) => v,
            other => panic!("expected a signal, got {other:?}"),
        }
    }

    /// Asserts that the next signal is the message `text`. Tests send such a
    /// marker after an action that must signal nothing to this socket: the
    /// marker takes the same path through the server after the action, so a
    /// wrong signal would arrive first. No timed wait is involved.
    pub async fn assert_next_message(&mut self, text: &str) {
        let sig = self.signal().await;
        assert_eq!(
            (sig["type"].as_str(), sig["chat"]["text"].as_str()),
            (Some("sendmessage"), Some(text)),
            "expected the marker message {text:?} before any other signal, got {sig}"
        );
    }

    /// Sends a text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.framed
            .send(Message::Text(text.to_string().into()))
            .await
            .expect("frame sent");
    }

    /// Sends text frames in one write, so the server reads them together.
    pub async fn send_texts(&mut self, texts: &[String]) {
        for text in texts {
            self.framed
                .feed(Message::Text(text.clone().into()))
                .await
                .expect("frame queued");
        }
        self.framed.flush().await.expect("frames sent");
    }

    /// Sends any WebSocket message (continuation frames, pings).
    pub async fn send_message(&mut self, msg: Message) {
        self.framed.send(msg).await.expect("frame sent");
    }

    /// Closes the socket from the client side.
    pub async fn close(mut self) {
        let _ = self.framed.send(Message::Close(None)).await;
    }
}

/// Polls `check` until it holds or 15 s pass.
pub async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..300 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}

/// A group created by `owner`: (group id, invite link).
pub async fn create_group(owner: &TestUser, name: &str) -> (String, String) {
    let data = owner
        .post("/x/group/create", json!({ "name": name }))
        .await
        .assert_ok();
    (
        data["roomid"].as_str().expect("roomid").to_string(),
        data["group"]["r"]["link"]
            .as_str()
            .expect("link")
            .to_string(),
    )
}

/// `user` joins through `link`.
pub async fn join(user: &TestUser, gid: &str, link: &str) -> Answer {
    user.post(&format!("/x/group/join/{gid}"), json!({ "link": link }))
        .await
}

/// Ids of the groups `user` sees in isUser.
pub async fn group_ids(user: &TestUser) -> Vec<String> {
    user.is_user().await["c"]
        .as_array()
        .expect("c")
        .iter()
        .filter(|c| c["r"]["type"] == "group")
        .map(|c| c["r"]["id"].as_str().expect("id").to_string())
        .collect()
}

/// A 1x1 PNG as a data URL.
pub const PNG_DATA_URL: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
