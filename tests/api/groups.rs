//! Groups: create, invite preview, join, leave, disband, reset link, rename, image.

use base64::Engine;
use diesel::prelude::*;
use kirimin::db::schema::{chat_groups, group_members};
use serde_json::json;

use crate::chat::say;
use crate::common::{create_group, group_ids, join, TestServer, PNG_DATA_URL};

#[actix_web::test]
async fn create_checks_name_and_ownership_limit() {
    let srv = TestServer::start().await;
    let owner = srv.user("creator@example.com").await;
    for bad in ["", "   ", &"x".repeat(36)] {
        owner
            .post("/x/group/create", json!({ "name": bad }))
            .await
            .assert_err(400, "GRPS_DNAME_LENGTH");
    }
    let data = owner
        .post("/x/group/create", json!({ "name": "  Friends  " }))
        .await
        .assert_ok();
    let gid = data["roomid"].as_str().unwrap();
    assert!(gid.chars().all(|c| c.is_ascii_digit()));
    let r = &data["group"]["r"];
    assert_eq!(r["id"], json!(gid));
    assert_eq!(r["owner"], json!(owner.id));
    assert_eq!(r["long"], json!("Friends"));
    assert_eq!(r["short"], json!("Friends"));
    assert_eq!(r["type"], json!("group"));
    assert_eq!(r["badges"], json!([]));
    assert_eq!(r["image"], json!(null));
    assert!(r["link"].as_str().unwrap().len() >= 8);
    assert_eq!(data["group"]["m"], json!([]));
    assert_eq!(data["group"]["u"][0]["id"], json!(owner.id));
    // 35 characters (multi-byte ones count as one) is fine.
    owner
        .post("/x/group/create", json!({ "name": "é".repeat(35) }))
        .await
        .assert_ok();
    owner
        .post("/x/group/create", json!({ "name": "third" }))
        .await
        .assert_err(400, "GRPS_OWN_MAX");
    assert_eq!(group_ids(&owner).await.len(), 2);
}

#[actix_web::test]
async fn invite_preview_and_join() {
    let srv = TestServer::start().await;
    let owner = srv.user("inv-owner@example.com").await;
    let guest = srv.user("inv-guest@example.com").await;
    let (gid, link) = create_group(&owner, "Club").await;
    let mut owner_ws = owner.socket().await;

    let preview = guest.get(&format!("/invite/{link}")).await.assert_ok();
    assert_eq!(preview["group"]["id"], json!(gid));
    assert_eq!(preview["joined"], json!(false));
    assert_eq!(preview["members"], json!(1));
    guest
        .get("/invite/doesnotexist")
        .await
        .assert_err(404, "GRPS_404");
    let html = srv
        .raw("GET", &format!("/invite/{link}"), None, None, false)
        .await;
    assert_eq!(html.status, 200);
    assert!(html
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    join(&guest, &gid, "wrong-link")
        .await
        .assert_err(404, "INV_NOT_FOUND_DESC");
    join(&guest, "999999999", &link)
        .await
        .assert_err(404, "INV_NOT_FOUND_DESC");

    // The refused joins signalled nothing: the real join's memberjoin is
    // the next signal the owner reads.
    let data = join(&guest, &gid, &link).await.assert_ok();
    assert_eq!(data["r"]["id"], json!(gid));
    let ids: Vec<_> = data["u"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(owner.id), json!(guest.id)]);
    assert_eq!(data["m"], json!([]));

    let sig = owner_ws.signal().await;
    assert_eq!(sig["type"], json!("memberjoin"));
    assert_eq!(sig["from"], json!(guest.id));
    assert_eq!(sig["groupid"], json!(gid));
    assert_eq!(sig["user"]["id"], json!(guest.id));
    assert_eq!(sig["user"]["username"], json!(format!("u{}", guest.id)));
    assert_eq!(sig["key"].as_str().unwrap().len(), 32);

    // Joining again: same 200, no second signal.
    join(&guest, &gid, &link).await.assert_ok();
    say(&guest, "group", &gid, "marker").await;
    owner_ws.assert_next_message("marker").await;
    let preview = guest.get(&format!("/invite/{link}")).await.assert_ok();
    assert_eq!(preview["joined"], json!(true));
    assert_eq!(preview["members"], json!(2));
    assert_eq!(group_ids(&guest).await, vec![gid.clone()]);
}

