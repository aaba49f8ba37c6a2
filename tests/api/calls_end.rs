//! Calls (API.md section 9), continued: calls that end because a socket
//! closed or the server restarted, what may be done with call messages, and
//! `isUser`'s `peer`.

use diesel::RunQueryDsl;
use serde_json::json;

use crate::calls::{call_message, chat_with, expect, friends, marker, ring, sdp, send, socket};
use crate::common::TestServer;

#[actix_web::test]
async fn closing_a_party_socket_ends_the_call() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let (b2, _) = socket(&b).await;

    // The answering socket closes: the caller is hung up on, by b.
    let key = ring(&mut a1, &b, &mut [&mut b1]).await;
    send(
        &mut b1,
        "answer",
        json!({ "to": a.id, "sdp": sdp("answer"), "callKey": key }),
    )
    .await;
    expect(&mut a1, "answer").await;
    b1.close().await;
    let m = call_message(&mut a1, "editmessage").await;
    assert_eq!(m["id"], key.as_str());
    assert!(m["duration"].as_f64().unwrap_or(0.0) > 0.0, "{m}");
    let s = expect(&mut a1, "hangup").await;
    assert_eq!(s["from"], b.id.as_str(), "{s}");
    drop(b2);

    // The calling socket closes while ringing: the callee is hung up on, by a.
    let (mut b3, _) = socket(&b).await;
    let key = ring(&mut a1, &b, &mut [&mut b3]).await;
    a1.close().await;
    let m = call_message(&mut b3, "editmessage").await;
    assert_eq!(
        (m["id"].as_str(), m["duration"].as_i64()),
        (Some(key.as_str()), Some(0))
    );
    let s = expect(&mut b3, "hangup").await;
    assert_eq!(s["from"], a.id.as_str(), "{s}");

    // A socket of the callee that did not answer closing ends nothing.
    let (mut a2, _) = socket(&a).await;
    let (mut b4, _) = socket(&b).await;
    let (mut b5, _) = socket(&b).await;
    let key = ring(&mut a2, &b, &mut [&mut b3, &mut b4, &mut b5]).await;
    send(
        &mut b4,
        "answer",
        json!({ "to": a.id, "sdp": sdp("answer"), "callKey": key }),
    )
    .await;
    expect(&mut a2, "answer").await;
    expect(&mut b3, "hangup").await;
    expect(&mut b5, "hangup").await;
    b5.close().await;
    b3.close().await;
    marker(&b, &a, &mut a2, "still in the call").await;
    send(&mut b4, "hangup", json!({ "to": a.id })).await;
    expect(&mut a2, "hangup").await;
}

#[actix_web::test]
async fn call_messages_cannot_be_edited_but_their_author_may_delete_them() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let key = ring(&mut a1, &b, &mut [&mut b1]).await;
    send(&mut a1, "hangup", json!({ "to": b.id })).await;
    call_message(&mut a1, "editmessage").await;

    for (me, other) in [(&a, &b), (&b, &a)] {
        me.post(
            &format!("/x/room/sendMessage/user/{}", other.id),
            json!({ "text": "edited", "edit": key }),
        )
        .await
        .assert_err(404, "MSG_EDIT_OTHER");
    }
    let stored = chat_with(&a, &b).await;
    assert_eq!(stored[0]["type"], "call", "{stored:?}");
    assert_eq!(stored[0]["text"], "", "{stored:?}");

    let path = |other: &str| format!("/x/room/delMessage/user/{other}/{key}");
    let refused = b.post(&path(&a.id), json!({})).await;
    assert_eq!(refused.msg(), "MSG_NOT_OWNER", "{}", refused.body);
    let data = a.post(&path(&b.id), json!({})).await.assert_ok();
    assert_eq!(data["chat"]["type"], "deleted", "{data}");
    assert_eq!(chat_with(&b, &a).await[0]["type"], "deleted");
}

