//! Post likes over the socket: a set per post, unlike, unknown ids ignored,
//! and no signal to anyone.

use std::time::Duration;

use diesel::prelude::*;
use kirimin::db::schema::post_likes;
use serde_json::{json, Value};

use crate::common::{TestServer, TestUser, WsClient};
use crate::posts::{feed, new_post};

/// The post `id` in `user`'s feed.
async fn post_in_feed(user: &TestUser, id: &str) -> Value {
    feed(user, "")
        .await
        .into_iter()
        .find(|p| p["id"] == json!(id))
        .unwrap_or_else(|| panic!("post {id} not in the feed"))
}

/// Polls `user`'s feed until post `id` is `liked` as asked (15 s at most);
/// returns the post. Likes are applied in the order a socket sent them, so a
/// later frame having taken effect means every earlier one has too.
pub(crate) async fn wait_for_like(user: &TestUser, id: &str, liked: bool) -> Value {
    for _ in 0..300 {
        let post = post_in_feed(user, id).await;
        if post["liked"] == json!(liked) {
            return post;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("post {id} never became liked={liked} for {}", user.id);
}

async fn frame(ws: &mut WsClient, kind: &str, postid: Value) {
    ws.send_text(&json!({ "identifier": "kirimin", "type": kind, "postid": postid }).to_string())
        .await;
}

fn stored_likes(srv: &TestServer) -> i64 {
    srv.db(|c| post_likes::table.count().get_result(c).unwrap())
}

#[actix_web::test]
async fn liking_twice_counts_once_and_unlike_takes_it_back() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
    let post = new_post(alice, Some("like me")).await;
    let marker = new_post(alice, Some("marker")).await;
    let (id, mid) = (post["id"].as_str().unwrap(), marker["id"].as_str().unwrap());
    let mut ws = bob.socket().await;

    frame(&mut ws, "postlike", json!(id)).await;
    frame(&mut ws, "postlike", json!(id)).await;
    frame(&mut ws, "postlike", json!(mid)).await;
    wait_for_like(bob, mid, true).await;
    let seen_by_bob = post_in_feed(bob, id).await;
    assert_eq!(
        (seen_by_bob["likes"].clone(), seen_by_bob["liked"].clone()),
        (json!(1), json!(true))
    );
    for viewer in [alice, carol] {
        let seen = post_in_feed(viewer, id).await;
        assert_eq!(
            (seen["likes"].clone(), seen["liked"].clone()),
            (json!(1), json!(false))
        );
    }
    assert_eq!(stored_likes(&srv), 2, "one like per post and user");

    // A second user's like adds one; a number works as post id too.
    let mut carol_ws = carol.socket().await;
    frame(&mut carol_ws, "postlike", json!(id.parse::<i64>().unwrap())).await;
    let seen = wait_for_like(carol, id, true).await;
    assert_eq!(seen["likes"], json!(2));

    // Unlike, twice: gone once, the second changes nothing.
    frame(&mut ws, "postunlike", json!(id)).await;
    frame(&mut ws, "postunlike", json!(id)).await;
    frame(&mut ws, "postunlike", json!(mid)).await;
    wait_for_like(bob, mid, false).await;
    let seen_by_bob = post_in_feed(bob, id).await;
    assert_eq!(
        (seen_by_bob["likes"].clone(), seen_by_bob["liked"].clone()),
        (json!(1), json!(false))
    );
    let seen_by_carol = post_in_feed(carol, id).await;
    assert_eq!(
        (
            seen_by_carol["likes"].clone(),
            seen_by_carol["liked"].clone()
        ),
        (json!(1), json!(true))
    );
    // Unliking what was never liked is fine too.
    frame(&mut carol_ws, "postunlike", json!(mid)).await;
    frame(&mut carol_ws, "postunlike", json!(id)).await;
    let seen = wait_for_like(carol, id, false).await;
    assert_eq!(seen["likes"], json!(0));
    assert_eq!(stored_likes(&srv), 0);
}

#[actix_web::test]
async fn unknown_post_ids_are_ignored_and_the_socket_stays_up() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let post = new_post(alice, None).await;
    let id = post["id"].as_str().unwrap();
    let mut ws = bob.socket().await;

    for postid in [
        json!("999999"),
        json!(999999),
        json!("abc"),
        json!(""),
        json!(-1),
        json!(null),
        json!([id]),
    ] {
        frame(&mut ws, "postlike", postid.clone()).await;
        frame(&mut ws, "postunlike", postid).await;
    }
    ws.send_text(r#"{"identifier":"kirimin","type":"postlike"}"#)
        .await;
    ws.send_text(r#"{"identifier":"kirimin","type":"postlike","postid":"#)
        .await;
    frame(&mut ws, "postlike", json!(id)).await;
    let seen = wait_for_like(bob, id, true).await;
    assert_eq!(seen["likes"], json!(1));
    assert_eq!(stored_likes(&srv), 1, "only the real post got a like");

    // Still up: a signal for Bob arrives on this very socket.
    alice
        .post("/x/profile/addfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();
    let sig = ws.signal().await;
    assert_eq!(sig["type"], json!("addfriend"));
}

#[actix_web::test]
async fn a_like_sends_no_signal_to_the_author_or_the_liker() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let post = new_post(alice, None).await;
    let id = post["id"].as_str().unwrap();
    let mut alice_ws = alice.socket().await;
    let mut bob_ws = bob.socket().await;
    let mut bob_tab = bob.socket().await;

    frame(&mut bob_ws, "postlike", json!(id)).await;
    wait_for_like(bob, id, true).await;
    // Markers: the next frame each socket gets is the friend request signal.
    bob.post("/x/profile/addfriend", json!({ "userid": alice.id }))
        .await
        .assert_ok();
    assert_eq!(alice_ws.signal().await["type"], json!("addfriend"));
    alice
        .post("/x/profile/acceptfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();
    for ws in [&mut bob_ws, &mut bob_tab] {
        assert_eq!(ws.signal().await["type"], json!("acceptfriend"));
    }
}
