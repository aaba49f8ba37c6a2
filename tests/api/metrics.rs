//! `--metrics-bind`: Prometheus text on a listener of its own, with counters
//! that move with the traffic.

use serde_json::json;

use crate::chat::say;
use crate::common::{client, create_group, join, TestServer};

/// The Prometheus text of the server's metrics listener.
async fn scrape(srv: &TestServer) -> String {
    let addr = srv
        .server
        .as_ref()
        .and_then(|s| s.metrics_addr)
        .expect("metrics listener");
    let mut res = client()
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(res.status().as_u16(), 200);
    let content_type = res.headers().get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let body = res.body().await.expect("body");
    String::from_utf8(body.to_vec()).expect("utf-8")
}

/// The value of the sample `series` (name with its labels, as printed).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
        .trim()
        .parse()
        .expect("a number")
}

#[actix_web::test]
async fn counters_move_with_traffic_and_only_the_metrics_port_serves_them() {
    let srv =
        TestServer::start_with(&["--metrics-bind", "127.0.0.1:0", "--rate-limit", "0.5/40"]).await;
    let before = scrape(&srv).await;
    assert_eq!(sample(&before, "kirimin_live_sockets"), 0.0);
    assert_eq!(sample(&before, "kirimin_signals_delivered_total"), 0.0);

    let owner = srv.user("metrics-owner@example.com").await;
    let member = srv.user("metrics-member@example.com").await;
    let (gid, link) = create_group(&owner, "Gauges").await;
    join(&member, &gid, &link).await.assert_ok();
    let mut ws = member.socket().await;
    say(&owner, "group", &gid, "counted").await;
    assert_eq!(ws.signal().await["type"], json!("sendmessage"));

    let after = scrape(&srv).await;
    assert_eq!(sample(&after, "kirimin_live_sockets"), 1.0);
    assert!(sample(&after, "kirimin_group_actors") >= 1.0);
    assert!(sample(&after, "kirimin_signals_delivered_total") >= 1.0);
    assert_eq!(
        sample(
            &after,
            r#"kirimin_http_requests_total{route="/x/room/sendMessage/{roomtype}/{id}",status="200"}"#
        ),
        1.0,
        "requests are counted by route pattern, not by path"
    );
    assert!(
        sample(
            &after,
            r#"kirimin_http_request_seconds_count{route="/x/group/create"}"#
        ) >= 1.0
    );
    // The create, the join and the message each went through the writer.
    assert!(sample(&after, "kirimin_writer_batch_size_count") >= 2.0);
    assert!(sample(&after, "kirimin_writer_commit_seconds_count") >= 2.0);
    assert_eq!(sample(&after, "kirimin_rate_limited_total"), 0.0);

    // Past the burst, the rate limit refuses and the refusal is counted.
    let mut refused = 0;
    for _ in 0..60 {
        if member.get("/x/auth/isUser").await.status == 429 {
            refused += 1;
        }
    }
    assert!(refused > 0, "the rate limit refused some");
    let limited = scrape(&srv).await;
    assert_eq!(
        sample(&limited, "kirimin_rate_limited_total"),
        refused as f64
    );
    assert_eq!(
        sample(
            &limited,
            r#"kirimin_http_requests_total{route="/x/auth/isUser",status="429"}"#
        ),
        refused as f64
    );

    // The API port has no /metrics.
    srv.get("/metrics").await.assert_err(404, "NOT_FOUND");
}
