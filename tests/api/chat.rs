//! Chats: group and one-to-one messages, edit, delete, clear, read receipts,
//! media, history, and concurrent senders.

use diesel::prelude::*;
use futures_util::future::join_all;
use kirimin::db::schema::messages;
use serde_json::{json, Value};

use crate::common::{create_group, join, TestServer, TestUser, PNG_DATA_URL};

fn send_path(roomtype: &str, id: &str) -> String {
    format!("/x/room/sendMessage/{roomtype}/{id}")
}

pub(crate) async fn say(user: &TestUser, roomtype: &str, id: &str, text: &str) -> Value {
    user.post(&send_path(roomtype, id), json!({ "text": text }))
        .await
        .assert_ok()
}

fn stored_messages(srv: &TestServer) -> i64 {
    srv.db(|c| messages::table.count().get_result(c).unwrap())
}

/// A group of `n` users (the first owns it): the users, the group id and its invite link.
pub(crate) async fn group_of(srv: &TestServer, n: usize) -> (Vec<TestUser>, String, String) {
    let users = srv.users(n).await;
    let (gid, link) = create_group(&users[0], "chat").await;
    for u in &users[1..] {
        join(u, &gid, &link).await.assert_ok();
    }
    (users, gid, link)
}

#[actix_web::test]
async fn group_message_reaches_every_other_socket_once() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 3).await;
    let (owner, a, b) = (&users[0], &users[1], &users[2]);
    let mut owner_ws = owner.socket().await;
    let mut a_tabs = [a.socket().await, a.socket().await];
    let mut b_ws = b.socket().await;

    let data = say(owner, "group", &gid, "hello <b>all</b>").await;
    let chat = &data["chat"];
    assert_eq!(chat["userid"], json!(owner.id));
    assert_eq!(chat["type"], json!("text"));
    assert_eq!(chat["text"], json!("hello <b>all</b>"));
    assert_eq!(chat["reply"], json!(null));
    assert_eq!(chat["edited"], json!(null));
    assert_eq!(chat["source"], json!(null));
    assert_eq!(chat["readers"], json!([]));
    assert!(chat["timestamp"].as_i64().unwrap() > 0);
    let id = chat["id"].as_str().unwrap();
    assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(data["roomdata"]["id"], json!(gid));
    assert_eq!(data["users"].as_array().unwrap().len(), 3);

    for ws in a_tabs.iter_mut().chain([&mut b_ws]) {
        let sig = ws.signal().await;
        assert_eq!(sig["type"], json!("sendmessage"));
        assert_eq!(sig["from"], json!(owner.id));
        assert_eq!(sig["chat"], data["chat"]);
        assert_eq!(sig["roomdata"]["id"], json!(gid));
        assert_eq!(sig["users"].as_array().unwrap().len(), 3);
        assert_eq!(sig["sender"]["id"], json!(owner.id));
        assert_eq!(sig["key"].as_str().unwrap().len(), 32);
    }
    // Markers through the same group: no socket got a second copy, and the
    // sender's own socket got nothing, or that would come first.
    say(b, "group", &gid, "marker from b").await;
    for ws in a_tabs.iter_mut().chain([&mut owner_ws]) {
        ws.assert_next_message("marker from b").await;
    }
    say(a, "group", &gid, "marker from a").await;
    b_ws.assert_next_message("marker from a").await;
}

#[actix_web::test]
async fn kicked_member_cannot_send_and_gets_nothing() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 3).await;
    let (owner, stay, kicked) = (&users[0], &users[1], &users[2]);
    say(kicked, "group", &gid, "before").await;
    let mut kicked_ws = kicked.socket().await;
    let mut stay_ws = stay.socket().await;
    owner
        .post(&format!("/x/group/kick/{gid}/{}", kicked.id), json!({}))
        .await
        .assert_ok();
    assert_eq!(kicked_ws.signal().await["type"], json!("memberkick"));
    assert_eq!(stay_ws.signal().await["type"], json!("memberleave"));
    let before = stored_messages(&srv);

    kicked
        .post(&send_path("group", &gid), json!({ "text": "let me in" }))
        .await
        .assert_err(403, "GRP_KICKED");
    assert_eq!(stored_messages(&srv), before, "stored nowhere");

    // The owner's message is the marker: the refused one would come first.
    say(owner, "group", &gid, "after").await;
    stay_ws.assert_next_message("after").await;
    // The kicked member's socket gets nothing of the group: a one-to-one
    // message from the owner, sent after, must be the next thing it reads.
    say(owner, "user", &kicked.id, "direct marker").await;
    kicked_ws.assert_next_message("direct marker").await;
    kicked
        .get(&format!("/x/room/history/group/{gid}"))
        .await
        .assert_err(403, "GRP_KICKED");
    let outsider = srv.user("outsider@example.com").await;
    outsider
        .post(&send_path("group", "123456789"), json!({ "text": "x" }))
        .await
        .assert_err(403, "GRP_KICKED");
}

