//! The global room (`696969`): every signed-in user reads and writes it,
//! signals reach every other user's sockets, owner-only endpoints are refused.

use serde_json::{json, Value};

use crate::chat::say;
use crate::common::{create_group, TestServer, TestUser, PNG_DATA_URL};

const GLOBAL: &str = "696969";

fn global_room() -> Value {
    json!({ "owner": "-1", "id": GLOBAL, "long": "Global", "short": "Global",
            "badges": [5], "type": "group" })
}

/// The next signal on `ws` must be `kind` from `from` (a marker that proves
/// nothing else arrived before it).
async fn expect_next(ws: &mut crate::common::WsClient, kind: &str, from: &TestUser) -> Value {
    let sig = ws.signal().await;
    assert_eq!(sig["type"], json!(kind), "unexpected frame {sig}");
    assert_eq!(sig["from"], json!(from.id));
    sig
}

#[actix_web::test]
async fn get_global_needs_a_session_and_shows_the_room() {
    let srv = TestServer::start().await;
    srv.get("/x/room/get-global")
        .await
        .assert_err(401, "UNAUTHORIZED");
    let me = srv.user("glob-me@example.com").await;
    let data = me.get("/x/room/get-global").await.assert_ok();
    assert_eq!(data["r"], global_room());
    assert_eq!(data["m"], json!([]));
    let u = data["u"].as_array().unwrap();
    assert_eq!(u.len(), 1, "the caller is always in u");
    assert_eq!(u[0]["id"], json!(me.id));
}

#[actix_web::test]
async fn a_message_reaches_every_other_users_sockets_once() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (a, b, c) = (&users[0], &users[1], &users[2]);
    let mut a_ws = a.socket().await;
    let mut b_tabs = [b.socket().await, b.socket().await];
    let mut c_ws = c.socket().await;

    let data = say(a, "group", GLOBAL, "hello world").await;
    assert_eq!(data["roomdata"], global_room());
    assert_eq!(data["chat"]["text"], json!("hello world"));
    assert_eq!(data["chat"]["readers"], json!([]), "no read receipts");
    assert_eq!(data["users"].as_array().unwrap().len(), 1);
    assert_eq!(data["users"][0]["id"], json!(a.id));

    let mut keys = Vec::new();
    for ws in b_tabs.iter_mut().chain([&mut c_ws]) {
        let sig = expect_next(ws, "sendmessage", a).await;
        assert_eq!(sig["chat"], data["chat"]);
        assert_eq!(sig["roomdata"], global_room());
        assert_eq!(sig["users"].as_array().unwrap().len(), 1);
        assert_eq!(sig["users"][0]["id"], json!(a.id));
        assert_eq!(sig["sender"]["id"], json!(a.id));
        keys.push(sig["key"].as_str().unwrap().to_string());
    }
    assert!(keys.iter().all(|k| k.len() == 32 && *k == keys[0]));

    // The author's own socket got nothing: the next frame there is b's reply.
    say(b, "group", GLOBAL, "hi a").await;
    let sig = expect_next(&mut a_ws, "sendmessage", b).await;
    assert_eq!(sig["chat"]["text"], json!("hi a"));
    // ... and b's other tab did not get its own message back.
    say(c, "group", GLOBAL, "marker").await;
    for ws in b_tabs.iter_mut() {
        let sig = expect_next(ws, "sendmessage", c).await;
        assert_eq!(sig["chat"]["text"], json!("marker"));
    }

    // Not part of anyone's chat list, but in get-global and history.
    assert_eq!(a.is_user().await["c"], json!([]));
    let global = c.get("/x/room/get-global").await.assert_ok();
    let texts: Vec<_> = global["m"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(
        texts,
        vec![json!("hello world"), json!("hi a"), json!("marker")]
    );
    let ids: Vec<_> = global["u"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(a.id), json!(b.id), json!(c.id)]);
    let history = b
        .get(&format!("/x/room/history/group/{GLOBAL}?limit=2"))
        .await
        .assert_ok();
    assert_eq!(history["m"].as_array().unwrap().len(), 2);
    assert_eq!(history["m"][1]["text"], json!("marker"));
}

