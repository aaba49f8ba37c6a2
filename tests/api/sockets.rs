//! Sockets under pressure: logout and session end, frame floods, frames for
//! rooms the sender is not in, continuation frames (issue 11, 6, 8, 12).

use std::time::Duration;

use actix_http::ws::Item;
use awc::ws::{CloseCode, Message};
use serde_json::json;

use crate::common::{create_group, join, Read, TestServer};

fn read_all(roomtype: &str, roomid: &str) -> String {
    json!({ "identifier": "kirimin", "type": "readAllMessages", "roomid": roomid, "roomtype": roomtype })
        .to_string()
}

#[track_caller]
fn assert_closed_with(read: Read, code: CloseCode) {
    match read {
        Read::Closed(Some(reason)) => assert_eq!(reason.code, code, "{reason:?}"),
        other => panic!("expected a close ({code:?}), got {other:?}"),
    }
}

#[actix_web::test]
async fn logout_closes_the_sockets_of_that_session_only() {
    let srv = TestServer::start().await;
    let owner = srv.sign_in("lo-owner@example.com").await;
    let tab_a = srv.sign_in("lo-member@example.com").await;
    let tab_b = srv.sign_in("lo-member@example.com").await;
    assert_eq!(tab_a.id, tab_b.id);
    let (gid, link) = create_group(&owner, "Private").await;
    join(&tab_a, &gid, &link).await.assert_ok();
    let mut sock_a = tab_a.socket().await;
    let mut sock_b = tab_b.socket().await;

    let res = tab_a.get("/x/auth/logout").await;
    assert_eq!(res.status, 302);
    owner
        .post(
            &format!("/x/room/sendMessage/group/{gid}"),
            json!({ "text": "secret plans" }),
        )
        .await
        .assert_ok();
    // The other session's socket gets the message; the logged-out one only a close.
    let signal = sock_b.signal().await;
    assert_eq!(signal["type"], json!("sendmessage"), "{signal}");
    assert_closed_with(
        sock_a.read(Duration::from_secs(15)).await,
        CloseCode::Policy,
    );
}

#[actix_web::test]
async fn a_socket_closes_when_its_session_expires() {
    let mut srv =
        TestServer::start_with(&["--ws-ping-ms", "100", "--ws-timeout-ms", "10000"]).await;
    let user = srv.sign_in("expiring@example.com").await;
    let ends = kirimin::ids::now_ms() + 4_000;
    srv.db(|c| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("UPDATE sessions SET expires_at = {ends}"))
            .execute(c)
            .expect("update")
    });
    // A restart empties the session cache, so the new expiry is what counts.
    srv.restart().await;
    let mut sock = user.socket().await;
    assert_closed_with(sock.read(Duration::from_secs(15)).await, CloseCode::Policy);
    user.get("/x/auth/isUser")
        .await
        .assert_err(401, "UNAUTHORIZED");
}

#[actix_web::test]
async fn a_socket_that_floods_frames_is_closed_with_1008() {
    let srv = TestServer::start_with(&["--rate-limit", "5/20"]).await;
    let [owner, member]: [_; 2] = srv.users(2).await.try_into().ok().expect("2 users");
    let (gid, link) = create_group(&owner, "Flood").await;
    join(&member, &gid, &link).await.assert_ok();
    let mut sock = member.socket().await;
    for _ in 0..200 {
        sock.send_text(&read_all("group", &gid)).await;
    }
    assert_closed_with(sock.read(Duration::from_secs(15)).await, CloseCode::Policy);
}

