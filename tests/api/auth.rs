//! Sign-in by e-mail code, sessions, isUser, logout.

use diesel::prelude::*;
use kirimin::db::schema::{login_codes, sessions};
use serde_json::json;

use crate::common::{session_cookie, TestServer};

#[actix_web::test]
async fn sign_in_rejects_invalid_addresses() {
    let srv = TestServer::start().await;
    for bad in [
        "",
        "no-at-sign",
        "a@b",
        "two@@example.com",
        "sp ace@example.com",
        "@example.com",
    ] {
        srv.post("/x/auth/sign-in", json!({ "email": bad }))
            .await
            .assert_err(400, "AUTH_ERR_02");
    }
    srv.post("/x/auth/sign-in", json!({}))
        .await
        .assert_err(400, "BAD_REQUEST");
    srv.post("/x/auth/sign-in", json!({ "email": 42 }))
        .await
        .assert_err(400, "BAD_REQUEST");
    let stored: i64 = srv.db(|c| login_codes::table.count().get_result(c).unwrap());
    assert_eq!(stored, 0, "a refused sign-in stores nothing");
}

#[actix_web::test]
async fn code_is_exposed_only_with_the_dev_switch_and_stored_hashed() {
    let srv = TestServer::start_plain(&[]).await;
    let data = srv
        .post("/x/auth/sign-in", json!({ "email": "Hidden@Example.com" }))
        .await
        .assert_ok();
    assert_eq!(data, json!({ "email": "hidden@example.com" }));

    let dev = TestServer::start().await;
    let data = dev
        .post("/x/auth/sign-in", json!({ "email": "shown@example.com" }))
        .await
        .assert_ok();
    let code = data["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_digit()));
    let hash: String = dev.db(|c| {
        login_codes::table
            .find("shown@example.com")
            .select(login_codes::code_hash)
            .first(c)
            .unwrap()
    });
    assert_ne!(hash, code);
    assert!(!hash.contains(&code), "the code is not stored in clear");
}

#[actix_web::test]
async fn verify_accepts_string_and_number_codes_and_flags_first_sign_in() {
    let srv = TestServer::start().await;
    let code = srv.code_for("num@example.com").await;
    let as_number: u64 = code.parse().unwrap();
    let res = srv
        .post(
            "/x/auth/verify",
            json!({ "email": "num@example.com", "code": as_number }),
        )
        .await;
    let data = res.assert_ok();
    assert_eq!(data["first"], json!(true));
    let id = data["user"]["id"].as_str().unwrap().to_string();
    assert!(
        id.chars().all(|c| c.is_ascii_digit()),
        "user ids are digit strings: {id}"
    );
    assert_eq!(
        data["user"]["data"],
        json!({ "provider": "kirimin", "email": "num@example.com", "id": id })
    );

    let cookie = res
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");

    // Second sign-in of the same address: same account, not first.
    let code = srv.code_for("NUM@example.com").await;
    let data = srv
        .post(
            "/x/auth/verify",
            json!({ "email": "num@example.com", "code": code }),
        )
        .await
        .assert_ok();
    assert_eq!(data["first"], json!(false));
    assert_eq!(data["user"]["id"], json!(id));

    let me = srv.sign_in("fresh@example.com").await.is_user().await;
    assert_eq!(
        me["me"]["username"],
        json!(format!("u{}", me["me"]["id"].as_str().unwrap()))
    );
    assert_eq!(
        me["me"]["displayname"],
        json!(format!("User {}", me["me"]["id"].as_str().unwrap()))
    );
}

#[actix_web::test]
async fn wrong_used_and_expired_codes_are_refused() {
    let srv = TestServer::start().await;
    srv.post(
        "/x/auth/verify",
        json!({ "email": "nobody@example.com", "code": "123456" }),
    )
    .await
    .assert_err(400, "AUTH_ERR_04");
    srv.post(
        "/x/auth/verify",
        json!({ "email": "x@example.com", "code": true }),
    )
    .await
    .assert_err(400, "BAD_REQUEST");

    let code = srv.code_for("x@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    srv.post(
        "/x/auth/verify",
        json!({ "email": "x@example.com", "code": wrong }),
    )
    .await
    .assert_err(400, "AUTH_ERR_04");
    srv.post(
        "/x/auth/verify",
        json!({ "email": "x@example.com", "code": code }),
    )
    .await
    .assert_ok();
    // A used code does not work twice.
    srv.post(
        "/x/auth/verify",
        json!({ "email": "x@example.com", "code": code }),
    )
    .await
    .assert_err(400, "AUTH_ERR_04");

    let code = srv.code_for("late@example.com").await;
    srv.db(|c| {
        diesel::update(login_codes::table.find("late@example.com"))
            .set(login_codes::expires_at.eq(kirimin::ids::now_ms() - 1))
            .execute(c)
            .unwrap()
    });
    srv.post(
        "/x/auth/verify",
        json!({ "email": "late@example.com", "code": code }),
    )
    .await
    .assert_err(400, "AUTH_ERR_05");
}

#[actix_web::test]
async fn too_many_wrong_tries_lock_the_code() {
    let srv = TestServer::start().await;
    let code = srv.code_for("brute@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        srv.post(
            "/x/auth/verify",
            json!({ "email": "brute@example.com", "code": wrong }),
        )
        .await
        .assert_err(400, "AUTH_ERR_04");
    }
    srv.post(
        "/x/auth/verify",
        json!({ "email": "brute@example.com", "code": wrong }),
    )
    .await
    .assert_err(429, "AUTH_RATE_LIMIT");
    // Even the right code is refused now: the attacker's tries burnt it.
    srv.post(
        "/x/auth/verify",
        json!({ "email": "brute@example.com", "code": code }),
    )
    .await
    .assert_err(429, "AUTH_RATE_LIMIT");
}

