//! `GET /openapi.json` (issue 16): the document is served, and the errors a
//! client really gets are the ones it lists for that endpoint and status.

use kirimin::http::openapi::error_msgs as listed;
use serde_json::json;

use crate::common::{create_group, join, TestServer};

#[actix_web::test]
async fn the_errors_of_a_kick_are_the_ones_the_document_lists() {
    let srv = TestServer::start().await;
    let doc = srv.get("/openapi.json").await;
    assert_eq!(doc.status, 200);
    let content_type = doc.headers.get("content-type").map(|v| v.to_str().unwrap());
    assert_eq!(content_type, Some("application/json"));
    let doc = doc.body;
    assert_eq!(doc["openapi"], json!("3.1.0"));

    let [owner, member]: [_; 2] = srv.users(2).await.try_into().ok().expect("2 users");
    let (gid, link) = create_group(&owner, "Documented").await;
    join(&member, &gid, &link).await.assert_ok();
    let kick = "/x/group/kick/{gid}/{uid}";
    let answers = [
        owner
            .post(&format!("/x/group/kick/{gid}/{}", owner.id), json!({}))
            .await,
        member
            .post(&format!("/x/group/kick/{gid}/{}", owner.id), json!({}))
            .await,
        owner
            .post(&format!("/x/group/kick/999999999/{}", member.id), json!({}))
            .await,
        srv.post(&format!("/x/group/kick/{gid}/{}", member.id), json!({}))
            .await,
    ];
    let seen: Vec<(u16, String)> = answers
        .iter()
        .map(|a| (a.status, a.msg().to_string()))
        .collect();
    assert_eq!(
        seen,
        [
            (400, "GRPS_KICK_SELF".to_string()),
            (400, "GRPS_OWNER_FEATURE".to_string()),
            (404, "GRPS_404".to_string()),
            (401, "UNAUTHORIZED".to_string()),
        ]
    );
    for (status, msg) in seen {
        let msgs = listed(&doc, "post", kick, status);
        assert!(msgs.contains(&msg), "{status} {msg} not in {msgs:?}");
    }
    // A body that is not an object is documented too.
    let bad = member
        .post_raw(&format!("/x/group/kick/{gid}/{}", owner.id), "[]".into())
        .await;
    bad.assert_err(400, "BAD_REQUEST");
    assert!(listed(&doc, "post", kick, 400).contains(&"BAD_REQUEST".to_string()));
}
