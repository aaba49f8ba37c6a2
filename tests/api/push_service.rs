//! A push service on loopback for the push tests, and a subscriber that
//! holds its own keys: decryption uses Mozilla's `ece` and the VAPID token is
//! checked with `p256` directly, independently of the server's crates.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Verifier;
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// One POST the push service received.
#[derive(Debug)]
pub struct Received {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
}

/// The push service. It answers by path: `/gone...` 410, `/missing...` 404,
/// `/fail...` 500, anything else 201.
pub struct PushService {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    rx: UnboundedReceiver<Received>,
    handle: ServerHandle,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    tx: web::Data<UnboundedSender<Received>>,
) -> HttpResponse {
    let path = req.path().to_string();
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let status = if path.starts_with("/gone") {
        410
    } else if path.starts_with("/missing") {
        404
    } else if path.starts_with("/fail") {
        500
    } else {
        201
    };
    let _ = tx.send(Received {
        path,
        headers,
        body: body.to_vec(),
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl PushService {
    pub async fn start() -> Self {
        let (tx, rx) = unbounded_channel();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(tx.clone()))
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self { origin, rx, handle }
    }

    /// The next POST; panics after 15 s without one.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(15), self.rx.recv())
            .await
            .expect("a push arrives")
            .expect("push service running")
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// A browser's subscription: its own P-256 key pair and auth secret.
pub struct Subscriber {
    pub endpoint: String,
    keys: ece::EcKeyComponents,
    public: Vec<u8>,
    auth: [u8; 16],
}

impl Subscriber {
    pub fn new(endpoint: String) -> Self {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().expect("keys");
        Self {
            endpoint,
            keys: pair.raw_components().expect("components"),
            public: pair.pub_as_raw().expect("public key"),
            auth,
        }
    }

    /// The body of `POST /x/account/subscribe`.
    pub fn body(&self) -> Value {
        json!({ "subscription": {
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(&self.public),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            },
        }})
    }

    /// Decrypts an aes128gcm body meant for this subscriber into JSON.
    pub fn decrypt(&self, body: &[u8]) -> Value {
        let plain = ece::decrypt(&self.keys, &self.auth, body).expect("payload decrypts");
        serde_json::from_slice(&plain).expect("payload is JSON")
    }
}

/// Checks the Web Push headers of `got` (TTL, encoding, VAPID) against the
/// server's `public_key`, the push service's `origin` and the VAPID
/// `subject`, and returns the decrypted payload.
pub fn open(
    got: &Received,
    to: &Subscriber,
    public_key: &str,
    origin: &str,
    subject: &str,
) -> Value {
    assert_eq!(got.header("ttl"), "2419200", "headers: {:?}", got.headers);
    assert_eq!(got.header("content-encoding"), "aes128gcm");
    let auth = got.header("authorization");
    let rest = auth.strip_prefix("vapid t=").expect("vapid authorization");
    let (token, k) = rest.split_once(", k=").expect("t and k");
    assert_eq!(k, public_key, "k is isUser's publicKey");
    check_token(token, public_key, origin, subject);
    to.decrypt(&got.body)
}

/// Verifies the ES256 signature of a VAPID JWT and its `aud`, `sub`, `exp`.
fn check_token(token: &str, public_key: &str, origin: &str, subject: &str) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("header b64")).unwrap();
    assert_eq!(header["alg"], json!("ES256"));
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("claims b64")).unwrap();
    let raw_key = URL_SAFE_NO_PAD.decode(public_key).expect("key b64");
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&raw_key).expect("P-256 key");
    let sig = p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
        .expect("64-byte signature");
    let signed = format!("{}.{}", parts[0], parts[1]);
    key.verify(signed.as_bytes(), &sig)
        .expect("signed by the server's VAPID key");
    assert_eq!(claims["aud"], json!(origin), "claims: {claims}");
    assert_eq!(claims["sub"], json!(subject), "claims: {claims}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let exp = claims["exp"].as_i64().expect("exp");
    assert!(
        exp > now && exp <= now + 24 * 3600,
        "exp within 24 h: {claims}"
    );
}