#[actix_web::test]
async fn one_to_one_chat_is_created_for_both() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let mut bob_ws = bob.socket().await;
    let mut alice_ws = alice.socket().await;

    alice
        .post(&send_path("user", "999999999"), json!({ "text": "hi" }))
        .await
        .assert_err(404, "FIND_NOTFOUND");
    alice
        .post(&send_path("user", &alice.id), json!({ "text": "me" }))
        .await
        .assert_err(404, "FIND_NOTFOUND");
    alice
        .post(&send_path("channel", &bob.id), json!({ "text": "hi" }))
        .await
        .assert_err(404, "ROOM_TYPE_NOT_FOUND");

    let data = say(alice, "user", &bob.id, "hi bob").await;
    assert_eq!(data["roomdata"]["id"], json!(bob.id));
    assert_eq!(data["roomdata"]["type"], json!("user"));
    assert_eq!(data["roomdata"]["short"], json!(format!("u{}", bob.id)));
    let sig = bob_ws.signal().await;
    assert_eq!(sig["type"], json!("sendmessage"));
    assert_eq!(sig["chat"]["text"], json!("hi bob"));
    assert_eq!(
        sig["roomdata"]["id"],
        json!(alice.id),
        "the room as bob sees it"
    );

    for (me, other) in [(alice, bob), (bob, alice)] {
        let c = me.is_user().await["c"].clone();
        let rooms = c.as_array().unwrap();
        assert_eq!(rooms.len(), 1);
        assert_eq!(rooms[0]["r"]["id"], json!(other.id));
        assert_eq!(rooms[0]["r"]["type"], json!("user"));
        assert_eq!(rooms[0]["m"][0]["text"], json!("hi bob"));
        assert_eq!(rooms[0]["u"].as_array().unwrap().len(), 2);
    }
    // Bob's answer is the next thing alice's socket reads: her own message
    // was not echoed to her.
    say(bob, "user", &alice.id, "hi alice").await;
    let sig = alice_ws.signal().await;
    assert_eq!(sig["chat"]["text"], json!("hi alice"), "got {sig}");
    assert_eq!(sig["roomdata"]["id"], json!(bob.id));
}

#[actix_web::test]
async fn message_content_rules() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let me = &users[0];
    let path = send_path("group", &gid);
    me.post(&path, json!({ "text": "   " }))
        .await
        .assert_err(404, "MSG_TEXT_REQUIRED");
    me.post(&path, json!({}))
        .await
        .assert_err(404, "MSG_TEXT_REQUIRED");
    me.post(&path, json!({ "text": "x".repeat(501) }))
        .await
        .assert_err(404, "MSG_TEXT_LENGTH");
    me.post(&path, json!({ "text": 5 }))
        .await
        .assert_err(400, "BAD_REQUEST");
    me.post(&path, json!({ "text": "", "type": "image" }))
        .await
        .assert_err(404, "MSG_NO_FILE_SENT");
    me.post(&path, json!({ "text": "", "type": "image", "filesrc": "" }))
        .await
        .assert_err(404, "MSG_NO_FILE_SENT");
    let big = format!(
        "data:application/octet-stream;base64,{}",
        "A".repeat(4 * 1024 * 1024)
    );
    me.post(
        &path,
        json!({ "text": "", "type": "file", "filename": "a.bin", "filesrc": big }),
    )
    .await
    .assert_err(413, "ACC_FILE_LIMIT");
    me.post(&path, json!({ "text": "hi", "reply": "nosuchid" }))
        .await
        .assert_err(404, "MSG_NOT_FOUND");
    assert_eq!(stored_messages(&srv), 0);
    let unicode = "é".repeat(500);
    say(me, "group", &gid, &unicode).await;
    let first = say(me, "group", &gid, "first").await["chat"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = me
        .post(&path, json!({ "text": "answer", "reply": first }))
        .await
        .assert_ok();
    assert_eq!(reply["chat"]["reply"], json!(first));
}