#[actix_web::test]
async fn edit_and_delete_follow_the_message_rules() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (a, b) = (&users[0], &users[1]);
    let mut b_ws = b.socket().await;
    let sent = say(a, "group", GLOBAL, "draft").await;
    let id = sent["chat"]["id"].as_str().unwrap().to_string();
    expect_next(&mut b_ws, "sendmessage", a).await;
    let send = format!("/x/room/sendMessage/group/{GLOBAL}");

    b.post(&send, json!({ "text": "mine now", "edit": id }))
        .await
        .assert_err(404, "MSG_NOT_OWNER");
    b.post(&send, json!({ "text": "" }))
        .await
        .assert_err(404, "MSG_TEXT_REQUIRED");
    let edited = a
        .post(&send, json!({ "text": "final", "edit": id }))
        .await
        .assert_ok();
    assert_eq!(edited["chat"]["text"], json!("final"));
    let sig = expect_next(&mut b_ws, "editmessage", a).await;
    assert_eq!(sig["chat"]["text"], json!("final"));
    assert_eq!(sig["roomdata"], global_room());

    let del = format!("/x/room/delMessage/group/{GLOBAL}/{id}");
    b.post(&del, json!({}))
        .await
        .assert_err(404, "MSG_NOT_OWNER");
    let gone = a.post(&del, json!({})).await.assert_ok();
    assert_eq!(gone["chat"]["type"], json!("deleted"));
    let sig = expect_next(&mut b_ws, "deletemessage", a).await;
    assert_eq!(sig["chat"]["id"], json!(id));
    a.post(&del, json!({}))
        .await
        .assert_err(404, "MSG_NOT_FOUND");
}

#[actix_web::test]
async fn owner_only_endpoints_are_refused_and_nothing_changes() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (a, b) = (&users[0], &users[1]);
    let mut b_ws = b.socket().await;
    say(a, "group", GLOBAL, "keep me").await;
    expect_next(&mut b_ws, "sendmessage", a).await;

    a.post(&format!("/x/room/clear/group/{GLOBAL}"), json!({}))
        .await
        .assert_err(403, "GRPS_OWNER_FEATURE");
    a.post(
        "/x/group/set-groupname",
        json!({ "id": GLOBAL, "gname": "Mine" }),
    )
    .await
    .assert_err(403, "GRPS_OWNER_FEATURE");
    a.post(
        "/x/group/set-img",
        json!({ "id": GLOBAL, "name": "x.png", "img": PNG_DATA_URL }),
    )
    .await
    .assert_err(403, "GRPS_OWNER_FEATURE");
    a.post("/x/group/reset-link", json!({ "id": GLOBAL }))
        .await
        .assert_err(403, "GRPS_OWNER_FEATURE");
    a.post(&format!("/x/group/kick/{GLOBAL}/{}", b.id), json!({}))
        .await
        .assert_err(400, "GRPS_OWNER_FEATURE");
    a.post(&format!("/x/group/join/{GLOBAL}"), json!({ "link": "x" }))
        .await
        .assert_err(404, "INV_NOT_FOUND_DESC");
    b.post(&format!("/x/group/leave/{GLOBAL}"), json!({}))
        .await
        .assert_ok();

    // b is still reached, and no signal came from any of the above.
    say(a, "group", GLOBAL, "still here").await;
    let sig = expect_next(&mut b_ws, "sendmessage", a).await;
    assert_eq!(sig["chat"]["text"], json!("still here"));
    let m = b.get("/x/room/get-global").await.assert_ok()["m"].clone();
    assert_eq!(m.as_array().unwrap().len(), 2, "history was not cleared");
    assert_eq!(b.is_user().await["c"], json!([]));
}

#[actix_web::test]
async fn read_frames_for_it_are_ignored() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (a, b) = (&users[0], &users[1]);
    let mut a_ws = a.socket().await;
    let mut b_ws = b.socket().await;
    say(a, "group", GLOBAL, "read me").await;
    expect_next(&mut b_ws, "sendmessage", a).await;
    b_ws.send_text(
        &json!({ "identifier": "kirimin", "type": "readAllMessages",
                            "roomid": GLOBAL, "roomtype": "group" })
        .to_string(),
    )
    .await;
    // A group of a and b gives a signal a must see next: no read receipt first.
    let (gid, link) = create_group(a, "marker").await;
    crate::common::join(b, &gid, &link).await.assert_ok();
    let sig = expect_next(&mut a_ws, "memberjoin", b).await;
    assert_eq!(sig["groupid"], json!(gid));
    let m = a.get("/x/room/get-global").await.assert_ok()["m"].clone();
    assert_eq!(m[0]["readers"], json!([]));
}

#[actix_web::test]
async fn its_media_are_served_to_every_signed_in_user() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (a, b) = (&users[0], &users[1]);
    let sent = a
        .post(
            &format!("/x/room/sendMessage/group/{GLOBAL}"),
            json!({ "text": "", "type": "image", "filename": "dot.png", "filesrc": PNG_DATA_URL }),
        )
        .await
        .assert_ok();
    let source = sent["chat"]["source"].as_str().unwrap().to_string();
    let path = format!("/file/media/group/{GLOBAL}/{source}");
    let res = b.get(&path).await;
    assert_eq!(res.status, 200, "any signed-in user sees global media");
    srv.get(&path).await.assert_err(401, "UNAUTHORIZED");
    b.get(&format!("/file/media/group/{GLOBAL}/nope.png"))
        .await
        .assert_err(404, "NOT_FOUND");
}
