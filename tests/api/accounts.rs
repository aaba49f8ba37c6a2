//! Accounts and friends: profile edits, cooldowns, search, friend requests.

use diesel::prelude::*;
use futures_util::future::join_all;
use kirimin::db::schema::users;
use serde_json::json;

use crate::chat::say;
use crate::common::{TestServer, TestUser, PNG_DATA_URL};

const NO_COOLDOWNS: &[&str] = &[
    "--username-cooldown",
    "0",
    "--displayname-cooldown",
    "0",
    "--bio-cooldown",
    "0",
];

#[actix_web::test]
async fn profile_picture() {
    let srv = TestServer::start().await;
    let me = srv.user("pic@example.com").await;
    me.post(
        "/x/account/set-img",
        json!({ "name": "a.txt", "img": "data:text/plain;base64,aGVsbG8=" }),
    )
    .await
    .assert_err(400, "BAD_IMAGE");
    let big = format!("data:image/png;base64,{}", "A".repeat(4 * 1024 * 1024));
    me.post("/x/account/set-img", json!({ "name": "a.png", "img": big }))
        .await
        .assert_err(413, "ACC_FILE_LIMIT");
    let first = me
        .post(
            "/x/account/set-img",
            json!({ "name": "a.png", "img": PNG_DATA_URL }),
        )
        .await
        .assert_ok()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(me.is_user().await["me"]["image"], json!(first));
    let other = srv.user("viewer@example.com").await;
    let got = other.get(&format!("/file/user/{first}")).await;
    assert_eq!(
        (
            got.status,
            got.headers.get("content-type").unwrap().to_str().unwrap()
        ),
        (200, "image/png")
    );
    assert_eq!(srv.get(&format!("/file/user/{first}")).await.status, 401);
    let second = me
        .post(
            "/x/account/set-img",
            json!({ "name": "b.png", "img": PNG_DATA_URL }),
        )
        .await
        .assert_ok()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !srv.state().files.user_image(&first).exists(),
        "the old picture is deleted"
    );
    assert_eq!(other.get(&format!("/file/user/{second}")).await.status, 200);
    assert_eq!(other.get(&format!("/file/user/{first}")).await.status, 404);
}

#[actix_web::test]
async fn username_rules_and_cooldown() {
    let srv = TestServer::start().await;
    let (me, other) = (
        srv.user("un1@example.com").await,
        srv.user("un2@example.com").await,
    );
    me.post("/x/account/set-username", json!({ "uname": "abc" }))
        .await
        .assert_err(400, "ACC_FAIL_UNAME_LENGTH");
    me.post(
        "/x/account/set-username",
        json!({ "uname": "a".repeat(21) }),
    )
    .await
    .assert_err(400, "ACC_FAIL_UNAME_LENGTH");
    me.post("/x/account/set-username", json!({ "uname": "no spaces" }))
        .await
        .assert_err(400, "ACC_FAIL_UNAME_FORMAT");
    me.post("/x/account/set-username", json!({ "uname": "bad-dash" }))
        .await
        .assert_err(400, "ACC_FAIL_UNAME_FORMAT");
    other
        .post("/x/account/set-username", json!({ "uname": "Taken.Name" }))
        .await
        .assert_ok();
    me.post("/x/account/set-username", json!({ "uname": "taken.name" }))
        .await
        .assert_err(400, "ACC_FAIL_CLAIMED");
    let data = me
        .post("/x/account/set-username", json!({ "uname": "My_Name.1" }))
        .await
        .assert_ok();
    assert_eq!(data["text"], json!("My_Name.1"));
    assert_eq!(me.is_user().await["me"]["username"], json!("My_Name.1"));
    let res = me
        .post("/x/account/set-username", json!({ "uname": "another" }))
        .await;
    res.assert_err(429, "ACC_FAIL_UNAME_COOLDOWN");
    let until = res.body["data"]["timestamp"].as_i64().unwrap();
    let week = 7 * 24 * 3600 * 1000;
    assert!((until - kirimin::ids::now_ms() - week).abs() < 60_000);
}

