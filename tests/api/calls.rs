//! Calls (API.md section 9): offers ring every callee socket, the first
//! answer wins, relays go only between the parties' call sockets, and every
//! way a call ends rewrites its message and hangs up the other party.

use serde_json::{json, Value};

use crate::chat::say;
use crate::common::{TestServer, TestUser, WsClient};

/// Two users who are friends.
pub(crate) async fn friends(srv: &TestServer) -> (TestUser, TestUser) {
    let mut users = srv.users(2).await;
    let (b, a) = (users.remove(1), users.remove(0));
    befriend(&a, &b).await;
    (a, b)
}

/// Makes `a` and `b` friends.
pub(crate) async fn befriend(a: &TestUser, b: &TestUser) {
    a.post("/x/profile/addfriend", json!({ "userid": b.id }))
        .await
        .assert_ok();
    b.post("/x/profile/acceptfriend", json!({ "userid": a.id }))
        .await
        .assert_ok();
}

/// A socket of `user` and the socket id it connected with.
pub(crate) async fn socket(user: &TestUser) -> (WsClient, String) {
    let id = user.is_user().await["socket"]["id"]
        .as_str()
        .expect("socket id")
        .to_string();
    let ws = user
        .socket_at(&format!("/socket?id={id}"))
        .await
        .expect("socket opens");
    (ws, id)
}

/// Sends the call frame `kind` with `fields`.
pub(crate) async fn send(ws: &mut WsClient, kind: &str, mut fields: Value) {
    fields["identifier"] = json!("kirimin");
    fields["type"] = json!(kind);
    ws.send_text(&fields.to_string()).await;
}

pub(crate) fn sdp(kind: &str) -> Value {
    json!({ "type": kind, "sdp": format!("v=0 {kind}") })
}

/// An offer from `ws` to `to`.
pub(crate) async fn offer(ws: &mut WsClient, to: &TestUser) {
    send(
        ws,
        "offer",
        json!({ "to": to.id, "sdp": sdp("offer"), "video": true }),
    )
    .await;
}

/// The next signal, which must be of `kind`.
pub(crate) async fn expect(ws: &mut WsClient, kind: &str) -> Value {
    let s = ws.signal().await;
    assert_eq!(s["type"], kind, "{s}");
    s
}

/// The call message in the next signal, which must be `kind`
/// (`sendmessage`/`editmessage`).
pub(crate) async fn call_message(ws: &mut WsClient, kind: &str) -> Value {
    let s = expect(ws, kind).await;
    assert_eq!(s["chat"]["type"], "call", "{s}");
    s["chat"].clone()
}

/// A marker: `from` says `text` to `to`; `ws` (of `to`) must get it next,
/// proving that nothing else arrived before it.
pub(crate) async fn marker(from: &TestUser, to: &TestUser, ws: &mut WsClient, text: &str) {
    say(from, "user", &to.id, text).await;
    let s = expect(ws, "sendmessage").await;
    assert_eq!(s["chat"]["text"], text, "{s}");
}

/// The messages `user` holds in the one-to-one chat with `other`.
pub(crate) async fn chat_with(user: &TestUser, other: &TestUser) -> Vec<Value> {
    user.is_user().await["c"]
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["r"]["type"] == "user" && c["r"]["id"] == other.id.as_str())
        .map(|c| c["m"].as_array().expect("m").clone())
        .unwrap_or_default()
}

/// A relayed frame: the sender's fields plus `uid`, `from` (socket id) and
/// `user`, and no `key`.
#[track_caller]
fn assert_relay(s: &Value, kind: &str, sender: &TestUser, socket_id: &str) {
    assert_eq!(s["type"], kind, "{s}");
    assert_eq!(s["uid"], sender.id.as_str(), "{s}");
    assert_eq!(s["from"], socket_id, "{s}");
    assert_eq!(s["user"]["id"], sender.id.as_str(), "{s}");
    assert!(s.get("key").is_none(), "relays carry no key: {s}");
}

