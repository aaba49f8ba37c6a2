//! Posts: the feed and its paging, new posts and their checks, deletion,
//! comments, and post images. Likes are in `post_likes.rs`.

use base64::Engine;
use diesel::prelude::*;
use kirimin::db::schema::{post_comments, post_likes, posts};
use serde_json::{json, Value};

use crate::common::{TestServer, TestUser, PNG_DATA_URL};

/// The bytes of the 1x1 PNG in [`PNG_DATA_URL`].
fn png_bytes() -> Vec<u8> {
    let b64 = PNG_DATA_URL.split_once(',').unwrap().1;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// `user` posts the test PNG with `text`; returns the post object.
pub(crate) async fn new_post(user: &TestUser, text: Option<&str>) -> Value {
    let mut body = json!({ "file": PNG_DATA_URL, "name": "me.png" });
    if let Some(t) = text {
        body["text"] = json!(t);
    }
    user.post("/x/posts/new-post", body).await.assert_ok()
}

/// The feed as `user` sees it (`query` like `?limit=2`).
pub(crate) async fn feed(user: &TestUser, query: &str) -> Vec<Value> {
    user.get(&format!("/x/posts{query}"))
        .await
        .assert_ok()
        .as_array()
        .expect("feed is an array")
        .clone()
}

fn ids_of(posts: &[Value]) -> Vec<String> {
    posts
        .iter()
        .map(|p| p["id"].as_str().expect("post id is a string").to_string())
        .collect()
}

fn count_posts(srv: &TestServer) -> i64 {
    srv.db(|c| posts::table.count().get_result(c).unwrap())
}

/// Names of the stored post images.
fn stored_images(srv: &TestServer) -> Vec<String> {
    match std::fs::read_dir(srv.dir.path().join("files").join("post")) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A GET returning the raw bytes: (status, content type, bytes).
async fn fetch(srv: &TestServer, path: &str, cookie: Option<&str>) -> (u16, String, Vec<u8>) {
    let client = awc::Client::default();
    let mut req = client.get(format!("{}{path}", srv.base));
    if let Some(c) = cookie {
        req = req.insert_header(("Cookie", c.to_string()));
    }
    let mut res = req.send().await.expect("request sent");
    let body = res.body().limit(10 * 1024 * 1024).await.expect("body");
    let ctype = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (res.status().as_u16(), ctype, body.to_vec())
}

#[actix_web::test]
async fn posts_appear_in_the_feed_oldest_first_with_authors_as_the_caller_sees_them() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    assert_eq!(feed(bob, "").await, Vec::<Value>::new());
    // Alice asks Bob to be friends: Bob sees her as 3, she sees him as 2.
    alice
        .post("/x/profile/addfriend", json!({ "userid": bob.id }))
        .await
        .assert_ok();

    let first = new_post(alice, Some("  hello <b>feed</b>  ")).await;
    assert_eq!(first["text"], json!("hello <b>feed</b>"), "text is trimmed");
    assert_eq!(first["user"]["id"], json!(alice.id));
    assert_eq!(
        first["user"]["isFriend"],
        json!(0),
        "the author sees herself"
    );
    assert_eq!(first["likes"], json!(0));
    assert_eq!(first["comments"], json!(0));
    assert_eq!(first["liked"], json!(false));
    assert!(first["ts"].as_i64().unwrap() > 0);
    let img = first["img"].as_str().unwrap();
    assert!(img.ends_with(".png") && !img.contains("me.png"), "{img}");
    let second = new_post(bob, None).await;
    assert!(second.get("text").is_none(), "no text, no field: {second}");
    let blank = new_post(bob, Some("   ")).await;
    assert!(
        blank.get("text").is_none(),
        "blank text is no text: {blank}"
    );

    let seen_by_bob = feed(bob, "").await;
    assert_eq!(
        ids_of(&seen_by_bob),
        ids_of(&[first.clone(), second.clone(), blank.clone()])
    );
    let p = &seen_by_bob[0];
    let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "id", "user", "ts", "img", "likes", "comments", "text", "liked",
    ] {
        assert!(keys.contains(&key), "{key} missing from {p}");
    }
    assert_eq!(p["user"]["username"], first["user"]["username"]);
    assert_eq!(p["user"]["isFriend"], json!(3), "Bob was asked by Alice");
    assert_eq!(p["img"], first["img"]);
    assert_eq!(p["ts"], first["ts"]);
    let seen_by_alice = feed(alice, "").await;
    assert_eq!(seen_by_alice[1]["user"]["isFriend"], json!(2));
    assert_eq!(seen_by_alice[0]["user"]["isFriend"], json!(0));
    assert_eq!(count_posts(&srv), 3);
}

