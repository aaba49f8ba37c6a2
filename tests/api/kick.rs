//! The kick flow of the seed page, its failures, its races, and a restart.

use futures_util::future::join_all;
use serde_json::json;

use crate::chat::say;
use crate::common::{create_group, group_ids, join, Answer, TestServer, TestUser, WsClient};

fn kick_path(gid: &str, uid: &str) -> String {
    format!("/x/group/kick/{gid}/{uid}")
}

/// Owner, one remaining member, one target; the group and everyone's sockets
/// (the target has two).
struct Scene {
    owner: TestUser,
    stay: TestUser,
    target: TestUser,
    gid: String,
    link: String,
    owner_ws: WsClient,
    stay_ws: WsClient,
    target_ws: [WsClient; 2],
}

impl Scene {
    /// Asserts that each socket's next signal is a marker sent now: the
    /// stay member's group message for the owner, the owner's for the stay
    /// member, and for the target the stay member's group message while a
    /// member, else a one-to-one message from the owner. Anything signalled
    /// before would come first.
    async fn no_other_signals(&mut self, label: &str, target_is_member: bool) {
        let (from_stay, from_owner) = (format!("stay {label}"), format!("owner {label}"));
        say(&self.stay, "group", &self.gid, &from_stay).await;
        self.owner_ws.assert_next_message(&from_stay).await;
        say(&self.owner, "group", &self.gid, &from_owner).await;
        self.stay_ws.assert_next_message(&from_owner).await;
        let for_target = if target_is_member {
            from_stay
        } else {
            let direct = format!("direct {label}");
            say(&self.owner, "user", &self.target.id, &direct).await;
            direct
        };
        for ws in self.target_ws.iter_mut() {
            ws.assert_next_message(&for_target).await;
        }
    }
}

async fn scene(srv: &TestServer) -> Scene {
    let users = srv.users(3).await;
    let (owner, stay, target) = (users[0].clone(), users[1].clone(), users[2].clone());
    let (gid, link) = create_group(&owner, "kickers").await;
    join(&stay, &gid, &link).await.assert_ok();
    join(&target, &gid, &link).await.assert_ok();
    let owner_ws = owner.socket().await;
    let stay_ws = stay.socket().await;
    let target_ws = [target.socket().await, target.socket().await];
    Scene {
        owner,
        stay,
        target,
        gid,
        link,
        owner_ws,
        stay_ws,
        target_ws,
    }
}

#[actix_web::test]
async fn kick_sends_memberleave_then_memberkick_exactly_as_the_seed() {
    let srv = TestServer::start().await;
    let mut s = scene(&srv).await;

    let res = s
        .owner
        .post(&kick_path(&s.gid, &s.target.id), json!({}))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body, json!({ "ok": true, "code": 200, "msg": "OK" }));

    let on_owner = s.owner_ws.signal().await;
    let on_stay = s.stay_ws.signal().await;
    let key = on_owner["key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 32);
    assert!(
        key.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{key}"
    );
    let leave = json!({ "key": key, "from": s.target.id, "type": "memberleave", "groupid": s.gid });
    assert_eq!(on_owner, leave);
    assert_eq!(on_stay, leave);
    let kick = json!({ "key": key, "from": s.owner.id, "type": "memberkick", "groupid": s.gid });
    for ws in s.target_ws.iter_mut() {
        assert_eq!(ws.signal().await, kick);
    }
    // One signal each: markers sent after the kick are the next thing every
    // socket reads (group messages for the members, a one-to-one message
    // for the kicked user, whom the group messages must not reach either).
    s.no_other_signals("after the kick", false).await;

    // The kicked user is no member any more.
    assert!(!group_ids(&s.target).await.contains(&s.gid));
    assert!(group_ids(&s.stay).await.contains(&s.gid));
    let preview = s
        .target
        .get(&format!("/invite/{}", s.link))
        .await
        .assert_ok();
    assert_eq!(preview["joined"], json!(false));
    assert_eq!(preview["members"], json!(2));
    s.target
        .post(&format!("/x/group/leave/{}", s.gid), json!({}))
        .await
        .assert_err(400, "GRPS_NOT_MEMBER");

    // Later group signals no longer reach the kicked user's sockets.
    let newcomer = srv.user("newcomer@example.com").await;
    join(&newcomer, &s.gid, &s.link).await.assert_ok();
    assert_eq!(s.stay_ws.signal().await["type"], json!("memberjoin"));
    say(&s.owner, "user", &s.target.id, "after the join").await;
    for ws in s.target_ws.iter_mut() {
        ws.assert_next_message("after the join").await;
    }
}

