//! The group writer under injected faults (a failed commit, a panicking
//! write, a full disk): every acknowledged write is in the database, every
//! refused one is not, and no signal goes out for anything uncommitted.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use futures_util::future::join_all;
use kirimin::db::fault::Fault;
use kirimin::db::schema::messages;
use serde_json::{json, Value};

use crate::chat::{group_of, say};
use crate::common::{TestServer, TestUser, WsClient};

fn send_path(gid: &str) -> String {
    format!("/x/room/sendMessage/group/{gid}")
}

/// How many stored messages carry `text`.
fn stored(srv: &TestServer, text: &str) -> i64 {
    let text = text.to_string();
    srv.db(move |c| {
        messages::table
            .filter(messages::text.eq(text))
            .count()
            .get_result(c)
            .expect("count")
    })
}

/// Texts of the message signals on `ws` up to and including `marker`.
async fn texts_until(ws: &mut WsClient, marker: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let signal = ws.signal().await;
        assert_eq!(signal["type"], "sendmessage", "{signal}");
        let text = signal["chat"]["text"].as_str().expect("text").to_string();
        if text == marker {
            return seen;
        }
        seen.push(text);
    }
}

fn inject(srv: &TestServer, fault: Fault) {
    srv.state().writer.inject_fault(fault);
}

#[actix_web::test]
async fn a_failed_commit_answers_500_stores_nothing_and_signals_nothing() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let mut ws = users[1].socket().await;

    inject(&srv, Fault::FailCommit);
    users[0]
        .post(&send_path(&gid), json!({ "text": "lost" }))
        .await
        .assert_err(500, "ERROR");
    assert_eq!(stored(&srv, "lost"), 0);

    say(&users[0], "group", &gid, "marker").await;
    assert_eq!(texts_until(&mut ws, "marker").await, Vec::<String>::new());
    assert_eq!(stored(&srv, "marker"), 1);
}

#[actix_web::test]
async fn a_refusal_in_a_failed_batch_keeps_its_own_answer() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let stranger = srv.user("stranger@example.com").await;

    inject(&srv, Fault::FailCommit);
    users[0]
        .post(&format!("/x/group/kick/{gid}/{}", stranger.id), json!({}))
        .await
        .assert_err(404, "FIND_NOTFOUND");
    inject(&srv, Fault::FailCommit);
    stranger
        .post(&send_path(&gid), json!({ "text": "not a member" }))
        .await
        .assert_err(403, "GRP_KICKED");
    inject(&srv, Fault::FailCommit);
    users[1]
        .post(&send_path(&gid), json!({ "text": "x", "edit": "nosuchid" }))
        .await
        .assert_err(404, "MSG_NOT_FOUND");
}

#[actix_web::test]
async fn a_panicking_write_rolls_back_and_leaves_the_database_free() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let mut ws = users[1].socket().await;

    inject(&srv, Fault::PanicJob);
    users[0]
        .post(&send_path(&gid), json!({ "text": "boom" }))
        .await
        .assert_err(500, "ERROR");
    assert_eq!(stored(&srv, "boom"), 0);
    // A write on another connection gets the database at once (not after
    // the busy timeout, as when the panic left a transaction open).
    let bio = users[0]
        .post("/x/account/set-bio", json!({ "bio": "still here" }))
        .await
        .assert_ok();
    assert_eq!(bio["text"], "still here");

    say(&users[0], "group", &gid, "after").await;
    assert_eq!(texts_until(&mut ws, "after").await, Vec::<String>::new());
    assert_eq!(stored(&srv, "after"), 1);
}

/// One burst of concurrent sends, `per_group` into each group (by its
/// owner): (group, text, status, body) of each.
async fn burst(
    groups: &[(Vec<TestUser>, String)],
    per_group: usize,
) -> Vec<(usize, String, u16, Value)> {
    let mut sends = Vec::new();
    for (g, (users, gid)) in groups.iter().enumerate() {
        for i in 0..per_group {
            let text = format!("{g}-{i}-{}", "x".repeat(400));
            let (owner, path) = (&users[0], send_path(gid));
            sends.push(async move {
                let res = owner.post(&path, json!({ "text": text })).await;
                (g, text, res.status, res.body)
            });
        }
    }
    join_all(sends).await
}

