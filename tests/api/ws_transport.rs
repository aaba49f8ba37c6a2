//! The WebSocket transport under hostile and stuck clients (issue 12): size
//! limits enforced on the frame header, and a peer that takes no bytes is
//! dropped while everyone else keeps receiving. Raw TCP clients, so the test
//! controls every byte (and every byte not read).

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{create_group, eventually, join, sign_in_at, Read, TestServer, TestUser};
use crate::process::{command, Proc};

/// Opens a WebSocket by hand: the upgrade request, then the `101` head.
/// `rcvbuf` shrinks the client's receive buffer (a reader that takes little).
async fn raw_socket(user: &TestUser, base: &str, rcvbuf: Option<usize>) -> TcpStream {
    let id = user.is_user().await["socket"]["id"]
        .as_str()
        .expect("socket id")
        .to_string();
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if let Some(size) = rcvbuf {
        socket.set_recv_buffer_size(size as u32).unwrap();
    }
    let mut tcp = socket.connect(addr).await.unwrap();
    let request = format!(
        "GET /socket?id={id} HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        user.cookie
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.expect("handshake answer"));
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    tcp
}

/// A masked client frame header; the mask is zero, so payload bytes go as they are.
fn client_header(first: u8, len: u64) -> Vec<u8> {
    let mut h = vec![first];
    if len < 126 {
        h.push(0x80 | len as u8);
    } else if len <= u64::from(u16::MAX) {
        h.push(0x80 | 126);
        h.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        h.push(0x80 | 127);
        h.extend_from_slice(&len.to_be_bytes());
    }
    h.extend_from_slice(&[0, 0, 0, 0]);
    h
}

/// Reads server frames until a close; its code, or `None` if the
/// connection ended without one.
async fn close_code(tcp: &mut tokio::net::tcp::OwnedReadHalf) -> Option<u16> {
    loop {
        let first = tcp.read_u8().await.ok()?;
        let len = match tcp.read_u8().await.ok()? {
            126 => u64::from(tcp.read_u16().await.ok()?),
            127 => tcp.read_u64().await.ok()?,
            n => u64::from(n),
        };
        let mut payload = vec![0u8; len as usize];
        tcp.read_exact(&mut payload).await.ok()?;
        if first & 0x0F == 0x8 {
            return payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]));
        }
    }
}

/// Resident memory of process `pid`, in bytes.
fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// Sends `first` (a frame header declaring more than the limit) and then up
/// to `stream` bytes of payload while reading; the close code that came back.
async fn declare_and_stream(tcp: TcpStream, first: Vec<u8>, stream: usize) -> Option<u16> {
    let (mut rd, mut wr) = tcp.into_split();
    let writer = actix_web::rt::spawn(async move {
        if wr.write_all(&first).await.is_err() {
            return;
        }
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < stream {
            if wr.write_all(&chunk).await.is_err() {
                return;
            }
            sent += chunk.len();
        }
    });
    let code = close_code(&mut rd).await;
    writer.abort();
    code
}

#[actix_web::test]
async fn frames_over_the_limit_close_with_1009_before_their_payload_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_string_lossy().to_string();
    let cmd = command(&[
        "--bind",
        "127.0.0.1:0",
        "--data-dir",
        &data,
        "--dev-expose-otp",
        "--rate-limit",
        "off",
        "--workers",
        "2",
    ]);
    let mut proc = Proc::spawn(cmd);
    let pid = proc.pid();
    let base = proc.base();
    let user = sign_in_at(&base, "huge@example.com").await;
    // Warm up the paths the attack takes, so the baseline holds their memory.
    for _ in 0..4 {
        let tcp = raw_socket(&user, &base, None).await;
        let small = client_header(0x81, 2);
        let mut tcp = tcp;
        tcp.write_all(&small).await.unwrap();
        tcp.write_all(b"{}").await.unwrap();
        drop(tcp);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_of(pid);

    // Four clients each declare a 2^62-byte frame and stream 50 MB behind it.
    let mut attacks = Vec::new();
    for _ in 0..4 {
        let tcp = raw_socket(&user, &base, None).await;
        attacks.push(actix_web::rt::spawn(declare_and_stream(
            tcp,
            client_header(0x82, 1 << 62),
            50 * 1024 * 1024,
        )));
    }
    // A fragmented message: each frame is within the frame limit, the whole is not.
    let tcp = raw_socket(&user, &base, None).await;
    let mut first = client_header(0x01, 40 * 1024);
    first.extend(std::iter::repeat_n(b' ', 40 * 1024));
    first.extend(client_header(0x80, 40 * 1024));
    attacks.push(actix_web::rt::spawn(declare_and_stream(
        tcp,
        first,
        40 * 1024,
    )));
    for attack in attacks {
        assert_eq!(attack.await.unwrap(), Some(1009), "closed with 1009");
    }
    let after = rss_of(pid);
    assert!(
        after < before + 1024 * 1024,
        "server RSS grew from {before} to {after} bytes"
    );
    // The server still serves sockets.
    let tcp = raw_socket(&user, &base, None).await;
    drop(tcp);
    let _ = proc.terminate();
}