#[actix_web::test]
async fn answered_call_from_offer_to_hangup() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, a1_id) = socket(&a).await;
    let (mut a2, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let (mut b2, b2_id) = socket(&b).await;

    let candidate = json!({ "candidate": "candidate:1 1 UDP 1 10.0.0.1 9 typ host",
        "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": "u" });
    // A candidate right behind the offer (read while the call is being
    // stored) reaches the callee after the offer.
    let frames = [
        json!({ "identifier": "kirimin", "type": "offer", "to": b.id, "sdp": sdp("offer"), "video": true }),
        json!({ "identifier": "kirimin", "type": "candidate", "to": b.id, "candidate": candidate }),
    ];
    a1.send_texts(&frames.map(|f| f.to_string())).await;
    let m = call_message(&mut a1, "sendmessage").await;
    let key = m["id"].as_str().expect("callKey").to_string();
    assert_eq!(m["userid"], a.id.as_str(), "{m}");
    assert_eq!(m["duration"], json!(-2), "{m}");
    assert_eq!(m["readers"], json!([b.id]), "{m}");
    assert!(m["timestamp"].as_i64().is_some(), "{m}");
    assert_eq!(
        call_message(&mut a2, "sendmessage").await["id"],
        key.as_str()
    );
    for ws in [&mut b1, &mut b2] {
        let s = ws.signal().await;
        assert_eq!(s["type"], "sendmessage", "{s}");
        assert_eq!(s["chat"]["id"], key.as_str(), "{s}");
        assert_eq!(s["roomdata"]["id"], a.id.as_str(), "{s}");
        assert_eq!(s["sender"]["id"], a.id.as_str(), "{s}");
        let ring = ws.signal().await;
        assert_relay(&ring, "offer", &a, &a1_id);
        assert_eq!(ring["callKey"], key.as_str(), "{ring}");
        assert_eq!(ring["sdp"], sdp("offer"), "{ring}");
        assert_eq!(ring["video"], true, "{ring}");
        assert_eq!(ring["user"]["isFriend"], 1, "{ring}");
        let s = ws.signal().await;
        assert_relay(&s, "candidate", &a, &a1_id);
        assert_eq!(s["candidate"], candidate, "{s}");
    }

    // b2 answers first: a1 gets the answer, b1 stops ringing; a later answer counts for nothing.
    let answer = json!({ "to": a.id, "sdp": sdp("answer"), "callKey": key });
    send(&mut b2, "answer", answer.clone()).await;
    let s = a1.signal().await;
    assert_relay(&s, "answer", &b, &b2_id);
    assert_eq!(s["sdp"], sdp("answer"), "{s}");
    let s = expect(&mut b1, "hangup").await;
    assert!(s["key"].is_string(), "{s}");
    send(&mut b1, "answer", answer).await;

    // Candidates go between the calling and the answering socket only.
    send(
        &mut a1,
        "candidate",
        json!({ "to": b.id, "candidate": candidate }),
    )
    .await;
    let s = b2.signal().await;
    assert_relay(&s, "candidate", &a, &a1_id);
    assert_eq!(s["candidate"], candidate, "{s}");
    send(
        &mut b1,
        "candidate",
        json!({ "to": a.id, "candidate": candidate }),
    )
    .await;
    send(
        &mut a2,
        "candidate",
        json!({ "to": b.id, "candidate": candidate }),
    )
    .await;
    send(
        &mut b2,
        "candidate",
        json!({ "to": a.id, "candidate": candidate }),
    )
    .await;
    assert_relay(&a1.signal().await, "candidate", &b, &b2_id);
    // Markers: nothing else reached any socket before them.
    marker(&b, &a, &mut a1, "m1").await;
    assert_eq!(expect(&mut a2, "sendmessage").await["chat"]["text"], "m1");
    marker(&a, &b, &mut b2, "m2").await;
    assert_eq!(expect(&mut b1, "sendmessage").await["chat"]["text"], "m2");

    send(&mut a1, "hangup", json!({ "to": b.id })).await;
    assert_relay(&b2.signal().await, "hangup", &a, &a1_id);
    let edited = call_message(&mut b2, "editmessage").await;
    assert_eq!(edited["id"], key.as_str());
    assert!(edited["duration"].as_f64().unwrap_or(0.0) > 0.0, "{edited}");
    let s = expect(&mut b2, "hangup").await;
    assert!(s["key"].is_string(), "{s}");
    assert_eq!(s["from"], a.id.as_str(), "{s}");
    assert_eq!(s["user"]["id"], a.id.as_str(), "{s}");
    for ws in [&mut a1, &mut a2, &mut b1] {
        let m = call_message(ws, "editmessage").await;
        assert_eq!(m["duration"], edited["duration"], "{m}");
    }
    let stored = chat_with(&b, &a).await;
    let stored = stored
        .iter()
        .find(|m| m["id"] == key.as_str())
        .expect("call message");
    assert_eq!(stored["duration"], edited["duration"], "{stored}");
    // The call is over: a hangup now reaches nobody.
    send(&mut a1, "hangup", json!({ "to": b.id })).await;
    marker(&a, &b, &mut b2, "m3").await;
}

