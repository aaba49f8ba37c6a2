//! Sign-in sessions: the cookie, a cache of live sessions, the middleware that
//! identifies every request (and applies the rate limit), and the extractor
//! handlers use to require a signed-in user.

use std::future::{ready, Ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use dashmap::DashMap;

use super::rate_limit::LimitKey;
use crate::db::{self, Pool};
use crate::error::{ApiError, ErrorCode};
use crate::ids;
use crate::state::AppState;
use crate::store;

/// Name of the session cookie.
pub const COOKIE: &str = "kirimin_session";

/// Live sessions by token hash, in front of the `sessions` table.
#[derive(Debug, Default)]
pub struct SessionStore {
    cache: DashMap<String, (String, i64)>,
}

impl SessionStore {
    /// Creates a session for `user`; returns the cookie token.
    pub async fn create(&self, pool: &Pool, user: &str, days: u64) -> Result<String, ApiError> {
        let token = ids::random_hex(32);
        let hash = ids::sha256_hex(&token);
        let now = ids::now_ms();
        let expires = now + (days as i64) * 86_400_000;
        let (h, u) = (hash.clone(), user.to_string());
        store::run(pool, move |c| {
            Ok(db::sessions::insert(c, &h, &u, now, expires)?)
        })
        .await?;
        self.cache.insert(hash, (user.to_string(), expires));
        Ok(token)
    }

    /// The user of a live session token and when the session ends (ms), if any.
    pub async fn resolve(
        &self,
        pool: &Pool,
        token: &str,
    ) -> Result<Option<(String, i64)>, ApiError> {
        let hash = ids::sha256_hex(token);
        let now = ids::now_ms();
        if let Some(hit) = self.cache.get(&hash).map(|e| e.value().clone()) {
            if hit.1 > now {
                return Ok(Some(hit));
            }
            self.cache.remove(&hash);
        }
        let h = hash.clone();
        let found = store::run(pool, move |c| Ok(db::sessions::lookup(c, &h, now)?)).await?;
        Ok(found.map(|(user, expires)| {
            self.cache.insert(hash, (user.clone(), expires));
            (user, expires)
        }))
    }

    /// Ends the session of `token`.
    pub async fn destroy(&self, pool: &Pool, token: &str) -> Result<(), ApiError> {
        let hash = ids::sha256_hex(token);
        self.cache.remove(&hash);
        store::run(pool, move |c| Ok(db::sessions::delete(c, &hash)?)).await
    }

    /// Drops expired sessions from the cache and the table.
    pub async fn prune(&self, pool: &Pool) -> Result<(), ApiError> {
        let now = ids::now_ms();
        self.cache.retain(|_, (_, exp)| *exp > now);
        store::run(pool, move |c| Ok(db::sessions::delete_expired(c, now)?))
            .await
            .map(|_| ())
    }
}

/// The session cookie for `token`: HttpOnly, SameSite=Strict, whole site.
pub fn cookie(token: &str, days: u64) -> Cookie<'static> {
    Cookie::build(COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::days(days as i64))
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal_cookie() -> Cookie<'static> {
    let mut c = cookie("", 0);
    c.make_removal();
    c
}

/// Who sent a request, as found by [`identify`].
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// The signed-in user, if the cookie names a live session.
    pub user: Option<String>,
    /// The raw session token from the cookie.
    pub token: Option<String>,
    /// The live session: its token hash and when it ends (ms).
    pub session: Option<SessionRef>,
}

/// A live sign-in session as sockets need it.
#[derive(Debug, Clone)]
pub struct SessionRef {
    /// SHA-256 of the token (the `sessions` key; never the token itself).
    pub hash: String,
    /// When the session ends (ms since the epoch).
    pub expires_ms: i64,
}

/// Paths the rate limit applies to (API, invites, files and WebSocket upgrades).
fn is_limited(path: &str) -> bool {
    path.starts_with("/x/")
        || path.starts_with("/invite/")
        || path.starts_with("/file/")
        || path == "/socket"
        || path == "/"
}

/// Middleware: resolves the session cookie and applies the rate limit.
pub async fn identify(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let token = req
        .cookie(COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty());
    let (user, session) = match &token {
        Some(t) => match state.sessions.resolve(&state.pool, t).await {
            Ok(Some((user, expires_ms))) => (
                Some(user),
                Some(SessionRef {
                    hash: ids::sha256_hex(t),
                    expires_ms,
                }),
            ),
            Ok(None) => (None, None),
            Err(e) => return Ok(req.error_response(e).map_into_right_body()),
        },
        None => (None, None),
    };
    if let Some(limiter) = &state.limiter {
        if is_limited(req.path()) {
            let key = match &user {
                Some(u) => LimitKey::User(u.clone()),
                None => LimitKey::Ip(
                    req.peer_addr()
                        .map(|a| a.ip())
                        .unwrap_or([0, 0, 0, 0].into()),
                ),
            };
            if let Err(wait) = limiter.check(key) {
                state.metrics.rate_limited.inc();
                let err = ApiError::new(ErrorCode::TooManyRequests).with_retry_after(wait);
                return Ok(req.error_response(err).map_into_right_body());
            }
        }
    }
    req.extensions_mut().insert(Identity {
        user,
        token,
        session,
    });
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The identity of a request (signed in or not).
pub fn identity_of(req: &HttpRequest) -> Identity {
    req.extensions()
        .get::<Identity>()
        .cloned()
        .unwrap_or_default()
}

/// Extractor for handlers that need a signed-in user: `401 UNAUTHORIZED` otherwise.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub String);

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            identity_of(req)
                .user
                .map(CurrentUser)
                .ok_or_else(ApiError::unauthorized),
        )
    }
}
