//! The public Kirimin API calls the scenarios need: sign-in through the
//! `--dev-expose-otp` code, socket ids, groups, kicks and messages.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::http::{Client, Response};

/// A signed-in user of the load run.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    /// `kirimin_session=...`
    pub cookie: String,
}

/// What a failed call answered: the envelope's `msg`, or a transport error.
pub type ApiResult<T> = Result<T, String>;

fn envelope(resp: Response) -> ApiResult<Value> {
    let body = resp.json();
    if resp.status == 200 && body["ok"] == json!(true) {
        Ok(body["data"].clone())
    } else {
        let msg = body["msg"].as_str().unwrap_or("no envelope");
        Err(format!("{} {msg}", resp.status))
    }
}

/// The API of one server, with a bound on requests in flight.
#[derive(Debug)]
pub struct Api {
    pub http: Client,
    inflight: Semaphore,
    /// Makes every e-mail address of one run unique.
    run_tag: String,
    next_user: AtomicU64,
}

impl Api {
    /// An API client allowing `max_inflight` concurrent requests.
    pub fn new(http: Client, max_inflight: usize) -> Arc<Self> {
        let tag = format!(
            "{:x}{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis()),
            std::process::id()
        );
        Arc::new(Self {
            http,
            inflight: Semaphore::new(max_inflight.max(1)),
            run_tag: tag,
            next_user: AtomicU64::new(0),
        })
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> ApiResult<Response> {
        let _permit = self.inflight.acquire().await.map_err(|e| e.to_string())?;
        let bytes = body.map(|b| b.to_string().into_bytes());
        self.http
            .request(method, path, cookie, bytes.as_deref())
            .await
    }

    /// A signed-in POST with a JSON body; the envelope's `data` on success.
    async fn post(&self, user: &User, path: &str, body: Value) -> ApiResult<Value> {
        envelope(
            self.call("POST", path, Some(&user.cookie), Some(body))
                .await?,
        )
    }

    /// Signs a fresh address in: code request, then verify.
    pub async fn sign_in(&self) -> ApiResult<User> {
        let n = self.next_user.fetch_add(1, Ordering::Relaxed);
        let email = format!("load{n}.{}@example.com", self.run_tag);
        let data = envelope(
            self.call(
                "POST",
                "/x/auth/sign-in",
                None,
                Some(json!({ "email": email })),
            )
            .await?,
        )?;
        let code = data["code"]
            .as_str()
            .ok_or("no code in the sign-in answer: start the server with --dev-expose-otp")?
            .to_string();
        let resp = self
            .call(
                "POST",
                "/x/auth/verify",
                None,
                Some(json!({ "email": email, "code": code })),
            )
            .await?;
        let cookie = resp.session_cookie.clone().ok_or("verify set no cookie")?;
        let data = envelope(resp)?;
        let id = data["user"]["id"].as_str().ok_or("no user id")?.to_string();
        Ok(User { id, cookie })
    }

    /// A fresh socket id for `user` (from `isUser`).
    pub async fn socket_id(&self, user: &User) -> ApiResult<String> {
        let data = envelope(
            self.call("GET", "/x/auth/isUser", Some(&user.cookie), None)
                .await?,
        )?;
        data["socket"]["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "no socket id".into())
    }

    /// Creates a group owned by `owner`: (group id, invite link).
    pub async fn create_group(&self, owner: &User, name: &str) -> ApiResult<(String, String)> {
        let data = self
            .post(owner, "/x/group/create", json!({ "name": name }))
            .await?;
        let gid = data["roomid"].as_str().ok_or("no roomid")?.to_string();
        let link = data["group"]["r"]["link"]
            .as_str()
            .ok_or("no link")?
            .to_string();
        Ok((gid, link))
    }

    /// `user` joins `gid` through `link`.
    pub async fn join(&self, user: &User, gid: &str, link: &str) -> ApiResult<()> {
        self.post(
            user,
            &format!("/x/group/join/{gid}"),
            json!({ "link": link }),
        )
        .await
        .map(|_| ())
    }

    /// The owner kicks `member` out of `gid`.
    pub async fn kick(&self, owner: &User, gid: &str, member: &str) -> ApiResult<()> {
        self.post(owner, &format!("/x/group/kick/{gid}/{member}"), json!({}))
            .await
            .map(|_| ())
    }

    /// `user` sends `text` to group `gid`; returns the message id.
    pub async fn send_group(&self, user: &User, gid: &str, text: &str) -> ApiResult<String> {
        let data = self
            .post(
                user,
                &format!("/x/room/sendMessage/group/{gid}"),
                json!({ "text": text }),
            )
            .await?;
        data["chat"]["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "no message id".into())
    }

    /// Whether the server answers `/healthz`.
    pub async fn healthy(&self) -> bool {
        matches!(self.call("GET", "/healthz", None, None).await, Ok(r) if r.status == 200)
    }
}