#[actix_web::test]
async fn edit_and_delete_with_their_signals_and_errors() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let (owner, member) = (&users[0], &users[1]);
    let mut member_ws = member.socket().await;
    let id = say(owner, "group", &gid, "typo").await["chat"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    member_ws.signal().await;
    let path = send_path("group", &gid);

    member
        .post(&path, json!({ "text": "mine now", "edit": id }))
        .await
        .assert_err(404, "MSG_NOT_OWNER");
    owner
        .post(&path, json!({ "text": "x", "edit": "nosuch" }))
        .await
        .assert_err(404, "MSG_NOT_FOUND");
    owner
        .post(&path, json!({ "text": " ", "edit": id }))
        .await
        .assert_err(404, "MSG_TEXT_REQUIRED");
    let edited = owner
        .post(&path, json!({ "text": "fixed", "edit": id }))
        .await
        .assert_ok();
    assert_eq!(edited["chat"]["text"], json!("fixed"));
    assert!(edited["chat"]["edited"].as_i64().is_some());
    let sig = member_ws.signal().await;
    assert_eq!(sig["type"], json!("editmessage"));
    assert_eq!(sig["chat"]["id"], json!(id));
    assert_eq!(sig["chat"]["text"], json!("fixed"));

    srv.db(|c| {
        diesel::update(messages::table.filter(messages::id.eq(&id)))
            .set(messages::created_at.eq(kirimin::ids::now_ms() - 16 * 60 * 1000))
            .execute(c)
            .unwrap()
    });
    owner
        .post(&path, json!({ "text": "too late", "edit": id }))
        .await
        .assert_err(404, "CONTENT_EDIT_EXPIRED");

    let del = format!("/x/room/delMessage/group/{gid}/{id}");
    member
        .post(&del, json!({}))
        .await
        .assert_err(404, "MSG_NOT_OWNER");
    owner
        .post(&format!("/x/room/delMessage/group/{gid}/nosuch"), json!({}))
        .await
        .assert_err(404, "MSG_NOT_FOUND");
    // The refused edit and deletes signalled nothing: the next signal the
    // member reads is the owner's real delete below.
    let deleted = owner.post(&del, json!({})).await.assert_ok();
    assert_eq!(deleted["chat"]["type"], json!("deleted"));
    assert_eq!(deleted["chat"]["text"], json!(""));
    let sig = member_ws.signal().await;
    assert_eq!(sig["type"], json!("deletemessage"));
    assert_eq!(sig["chat"]["type"], json!("deleted"));
    owner
        .post(&del, json!({}))
        .await
        .assert_err(404, "MSG_NOT_FOUND");
}

#[actix_web::test]
async fn clear_history_rules_and_signals() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let (owner, member) = (&users[0], &users[1]);
    say(member, "group", &gid, "one").await;
    let mut member_ws = member.socket().await;
    member
        .post(&format!("/x/room/clear/group/{gid}"), json!({}))
        .await
        .assert_err(403, "GRPS_OWNER_FEATURE");
    assert_eq!(stored_messages(&srv), 1);
    owner
        .post(&format!("/x/room/clear/group/{gid}"), json!({}))
        .await
        .assert_ok();
    let sig = member_ws.signal().await;
    assert_eq!(sig["type"], json!("clearhistory"));
    assert_eq!(sig["roomid"], json!(gid));
    assert_eq!(stored_messages(&srv), 0);

    let mut owner_ws = owner.socket().await;
    say(owner, "user", &member.id, "private").await;
    member_ws.signal().await;
    member
        .post(&format!("/x/room/clear/user/{}", owner.id), json!({}))
        .await
        .assert_ok();
    let sig = owner_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["roomid"].as_str()),
        (Some("clearhistory"), Some(member.id.as_str()))
    );
    assert_eq!(stored_messages(&srv), 0);
}