/// Sends a masked ping every 50 ms and never reads: a peer that looks alive
/// (so only the write deadline or the queue bound can drop it).
fn keep_pinging(mut tcp: tokio::net::tcp::OwnedWriteHalf) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let ping = client_header(0x89, 0);
        while tcp.write_all(&ping).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

/// Reads (and throws away) until the server ends the connection; `false`
/// if it is still open after 15 s.
async fn ends(mut tcp: tokio::net::tcp::OwnedReadHalf) -> bool {
    let drain = async {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = tcp.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(15), drain)
        .await
        .is_ok()
}

#[actix_web::test]
async fn a_member_that_stops_reading_is_dropped_and_the_others_keep_receiving() {
    const MESSAGES: usize = 3000;
    let srv = TestServer::start_with(&[
        "--ws-ping-ms",
        "100",
        "--ws-timeout-ms",
        "1000",
        "--group-member-limit",
        "50",
    ])
    .await;
    let users = srv.users(20).await;
    let (owner, members) = users.split_first().unwrap();
    let (gid, link) = create_group(owner, "Flow").await;
    for m in members {
        join(m, &gid, &link).await.assert_ok();
    }
    let mut readers = Vec::new();
    for m in &members[..2] {
        let mut ws = m.socket().await;
        readers.push(actix_web::rt::spawn(async move {
            let mut texts = Vec::new();
            while texts.len() < MESSAGES {
                match ws.read(Duration::from_secs(30)).await {
                    Read::Signal(s) if s["type"] == json!("sendmessage") => {
                        texts.push(s["chat"]["text"].as_str().unwrap_or("").to_string());
                    }
                    Read::Signal(_) => {}
                    other => panic!("a reading member lost its socket: {other:?}"),
                }
            }
            // The socket stays open until the test has looked at the hub.
            (texts, ws)
        }));
    }
    let (stuck, pings) = raw_socket(&members[2], &srv.base, Some(4096))
        .await
        .into_split();
    let pinger = keep_pinging(pings);
    assert!(eventually(|| srv.state().hub.socket_count() == 3).await);

    let pad = "p".repeat(450);
    for i in 0..MESSAGES {
        owner
            .post(
                &format!("/x/room/sendMessage/group/{gid}"),
                json!({ "text": format!("{i:05} {pad}") }),
            )
            .await
            .assert_ok();
    }
    assert!(
        eventually(|| srv.state().hub.socket_count() == 2).await,
        "the member that stopped reading was dropped"
    );
    assert!(srv.state().metrics.slow_sockets_closed.get() >= 1);
    assert!(ends(stuck).await, "its connection is closed");
    let expected: Vec<String> = (0..MESSAGES).map(|i| format!("{i:05} {pad}")).collect();
    for reader in readers {
        let (texts, _ws) = reader.await.unwrap();
        assert!(texts == expected, "every message, once, in order");
    }
    // The group goes on without the dropped socket.
    owner
        .post(
            &format!("/x/room/sendMessage/group/{gid}"),
            json!({ "text": "after" }),
        )
        .await
        .assert_ok();
    pinger.abort();
}