#[actix_web::test]
async fn member_limit_is_enforced() {
    let srv = TestServer::start_with(&["--group-member-limit", "3"]).await;
    let users = srv.users(4).await;
    let (gid, link) = create_group(&users[0], "small").await;
    join(&users[1], &gid, &link).await.assert_ok();
    join(&users[2], &gid, &link).await.assert_ok();
    join(&users[3], &gid, &link)
        .await
        .assert_err(400, "GRPS_MEMBER_LIMIT");
    let count: i64 = srv.db(|c| {
        group_members::table
            .filter(group_members::group_id.eq(&gid))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(count, 3);
}

#[actix_web::test]
async fn leave_signals_the_remaining_members() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (owner, a, b) = (&users[0], &users[1], &users[2]);
    let (gid, link) = create_group(owner, "leavers").await;
    join(a, &gid, &link).await.assert_ok();
    join(b, &gid, &link).await.assert_ok();
    let mut owner_ws = owner.socket().await;
    let mut b_ws = b.socket().await;

    owner
        .post("/x/group/leave/123456789", json!({}))
        .await
        .assert_err(404, "GRPS_404");
    let outsider = srv.user("outsider@example.com").await;
    outsider
        .post(&format!("/x/group/leave/{gid}"), json!({}))
        .await
        .assert_err(400, "GRPS_NOT_MEMBER");
    // The refused leaves signalled nothing: a's real leave below is the
    // next signal both sockets read.

    a.post(&format!("/x/group/leave/{gid}"), json!({}))
        .await
        .assert_ok();
    for ws in [&mut owner_ws, &mut b_ws] {
        let sig = ws.signal().await;
        assert_eq!(sig["type"], json!("memberleave"));
        assert_eq!(sig["from"], json!(a.id));
        assert_eq!(sig["groupid"], json!(gid));
    }
    assert!(group_ids(a).await.is_empty());
    a.post(&format!("/x/group/leave/{gid}"), json!({}))
        .await
        .assert_err(400, "GRPS_NOT_MEMBER");
}

#[actix_web::test]
async fn owner_leaving_disbands_the_group() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (owner, a, b) = (&users[0], &users[1], &users[2]);
    let (gid, link) = create_group(owner, "doomed").await;
    join(a, &gid, &link).await.assert_ok();
    join(b, &gid, &link).await.assert_ok();
    let img = owner
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "p.png", "img": PNG_DATA_URL }),
        )
        .await
        .assert_ok()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let img_path = srv.state().files.group_image(&img);
    assert!(img_path.exists());
    let mut a_ws = a.socket().await;
    let mut b_ws = b.socket().await;

    owner
        .post(&format!("/x/group/leave/{gid}"), json!({}))
        .await
        .assert_ok();
    for ws in [&mut a_ws, &mut b_ws] {
        let sig = ws.signal().await;
        assert_eq!(sig["type"], json!("memberkick"));
        assert_eq!(sig["from"], json!(owner.id));
        assert_eq!(sig["groupid"], json!(gid));
    }
    assert!(group_ids(a).await.is_empty());
    assert!(group_ids(owner).await.is_empty());
    a.get(&format!("/invite/{link}"))
        .await
        .assert_err(404, "GRPS_404");
    let (groups, members): (i64, i64) = srv.db(|c| {
        (
            chat_groups::table
                .filter(chat_groups::id.eq(&gid))
                .count()
                .get_result(c)
                .unwrap(),
            group_members::table
                .filter(group_members::group_id.eq(&gid))
                .count()
                .get_result(c)
                .unwrap(),
        )
    });
    assert_eq!((groups, members), (0, 0));
    assert!(!img_path.exists(), "the group's files are deleted");
    // The owner may create a new group again (ownership count went down).
    create_group(owner, "again").await;
}

#[actix_web::test]
async fn reset_link_invalidates_the_old_one() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (owner, member, late) = (&users[0], &users[1], &users[2]);
    let (gid, old) = create_group(owner, "links").await;
    join(member, &gid, &old).await.assert_ok();
    member
        .post("/x/group/reset-link", json!({ "id": gid }))
        .await
        .assert_err(403, "GRPS_OWNER_FEATURE");
    owner
        .post("/x/group/reset-link", json!({ "id": "123" }))
        .await
        .assert_err(404, "GRPS_404");
    let new = owner
        .post("/x/group/reset-link", json!({ "id": gid }))
        .await
        .assert_ok()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new, old);
    join(late, &gid, &old)
        .await
        .assert_err(404, "INV_NOT_FOUND_DESC");
    late.get(&format!("/invite/{old}"))
        .await
        .assert_err(404, "GRPS_404");
    join(late, &gid, &new).await.assert_ok();
}

