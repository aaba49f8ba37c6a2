//! Push notifications (API.md section 10): the VAPID key, subscriptions, and
//! Web Push messages to users with no live socket, received by a push
//! service on loopback and decrypted with the subscriber's own keys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use diesel::prelude::*;
use kirimin::db::schema::push_subscriptions as ps;
use serde_json::{json, Value};

use crate::common::{eventually, TestServer, TestUser};
use crate::push_service::{open, PushService, Subscriber};

const SUBJECT: &str = "mailto:push-test@example.com";

async fn start() -> TestServer {
    TestServer::start_with(&["--vapid-subject", SUBJECT]).await
}

async fn public_key(user: &TestUser) -> String {
    user.is_user().await["publicKey"]
        .as_str()
        .expect("publicKey")
        .to_string()
}

async fn username(user: &TestUser) -> String {
    user.is_user().await["me"]["username"]
        .as_str()
        .expect("username")
        .to_string()
}

/// Subscribes `user` at `path` of the push service.
async fn subscribe(user: &TestUser, push: &PushService, path: &str) -> Subscriber {
    let sub = Subscriber::new(format!("{}{path}", push.origin));
    let data = user
        .post("/x/account/subscribe", sub.body())
        .await
        .assert_ok();
    assert_eq!(
        data,
        sub.body()["subscription"],
        "the subscription as stored"
    );
    sub
}

/// Endpoints stored for `user`.
fn endpoints(srv: &TestServer, user: &str) -> Vec<String> {
    srv.db(|c| {
        ps::table
            .filter(ps::user_id.eq(user))
            .order(ps::endpoint.asc())
            .select(ps::endpoint)
            .load(c)
            .expect("query")
    })
}

fn say_path(to: &TestUser) -> String {
    format!("/x/room/sendMessage/user/{}", to.id)
}