#[actix_web::test]
async fn read_receipts_mark_and_signal() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 3).await;
    let (owner, reader, other) = (&users[0], &users[1], &users[2]);
    let mut owner_ws = owner.socket().await;
    let mut other_ws = other.socket().await;
    let mut reader_ws = reader.socket().await;
    let id = say(owner, "group", &gid, "read me").await["chat"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    other_ws.signal().await;
    reader_ws.signal().await;

    reader_ws
        .send_text(&json!({ "identifier": "kirimin", "type": "readAllMessages", "roomid": gid, "roomtype": "group" }).to_string())
        .await;
    for ws in [&mut owner_ws, &mut other_ws] {
        let sig = ws.signal().await;
        assert_eq!(sig["type"], json!("readAllMessages"));
        assert_eq!(sig["roomid"], json!(gid));
        assert_eq!(sig["from"], json!(reader.id));
    }
    let page = owner
        .get(&format!("/x/room/history/group/{gid}"))
        .await
        .assert_ok();
    let msg = page["m"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == json!(id))
        .unwrap()
        .clone();
    assert_eq!(msg["readers"], json!([reader.id]));

    // One-to-one: the other side is told, with the room id as they see it.
    let mut dm_reader_ws = reader.socket().await;
    say(owner, "user", &reader.id, "dm").await;
    dm_reader_ws.signal().await;
    // The reader's own group receipt was not echoed back: the dm, sent
    // after the others got the receipt, is the next thing it reads.
    reader_ws.assert_next_message("dm").await;
    reader_ws
        .send_text(&json!({ "identifier": "kirimin", "type": "readAllMessages", "roomid": owner.id, "roomtype": "user" }).to_string())
        .await;
    let sig = owner_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["roomid"].as_str()),
        (Some("readAllMessages"), Some(reader.id.as_str()))
    );
}

#[actix_web::test]
async fn media_upload_download_and_access() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 3).await;
    let (owner, member, kicked) = (&users[0], &users[1], &users[2]);
    let outsider = srv.user("media-outsider@example.com").await;
    let data = owner
        .post(&send_path("group", &gid), json!({ "text": "look", "type": "image", "filename": "cat.png", "filesrc": PNG_DATA_URL }))
        .await
        .assert_ok();
    let source = data["chat"]["source"].as_str().unwrap().to_string();
    assert!(source.ends_with(".png") && !source.contains('/'));
    let url = format!("/file/media/group/{gid}/{source}");
    let got = member.get(&url).await;
    assert_eq!(
        (
            got.status,
            got.headers.get("content-type").unwrap().to_str().unwrap()
        ),
        (200, "image/png")
    );
    assert_eq!(outsider.get(&url).await.status, 404);
    assert_eq!(kicked.get(&url).await.status, 200);
    owner
        .post(&format!("/x/group/kick/{gid}/{}", kicked.id), json!({}))
        .await
        .assert_ok();
    assert_eq!(
        kicked.get(&url).await.status,
        404,
        "a kicked member loses the files at once"
    );
    assert_eq!(
        member
            .get(&format!("/file/media/group/{gid}/..%2F..%2Fkirimin.db"))
            .await
            .status,
        400
    );
    assert_eq!(
        member
            .get(&format!("/file/media/group/{gid}/nosuchfile.png"))
            .await
            .status,
        404
    );

    let voice = owner
        .post(
            &send_path("user", &member.id),
            json!({ "text": "", "type": "voice", "filename": "note.ogg", "filesrc": "data:audio/ogg;base64,T2dnUwACAAAAAAAA", "duration": 1.5 }),
        )
        .await
        .assert_ok();
    assert_eq!(voice["chat"]["duration"], json!(1.5));
    let vsrc = voice["chat"]["source"].as_str().unwrap();
    assert_eq!(
        member
            .get(&format!("/file/media/user/{}/{vsrc}", owner.id))
            .await
            .status,
        200
    );
    assert_eq!(
        owner
            .get(&format!("/file/media/user/{}/{vsrc}", member.id))
            .await
            .status,
        200
    );
    assert_eq!(
        outsider
            .get(&format!("/file/media/user/{}/{vsrc}", owner.id))
            .await
            .status,
        404
    );

    let del = format!(
        "/x/room/delMessage/group/{gid}/{}",
        data["chat"]["id"].as_str().unwrap()
    );
    owner.post(&del, json!({})).await.assert_ok();
    assert_eq!(
        member.get(&url).await.status,
        404,
        "a deleted message's file is gone"
    );
}