#[actix_web::test]
async fn rename_checks_owner_length_and_cooldown() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (owner, member) = (&users[0], &users[1]);
    let (gid, link) = create_group(owner, "before").await;
    join(member, &gid, &link).await.assert_ok();
    member
        .post(
            "/x/group/set-groupname",
            json!({ "id": gid, "gname": "mine" }),
        )
        .await
        .assert_err(403, "GRPS_OWNER_FEATURE");
    owner
        .post("/x/group/set-groupname", json!({ "id": "1", "gname": "x" }))
        .await
        .assert_err(404, "GRPS_404");
    owner
        .post(
            "/x/group/set-groupname",
            json!({ "id": gid, "gname": "  " }),
        )
        .await
        .assert_err(400, "GRPS_DNAME_LENGTH");
    let data = owner
        .post(
            "/x/group/set-groupname",
            json!({ "id": gid, "gname": " after " }),
        )
        .await
        .assert_ok();
    assert_eq!(data["text"], json!("after"));
    let res = owner
        .post(
            "/x/group/set-groupname",
            json!({ "id": gid, "gname": "again" }),
        )
        .await;
    res.assert_err(429, "GRPS_DNAME_COOLDOWN");
    let allowed_at = res.body["data"]["timestamp"].as_i64().unwrap();
    let now = kirimin::ids::now_ms();
    assert!(
        allowed_at > now + 14 * 60 * 1000 && allowed_at <= now + 15 * 60 * 1000,
        "{allowed_at} vs {now}"
    );
    let r = member.get(&format!("/invite/{link}")).await.assert_ok();
    assert_eq!(r["group"]["long"], json!("after"));
}

#[actix_web::test]
async fn rename_cooldown_can_be_turned_off() {
    let srv = TestServer::start_with(&["--group-rename-cooldown", "0"]).await;
    let owner = srv.user("renamer@example.com").await;
    let (gid, _) = create_group(&owner, "one").await;
    for name in ["two", "three"] {
        owner
            .post(
                "/x/group/set-groupname",
                json!({ "id": gid, "gname": name }),
            )
            .await
            .assert_ok();
    }
}

#[actix_web::test]
async fn group_image_upload_and_access() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (owner, member, outsider) = (&users[0], &users[1], &users[2]);
    let (gid, link) = create_group(owner, "pics").await;
    join(member, &gid, &link).await.assert_ok();

    member
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "a.png", "img": PNG_DATA_URL }),
        )
        .await
        .assert_err(403, "GRPS_OWNER_FEATURE");
    owner
        .post(
            "/x/group/set-img",
            json!({ "id": "42", "name": "a.png", "img": PNG_DATA_URL }),
        )
        .await
        .assert_err(404, "GRPS_404");
    let text = base64::engine::general_purpose::STANDARD.encode(b"just some text, not an image");
    owner
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "a.png", "img": format!("data:image/png;base64,{text}") }),
        )
        .await
        .assert_err(400, "BAD_IMAGE");
    owner
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "a.png", "img": "data:image/png;base64,%%%" }),
        )
        .await
        .assert_err(400, "BAD_IMAGE");
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(3 * 1024 * 1024, 0);
    let big = base64::engine::general_purpose::STANDARD.encode(&big);
    owner
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "a.png", "img": format!("data:image/png;base64,{big}") }),
        )
        .await
        .assert_err(413, "ACC_FILE_LIMIT");

    let name = owner
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "../../evil.png", "img": PNG_DATA_URL }),
        )
        .await
        .assert_ok()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !name.contains('/') && !name.contains("..") && name.ends_with(".png"),
        "{name}"
    );
    let got = member.get(&format!("/file/group/{name}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.headers.get("content-type").unwrap(), "image/png");
    assert_eq!(
        outsider.get(&format!("/file/group/{name}")).await.status,
        404
    );
    assert_eq!(srv.get(&format!("/file/group/{name}")).await.status, 401);
    assert_eq!(
        member.get("/file/group/..%2F..%2Fkirimin.db").await.status,
        400
    );
    assert_eq!(member.get("/file/group/../kirimin.db").await.status, 404);
    let r = member.get(&format!("/invite/{link}")).await.assert_ok();
    assert_eq!(r["group"]["image"], json!(name));

    // A new picture replaces (and deletes) the old one.
    let second = owner
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "b.png", "img": PNG_DATA_URL }),
        )
        .await
        .assert_ok()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!srv.state().files.group_image(&name).exists());
    assert!(srv.state().files.group_image(&second).exists());
}

#[actix_web::test]
async fn joining_returns_the_last_hundred_messages_oldest_first() {
    let srv = TestServer::start().await;
    let owner = srv.user("hist-owner@example.com").await;
    let guest = srv.user("hist-guest@example.com").await;
    let (gid, link) = create_group(&owner, "Backlog").await;
    for i in 0..103 {
        crate::chat::say(&owner, "group", &gid, &format!("note {i}")).await;
    }
    let data = join(&guest, &gid, &link).await.assert_ok();
    let m = data["m"].as_array().unwrap();
    assert_eq!(m.len(), 100, "the last 100 messages, as in isUser");
    assert_eq!(m[0]["text"], json!("note 3"));
    assert_eq!(m[99]["text"], json!("note 102"));
    assert_eq!(m[99]["userid"], json!(owner.id));
    // The same room as the chat list shows it after a reload.
    let chats = guest.is_user().await["c"].clone();
    assert_eq!(chats[0]["m"], data["m"]);
}
