//! Limits that keep one client from exhausting the server: whole-request
//! timeout, connections per IP, sockets per user (issue 11, item 7).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{TestServer, TestUser, WsClient};

/// Everything the server sends on `stream` until it closes or 15 s pass.
async fn read_to_end(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn addr(srv: &TestServer) -> String {
    srv.base.trim_start_matches("http://").to_string()
}

/// A plain `GET /healthz` on a new connection: the raw answer ("" when the
/// connection was closed without one).
async fn healthz(srv: &TestServer) -> String {
    let Ok(mut stream) = TcpStream::connect(addr(srv)).await else {
        return String::new();
    };
    let req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if stream.write_all(req.as_bytes()).await.is_err() {
        return String::new();
    }
    read_to_end(&mut stream).await
}

#[actix_web::test]
async fn a_body_that_trickles_in_is_cut_off_with_408() {
    let srv = TestServer::start_with(&["--request-timeout-ms", "500"]).await;
    let user = srv.user("slow@example.com").await;
    let mut stream = TcpStream::connect(addr(&srv)).await.expect("connect");
    let head = format!(
        "POST /x/group/create HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":",
        user.cookie
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    // The rest of the body never comes.
    let answer = read_to_end(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("\"msg\":\"REQUEST_TIMEOUT\""), "{answer:?}");
}

/// Opens a socket for `user`, retrying while the server still counts closed
/// ones (the `isUser` request itself may meet the limit too).
async fn open_socket(user: &TestUser) -> WsClient {
    for _ in 0..300 {
        if let Some(data) = user.try_is_user().await {
            let id = data["socket"]["id"].as_str().expect("id").to_string();
            if let Ok(sock) = user.socket_at(&format!("/socket?id={id}")).await {
                return sock;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("socket never opened");
}

#[actix_web::test]
async fn one_user_holds_at_most_the_configured_sockets() {
    let srv = TestServer::start_with(&["--max-sockets-per-user", "2"]).await;
    let user = srv.user("tabs@example.com").await;
    let first = open_socket(&user).await;
    let _second = open_socket(&user).await;
    let id = user.is_user().await["socket"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        user.socket_at(&format!("/socket?id={id}")).await.err(),
        Some(429)
    );
    // Another user is not affected; a closed socket frees its place.
    let other = srv.user("other-tabs@example.com").await;
    let _ = open_socket(&other).await;
    first.close().await;
    let _third = open_socket(&user).await;
}

#[actix_web::test]
async fn one_address_holds_at_most_the_configured_connections() {
    let srv = TestServer::start_with(&["--max-connections-per-ip", "3"]).await;
    let user = srv.user("conns@example.com").await;
    // Three long-lived connections (sockets), taken as earlier requests' connections close.
    let first = open_socket(&user).await;
    let _second = open_socket(&user).await;
    let _third = open_socket(&user).await;
    let answer = healthz(&srv).await;
    assert!(
        !answer.contains("200 OK"),
        "a fourth connection was served: {answer:?}"
    );
    first.close().await;
    let mut served = false;
    for _ in 0..300 {
        if healthz(&srv).await.starts_with("HTTP/1.1 200") {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "a closed connection gave its place back");
}
