//! Transport rules: envelope, bad input, body limits, unknown paths, rate limit.

use std::time::Duration;

use serde_json::json;

use crate::common::TestServer;
use crate::process::{command, Proc};

#[actix_web::test]
async fn healthz_and_unknown_paths() {
    let srv = TestServer::start().await;
    let res = srv.get("/healthz").await;
    let data = res.assert_ok();
    // On PostgreSQL (shared by nodes) it also says the database answers.
    let expected = match kirimin_testkit::on_postgres() {
        true => json!({ "database": true }),
        false => json!(null),
    };
    assert_eq!(data, expected);
    srv.get("/no/such/path").await.assert_err(404, "NOT_FOUND");
    srv.post("/x/nothing-here", json!({}))
        .await
        .assert_err(404, "NOT_FOUND");
    let user = srv.user("paths@example.com").await;
    user.get("/x/group/nope").await.assert_err(404, "NOT_FOUND");
}

/// `data.database` of `/healthz`.
async fn database_reachable(srv: &TestServer) -> serde_json::Value {
    srv.get("/healthz").await.assert_ok()["database"].clone()
}

#[actix_web::test]
async fn healthz_says_when_postgresql_is_unreachable_and_when_it_is_back() {
    use kirimin_testkit::postgres::{admin_sql, database_name};
    if crate::common::skip_on_postgres_only("only a PostgreSQL node reports its database") {
        return;
    }
    let srv = TestServer::start().await;
    let url = srv.state().config.database_url();
    let db = database_name(&url).unwrap().to_string();
    assert_eq!(database_reachable(&srv).await, json!(true));
    // The group writer holds a connection of its own from here on.
    let (users, gid, _) = crate::chat::group_of(&srv, 2).await;
    crate::chat::say(&users[0], "group", &gid, "before").await;
    // The database refuses new connections and drops the server's.
    admin_sql(&format!(
        "ALTER DATABASE {db} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
    ))
    .unwrap();
    assert_eq!(database_reachable(&srv).await, json!(false));
    // Back: the pool reconnects by itself.
    admin_sql(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true")).unwrap();
    let mut back = false;
    for _ in 0..100 {
        if database_reachable(&srv).await == json!(true) {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(back, "the server never found its database again");
    // Reads, plain writes and the group writer all work again at once.
    srv.user("back@example.com").await;
    crate::chat::say(&users[1], "group", &gid, "after").await;
}

#[actix_web::test]
async fn malformed_and_mistyped_bodies_are_bad_requests() {
    let srv = TestServer::start().await;
    let user = srv.user("bad@example.com").await;
    for body in [
        "{",
        "not json",
        "[1,2",
        "{\"name\":}",
        "\"just a string\"",
        "[]",
        "null",
    ] {
        user.post_raw("/x/group/create", body.to_string())
            .await
            .assert_err(400, "BAD_REQUEST");
    }
    user.post("/x/group/create", json!({ "name": 12 }))
        .await
        .assert_err(400, "BAD_REQUEST");
    user.post("/x/group/create", json!({ "nom": "x" }))
        .await
        .assert_err(400, "BAD_REQUEST");
    // An empty body is `{}`: here that lacks the required field.
    user.post_raw("/x/group/create", String::new())
        .await
        .assert_err(400, "BAD_REQUEST");
    assert_eq!(user.is_user().await["c"], json!([]), "nothing was created");
}

#[actix_web::test]
async fn empty_body_counts_as_empty_object() {
    let srv = TestServer::start().await;
    let owner = srv.user("empty@example.com").await;
    let gid = owner
        .post("/x/group/create", json!({ "name": "g" }))
        .await
        .assert_ok()["roomid"]
        .as_str()
        .unwrap()
        .to_string();
    // `leave` takes `{}`; an empty body must behave the same (the owner disbands).
    owner
        .post_raw(&format!("/x/group/leave/{gid}"), String::new())
        .await
        .assert_ok();
}

#[actix_web::test]
async fn oversized_bodies_are_refused_with_413() {
    let srv = TestServer::start().await;
    let user = srv.user("big@example.com").await;
    let huge = json!({ "name": "x".repeat(150 * 1024) }).to_string();
    user.post_raw("/x/group/create", huge)
        .await
        .assert_err(413, "CONTENT_TOO_LARGE");
    let enormous = json!({ "name": "x".repeat(2 * 1024 * 1024) }).to_string();
    user.post_raw("/x/group/create", enormous)
        .await
        .assert_err(413, "CONTENT_TOO_LARGE");
    // File endpoints take up to 10 MB of JSON; beyond that, 413 too.
    let too_big_file =
        json!({ "id": "1", "name": "a.png", "img": "A".repeat(11 * 1024 * 1024) }).to_string();
    user.post_raw("/x/group/set-img", too_big_file)
        .await
        .assert_err(413, "CONTENT_TOO_LARGE");
    assert_eq!(user.is_user().await["c"], json!([]));
}

#[actix_web::test]
async fn rate_limit_answers_429_with_retry_after() {
    let srv = TestServer::start_with(&["--rate-limit", "1/3"]).await;
    let user = srv.user("fast@example.com").await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..6 {
        let res = user.get("/x/auth/isUser").await;
        if res.status == 429 {
            res.assert_err(429, "TO_MANY_REQUEST");
            retry_after = res
                .headers
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
        }
        statuses.push(res.status);
    }
    assert!(
        statuses.contains(&429),
        "hammering is limited: {statuses:?}"
    );
    let secs: u64 = retry_after.expect("Retry-After header").parse().unwrap();
    assert!(secs >= 1);
    // Another caller (another IP bucket is not possible here, but another
    // user is): a fresh user has its own bucket... after signing in, which
    // itself is limited per IP, so only check the health endpoint stays open.
    srv.get("/healthz").await.assert_ok();
}

#[derive(diesel::QueryableByName)]
struct Pragma {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

#[actix_web::test]
async fn database_file_is_created_in_wal_mode_with_foreign_keys() {
    use diesel::RunQueryDsl;
    let srv = TestServer::start().await;
    if !crate::common::skip_on_postgres("the SQLite file, its WAL mode and PRAGMA") {
        assert!(
            srv.dir.path().join("kirimin.db").exists(),
            "the database file lives in the data dir"
        );
        let mode: Vec<Pragma> =
            srv.db(|c| diesel::sql_query("PRAGMA journal_mode").load(c).unwrap());
        assert_eq!(mode[0].journal_mode, "wal");
    }
    // Foreign keys are enforced: a session for an unknown user is refused.
    let refused = srv.db(|c| kirimin::db::sessions::insert(c, "h", "no-such-user", 0, 1));
    assert!(refused.is_err());
}

/// Sends `request` on a fresh connection and reads the answer to its end.
async fn raw_answer(addr: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), tcp.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server ends the connection");
    String::from_utf8_lossy(&out).into_owned()
}

#[track_caller]
fn assert_envelope(answer: &str, status: u16, msg: &str) {
    let (head, body) = answer.split_once("\r\n\r\n").expect("a full answer");
    assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{answer}");
    assert!(head.contains("content-type: application/json"), "{answer}");
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON body");
    assert_eq!(body, json!({ "ok": false, "code": status, "msg": msg }));
}

#[actix_web::test]
async fn http_framing_errors_answer_with_the_envelope_and_log_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_string_lossy().to_string();
    let mut proc = Proc::spawn(command(&["--bind", "127.0.0.1:0", "--data-dir", &data]));
    let base = proc.base();
    let addr = base.trim_start_matches("http://");
    let bad_length = raw_answer(
        addr,
        b"POST /x/auth/sign-in HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
    )
    .await;
    assert_envelope(&bad_length, 400, "BAD_REQUEST");
    let mut many = b"GET /healthz HTTP/1.1\r\nHost: a\r\n".to_vec();
    for i in 0..120 {
        many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_envelope(&raw_answer(addr, &many).await, 431, "HEADERS_TOO_LARGE");
    // A good request on the same server is unaffected.
    let ok = raw_answer(
        addr,
        b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let (_, lines) = proc.terminate();
    assert!(
        !lines.iter().any(|l| l.contains("ERROR")),
        "framing errors are not logged as errors:\n{}",
        lines.join("\n")
    );
}