#[actix_web::test]
async fn frames_for_rooms_the_sender_is_not_in_do_nothing() {
    let mut srv = TestServer::start().await;
    let [owner, member, outsider]: [_; 3] = srv.users(3).await.try_into().ok().expect("3 users");
    let (gid, link) = create_group(&owner, "Closed").await;
    join(&member, &gid, &link).await.assert_ok();
    outsider
        .post(
            &format!("/x/room/sendMessage/user/{}", owner.id),
            json!({ "text": "hello" }),
        )
        .await
        .assert_ok();
    // After a restart no group actor runs.
    srv.restart().await;
    assert_eq!(srv.state().groups.len(), 0);
    let mut owner_sock = owner.socket().await;
    let mut outsider_sock = outsider.socket().await;
    for roomid in [gid.as_str(), "4242424242", "1"] {
        outsider_sock.send_text(&read_all("group", roomid)).await;
    }
    // Marker: a frame for a chat the outsider is in reaches the owner.
    outsider_sock.send_text(&read_all("user", &owner.id)).await;
    let signal = owner_sock.signal().await;
    assert_eq!(signal["type"], json!("readAllMessages"), "{signal}");
    assert_eq!(signal["roomid"], json!(outsider.id));
    assert_eq!(srv.state().groups.len(), 0, "no group actor was started");

    // A member's frame works, even though the group's actor was not running.
    let mut member_sock = member.socket().await;
    member_sock.send_text(&read_all("group", &gid)).await;
    let signal = owner_sock.signal().await;
    assert_eq!(signal["type"], json!("readAllMessages"), "{signal}");
    assert_eq!(signal["roomid"], json!(gid));
}

#[actix_web::test]
async fn a_message_in_continuation_frames_is_processed() {
    let srv = TestServer::start().await;
    let [owner, member]: [_; 2] = srv.users(2).await.try_into().ok().expect("2 users");
    let (gid, link) = create_group(&owner, "Pieces").await;
    join(&member, &gid, &link).await.assert_ok();
    let mut owner_sock = owner.socket().await;
    let mut member_sock = member.socket().await;
    let text = read_all("group", &gid);
    let (a, rest) = text.split_at(10);
    let (b, c) = rest.split_at(15);
    member_sock
        .send_message(Message::Continuation(Item::FirstText(a.to_string().into())))
        .await;
    member_sock
        .send_message(Message::Continuation(Item::Continue(b.to_string().into())))
        .await;
    member_sock
        .send_message(Message::Continuation(Item::Last(c.to_string().into())))
        .await;
    let signal = owner_sock.signal().await;
    assert_eq!(signal["type"], json!("readAllMessages"), "{signal}");
    assert_eq!(signal["roomid"], json!(gid));
    assert_eq!(signal["from"], json!(member.id));
}

async fn socket_id(user: &crate::common::TestUser) -> String {
    user.is_user().await["socket"]["id"]
        .as_str()
        .expect("socket id")
        .to_string()
}

#[actix_web::test]
async fn socket_ids_are_signed_fresh_and_survive_a_restart() {
    let mut srv = TestServer::start().await;
    let user = srv.sign_in("signed@example.com").await;
    let other_session = srv.sign_in("signed@example.com").await;
    let (first, second) = (socket_id(&user).await, socket_id(&user).await);
    assert_ne!(first, second, "every isUser issues a fresh id");

    // Stateless: an id issued before a restart still admits its session.
    srv.restart().await;
    let sock = user
        .socket_at(&format!("/socket?id={first}"))
        .await
        .expect("id from before the restart admits");
    sock.close().await;

    // Not for another session of the same user, and not when tampered with.
    assert_eq!(
        other_session
            .socket_at(&format!("/socket?id={first}"))
            .await
            .err(),
        Some(401)
    );
    let parts: Vec<&str> = second.split('.').collect();
    assert_eq!(parts.len(), 4, "{second}");
    let later: i64 = parts[1].parse::<i64>().expect("expiry") + 86_400_000;
    let forged = [
        format!("{}.{later}.{}.{}", parts[0], parts[2], parts[3]),
        format!("1{}", second),
        second.replace(parts[3], &"0".repeat(parts[3].len())),
        second[..second.len() - 1].to_string(),
        "..".to_string(),
    ];
    for id in forged {
        assert_eq!(
            user.socket_at(&format!("/socket?id={id}")).await.err(),
            Some(401),
            "{id}"
        );
    }
}