#[actix_web::test]
async fn failed_kicks_change_nothing_and_signal_nothing() {
    let srv = TestServer::start().await;
    let mut s = scene(&srv).await;
    let outsider = srv.user("nobody@example.com").await;

    s.owner
        .post(&kick_path("123456789", &s.target.id), json!({}))
        .await
        .assert_err(404, "GRPS_404");
    s.stay
        .post(&kick_path(&s.gid, &s.target.id), json!({}))
        .await
        .assert_err(400, "GRPS_OWNER_FEATURE");
    outsider
        .post(&kick_path(&s.gid, &s.target.id), json!({}))
        .await
        .assert_err(400, "GRPS_OWNER_FEATURE");
    s.owner
        .post(&kick_path(&s.gid, &outsider.id), json!({}))
        .await
        .assert_err(404, "FIND_NOTFOUND");
    s.owner
        .post(&kick_path(&s.gid, "000"), json!({}))
        .await
        .assert_err(404, "FIND_NOTFOUND");
    s.owner
        .post(&kick_path(&s.gid, &s.owner.id), json!({}))
        .await
        .assert_err(400, "GRPS_KICK_SELF");
    s.owner
        .post_raw(&kick_path(&s.gid, &s.target.id), "{bad".into())
        .await
        .assert_err(400, "BAD_REQUEST");
    srv.post(&kick_path(&s.gid, &s.target.id), json!({}))
        .await
        .assert_err(401, "UNAUTHORIZED");

    // Nothing was signalled: markers sent now are the next thing every
    // socket reads.
    s.no_other_signals("after the failed kicks", true).await;
    assert!(group_ids(&s.target).await.contains(&s.gid));
    let preview = s
        .owner
        .get(&format!("/invite/{}", s.link))
        .await
        .assert_ok();
    assert_eq!(preview["members"], json!(3));
}

#[actix_web::test]
async fn kicked_user_rejoins_only_through_the_current_link() {
    let srv = TestServer::start().await;
    let mut s = scene(&srv).await;
    s.owner
        .post(&kick_path(&s.gid, &s.target.id), json!({}))
        .await
        .assert_ok();
    for ws in s.target_ws.iter_mut() {
        assert_eq!(ws.signal().await["type"], json!("memberkick"));
    }
    assert_eq!(s.owner_ws.signal().await["type"], json!("memberleave"));
    // Kicking again: no longer a member.
    s.owner
        .post(&kick_path(&s.gid, &s.target.id), json!({}))
        .await
        .assert_err(404, "FIND_NOTFOUND");

    let new = s
        .owner
        .post("/x/group/reset-link", json!({ "id": s.gid }))
        .await
        .assert_ok()["text"]
        .as_str()
        .unwrap()
        .to_string();
    join(&s.target, &s.gid, &s.link)
        .await
        .assert_err(404, "INV_NOT_FOUND_DESC");
    join(&s.target, &s.gid, &new).await.assert_ok();
    let sig = s.owner_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["from"].as_str()),
        (Some("memberjoin"), Some(s.target.id.as_str()))
    );
    assert!(group_ids(&s.target).await.contains(&s.gid));

    // Their (still open) sockets get group signals again after the rejoin.
    s.owner
        .post(&kick_path(&s.gid, &s.stay.id), json!({}))
        .await
        .assert_ok();
    for ws in s.target_ws.iter_mut() {
        let sig = ws.signal().await;
        assert_eq!(sig["type"], json!("memberleave"));
        assert_eq!(sig["from"], json!(s.stay.id));
    }
}