#[actix_web::test]
async fn a_full_disk_never_acknowledges_a_lost_write() {
    if crate::common::skip_on_postgres("the full disk is SQLite's max_page_count") {
        return;
    }
    let srv = TestServer::start().await;
    // Several groups, so that batches hold writes of several group actors.
    let mut groups = Vec::new();
    let mut sockets = Vec::new();
    for _ in 0..6 {
        let (users, gid, _) = group_of(&srv, 2).await;
        let mut ws = users[1].socket().await;
        say(&users[0], "group", &gid, "warm").await;
        assert_eq!(texts_until(&mut ws, "warm").await, Vec::<String>::new());
        sockets.push(ws);
        groups.push((users, gid));
    }

    // The database may not grow: SQLite answers SQLITE_FULL, as on a full disk.
    srv.state().writer.limit_pages(Some(1));
    let answers = burst(&groups, 12).await;
    srv.state().writer.limit_pages(None);

    let mut acknowledged = vec![BTreeSet::new(); groups.len()];
    let mut refused = 0;
    for (g, text, status, body) in &answers {
        match status {
            200 => {
                assert_eq!(stored(&srv, text), 1, "acknowledged and stored once");
                acknowledged[*g].insert(text.clone());
            }
            _ => {
                assert_eq!(
                    (*status, body["msg"].as_str()),
                    (500, Some("ERROR")),
                    "{body}"
                );
                assert_eq!(stored(&srv, text), 0, "refused yet stored: {text}");
                refused += 1;
            }
        }
    }
    assert!(refused > 0, "the full database refused nothing");
    for (g, ((users, gid), ws)) in groups.iter().zip(sockets.iter_mut()).enumerate() {
        say(&users[0], "group", gid, "marker").await;
        let signalled: BTreeSet<String> = texts_until(ws, "marker").await.into_iter().collect();
        assert_eq!(signalled, acknowledged[g], "group {g}");
    }
}

/// The file names in `dir`.
fn names_in(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn files_change_only_after_commit_for_delete_clear_and_disband() {
    let srv = TestServer::start().await;
    let (users, gid, link) = group_of(&srv, 2).await;
    let (owner, member) = (&users[0], &users[1]);
    let image = owner
        .post(
            "/x/group/set-img",
            json!({ "id": gid, "name": "g.png", "img": crate::common::PNG_DATA_URL }),
        )
        .await
        .assert_ok()["text"]
        .as_str()
        .expect("name")
        .to_string();
    let posted = owner
        .post(&send_path(&gid), json!({ "text": "pic", "type": "image", "filename": "a.png", "filesrc": crate::common::PNG_DATA_URL }))
        .await
        .assert_ok();
    let (mid, source) = (
        posted["chat"]["id"].as_str().expect("id").to_string(),
        posted["chat"]["source"]
            .as_str()
            .expect("source")
            .to_string(),
    );
    let media = format!("/file/media/group/{gid}/{source}");
    let group_image = format!("/file/group/{image}");

    inject(&srv, Fault::FailCommit);
    owner
        .post(&format!("/x/room/delMessage/group/{gid}/{mid}"), json!({}))
        .await
        .assert_err(500, "ERROR");
    assert_eq!(
        member.get(&media).await.status,
        200,
        "delete failed, file kept"
    );

    inject(&srv, Fault::FailCommit);
    owner
        .post(&format!("/x/room/clear/group/{gid}"), json!({}))
        .await
        .assert_err(500, "ERROR");
    assert_eq!(
        member.get(&media).await.status,
        200,
        "clear failed, files kept"
    );

    inject(&srv, Fault::FailCommit);
    owner
        .post(&format!("/x/group/leave/{gid}"), json!({}))
        .await
        .assert_err(500, "ERROR");
    assert_eq!(member.get(&media).await.status, 200, "disband failed");
    assert_eq!(member.get(&group_image).await.status, 200, "disband failed");
    srv.get(&format!("/invite/{link}")).await.assert_ok();

    // Committed, each removes its files.
    owner
        .post(&format!("/x/room/delMessage/group/{gid}/{mid}"), json!({}))
        .await
        .assert_ok();
    assert_eq!(member.get(&media).await.status, 404);
    owner
        .post(&format!("/x/group/leave/{gid}"), json!({}))
        .await
        .assert_ok();
    assert_eq!(member.get(&group_image).await.status, 404);
    assert!(!srv.dir.path().join("files/media/group").join(&gid).exists());
}

#[actix_web::test]
async fn a_failed_picture_change_keeps_the_old_one_and_leaves_no_new_file() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 1).await;
    let owner = &users[0];
    let body = |id: &str| json!({ "id": id, "name": "p.png", "img": crate::common::PNG_DATA_URL });
    let mut names = BTreeMap::new();
    for (kind, path) in [
        ("group", "/x/group/set-img"),
        ("user", "/x/account/set-img"),
    ] {
        let first = owner.post(path, body(&gid)).await.assert_ok()["text"]
            .as_str()
            .expect("name")
            .to_string();
        inject(&srv, Fault::FailCommit);
        owner.post(path, body(&gid)).await.assert_err(500, "ERROR");
        let dir = srv.dir.path().join("files").join(kind);
        assert_eq!(names_in(&dir), BTreeSet::from([first.clone()]), "{kind}");
        assert_eq!(
            owner.get(&format!("/file/{kind}/{first}")).await.status,
            200
        );
        names.insert(kind, first);
    }
    let me = owner.is_user().await;
    assert_eq!(
        me["me"]["image"].as_str(),
        names.get("user").map(|s| s.as_str()),
        "{me}"
    );

    // A committed change removes the old file.
    let second = owner
        .post("/x/account/set-img", body(&gid))
        .await
        .assert_ok()["text"]
        .as_str()
        .expect("name")
        .to_string();
    let dir = srv.dir.path().join("files/user");
    assert_eq!(names_in(&dir), BTreeSet::from([second]));
}
