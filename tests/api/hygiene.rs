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
    let user = srv.sign_in("utf8@example.com").await;
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