#[actix_web::test]
async fn kick_racing_leave_ends_with_exactly_one_success() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (owner, watcher) = (&users[0], &users[1]);
    let (gid, link) = create_group(owner, "race").await;
    join(watcher, &gid, &link).await.assert_ok();
    let mut owner_ws = owner.socket().await;
    let mut watcher_ws = watcher.socket().await;
    let racer = &users[2];
    for round in 0..20 {
        join(racer, &gid, &link).await.assert_ok();
        assert_eq!(
            owner_ws.signal().await["type"],
            json!("memberjoin"),
            "round {round}"
        );
        assert_eq!(
            watcher_ws.signal().await["type"],
            json!("memberjoin"),
            "round {round}"
        );
        let kick_path = kick_path(&gid, &racer.id);
        let leave_path = format!("/x/group/leave/{gid}");
        let (kick, leave): (Answer, Answer) = tokio::join!(
            owner.post(&kick_path, json!({})),
            racer.post(&leave_path, json!({}))
        );
        let outcomes = (kick.msg().to_string(), leave.msg().to_string());
        assert!(
            outcomes == ("OK".into(), "GRPS_NOT_MEMBER".into())
                || outcomes == ("FIND_NOTFOUND".into(), "OK".into()),
            "round {round}: {outcomes:?}"
        );
        for ws in [&mut owner_ws, &mut watcher_ws] {
            let sig = ws.signal().await;
            assert_eq!(
                (sig["type"].as_str(), sig["from"].as_str()),
                (Some("memberleave"), Some(racer.id.as_str()))
            );
        }
    }
    // No round signalled twice: markers through the group are next.
    say(watcher, "group", &gid, "watcher marker").await;
    owner_ws.assert_next_message("watcher marker").await;
    say(owner, "group", &gid, "owner marker").await;
    watcher_ws.assert_next_message("owner marker").await;
}

#[actix_web::test]
async fn joins_racing_for_the_last_seat_admit_exactly_one() {
    let srv = TestServer::start_with(&["--group-member-limit", "2"]).await;
    let users = srv.users(3).await;
    let owner = &users[0];
    let (gid, link) = create_group(owner, "one seat").await;
    for round in 0..20 {
        let answers = join_all(users[1..].iter().map(|u| join(u, &gid, &link))).await;
        let ok: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
        let full = answers
            .iter()
            .filter(|a| a.msg() == "GRPS_MEMBER_LIMIT")
            .count();
        assert_eq!((ok.len(), full), (1, 1), "round {round}");
        let preview = owner.get(&format!("/invite/{link}")).await.assert_ok();
        assert_eq!(preview["members"], json!(2), "round {round}");
        // Free the seat again: the owner kicks whoever got in.
        let mut kicked = false;
        for u in &users[1..] {
            if owner.post(&kick_path(&gid, &u.id), json!({})).await.status == 200 {
                kicked = true;
            }
        }
        assert!(kicked, "round {round}");
    }
}

#[actix_web::test]
async fn groups_survive_a_restart_and_kick_still_signals() {
    let mut srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (owner, stay, target) = (&users[0], &users[1], &users[2]);
    let (gid, link) = create_group(owner, "durable").await;
    join(stay, &gid, &link).await.assert_ok();
    join(target, &gid, &link).await.assert_ok();

    srv.restart().await;
    let mut stay_ws = stay.socket().await;
    let mut target_ws = target.socket().await;
    assert_eq!(group_ids(stay).await, vec![gid.clone()]);
    assert_eq!(
        srv.get(&format!("/invite/{link}")).await.assert_ok()["members"],
        json!(3)
    );

    owner
        .post(&kick_path(&gid, &target.id), json!({}))
        .await
        .assert_ok();
    let sig = stay_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["from"].as_str()),
        (Some("memberleave"), Some(target.id.as_str()))
    );
    let sig = target_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["from"].as_str()),
        (Some("memberkick"), Some(owner.id.as_str()))
    );
}

#[actix_web::test]
async fn a_socket_opened_just_before_a_kick_receives_it() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (owner, stay, target) = (&users[0], &users[1], &users[2]);
    let (gid, link) = create_group(owner, "fresh sockets").await;
    join(stay, &gid, &link).await.assert_ok();
    for round in 0..20 {
        join(target, &gid, &link).await.assert_ok();
        // Sockets open after the group's actor is running, then the kick follows at once.
        let mut stay_ws = stay.socket().await;
        let mut target_ws = target.socket().await;
        owner
            .post(&kick_path(&gid, &target.id), json!({}))
            .await
            .assert_ok();
        assert_eq!(
            stay_ws.signal().await["type"],
            json!("memberleave"),
            "round {round}"
        );
        assert_eq!(
            target_ws.signal().await["type"],
            json!("memberkick"),
            "round {round}"
        );
    }
}