#[actix_web::test]
async fn displayname_and_bio_rules_and_cooldowns() {
    let srv = TestServer::start().await;
    let me = srv.user("dn@example.com").await;
    me.post(
        "/x/account/set-displayname",
        json!({ "dname": "x".repeat(36) }),
    )
    .await
    .assert_err(400, "ACC_FAIL_DNAME_LENGTH");
    let data = me
        .post(
            "/x/account/set-displayname",
            json!({ "dname": "  Ada   Lovelace " }),
        )
        .await
        .assert_ok();
    assert_eq!(data["text"], json!("Ada Lovelace"));
    me.post("/x/account/set-displayname", json!({ "dname": "Again" }))
        .await
        .assert_err(429, "ACC_FAIL_DNAME_COOLDOWN");

    me.post("/x/account/set-bio", json!({ "bio": "x".repeat(201) }))
        .await
        .assert_err(400, "ACC_FAIL_BIO_LENGTH");
    let data = me
        .post(
            "/x/account/set-bio",
            json!({ "bio": "line   one\n\n\n\nline\t two  " }),
        )
        .await
        .assert_ok();
    assert_eq!(data["text"], json!("line one\n\nline two"));
    assert_eq!(
        me.is_user().await["me"]["bio"],
        json!("line one\n\nline two")
    );
    let res = me.post("/x/account/set-bio", json!({ "bio": "new" })).await;
    res.assert_err(429, "ACC_FAIL_BIO_COOLDOWN");
    assert!(res.body["data"]["timestamp"].as_i64().unwrap() > kirimin::ids::now_ms());
}

#[actix_web::test]
async fn zero_cooldowns_allow_repeated_changes() {
    let srv = TestServer::start_with(NO_COOLDOWNS).await;
    let me = srv.user("fastchanger@example.com").await;
    for i in 0..3 {
        me.post(
            "/x/account/set-username",
            json!({ "uname": format!("name_{i}") }),
        )
        .await
        .assert_ok();
        me.post(
            "/x/account/set-displayname",
            json!({ "dname": format!("Name {i}") }),
        )
        .await
        .assert_ok();
        me.post("/x/account/set-bio", json!({ "bio": format!("bio {i}") }))
            .await
            .assert_ok();
    }
}

#[actix_web::test]
async fn username_race_has_exactly_one_winner() {
    let srv = TestServer::start_with(NO_COOLDOWNS).await;
    let users = srv.users(2).await;
    for round in 0..20 {
        let name = format!("Prize{round}");
        let answers = join_all(
            users
                .iter()
                .map(|u| u.post("/x/account/set-username", json!({ "uname": name }))),
        )
        .await;
        let wins = answers.iter().filter(|a| a.status == 200).count();
        let claimed = answers
            .iter()
            .filter(|a| a.msg() == "ACC_FAIL_CLAIMED")
            .count();
        assert_eq!((wins, claimed), (1, 1), "round {round}");
        let holders: i64 = srv.db(|c| {
            users::table
                .filter(users::username_lower.eq(name.to_lowercase()))
                .count()
                .get_result(c)
                .unwrap()
        });
        assert_eq!(holders, 1);
        // Free both names for the next round.
        for (i, u) in users.iter().enumerate() {
            u.post(
                "/x/account/set-username",
                json!({ "uname": format!("idle{round}x{i}") }),
            )
            .await
            .assert_ok();
        }
    }
}