#[actix_web::test]
async fn post_images_are_served_to_signed_in_users_only() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let post = new_post(&users[0], None).await;
    let (id, img) = (post["id"].as_str().unwrap(), post["img"].as_str().unwrap());
    assert_eq!(stored_images(&srv), vec![img.to_string()]);
    let path = format!("/file/post/{id}/{img}");

    let (status, ctype, bytes) = fetch(&srv, &path, Some(&users[1].cookie)).await;
    assert_eq!((status, ctype.as_str()), (200, "image/png"));
    assert_eq!(bytes, png_bytes(), "the image as uploaded");

    srv.get(&path).await.assert_err(401, "UNAUTHORIZED");
    let other = new_post(&users[1], None).await;
    let other_id = other["id"].as_str().unwrap();
    // The image of one post is not found under another post, nor made-up names.
    for wrong in [
        format!("/file/post/{other_id}/{img}"),
        format!("/file/post/999999/{img}"),
        format!("/file/post/abc/{img}"),
        format!("/file/post/{id}/nothing.png"),
    ] {
        users[1].get(&wrong).await.assert_err(404, "NOT_FOUND");
    }
    users[1]
        .get(&format!("/file/post/{id}/a%2F..%2Fb.png"))
        .await
        .assert_err(400, "BAD_REQUEST");
}

#[actix_web::test]
async fn the_feed_pages_back_with_before_and_limit() {
    let srv = TestServer::start().await;
    let user = &srv.users(1).await[0];
    let mut all = Vec::new();
    for i in 0..55 {
        all.push(new_post(user, Some(&format!("post {i}"))).await);
    }
    let all = ids_of(&all);

    let newest = feed(user, "").await;
    assert_eq!(
        ids_of(&newest),
        all[5..],
        "default: the newest 50, oldest first"
    );
    assert_eq!(
        ids_of(&feed(user, "?limit=500").await),
        all[5..],
        "capped at 50"
    );
    let older = feed(user, &format!("?before={}", all[5])).await;
    assert_eq!(ids_of(&older), all[..5]);
    let two = feed(user, &format!("?before={}&limit=2", all[5])).await;
    assert_eq!(ids_of(&two), all[3..5]);
    assert_eq!(two[1]["text"], json!("post 4"));
    assert!(feed(user, &format!("?before={}", all[0])).await.is_empty());

    // A deleted post still marks its place.
    user.post(&format!("/x/posts/delete-post/{}", all[3]), json!({}))
        .await
        .assert_ok();
    let around = feed(user, &format!("?before={}&limit=2", all[3])).await;
    assert_eq!(ids_of(&around), all[1..3]);

    for bad in ["?limit=0", "?limit=-1", "?limit=abc", "?before=abc"] {
        user.get(&format!("/x/posts{bad}"))
            .await
            .assert_err(400, "BAD_REQUEST");
    }
    srv.get("/x/posts").await.assert_err(401, "UNAUTHORIZED");
}

#[actix_web::test]
async fn new_post_refuses_bad_input_and_stores_nothing() {
    let srv = TestServer::start().await;
    let user = &srv.users(1).await[0];
    let path = "/x/posts/new-post";
    let no_file = [
        json!({ "name": "a.png" }),
        json!({ "file": null, "name": "a.png" }),
        json!({ "file": "", "name": "a.png", "text": "hi" }),
    ];
    for body in no_file {
        user.post(path, body).await.assert_err(400, "POST_NO_FILE");
    }
    // One byte over 2.5 MB once decoded (a PNG header, so only the size is wrong).
    let mut big = png_bytes();
    big.resize(2_621_441, 0);
    let big = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&big)
    );
    user.post(path, json!({ "file": big, "name": "big.png" }))
        .await
        .assert_err(413, "ACC_FILE_LIMIT");
    let text_file = format!(
        "data:text/plain;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(b"just some text, not an image")
    );
    for file in [
        text_file.as_str(),
        "data:image/png;base64,***",
        "not a data url",
    ] {
        user.post(path, json!({ "file": file, "name": "x.png" }))
            .await
            .assert_err(400, "BAD_IMAGE");
    }
    let long = format!("  {}  ", "é".repeat(501));
    user.post(
        path,
        json!({ "file": PNG_DATA_URL, "name": "a.png", "text": long }),
    )
    .await
    .assert_err(400, "POST_TEXT_LENGTH");
    for raw in [
        "{bad".to_string(),
        json!({ "file": 5, "name": "a.png" }).to_string(),
        json!({ "file": PNG_DATA_URL, "name": "a.png", "text": 5 }).to_string(),
        json!({ "file": PNG_DATA_URL, "name": ["a"] }).to_string(),
        "\"just a string\"".to_string(),
    ] {
        user.post_raw(path, raw)
            .await
            .assert_err(400, "BAD_REQUEST");
    }
    let huge = json!({ "file": "A".repeat(11 * 1024 * 1024), "name": "a.png" }).to_string();
    user.post_raw(path, huge)
        .await
        .assert_err(413, "CONTENT_TOO_LARGE");
    srv.post(path, json!({ "file": PNG_DATA_URL, "name": "a.png" }))
        .await
        .assert_err(401, "UNAUTHORIZED");

    assert_eq!(count_posts(&srv), 0, "nothing was stored");
    assert!(stored_images(&srv).is_empty(), "{:?}", stored_images(&srv));
    assert!(feed(user, "").await.is_empty());
    // 500 characters (after trimming) are fine.
    let at_limit = format!("  {}  ", "é".repeat(500));
    assert_eq!(
        new_post(user, Some(&at_limit)).await["text"],
        json!("é".repeat(500))
    );
}