#[actix_web::test]
async fn calls_left_over_end_when_the_server_starts() {
    let mut srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let key = ring(&mut a1, &b, &mut [&mut b1]).await;
    send(
        &mut b1,
        "answer",
        json!({ "to": a.id, "sdp": sdp("answer"), "callKey": key }),
    )
    .await;
    expect(&mut a1, "answer").await;
    srv.restart().await;
    let stored = chat_with(&a, &b).await;
    assert_eq!(stored[0]["id"], key.as_str());
    assert!(
        stored[0]["duration"].as_f64().unwrap_or(0.0) > 0.0,
        "{stored:?}"
    );

    // A server that died mid-call left the call live in the database.
    srv.db(|c| {
        diesel::sql_query("UPDATE calls SET ended_at = NULL, duration = NULL, answered_at = NULL")
            .execute(c)
            .expect("update");
        diesel::sql_query("UPDATE messages SET duration = -2 WHERE kind = 'call'")
            .execute(c)
            .expect("update");
    });
    assert_eq!(chat_with(&a, &b).await[0]["duration"], -2);
    srv.restart().await;
    assert_eq!(chat_with(&b, &a).await[0]["duration"], 0);
    // Nobody is left in a call: a can call b again.
    let (mut a1, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    ring(&mut a1, &b, &mut [&mut b1]).await;
}

#[actix_web::test]
async fn peer_is_the_json_of_the_peer_config_file() {
    let files = tempfile::tempdir().expect("temp dir");
    let peer = json!({ "iceServers": [{ "urls": "stun:stun.example.org:3478" },
        { "urls": ["turn:turn.example.org"], "username": "u", "credential": "c" }] });
    let path = files.path().join("peer.json");
    std::fs::write(&path, peer.to_string()).expect("write");
    let path = path.to_string_lossy().into_owned();
    let srv = TestServer::start_with(&["--peer-config", &path]).await;
    let me = srv.users(1).await.remove(0);
    assert_eq!(me.is_user().await["peer"], peer);

    let plain = TestServer::start().await;
    let me = plain.users(1).await.remove(0);
    let data = me.is_user().await;
    assert!(data.get("peer").is_some_and(|p| p.is_null()), "{data}");

    let bad = files.path().join("bad.json");
    std::fs::write(&bad, "{ not json").expect("write");
    let missing = files.path().join("missing.json");
    for file in [bad, missing] {
        let file = file.to_string_lossy().into_owned();
        let args = ["--bind", "127.0.0.1:0", "--peer-config", &file];
        let config = kirimin::Config::with_data_dir(files.path(), &args).expect("config");
        match kirimin::start(config).await {
            Ok(_) => panic!("started with a bad --peer-config {file}"),
            Err(e) => {
                assert!(e.contains("--peer-config"), "{e}");
                assert!(!e.contains('\n'), "one line: {e}");
            }
        }
    }
}

#[actix_web::test]
async fn a_late_frame_of_an_ended_call_does_not_touch_the_next_one() {
    let srv = TestServer::start().await;
    let (a, b) = friends(&srv).await;
    let (mut a1, _) = socket(&a).await;
    let (mut b1, _) = socket(&b).await;
    let first = ring(&mut a1, &b, &mut [&mut b1]).await;
    send(&mut a1, "hangup", json!({ "to": b.id })).await;
    call_message(&mut a1, "editmessage").await;
    expect(&mut b1, "hangup").await;
    call_message(&mut b1, "editmessage").await;
    expect(&mut b1, "hangup").await;

    let second = ring(&mut a1, &b, &mut [&mut b1]).await;
    send(&mut b1, "hangup", json!({ "to": a.id, "callKey": first })).await;
    send(&mut b1, "reject", json!({ "to": a.id, "callKey": first })).await;
    marker(&b, &a, &mut a1, "the second call still rings").await;
    let answer = json!({ "to": a.id, "sdp": sdp("answer"), "callKey": second });
    send(&mut b1, "answer", answer).await;
    assert_eq!(expect(&mut a1, "answer").await["callKey"], second.as_str());
}