#[actix_web::test]
async fn more_than_three_codes_in_ten_minutes_are_refused() {
    let srv = TestServer::start().await;
    for _ in 0..3 {
        srv.post("/x/auth/sign-in", json!({ "email": "spam@example.com" }))
            .await
            .assert_ok();
    }
    let res = srv
        .post("/x/auth/sign-in", json!({ "email": "spam@example.com" }))
        .await;
    res.assert_err(429, "AUTH_RATE_LIMIT");
    assert!(res.headers.get("retry-after").is_some());
    // Another address is unaffected.
    srv.post("/x/auth/sign-in", json!({ "email": "other@example.com" }))
        .await
        .assert_ok();
}

#[actix_web::test]
async fn is_user_requires_a_session_and_describes_the_account() {
    let srv = TestServer::start().await;
    srv.get("/x/auth/isUser")
        .await
        .assert_err(401, "UNAUTHORIZED");
    srv.raw(
        "GET",
        "/x/auth/isUser",
        Some("kirimin_session=forged"),
        None,
        true,
    )
    .await
    .assert_err(401, "UNAUTHORIZED");

    let user = srv.sign_in("me@example.com").await;
    let data = user.is_user().await;
    assert_eq!(data["me"]["id"], json!(user.id));
    assert_eq!(
        data["me"]["email"],
        json!([{ "email": "me@example.com", "provider": "kirimin" }])
    );
    assert_eq!(data["v"], json!(1), "a data version clients compare");
    assert!(data.get("package").is_none(), "isUser never sends package");
    assert_eq!(data["me"]["req"], json!([]));
    assert_eq!(data["me"]["badges"], json!([]));
    assert_eq!(data["c"], json!([]));
    assert_eq!(
        data["socket"]["host"],
        json!(srv.base.trim_start_matches("http://"))
    );
    let first = data["socket"]["id"].as_str().unwrap().to_string();
    let second = user.is_user().await["socket"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first, second, "every isUser issues a fresh socket id");
}

#[actix_web::test]
async fn logout_ends_the_session() {
    let srv = TestServer::start().await;
    let user = srv.sign_in("bye@example.com").await;
    let res = user.get("/x/auth/logout").await;
    assert_eq!(res.status, 302);
    assert_eq!(res.headers.get("location").unwrap(), "/app");
    user.get("/x/auth/isUser")
        .await
        .assert_err(401, "UNAUTHORIZED");
    user.post("/x/group/create", json!({ "name": "x" }))
        .await
        .assert_err(401, "UNAUTHORIZED");
    let left: i64 = srv.db(|c| sessions::table.count().get_result(c).unwrap());
    assert_eq!(left, 0, "the session row is deleted");
    // Signed out: logout answers the same redirect (clients call it, then
    // navigate the page to it), and still changes nothing.
    let again = user.get("/x/auth/logout").await;
    assert_eq!(again.status, 302);
    assert_eq!(again.headers.get("location").unwrap(), "/app");
    let anonymous = srv.get("/x/auth/logout").await;
    assert_eq!(anonymous.status, 302);
    assert_eq!(anonymous.headers.get("location").unwrap(), "/app");
}

#[actix_web::test]
async fn session_survives_a_restart() {
    let mut srv = TestServer::start().await;
    let code = srv.code_for("stay@example.com").await;
    let res = srv
        .post(
            "/x/auth/verify",
            json!({ "email": "stay@example.com", "code": code }),
        )
        .await;
    let id = res.assert_ok()["user"]["id"].as_str().unwrap().to_string();
    let cookie = session_cookie(&res).unwrap();
    srv.restart().await;
    let data = srv
        .raw("GET", "/x/auth/isUser", Some(&cookie), None, true)
        .await
        .assert_ok();
    assert_eq!(data["me"]["id"], json!(id));
}

/// A minimal SMTP server on loopback that accepts one connection's mails and
/// hands each DATA section over a channel.
fn fake_smtp() -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut out) = stream else { return };
            let mut lines = BufReader::new(out.try_clone().unwrap());
            let _ = out.write_all(b"220 localhost test SMTP\r\n");
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                let cmd = line.trim_end().to_ascii_uppercase();
                let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                    b"250-localhost\r\n250 8BITMIME\r\n"
                } else if cmd.starts_with("DATA") {
                    let _ = out.write_all(b"354 go ahead\r\n");
                    let mut body = String::new();
                    let mut l = String::new();
                    while lines.read_line(&mut l).unwrap_or(0) > 0 && l != ".\r\n" {
                        body.push_str(&l);
                        l.clear();
                    }
                    let _ = tx.send(body);
                    b"250 queued\r\n"
                } else if cmd.starts_with("QUIT") {
                    let _ = out.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 OK\r\n"
                };
                let _ = out.write_all(reply);
                line.clear();
            }
        }
    });
    (port, rx)
}

#[actix_web::test]
async fn codes_are_mailed_when_smtp_is_configured() {
    let (port, mails) = fake_smtp();
    let url = format!("smtp://127.0.0.1:{port}");
    let srv = TestServer::start_with(&[
        "--smtp-url",
        &url,
        "--smtp-from",
        "Kirimin <codes@example.com>",
    ])
    .await;
    let code = srv.code_for("mailme@example.com").await;
    let mail = mails
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("a mail arrived");
    assert!(mail.contains("To: mailme@example.com"), "{mail}");
    assert!(mail.contains(&code), "the mail carries the code: {mail}");
}
