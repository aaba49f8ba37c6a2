//! Delivery of one notice to every subscription of a user: encrypt
//! (RFC 8291, through `web-push-native`), sign (VAPID), POST with awc on the
//! actix runtime, forget subscriptions the push service says are gone, retry
//! other failures at most twice.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use web_push_native::{p256, Auth, WebPushBuilder};

use super::vapid::Vapid;
use crate::db::{self, push::Subscription};
use crate::state::AppState;
use crate::store;

/// `TTL` of every message: how long a push service keeps it for an offline
/// browser (4 weeks).
pub const TTL: Duration = Duration::from_secs(2_419_200);
/// Pauses before the two retries of a failed send.
const RETRY_AFTER: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(5)];
/// How long one POST to a push service may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A request ready to POST: encrypted body and headers.
struct Prepared {
    endpoint: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What one POST came to.
enum Outcome {
    Delivered,
    /// `404`/`410`: the subscription no longer exists.
    Gone,
    Failed(String),
}

/// Sends `payload` to every subscription of `user`.
pub async fn to_user(state: web::Data<AppState>, user: String, payload: Arc<Vec<u8>>) {
    let uid = user.clone();
    let subs = match store::run(&state.pool, move |c| Ok(db::push::of_user(c, &uid)?)).await {
        Ok(subs) => subs,
        Err(e) => {
            tracing::warn!(user, "push: cannot load subscriptions: {e}");
            return;
        }
    };
    let sends = subs
        .into_iter()
        .map(|sub| to_subscription(state.clone(), sub, payload.clone()));
    futures_util::future::join_all(sends).await;
}

async fn to_subscription(state: web::Data<AppState>, sub: Subscription, payload: Arc<Vec<u8>>) {
    let vapid = state.push.vapid.clone();
    let s = sub.clone();
    // Key agreement and signing are CPU work: keep them off the event loop.
    let prepared = match web::block(move || prepare(&vapid, &s, &payload)).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            tracing::warn!(user = sub.user_id, "push: cannot prepare a message: {e}");
            return;
        }
        Err(e) => {
            tracing::warn!("push: blocking pool refused: {e}");
            return;
        }
    };
    for attempt in 0..=RETRY_AFTER.len() {
        if attempt > 0 {
            actix_web::rt::time::sleep(RETRY_AFTER[attempt - 1]).await;
        }
        let outcome = {
            let Ok(_permit) = state.push.permits.acquire().await else {
                return;
            };
            post(&prepared).await
        };
        match outcome {
            Outcome::Delivered => return,
            Outcome::Gone => {
                tracing::info!(user = sub.user_id, "push: subscription gone, removed");
                let (u, e) = (sub.user_id.clone(), sub.endpoint.clone());
                if let Err(err) =
                    store::write(&state.pool, move |c| Ok(db::push::remove(c, &u, &e)?)).await
                {
                    tracing::warn!("push: cannot remove a subscription: {err}");
                }
                return;
            }
            Outcome::Failed(why) => {
                tracing::warn!(
                    user = sub.user_id,
                    attempt = attempt + 1,
                    "push failed: {why}"
                );
            }
        }
    }
}

/// Encrypts `payload` for `sub` and signs the VAPID header.
fn prepare(vapid: &Vapid, sub: &Subscription, payload: &[u8]) -> Result<Prepared, String> {
    let uri: http::Uri = sub.endpoint.parse().map_err(|e| format!("endpoint: {e}"))?;
    let ua_public = URL_SAFE_NO_PAD
        .decode(&sub.p256dh)
        .ok()
        .and_then(|raw| p256::PublicKey::from_sec1_bytes(&raw).ok())
        .ok_or("bad p256dh")?;
    let auth = URL_SAFE_NO_PAD
        .decode(&sub.auth)
        .ok()
        .filter(|raw| raw.len() == 16)
        .ok_or("bad auth")?;
    let request = WebPushBuilder::new(uri.clone(), ua_public, Auth::clone_from_slice(&auth))
        .with_valid_duration(TTL)
        .build(payload.to_vec())
        .map_err(|e| e.to_string())?;
    let authorization = vapid
        .authorization(&uri)
        .map_err(|_| "cannot sign the VAPID token".to_string())?;
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter(|(name, _)| *name != http::header::CONTENT_LENGTH)
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
        .collect();
    headers.push(("authorization".into(), authorization));
    Ok(Prepared {
        endpoint: sub.endpoint.clone(),
        headers,
        body: request.into_body(),
    })
}

async fn post(prepared: &Prepared) -> Outcome {
    let client = CLIENT.with(Clone::clone);
    let mut request = client.post(&prepared.endpoint).timeout(REQUEST_TIMEOUT);
    for (name, value) in &prepared.headers {
        request = request.insert_header((name.as_str(), value.as_str()));
    }
    match request.send_body(prepared.body.clone()).await {
        Ok(response) => match response.status().as_u16() {
            200..=299 => Outcome::Delivered,
            404 | 410 => Outcome::Gone,
            status => Outcome::Failed(format!("push service answered {status}")),
        },
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

thread_local! {
    /// One client per worker thread (awc clients are not `Send`); it keeps
    /// connections to push services alive between messages.
    static CLIENT: awc::Client = client();
}

/// An HTTP client with TLS through rustls (ring) and the webpki roots.
fn client() -> awc::Client {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut connector = awc::Connector::new().timeout(REQUEST_TIMEOUT);
    match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(builder) => {
            let mut config = builder.with_root_certificates(roots).with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            connector = connector.rustls_0_23(Arc::new(config));
        }
        Err(e) => tracing::error!("push: no TLS for push services: {e}"),
    }
    awc::Client::builder()
        .connector(connector)
        .timeout(REQUEST_TIMEOUT)
        .disable_redirects()
        .finish()
}