/// `a` (on `a1`) calls `b`, whose `sockets` all get the message and ring;
/// returns the callKey.
pub(crate) async fn ring(a1: &mut WsClient, b: &TestUser, sockets: &mut [&mut WsClient]) -> String {
    offer(a1, b).await;
    let key = call_message(a1, "sendmessage").await["id"]
        .as_str()
        .expect("callKey")
        .to_string();
    for ws in sockets.iter_mut() {
        assert_eq!(call_message(ws, "sendmessage").await["id"], key.as_str());
        assert_eq!(expect(ws, "offer").await["callKey"], key.as_str());
    }
    key
}

#[actix_web::test]
async fn reject_ends_the_call_as_rejected_and_stops_every_ringing_socket() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, b1_id) = socket(&b).await;
    let (mut b2, _) = socket(&b).await;
    let key = ring(&mut a1, &b, &mut [&mut b1, &mut b2]).await;

    send(&mut b1, "reject", json!({ "to": a.id, "callKey": key })).await;
    let s = a1.signal().await;
    assert_relay(&s, "reject", &b, &b1_id);
    assert_eq!(s["callKey"], key.as_str(), "{s}");
    assert_eq!(call_message(&mut a1, "editmessage").await["duration"], -1);
    let s = expect(&mut a1, "hangup").await;
    assert_eq!(
        (s["from"].as_str(), s["user"]["id"].as_str()),
        (Some(b.id.as_str()), Some(b.id.as_str())),
        "{s}"
    );
    assert!(s["key"].is_string(), "{s}");
    assert_eq!(call_message(&mut b1, "editmessage").await["duration"], -1);
    assert_eq!(call_message(&mut b2, "editmessage").await["duration"], -1);
    let s = expect(&mut b2, "hangup").await;
    assert!(s["key"].is_string(), "{s}");
    // b1 rejected: it gets no hangup of its own.
    marker(&a, &b, &mut b1, "after reject").await;
}

#[actix_web::test]
async fn hangup_before_an_answer_reads_not_answered() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, a1_id) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let key = ring(&mut a1, &b, &mut [&mut b1]).await;

    send(&mut a1, "hangup", json!({ "to": b.id })).await;
    assert_relay(&b1.signal().await, "hangup", &a, &a1_id);
    let m = call_message(&mut b1, "editmessage").await;
    assert_eq!(
        (m["id"].as_str(), m["duration"].as_i64()),
        (Some(key.as_str()), Some(0))
    );
    let s = expect(&mut b1, "hangup").await;
    assert_eq!(s["from"], a.id.as_str(), "{s}");
    assert_eq!(call_message(&mut a1, "editmessage").await["duration"], 0);
}