#[actix_web::test]
async fn search_by_id_and_username_part() {
    let srv = TestServer::start_with(NO_COOLDOWNS).await;
    let me = srv.user("searcher@example.com").await;
    let target = srv.user("target@example.com").await;
    target
        .post(
            "/x/account/set-username",
            json!({ "uname": "Needle.InHay" }),
        )
        .await
        .assert_ok();
    // Many accounts, written straight to the table as a bulk import would.
    srv.db(|c| {
        let rows: Vec<_> = (0..5000)
            .map(|i| {
                (
                    users::id.eq(format!("5{i:08}")),
                    users::email.eq(format!("bulk{i}@example.com")),
                    users::username.eq(format!("bulk_user_{i}")),
                    users::username_lower.eq(format!("bulk_user_{i}")),
                    users::displayname.eq(format!("Bulk {i}")),
                    users::created_at.eq(0i64),
                )
            })
            .collect();
        // Row by row in one transaction: Diesel's batch insert does not
        // exist for a connection that may be SQLite or PostgreSQL.
        c.transaction(|c| {
            for row in &rows {
                diesel::insert_into(users::table).values(row).execute(c)?;
            }
            diesel::QueryResult::Ok(())
        })
        .unwrap();
    });
    let found = me.get("/x/profile/search/needle").await.assert_ok();
    let ids: Vec<_> = found["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(target.id)]);
    assert_eq!(found["users"][0]["isFriend"], json!(0));
    let found = me.get("/x/profile/search/INHAY").await.assert_ok();
    assert_eq!(found["users"][0]["username"], json!("Needle.InHay"));
    let found = me
        .get(&format!("/x/profile/search/{}", target.id))
        .await
        .assert_ok();
    assert_eq!(found["users"][0]["id"], json!(target.id));
    let many = me.get("/x/profile/search/user_4").await.assert_ok();
    assert_eq!(many["users"].as_array().unwrap().len(), 20, "at most 20");
    let short = me.get("/x/profile/search/k_").await.assert_ok();
    assert!(!short["users"].as_array().unwrap().is_empty());
    me.get(&format!("/x/profile/search/{}", me.id))
        .await
        .assert_err(404, "FIND_NOTFOUND");
    me.get("/x/profile/search/searcher")
        .await
        .assert_err(404, "FIND_NOTFOUND");
    me.get("/x/profile/search/zzzz_nothing")
        .await
        .assert_err(404, "FIND_NOTFOUND");
    me.get("/x/profile/search/%22%27%25")
        .await
        .assert_err(404, "FIND_NOTFOUND");
}

async fn friend(user: &TestUser, action: &str, other: &TestUser) -> serde_json::Value {
    user.post(
        &format!("/x/profile/{action}"),
        json!({ "userid": other.id }),
    )
    .await
    .assert_ok()
}

#[actix_web::test]
async fn friend_requests_with_states_and_signals() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    // Carol only sends bob one-to-one messages, the markers that prove no
    // other signal reached him first.
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
    let mut alice_ws = alice.socket().await;
    let mut bob_ws = bob.socket().await;

    alice
        .post("/x/profile/addfriend", json!({ "userid": "999999999" }))
        .await
        .assert_err(404, "USERS_NOT_FOUND");
    alice
        .post("/x/profile/addfriend", json!({ "userid": alice.id }))
        .await
        .assert_err(404, "USERS_NOT_FOUND");
    alice
        .post("/x/profile/acceptfriend", json!({ "userid": bob.id }))
        .await
        .assert_err(404, "USERS_NOT_FOUND");
    alice
        .post("/x/profile/addfriend", json!({ "userid": [1] }))
        .await
        .assert_err(400, "BAD_REQUEST");

    assert_eq!(
        friend(alice, "addfriend", bob).await["user"]["isFriend"],
        json!(2)
    );
    let sig = bob_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["from"].as_str()),
        (Some("addfriend"), Some(alice.id.as_str()))
    );
    assert_eq!(sig["user"]["id"], json!(alice.id));
    assert_eq!(sig["user"]["isFriend"], json!(3));
    // Idempotent: again, same state, no second signal.
    assert_eq!(
        friend(alice, "addfriend", bob).await["user"]["isFriend"],
        json!(2)
    );
    say(carol, "user", &bob.id, "after the second request").await;
    bob_ws.assert_next_message("after the second request").await;
    assert_eq!(bob.is_user().await["me"]["req"][0]["id"], json!(alice.id));

    assert_eq!(
        friend(alice, "cancelfriend", bob).await["user"]["isFriend"],
        json!(0)
    );
    assert_eq!(bob_ws.signal().await["type"], json!("cancelfriend"));
    assert_eq!(bob.is_user().await["me"]["req"], json!([]));

    friend(alice, "addfriend", bob).await;
    bob_ws.signal().await;
    assert_eq!(
        friend(bob, "ignorefriend", alice).await["user"]["isFriend"],
        json!(0)
    );
    let sig = alice_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["user"]["isFriend"].as_i64()),
        (Some("ignorefriend"), Some(0))
    );

    friend(alice, "addfriend", bob).await;
    bob_ws.signal().await;
    let accepted = friend(bob, "acceptfriend", alice).await;
    assert_eq!(accepted["user"]["isFriend"], json!(1));
    assert_eq!(accepted["room"]["id"], json!(alice.id));
    assert_eq!(accepted["room"]["type"], json!("user"));
    let sig = alice_ws.signal().await;
    assert_eq!(
        (sig["type"].as_str(), sig["user"]["isFriend"].as_i64()),
        (Some("acceptfriend"), Some(1))
    );
    let c = alice.is_user().await["c"].clone();
    assert_eq!(
        c[0]["r"]["id"],
        json!(bob.id),
        "accepting creates the one-to-one chat"
    );
    assert_eq!(c[0]["u"][1]["isFriend"], json!(1));
    assert_eq!(
        friend(bob, "acceptfriend", alice).await["user"]["isFriend"],
        json!(1)
    );

    assert_eq!(
        friend(alice, "unfriend", bob).await["user"]["isFriend"],
        json!(0)
    );
    assert_eq!(bob_ws.signal().await["type"], json!("unfriend"));
    assert_eq!(
        friend(alice, "unfriend", bob).await["user"]["isFriend"],
        json!(0)
    );
    say(carol, "user", &bob.id, "after the second unfriend").await;
    bob_ws
        .assert_next_message("after the second unfriend")
        .await;

    // Asking someone who already asked you makes you friends.
    friend(bob, "addfriend", alice).await;
    alice_ws.signal().await;
    assert_eq!(
        friend(alice, "addfriend", bob).await["user"]["isFriend"],
        json!(1)
    );
    assert_eq!(bob_ws.signal().await["user"]["isFriend"], json!(1));
}