#[actix_web::test]
async fn deleting_a_post_removes_its_image_likes_and_comments() {
    let srv = TestServer::start().await;
    let users = srv.users(2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let post = new_post(alice, Some("bye soon")).await;
    let keep = new_post(bob, Some("staying")).await;
    let (id, img) = (post["id"].as_str().unwrap(), post["img"].as_str().unwrap());
    bob.post(
        &format!("/x/posts/comment/add/{id}"),
        json!({ "text": "nice" }),
    )
    .await
    .assert_ok();
    bob.post(
        &format!("/x/posts/comment/add/{}", keep["id"].as_str().unwrap()),
        json!({ "text": "mine stays" }),
    )
    .await
    .assert_ok();
    let mut ws = bob.socket().await;
    ws.send_text(&json!({ "identifier": "kirimin", "type": "postlike", "postid": id }).to_string())
        .await;
    crate::post_likes::wait_for_like(bob, id, true).await;

    // Nobody but the author can delete it; unknown ids are not found.
    for who_what in [
        (bob, id.to_string()),
        (alice, "999999".into()),
        (alice, "abc".into()),
    ] {
        who_what
            .0
            .post(&format!("/x/posts/delete-post/{}", who_what.1), json!({}))
            .await
            .assert_err(404, "POSTS_NOT_FOUND");
    }
    alice
        .post_raw(&format!("/x/posts/delete-post/{id}"), "{bad".into())
        .await
        .assert_err(400, "BAD_REQUEST");
    assert_eq!(feed(bob, "").await.len(), 2, "refusals changed nothing");
    assert_eq!(stored_images(&srv).len(), 2);

    let data = alice
        .post(&format!("/x/posts/delete-post/{id}"), json!({}))
        .await
        .assert_ok();
    assert_eq!(data, json!({ "postid": id }));
    assert_eq!(
        ids_of(&feed(bob, "").await),
        ids_of(std::slice::from_ref(&keep))
    );
    assert!(
        !stored_images(&srv).contains(&img.to_string()),
        "the image file is gone"
    );
    assert_eq!(stored_images(&srv).len(), 1, "the other post's image stays");
    bob.get(&format!("/file/post/{id}/{img}"))
        .await
        .assert_err(404, "NOT_FOUND");
    bob.get(&format!("/x/posts/comments/{id}"))
        .await
        .assert_err(404, "POSTS_NOT_FOUND");
    let post_n: i64 = id.parse().unwrap();
    let (comments_left, likes_left, all_comments) = srv.db(|c| {
        (
            post_comments::table
                .filter(post_comments::post_id.eq(post_n))
                .count()
                .get_result::<i64>(c)
                .unwrap(),
            post_likes::table
                .filter(post_likes::post_id.eq(post_n))
                .count()
                .get_result::<i64>(c)
                .unwrap(),
            post_comments::table.count().get_result::<i64>(c).unwrap(),
        )
    });
    assert_eq!((comments_left, likes_left, all_comments), (0, 0, 1));
    alice
        .post(&format!("/x/posts/delete-post/{id}"), json!({}))
        .await
        .assert_err(404, "POSTS_NOT_FOUND");
    // The socket that liked it is still up and works.
    ws.send_text(
        &json!({ "identifier": "kirimin", "type": "postlike", "postid": keep["id"] }).to_string(),
    )
    .await;
    crate::post_likes::wait_for_like(bob, keep["id"].as_str().unwrap(), true).await;
}

#[actix_web::test]
async fn comments_are_added_listed_counted_and_deleted_by_their_authors() {
    let srv = TestServer::start().await;
    let users = srv.users(3).await;
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
    let post = new_post(alice, Some("comment me")).await;
    let id = post["id"].as_str().unwrap();
    let other = new_post(alice, None).await;
    let other_id = other["id"].as_str().unwrap();
    let add = format!("/x/posts/comment/add/{id}");
    assert_eq!(
        bob.get(&format!("/x/posts/comments/{id}"))
            .await
            .assert_ok(),
        json!([])
    );

    let first = bob
        .post(&add, json!({ "text": "  first!\n " }))
        .await
        .assert_ok();
    assert_eq!(first["text"], json!("first!"));
    assert_eq!(first["user"]["id"], json!(bob.id));
    assert_eq!(first["user"]["isFriend"], json!(0));
    assert!(first["ts"].as_i64().unwrap() > 0);
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in ["id", "user", "text", "ts"] {
        assert!(keys.contains(&key), "{key} missing from {first}");
    }
    let cid = first["id"].as_str().expect("comment id is a string");
    let max = "ü".repeat(300);
    let second = carol.post(&add, json!({ "text": max })).await.assert_ok();

    // Bad comments are refused and stored nowhere.
    for text in ["", "   \n\t ", &"a".repeat(301)] {
        bob.post(&add, json!({ "text": text }))
            .await
            .assert_err(400, "POST_COMMENT_LENGTH");
    }
    for raw in ["{bad", r#"{"text": 5}"#, "{}", r#"{"text": null}"#] {
        bob.post_raw(&add, raw.into())
            .await
            .assert_err(400, "BAD_REQUEST");
    }
    let huge = json!({ "text": "a".repeat(150 * 1024) }).to_string();
    bob.post_raw(&add, huge)
        .await
        .assert_err(413, "CONTENT_TOO_LARGE");
    for unknown in ["999999", "abc"] {
        bob.post(
            &format!("/x/posts/comment/add/{unknown}"),
            json!({ "text": "hi" }),
        )
        .await
        .assert_err(404, "POSTS_NOT_FOUND");
        bob.get(&format!("/x/posts/comments/{unknown}"))
            .await
            .assert_err(404, "POSTS_NOT_FOUND");
        bob.post(
            &format!("/x/posts/comment/delete/{unknown}/{cid}"),
            json!({}),
        )
        .await
        .assert_err(404, "POSTS_NOT_FOUND");
    }

    let listed = alice
        .get(&format!("/x/posts/comments/{id}"))
        .await
        .assert_ok();
    assert_eq!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect::<Vec<_>>(),
        vec![first["id"].clone(), second["id"].clone()],
        "oldest first"
    );
    assert_eq!(listed[0]["text"], json!("first!"));
    assert_eq!(listed[1]["user"]["id"], json!(carol.id));
    let in_feed = feed(carol, "").await;
    assert_eq!(in_feed[0]["comments"], json!(2));
    assert_eq!(in_feed[1]["comments"], json!(0));

    // Only the comment's author deletes it, and only under its own post.
    for (who, path) in [
        (carol, format!("/x/posts/comment/delete/{id}/{cid}")),
        (alice, format!("/x/posts/comment/delete/{id}/{cid}")),
        (bob, format!("/x/posts/comment/delete/{other_id}/{cid}")),
        (bob, format!("/x/posts/comment/delete/{id}/999999")),
        (bob, format!("/x/posts/comment/delete/{id}/abc")),
    ] {
        who.post(&path, json!({}))
            .await
            .assert_err(404, "CMT_NOT_FOUND");
    }
    let delete = format!("/x/posts/comment/delete/{id}/{cid}");
    bob.post_raw(&delete, "{bad".into())
        .await
        .assert_err(400, "BAD_REQUEST");
    assert_eq!(feed(bob, "").await[0]["comments"], json!(2));
    let done = bob.post(&delete, json!({})).await;
    assert_eq!(done.assert_ok(), Value::Null, "no data: {}", done.body);
    bob.post(&delete, json!({}))
        .await
        .assert_err(404, "CMT_NOT_FOUND");
    let listed = bob
        .get(&format!("/x/posts/comments/{id}"))
        .await
        .assert_ok();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], second["id"]);
    assert_eq!(feed(bob, "").await[0]["comments"], json!(1));
    srv.get(&format!("/x/posts/comments/{id}"))
        .await
        .assert_err(401, "UNAUTHORIZED");
}

#[actix_web::test]
async fn post_routes_are_rate_limited_per_user() {
    let srv = TestServer::start_with(&["--rate-limit", "0.001/3"]).await;
    let user = &srv.users(1).await[0];
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(user.get("/x/posts").await.status);
    }
    assert_eq!(statuses, vec![200, 200, 200, 429]);
    let res = user
        .post(
            "/x/posts/new-post",
            json!({ "file": PNG_DATA_URL, "name": "a.png" }),
        )
        .await;
    assert_eq!(res.status, 429, "body: {}", res.body);
    assert!(res.headers.get("retry-after").is_some());
    assert_eq!(count_posts(&srv), 0);
}
