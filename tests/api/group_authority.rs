//! The database decides, the group actor fans out: membership is checked in
//! the database inside each write, the actor's member set follows the
//! database even under faults, commands never run twice, and a disband
//! racing other commands answers with the contract's errors.

use std::collections::BTreeSet;

use diesel::prelude::*;
use futures_util::future::join_all;
use kirimin::db::fault::Fault;
use kirimin::db::schema::group_members;
use kirimin::realtime::group::Inspect;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::json;

use crate::chat::{group_of, say};
use crate::common::{join, Answer, TestServer};

/// What the running actor of `gid` counts as members (None: not running).
async fn actor_members(srv: &TestServer, gid: &str) -> Option<BTreeSet<String>> {
    let addr = srv.state().groups.running(gid)?;
    let snapshot = addr.send(Inspect).await.ok()?;
    Some(snapshot.members.into_iter().collect())
}

fn db_members(srv: &TestServer, gid: &str) -> BTreeSet<String> {
    let gid = gid.to_string();
    srv.db(move |c| kirimin::db::groups::member_ids(c, &gid).expect("members"))
        .into_iter()
        .collect()
}

#[actix_web::test]
async fn chat_commands_ask_the_database_not_the_actor() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 2).await;
    let (owner, member) = (&users[0], &users[1]);
    let newcomer = srv.user("newcomer@example.com").await;
    let mut owner_ws = owner.socket().await;
    say(member, "group", &gid, "hello").await;
    assert_eq!(owner_ws.signal().await["chat"]["text"], "hello");

    // The database changes behind the running actor's back (as another
    // node would change it): it is the database that counts.
    let (g, m, n) = (gid.clone(), member.id.clone(), newcomer.id.clone());
    srv.db(move |c| {
        diesel::delete(group_members::table.find((&g, &m)))
            .execute(c)
            .expect("delete");
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(&g),
                group_members::user_id.eq(&n),
                group_members::joined_at.eq(0i64),
            ))
            .execute(c)
            .expect("insert");
    });
    let send = |text: &str| json!({ "text": text });
    member
        .post(&format!("/x/room/sendMessage/group/{gid}"), send("gone"))
        .await
        .assert_err(403, "GRP_KICKED");
    member
        .post(&format!("/x/room/delMessage/group/{gid}/x"), json!({}))
        .await
        .assert_err(403, "GRP_KICKED");
    say(&newcomer, "group", &gid, "in").await;
    // No signal for the refused send; the accepted one arrives.
    let signal = owner_ws.signal().await;
    assert_eq!(signal["chat"]["text"], "in", "{signal}");
    // The fan-out index followed the database.
    assert_eq!(
        actor_members(&srv, &gid).await,
        Some(db_members(&srv, &gid))
    );
}

#[actix_web::test]
async fn actor_members_equal_the_database_after_churn_and_faults() {
    let srv = TestServer::start_with(&["--group-member-limit", "50"]).await;
    let (users, gid, link) = group_of(&srv, 1).await;
    let owner = users[0].clone();
    let others = srv.users(8).await;
    // A socket keeps the actor running throughout.
    let _owner_ws = owner.socket().await;
    let mut rng = rand::thread_rng();
    for round in 0..8 {
        match rng.gen_range(0..3) {
            0 => srv.state().writer.inject_fault(Fault::FailCommit),
            1 => srv.state().writer.inject_fault(Fault::PanicJob),
            _ => {}
        }
        let mut picked = others.clone();
        picked.shuffle(&mut rng);
        let mut ops = Vec::new();
        for (i, user) in picked.into_iter().enumerate() {
            let (owner, gid, link) = (owner.clone(), gid.clone(), link.clone());
            let op = (i + round) % 3;
            ops.push(async move {
                let res: Answer = match op {
                    0 => join(&user, &gid, &link).await,
                    1 => user.post(&format!("/x/group/leave/{gid}"), json!({})).await,
                    _ => {
                        owner
                            .post(&format!("/x/group/kick/{gid}/{}", user.id), json!({}))
                            .await
                    }
                };
                assert!([200, 400, 404, 500].contains(&res.status), "{}", res.body);
            });
        }
        join_all(ops).await;
        assert_eq!(
            actor_members(&srv, &gid).await,
            Some(db_members(&srv, &gid)),
            "round {round}"
        );
    }
}

#[actix_web::test]
async fn group_actors_run_on_their_own_threads() {
    let srv = TestServer::start().await;
    let (users, gid, _) = group_of(&srv, 1).await;
    say(&users[0], "group", &gid, "hi").await;
    let addr = srv.state().groups.running(&gid).expect("running");
    let thread = addr.send(Inspect).await.expect("answer").thread;
    assert!(
        !thread.is_empty() && !thread.starts_with("actix-server worker"),
        "group actor on {thread:?}"
    );
}

#[actix_web::test]
async fn commands_racing_a_disband_get_the_contracts_errors() {
    let srv = TestServer::start_with(&["--group-member-limit", "50"]).await;
    for round in 0..3 {
        let (users, gid, link) = group_of(&srv, 10).await;
        let owner = users[0].clone();
        let outsider = srv.users(1).await.remove(0);
        let mut calls = Vec::new();
        let mut push = |name: &'static str, user: crate::common::TestUser, path: String, body| {
            calls.push(async move { (name, user.post(&path, body).await) });
        };
        for member in &users[1..] {
            for i in 0..6 {
                push(
                    "send",
                    member.clone(),
                    format!("/x/room/sendMessage/group/{gid}"),
                    json!({ "text": format!("m{i}") }),
                );
            }
            push(
                "kick",
                owner.clone(),
                format!("/x/group/kick/{gid}/{}", member.id),
                json!({}),
            );
        }
        push(
            "leave",
            owner.clone(),
            format!("/x/group/leave/{gid}"),
            json!({}),
        );
        push(
            "join",
            outsider.clone(),
            format!("/x/group/join/{gid}"),
            json!({ "link": link }),
        );
        push(
            "reset",
            owner.clone(),
            "/x/group/reset-link".to_string(),
            json!({ "id": gid }),
        );
        push(
            "rename",
            owner.clone(),
            "/x/group/set-groupname".to_string(),
            json!({ "id": gid, "gname": "renamed" }),
        );
        for (name, res) in join_all(calls).await {
            if res.status == 200 {
                continue;
            }
            let allowed: &[(u16, &str)] = match name {
                "send" => &[(403, "GRP_KICKED")],
                "kick" => &[(404, "GRPS_404"), (404, "FIND_NOTFOUND")],
                "join" => &[(404, "INV_NOT_FOUND_DESC")],
                _ => &[(404, "GRPS_404")],
            };
            assert!(
                allowed.contains(&(res.status, res.msg())),
                "round {round}: {name} answered {}",
                res.body
            );
        }
        srv.get(&format!("/invite/{link}"))
            .await
            .assert_err(404, "GRPS_404");
    }
}
