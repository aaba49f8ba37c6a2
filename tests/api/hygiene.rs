//! Input hygiene: bodies that are not JSON objects, invalid UTF-8, names made
//! of invisible characters, control characters in text (issue 11, 10-11).

use serde_json::json;

use crate::common::{create_group, group_ids, join, TestServer};

#[actix_web::test]
async fn a_body_that_is_json_but_not_an_object_is_a_bad_request() {
    let srv = TestServer::start().await;
    let [owner, member]: [_; 2] = srv.users(2).await.try_into().ok().expect("2 users");
    let (gid, link) = create_group(&owner, "Hygiene").await;
    join(&member, &gid, &link).await.assert_ok();
    for body in ["[]", "\"x\"", "3", "true", "null", " [ ] "] {
        member
            .post_raw(&format!("/x/group/leave/{gid}"), body.to_string())
            .await
            .assert_err(400, "BAD_REQUEST");
    }
    // Nothing changed: still a member. An empty body still counts as `{}`.
    assert_eq!(group_ids(&member).await, vec![gid.clone()]);
    member
        .post_raw(&format!("/x/group/leave/{gid}"), String::new())
        .await
        .assert_ok();
    assert!(group_ids(&member).await.is_empty());
}

#[actix_web::test]
async fn invalid_utf8_anywhere_in_a_body_is_a_bad_request() {
    let srv = TestServer::start().await;
    let user = srv.user("utf8@example.com").await;
    let mut in_unread_field = br#"{"name":"Fine","other":""#.to_vec();
    in_unread_field.extend_from_slice(&[0xff, 0xfe]);
    in_unread_field.extend_from_slice(br#""}"#);
    let mut in_name = br#"{"name":"Bad"#.to_vec();
    in_name.extend_from_slice(&[0xc3, 0x28]);
    in_name.extend_from_slice(br#""}"#);
    for body in [in_unread_field, in_name] {
        user.post_bytes("/x/group/create", body)
            .await
            .assert_err(400, "BAD_REQUEST");
    }
    assert!(group_ids(&user).await.is_empty(), "no group was created");
    user.post("/x/group/create", json!({ "name": "Fine" }))
        .await
        .assert_ok();
}

/// Names that render as nothing: zero-width, bidi controls, NUL and escapes,
/// fillers, and mixes of them with spaces.
const INVISIBLE_NAMES: &[&str] = &[
    "\u{200B}\u{200B}\u{200B}\u{200B}",
    "\u{202E}\u{202D}\u{2066}\u{2069}",
    "\u{0}\u{0}\u{0}\u{0}\u{0}",
    "\u{1B}\u{1B}\u{7}\u{8}",
    "\u{3164}\u{3164}\u{3164}\u{3164}",
    " \u{FEFF} \u{2060} \u{200D} ",
];

#[actix_web::test]
async fn names_made_only_of_invisible_characters_are_refused() {
    let srv =
        TestServer::start_with(&["--displayname-cooldown", "0", "--username-cooldown", "0"]).await;
    let user = srv.user("invisible@example.com").await;
    let before = user.is_user().await["me"].clone();
    for name in INVISIBLE_NAMES {
        user.post("/x/group/create", json!({ "name": name }))
            .await
            .assert_err(400, "GRPS_DNAME_LENGTH");
        user.post("/x/account/set-displayname", json!({ "dname": name }))
            .await
            .assert_err(400, "ACC_FAIL_DNAME_LENGTH");
        let res = user
            .post("/x/account/set-username", json!({ "uname": name }))
            .await;
        assert_eq!(res.status, 400, "{name:?}: {}", res.body);
        assert!(
            ["ACC_FAIL_UNAME_LENGTH", "ACC_FAIL_UNAME_FORMAT"].contains(&res.msg()),
            "{name:?}: {}",
            res.body
        );
    }
    assert!(group_ids(&user).await.is_empty());
    let after = user.is_user().await["me"].clone();
    assert_eq!(after["displayname"], before["displayname"]);
    assert_eq!(after["username"], before["username"]);
    // A visible name keeps its joiners (emoji sequences) but loses controls.
    let data = user
        .post(
            "/x/account/set-displayname",
            json!({ "dname": "A\u{0}b 👩\u{200D}💻" }),
        )
        .await
        .assert_ok();
    assert_eq!(data["text"], json!("Ab 👩\u{200D}💻"));
    let data = user
        .post("/x/group/create", json!({ "name": "\u{1B}[31mRed" }))
        .await
        .assert_ok();
    assert_eq!(data["group"]["r"]["long"], json!("[31mRed"));
}

#[actix_web::test]
async fn control_characters_never_reach_bios_or_messages() {
    let srv = TestServer::start_with(&["--bio-cooldown", "0"]).await;
    let [owner, member]: [_; 2] = srv.users(2).await.try_into().ok().expect("2 users");
    let (gid, link) = create_group(&owner, "Controls").await;
    join(&member, &gid, &link).await.assert_ok();

    let data = owner
        .post(
            "/x/account/set-bio",
            json!({ "bio": "one\u{0}\u{7}\r\ntwo\u{1B}[2J" }),
        )
        .await
        .assert_ok();
    assert_eq!(data["text"], json!("one\ntwo[2J"));
    assert_eq!(owner.is_user().await["me"]["bio"], json!("one\ntwo[2J"));

    let mut sock = member.socket().await;
    let data = owner
        .post(
            &format!("/x/room/sendMessage/group/{gid}"),
            json!({ "text": "hi\u{0}\u{8}\u{1B}[31m\nthere\u{7F}\r\nend\tx" }),
        )
        .await
        .assert_ok();
    let clean = json!("hi[31m\nthere\nend x");
    assert_eq!(data["chat"]["text"], clean);
    let signal = sock.signal().await;
    assert_eq!(signal["type"], json!("sendmessage"), "{signal}");
    assert_eq!(signal["chat"]["text"], clean);
    let mid = data["chat"]["id"].as_str().expect("id").to_string();
    let history = member
        .get(&format!("/x/room/history/group/{gid}?limit=10"))
        .await
        .assert_ok();
    let stored = history["m"]
        .as_array()
        .expect("m")
        .iter()
        .find(|m| m["id"] == json!(mid))
        .expect("stored")
        .clone();
    assert_eq!(stored["text"], clean);

    // A text that is nothing but invisible characters is no text.
    let res = owner
        .post(
            &format!("/x/room/sendMessage/group/{gid}"),
            json!({ "text": "\u{200B}\u{0}\u{202E}" }),
        )
        .await;
    assert_eq!(res.msg(), "MSG_TEXT_REQUIRED", "{}", res.body);
}