#[actix_web::test]
async fn history_pages_older_messages() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let me = &users[0];
    let mut ids = Vec::new();
    for i in 0..130 {
        ids.push(
            say(me, "group", &gid, &format!("m{i}")).await["chat"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let texts = |v: &Value| -> Vec<String> {
        v["m"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_string())
            .collect()
    };
    let last = me
        .get(&format!("/x/room/history/group/{gid}"))
        .await
        .assert_ok();
    assert_eq!(
        texts(&last),
        (80..130).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    let older = me
        .get(&format!(
            "/x/room/history/group/{gid}?before={}&limit=30",
            ids[80]
        ))
        .await
        .assert_ok();
    assert_eq!(
        texts(&older),
        (50..80).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    let capped = me
        .get(&format!("/x/room/history/group/{gid}?limit=1000"))
        .await
        .assert_ok();
    assert_eq!(texts(&capped).len(), 130);
    me.get(&format!("/x/room/history/group/{gid}?limit=abc"))
        .await
        .assert_err(400, "BAD_REQUEST");
    me.get(&format!("/x/room/history/group/{gid}?before=nosuch"))
        .await
        .assert_err(404, "MSG_NOT_FOUND");
    let c = me.is_user().await["c"].clone();
    let m = c[0]["m"].as_array().unwrap();
    assert_eq!(m.len(), 100);
    assert_eq!(m[99]["text"], json!("m129"));
}

#[actix_web::test]
async fn concurrent_senders_lose_nothing_and_everyone_sees_one_order() {
    // The watchers read only after all 200 sends are answered; on a loaded
    // machine that can outlast the default 15 s heartbeat timeout, and an
    // unread socket does not answer pings.
    let srv =
        TestServer::start_with(&["--group-member-limit", "300", "--ws-timeout-ms", "120000"]).await;
    let (users, gid, _) = group_of(&srv, 203).await;
    let watchers = &users[200..203];
    let mut sockets = Vec::new();
    for w in watchers {
        sockets.push(w.socket().await);
    }
    let senders = &users[..200];
    let path = send_path("group", &gid);
    let sends = join_all(senders.iter().enumerate().map(|(i, u)| {
        let (text, path) = (format!("msg {i}"), path.clone());
        async move { u.post(&path, json!({ "text": text })).await }
    }));
    // Read while sending: a socket that is not read answers no pings, and
    // on a loaded machine the sends can outlast the server's socket timeout.
    let reads = join_all(sockets.iter_mut().map(|ws| async move {
        let mut seen = Vec::new();
        for _ in 0..200 {
            let sig = ws.signal().await;
            assert_eq!(sig["type"], json!("sendmessage"));
            seen.push(sig["chat"]["id"].as_str().unwrap().to_string());
        }
        seen
    }));
    let (answers, orders) = futures_util::future::join(sends, reads).await;
    assert!(
        answers.iter().all(|a| a.status == 200),
        "every send accepted"
    );
    assert_eq!(orders[0], orders[1]);
    assert_eq!(orders[1], orders[2]);
    let mut unique = orders[0].clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 200, "no duplicates");
    assert_eq!(stored_messages(&srv), 200);
    let page = watchers[0]
        .get(&format!("/x/room/history/group/{gid}?limit=200"))
        .await
        .assert_ok();
    let stored: Vec<String> = page["m"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored, orders[0], "delivery order is storage order");
    // No socket got a message twice: a marker sent after every answer is
    // the next thing each reads.
    say(&users[0], "group", &gid, "marker").await;
    for ws in sockets.iter_mut() {
        ws.assert_next_message("marker").await;
    }
}
