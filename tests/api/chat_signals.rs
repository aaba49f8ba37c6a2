//! Message signals stay current: group actors keep the room and user
//! objects of message signals between messages, so changes in between must
//! still show in the next signal.

use serde_json::json;

use crate::chat::{group_of, say};
use crate::common::{join, TestServer};

#[actix_web::test]
async fn group_message_signals_follow_profile_and_membership_changes() {
    // Group actors keep the room and user objects of message signals between
    // messages; a change in between must still show in the next signal.
    let srv = TestServer::start().await;
    let (users, gid, link) = group_of(&srv, 2).await;
    let (a, b) = (&users[0], &users[1]);
    let mut bs = b.socket().await;
    say(a, "group", &gid, "one").await;
    assert_eq!(bs.signal().await["type"], "sendmessage");

    a.post(
        "/x/account/set-displayname",
        json!({ "dname": "Renamed Owner" }),
    )
    .await
    .assert_ok();
    say(a, "group", &gid, "two").await;
    let s = bs.signal().await;
    assert_eq!(s["sender"]["displayname"], "Renamed Owner", "{s}");

    let c = srv.users(1).await.remove(0);
    join(&c, &gid, &link).await.assert_ok();
    assert_eq!(bs.signal().await["type"], "memberjoin");
    let answer = say(a, "group", &gid, "three").await;
    assert_eq!(
        answer["users"].as_array().map(Vec::len),
        Some(3),
        "{answer}"
    );
    let s = bs.signal().await;
    assert_eq!(s["users"].as_array().map(Vec::len), Some(3), "{s}");
}
