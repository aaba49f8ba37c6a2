//! WebSocket admission, multiple sockets, malformed frames, heartbeat, shutdown.

use std::time::Duration;

use serde_json::json;

use crate::common::{connect_ws, eventually, Read, TestServer, TestUser};

/// Creates a group of `owner` and has `member` join it; returns the group id.
async fn group_with(owner: &TestUser, member: &TestUser) -> String {
    let data = owner
        .post("/x/group/create", json!({ "name": "ws" }))
        .await
        .assert_ok();
    let gid = data["roomid"].as_str().unwrap().to_string();
    let link = data["group"]["r"]["link"].as_str().unwrap().to_string();
    member
        .post(&format!("/x/group/join/{gid}"), json!({ "link": link }))
        .await
        .assert_ok();
    gid
}

#[actix_web::test]
async fn upgrade_is_refused_without_a_valid_cookie_and_own_socket_id() {
    let srv = TestServer::start().await;
    let alice = srv.sign_in("alice@example.com").await;
    let bob = srv.sign_in("bob@example.com").await;
    let alice_id = alice.is_user().await["socket"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(
        connect_ws(&srv.base, &format!("/socket?id={alice_id}"), None)
            .await
            .err(),
        Some(401)
    );
    assert_eq!(
        connect_ws(
            &srv.base,
            &format!("/socket?id={alice_id}"),
            Some("kirimin_session=forged")
        )
        .await
        .err(),
        Some(401)
    );
    assert_eq!(
        bob.socket_at(&format!("/socket?id={alice_id}")).await.err(),
        Some(401),
        "another user's id"
    );
    assert_eq!(
        alice
            .socket_at("/socket?id=0123456789abcdef0123456789abcdef")
            .await
            .err(),
        Some(401)
    );
    assert_eq!(alice.socket_at("/socket").await.err(), Some(401));
    assert_eq!(srv.state().hub.socket_count(), 0, "nothing was opened");

    assert!(alice
        .socket_at(&format!("/socket?id={alice_id}"))
        .await
        .is_ok());
}

#[actix_web::test]
async fn root_path_accepts_the_upgrade_too() {
    let srv = TestServer::start().await;
    let owner = srv.sign_in("root-owner@example.com").await;
    let member = srv.sign_in("root-member@example.com").await;
    let id = owner.is_user().await["socket"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ws = owner
        .socket_at(&format!("/?id={id}"))
        .await
        .expect("upgrade at /");
    group_with(&owner, &member).await;
    assert_eq!(ws.signal().await["type"], json!("memberjoin"));
    // Without an upgrade, `/` leads to the web client.
    let res = srv.get("/").await;
    assert_eq!(res.status, 302);
    assert_eq!(res.headers.get("location").unwrap(), "/app");
}

#[actix_web::test]
async fn every_socket_of_a_user_gets_the_signal_and_bad_frames_are_ignored() {
    let srv = TestServer::start().await;
    let owner = srv.sign_in("multi@example.com").await;
    let member = srv.sign_in("joiner@example.com").await;
    let mut tab1 = owner.socket().await;
    let mut tab2 = owner.socket().await;
    tab1.send_text("this is not json").await;
    tab1.send_text(r#"{"identifier":"kirimin","type":"noSuchType"}"#)
        .await;
    tab1.send_text(r#"{"identifier":"other","type":"readAllMessages"}"#)
        .await;
    tab2.send_text(r#"[1,2,3]"#).await;
    assert!(eventually(|| srv.state().hub.socket_count() == 2).await);

    let gid = group_with(&owner, &member).await;
    for tab in [&mut tab1, &mut tab2] {
        let sig = tab.signal().await;
        assert_eq!(sig["type"], json!("memberjoin"));
        assert_eq!(sig["groupid"], json!(gid));
        assert_eq!(sig["from"], json!(member.id));
    }
}

#[actix_web::test]
async fn heartbeat_drops_a_silent_client_and_keeps_an_answering_one() {
    let srv = TestServer::start_with(&["--ws-ping-ms", "100", "--ws-timeout-ms", "500"]).await;
    let user = srv.sign_in("quiet@example.com").await;
    let silent = user.socket().await;
    let mut answering = user.socket().await;
    assert!(eventually(|| srv.state().hub.socket_count() == 2).await);
    // `answering` reads (and so answers pings) for 1.5 s; `silent` never reads.
    match answering.read(Duration::from_millis(1500)).await {
        Read::Timeout => {}
        other => panic!("the answering socket must stay open, got {other:?}"),
    }
    assert!(
        eventually(|| srv.state().hub.socket_count() == 1).await,
        "the silent socket is dropped"
    );
    drop(silent);
    answering.close().await;
    assert!(
        eventually(|| srv.state().hub.socket_count() == 0).await,
        "a closed socket is unregistered"
    );
}

#[actix_web::test]
async fn shutdown_sends_a_close_frame() {
    let mut srv = TestServer::start().await;
    let user = srv.sign_in("shut@example.com").await;
    let mut ws = user.socket().await;
    assert!(eventually(|| srv.state().hub.socket_count() == 1).await);
    let server = srv.server.take().unwrap();
    let stopping = actix_web::rt::spawn(server.stop());
    match ws.read(Duration::from_secs(5)).await {
        Read::Closed(Some(reason)) => assert_eq!(reason.code, awc::ws::CloseCode::Away),
        other => panic!("expected a close frame, got {other:?}"),
    }
    stopping.await.unwrap();
}