#[actix_web::test]
async fn callee_without_a_socket_means_calloffline() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, _) = socket(&a).await;
    offer(&mut a1, &b).await;
    let key = call_message(&mut a1, "sendmessage").await["id"].clone();
    let s = expect(&mut a1, "calloffline").await;
    assert_eq!(s["user"]["id"], b.id.as_str(), "{s}");
    let m = call_message(&mut a1, "editmessage").await;
    assert_eq!((&m["id"], m["duration"].as_i64()), (&key, Some(0)));
    // The call is over: once b is online, a can call again.
    let (mut b1, _) = socket(&b).await;
    let again = ring(&mut a1, &b, &mut [&mut b1]).await;
    assert_ne!(json!(again), key);
    let stored = chat_with(&b, &a).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored[0]["duration"], 0);
}

#[actix_web::test]
async fn offers_to_strangers_to_oneself_or_from_a_busy_caller_are_dropped() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let mut users = srv.users(2).await;
    let (stranger, d) = (users.remove(0), users.remove(0));
    befriend(&a, &d).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let (mut s1, _) = socket(&stranger).await;
    let (mut d1, _) = socket(&d).await;

    offer(&mut s1, &a).await;
    marker(&stranger, &a, &mut a1, "not a friend").await;
    marker(&a, &stranger, &mut s1, "no call for you").await;
    offer(&mut a1, &a).await;
    marker(&b, &a, &mut a1, "not yourself").await;
    assert!(chat_with(&a, &stranger)
        .await
        .iter()
        .all(|m| m["type"] == "text"));

    ring(&mut a1, &b, &mut [&mut b1]).await;
    offer(&mut a1, &d).await;
    marker(&a, &d, &mut d1, "a is busy").await;
    marker(&d, &a, &mut a1, "nothing for a either").await;
    // The callee who is ringing is in a call too.
    offer(&mut b1, &d).await;
    marker(&b, &d, &mut d1, "b is busy").await;
    assert!(chat_with(&d, &a).await.iter().all(|m| m["type"] == "text"));
}

#[actix_web::test]
async fn a_third_user_cannot_reach_into_a_call() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let c = srv.users(1).await.remove(0);
    befriend(&c, &a).await;
    befriend(&c, &b).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, b1_id) = socket(&b).await;
    let (mut c1, _) = socket(&c).await;
    let key = ring(&mut a1, &b, &mut [&mut b1]).await;

    for to in [&a, &b] {
        let answer = json!({ "to": to.id, "sdp": sdp("answer"), "callKey": key });
        send(&mut c1, "answer", answer).await;
        send(
            &mut c1,
            "candidate",
            json!({ "to": to.id, "candidate": {} }),
        )
        .await;
        send(&mut c1, "reject", json!({ "to": to.id, "callKey": key })).await;
        send(&mut c1, "hangup", json!({ "to": to.id })).await;
    }
    // The caller cannot answer its own call either.
    send(
        &mut a1,
        "answer",
        json!({ "to": b.id, "sdp": sdp("answer"), "callKey": key }),
    )
    .await;
    marker(&c, &a, &mut a1, "to a").await;
    marker(&c, &b, &mut b1, "to b").await;

    // The call is untouched: b can still answer it.
    send(
        &mut b1,
        "answer",
        json!({ "to": a.id, "sdp": sdp("answer"), "callKey": key }),
    )
    .await;
    assert_relay(&a1.signal().await, "answer", &b, &b1_id);
}

#[actix_web::test]
async fn a_call_nobody_answers_ends_after_the_ring_timeout() {
    let srv = TestServer::start_with(&["--call-ring-timeout", "1"]).await;
    let (a, b) = friends(&srv).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let key = ring(&mut a1, &b, &mut [&mut b1]).await;
    for ws in [&mut a1, &mut b1] {
        let m = call_message(ws, "editmessage").await;
        assert_eq!(
            (m["id"].as_str(), m["duration"].as_i64()),
            (Some(key.as_str()), Some(0))
        );
    }
    assert_eq!(expect(&mut b1, "hangup").await["from"], a.id.as_str());
    assert_eq!(expect(&mut a1, "hangup").await["from"], b.id.as_str());
}