#[actix_web::test]
async fn pushes_for_a_message_a_friend_request_and_an_accept() {
    let srv = start().await;
    let mut push = PushService::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let key = public_key(alice).await;
    let (alice_name, bob_name) = (username(alice).await, username(bob).await);
    let to_bob = subscribe(bob, &push, "/bob").await;
    let to_alice = subscribe(alice, &push, "/alice").await;

    alice
        .post(&say_path(bob), json!({ "text": "hello" }))
        .await
        .assert_ok();
    let got = push.next().await;
    assert_eq!(got.path, "/bob");
    assert_eq!(
        open(&got, &to_bob, &key, &push.origin, SUBJECT),
        json!({
            "title": format!("@{alice_name}"),
            "text": format!("New message from @{alice_name}"),
            "tag": "new-message",
            "url": format!("/app?chat={}", alice.id),
        })
    );

    alice
        .post("/x/profile/addfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();
    let got = push.next().await;
    assert_eq!(got.path, "/bob");
    let payload = open(&got, &to_bob, &key, &push.origin, SUBJECT);
    assert_eq!(payload["tag"], json!("new-friend-request"));
    assert_eq!(payload["url"], json!(format!("/app?user={}", alice.id)));
    assert_eq!(payload["title"], json!("New friend request"));
    assert_eq!(
        payload["text"],
        json!(format!("@{alice_name} wants to be your friend"))
    );

    bob.post("/x/profile/acceptfriend", json!({ "userid": alice.id }))
        .await
        .assert_ok();
    let got = push.next().await;
    assert_eq!(got.path, "/alice");
    let payload = open(&got, &to_alice, &key, &push.origin, SUBJECT);
    assert_eq!(payload["tag"], json!("new-friend-accepted"));
    assert_eq!(payload["url"], json!(format!("/app?user={}", bob.id)));
    assert_eq!(payload["title"], json!("Friend request accepted"));
    assert_eq!(
        payload["text"],
        json!(format!("@{bob_name} accepted your friend request"))
    );
    push.stop().await;
}

#[actix_web::test]
async fn asking_back_tells_the_first_asker_they_were_accepted() {
    let srv = start().await;
    let mut push = PushService::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let key = public_key(alice).await;
    let to_alice = subscribe(alice, &push, "/alice").await;
    alice
        .post("/x/profile/addfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();
    bob.post("/x/profile/addfriend", json!({ "userid": alice.id }))
        .await
        .assert_ok();
    let got = push.next().await;
    let payload = open(&got, &to_alice, &key, &push.origin, SUBJECT);
    assert_eq!(payload["tag"], json!("new-friend-accepted"));
    assert_eq!(payload["url"], json!(format!("/app?user={}", bob.id)));
    push.stop().await;
}

#[actix_web::test]
async fn no_push_while_the_user_has_a_live_socket() {
    let srv = start().await;
    let mut push = PushService::start().await;
    let users = srv.users(3).await;
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
    let key = public_key(alice).await;
    let to_bob = subscribe(bob, &push, "/bob").await;

    let mut ws = bob.socket().await;
    alice
        .post(&say_path(bob), json!({ "text": "you are here" }))
        .await
        .assert_ok();
    assert_eq!(ws.signal().await["type"], json!("sendmessage"));
    alice
        .post("/x/profile/addfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();
    assert_eq!(ws.signal().await["type"], json!("addfriend"));
    ws.close().await;
    assert!(eventually(|| !srv.state().hub.is_online(&bob.id)).await);

    // Marker: the first push bob's endpoint gets is carol's request.
    carol
        .post("/x/profile/addfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();
    let got = push.next().await;
    let payload = open(&got, &to_bob, &key, &push.origin, SUBJECT);
    assert_eq!(payload["url"], json!(format!("/app?user={}", carol.id)));
    assert_eq!(payload["tag"], json!("new-friend-request"));
    push.stop().await;
}

#[actix_web::test]
async fn a_gone_subscription_is_removed_and_others_stay() {
    let srv = start().await;
    let mut push = PushService::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    subscribe(bob, &push, "/gone-bob").await;
    subscribe(bob, &push, "/missing-bob").await;
    subscribe(bob, &push, "/ok-bob").await;
    assert_eq!(endpoints(&srv, &bob.id).len(), 3);

    alice
        .post(&say_path(bob), json!({ "text": "hi" }))
        .await
        .assert_ok();
    let mut paths: Vec<String> = Vec::new();
    for _ in 0..3 {
        paths.push(push.next().await.path);
    }
    paths.sort();
    assert_eq!(paths, ["/gone-bob", "/missing-bob", "/ok-bob"]);
    let kept = vec![format!("{}/ok-bob", push.origin)];
    assert!(
        eventually(|| endpoints(&srv, &bob.id) == kept).await,
        "410 and 404 remove their subscriptions: {:?}",
        endpoints(&srv, &bob.id)
    );
    push.stop().await;
}

#[actix_web::test]
async fn other_failures_are_retried_twice_and_keep_the_subscription() {
    let srv = start().await;
    let mut push = PushService::start().await;
    let users = srv.users(3).await;
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
    let key = public_key(alice).await;
    let to_bob = subscribe(bob, &push, "/fail-bob").await;

    alice
        .post(&say_path(bob), json!({ "text": "hi" }))
        .await
        .assert_ok();
    for _ in 0..3 {
        let got = push.next().await;
        assert_eq!(got.path, "/fail-bob");
        let payload = open(&got, &to_bob, &key, &push.origin, SUBJECT);
        assert_eq!(payload["tag"], json!("new-message"));
    }
    // Marker: a new notice, tried three times too. A fourth try of the
    // message would arrive among these (they span the same pauses).
    carol
        .post("/x/profile/addfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();
    for _ in 0..3 {
        let got = push.next().await;
        let payload = open(&got, &to_bob, &key, &push.origin, SUBJECT);
        assert_eq!(payload["tag"], json!("new-friend-request"));
    }
    assert_eq!(
        endpoints(&srv, &bob.id),
        vec![to_bob.endpoint.clone()],
        "a failing push service does not remove the subscription"
    );
    push.stop().await;
}

#[actix_web::test]
async fn subscriptions_are_checked_and_kept_per_user_and_endpoint() {
    let srv = start().await;
    let push = PushService::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let good = Subscriber::new(format!("{}/alice", push.origin)).body();

    srv.post("/x/account/subscribe", good.clone())
        .await
        .assert_err(401, "UNAUTHORIZED");
    let with = |pointer: &str, value: Value| {
        let mut body = good.clone();
        *body.pointer_mut(pointer).expect("field") = value;
        body
    };
    let short_key = URL_SAFE_NO_PAD.encode([4u8; 33]);
    let off_curve = URL_SAFE_NO_PAD.encode({
        let mut k = [0u8; 65];
        k[0] = 4;
        k
    });
    let bad = [
        json!({}),
        json!({ "subscription": null }),
        json!({ "subscription": "https://push.example.com/x" }),
        with("/subscription/endpoint", json!(null)),
        with("/subscription/endpoint", json!("")),
        with("/subscription/endpoint", json!("not a url")),
        with("/subscription/endpoint", json!("http://push.example.com/x")),
        with("/subscription/endpoint", json!("ftp://push.example.com/x")),
        with("/subscription/endpoint", json!("/relative")),
        with("/subscription/expirationTime", json!("tomorrow")),
        with("/subscription/expirationTime", json!(-5)),
        with("/subscription/keys", json!(null)),
        with("/subscription/keys/p256dh", json!(short_key)),
        with("/subscription/keys/p256dh", json!(off_curve)),
        with("/subscription/keys/p256dh", json!("not base64!")),
        with(
            "/subscription/keys/auth",
            json!(URL_SAFE_NO_PAD.encode([1u8; 8])),
        ),
        with("/subscription/keys/auth", json!(null)),
    ];
    for body in bad {
        alice
            .post("/x/account/subscribe", body.clone())
            .await
            .assert_err(400, "BAD_REQUEST");
    }
    alice
        .post_raw("/x/account/subscribe", "{".into())
        .await
        .assert_err(400, "BAD_REQUEST");
    assert!(endpoints(&srv, &alice.id).is_empty(), "nothing stored");

    // The same endpoint again replaces its keys: still one subscription.
    let later = with("/subscription/expirationTime", json!(1_900_000_000_000i64));
    alice.post("/x/account/subscribe", good).await.assert_ok();
    let data = alice
        .post("/x/account/subscribe", later.clone())
        .await
        .assert_ok();
    assert_eq!(data, later["subscription"]);
    assert_eq!(endpoints(&srv, &alice.id).len(), 1);
    // A second browser adds one; logout keeps both.
    subscribe(alice, &push, "/alice-phone").await;
    alice.get("/x/auth/logout").await;
    assert_eq!(endpoints(&srv, &alice.id).len(), 2);
    // A browser signed into another account moves its endpoint there.
    bob.post("/x/account/subscribe", later).await.assert_ok();
    assert_eq!(
        endpoints(&srv, &alice.id),
        [format!("{}/alice-phone", push.origin)]
    );
    assert_eq!(endpoints(&srv, &bob.id), [format!("{}/alice", push.origin)]);
    push.stop().await;
}

#[actix_web::test]
async fn a_user_keeps_the_ten_newest_subscriptions() {
    let srv = start().await;
    let push = PushService::start().await;
    let me = srv.user("many@example.com").await;
    for n in 0..11 {
        subscribe(&me, &push, &format!("/s{n:02}")).await;
    }
    let kept = endpoints(&srv, &me.id);
    assert_eq!(kept.len(), 10);
    assert!(
        !kept.contains(&format!("{}/s00", push.origin)),
        "the oldest went"
    );
    assert!(kept.contains(&format!("{}/s10", push.origin)));
    push.stop().await;
}

#[actix_web::test]
async fn the_vapid_key_is_a_p256_point_and_survives_a_restart() {
    let mut srv = start().await;
    let me = srv.user("keys@example.com").await;
    let key = public_key(&me).await;
    let raw = URL_SAFE_NO_PAD
        .decode(&key)
        .expect("URL-safe base64 without padding");
    assert_eq!(raw.len(), 65);
    assert!(
        p256::PublicKey::from_sec1_bytes(&raw).is_ok(),
        "a P-256 point"
    );
    assert!(!key.contains('='));
    srv.restart().await;
    assert_eq!(public_key(&me).await, key, "same key after a restart");
    let other = start().await;
    let someone = other.user("keys@example.com").await;
    assert_ne!(
        public_key(&someone).await,
        key,
        "each deployment has its own"
    );
}

#[actix_web::test]
async fn the_service_worker_is_served_at_the_root() {
    let srv = start().await;
    let mut res = awc::Client::default()
        .get(format!("{}/sw.js", srv.base))
        .send()
        .await
        .expect("sw.js");
    assert_eq!(res.status().as_u16(), 200);
    let kind = res.headers().get("content-type").unwrap().to_str().unwrap();
    assert!(kind.starts_with("application/javascript"), "{kind}");
    let body = String::from_utf8(res.body().await.expect("body").to_vec()).expect("UTF-8");
    for needle in [
        "'push'",
        "showNotification",
        "'notificationclick'",
        "openWindow",
    ] {
        assert!(body.contains(needle), "sw.js handles {needle}");
    }
}
