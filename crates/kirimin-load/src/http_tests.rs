//! The HTTP client against a loopback peer that answers or hangs up on
//! each request as scripted: a POST that may have reached the server is
//! never sent again, a GET is.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::http::{Client, SourceAddrs};

/// What the peer does with one request.
#[derive(Clone, Copy)]
enum Step {
    /// 200 with a small body; the connection stays open.
    Answer,
    /// Closes the connection without an answer, after reading the request.
    HangUp,
}

/// Serves connections one at a time, playing `script` one step per request
/// read; returns the request lines in the order read.
async fn peer(script: Vec<Step>) -> (SocketAddr, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut steps: VecDeque<Step> = script.into();
        'accept: while !steps.is_empty() {
            let (stream, _) = listener.accept().await.expect("accept");
            let mut conn = BufReader::new(stream);
            loop {
                let mut line = String::new();
                if conn.read_line(&mut line).await.expect("read") == 0 {
                    continue 'accept;
                }
                seen.push(line.trim_end().to_string());
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    conn.read_line(&mut header).await.expect("header");
                    let header = header.trim_end().to_ascii_lowercase();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(v) = header.strip_prefix("content-length:") {
                        length = v.trim().parse().expect("length");
                    }
                }
                let mut body = vec![0; length];
                conn.read_exact(&mut body).await.expect("body");
                match steps.pop_front() {
                    Some(Step::Answer) => {
                        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
                        conn.get_mut()
                            .write_all(answer.as_bytes())
                            .await
                            .expect("answer");
                    }
                    Some(Step::HangUp) => continue 'accept,
                    None => break 'accept,
                }
                if steps.is_empty() {
                    break 'accept;
                }
            }
        }
        seen
    });
    (addr, task)
}

/// A client whose pool holds one connection to a peer playing `script`
/// (its first step answers the `GET /warm` that opens that connection).
async fn warmed_client(script: Vec<Step>) -> (Client, tokio::task::JoinHandle<Vec<String>>) {
    let (addr, peer) = peer(script).await;
    let client = Client::new(addr, Arc::new(SourceAddrs::default()));
    let warm = client.request("GET", "/warm", None, None).await;
    assert_eq!(warm.expect("answered").status, 200);
    (client, peer)
}

#[tokio::test]
async fn a_post_the_server_may_have_read_is_not_sent_again() {
    let (client, peer) = warmed_client(vec![Step::Answer, Step::HangUp, Step::Answer]).await;
    // Goes out on the pooled connection; the peer reads it and hangs up.
    let post = client.request("POST", "/send", None, Some(b"{}")).await;
    assert!(post.is_err(), "the failure is reported: {post:?}");
    let end = client.request("GET", "/end", None, None).await;
    assert_eq!(end.expect("answered").status, 200);
    assert_eq!(
        peer.await.expect("peer"),
        [
            "GET /warm HTTP/1.1",
            "POST /send HTTP/1.1",
            "GET /end HTTP/1.1"
        ],
        "the POST reached the peer once"
    );
}

#[tokio::test]
async fn a_get_on_a_pooled_connection_that_hangs_up_goes_again() {
    let (client, peer) = warmed_client(vec![Step::Answer, Step::HangUp, Step::Answer]).await;
    let again = client.request("GET", "/page", None, None).await;
    assert_eq!(again.expect("answered the second time").status, 200);
    assert_eq!(
        peer.await.expect("peer"),
        [
            "GET /warm HTTP/1.1",
            "GET /page HTTP/1.1",
            "GET /page HTTP/1.1"
        ]
    );
}
