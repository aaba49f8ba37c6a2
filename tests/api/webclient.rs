//! The embedded web client: pages with a CSP, assets from the fixed table,
//! everything else a 404 envelope.

use crate::common::TestServer;

fn header<'a>(res: &'a crate::common::Answer, name: &str) -> &'a str {
    res.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[actix_web::test]
async fn pages_carry_a_csp_without_inline_script() {
    let srv = TestServer::start().await;
    for path in ["/app", "/app/anything", "/invite/some-link"] {
        let res = srv.raw("GET", path, None, None, false).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(header(&res, "content-type").starts_with("text/html"));
        let csp = header(&res, "content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    }
}

#[actix_web::test]
async fn assets_are_served_from_the_binary() {
    let srv = TestServer::start().await;
    let js = srv
        .raw("GET", "/app/assets/js/main.js", None, None, false)
        .await;
    assert_eq!(js.status, 200);
    assert!(header(&js, "content-type").starts_with("text/javascript"));
    let css = srv
        .raw("GET", "/app/assets/app.css", None, None, false)
        .await;
    assert_eq!(css.status, 200);
    assert!(header(&css, "content-type").starts_with("text/css"));
}

#[actix_web::test]
async fn unknown_assets_and_traversal_are_not_found() {
    let srv = TestServer::start().await;
    for path in [
        "/app/assets/nope.js",
        "/app/assets/",
        "/app/assets/%2e%2e/index.html",
        "/app/assets/..%2f..%2fCargo.toml",
        "/app/assets/js/%2e%2e/app.css",
    ] {
        srv.get(path).await.assert_err(404, "NOT_FOUND");
    }
}

/// A GET with a browser's `Accept` header: status, content type, body text.
async fn browser_get(srv: &TestServer, path: &str, accept: &str) -> (u16, String, String) {
    let mut res = crate::common::client()
        .get(format!("{}{path}", srv.base))
        .insert_header(("Accept", accept))
        .send()
        .await
        .expect("request sent");
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res.body().await.expect("body");
    (
        res.status().as_u16(),
        kind,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

#[actix_web::test]
async fn the_favicon_is_served_from_the_binary() {
    let srv = TestServer::start().await;
    let mut res = crate::common::client()
        .get(format!("{}/favicon.ico", srv.base))
        .send()
        .await
        .expect("request sent");
    assert_eq!(res.status().as_u16(), 200);
    let kind = res.headers().get("content-type").expect("content type");
    assert_eq!(kind.to_str().unwrap_or(""), "image/x-icon");
    let body = res.body().await.expect("body");
    // an ICO header: reserved 0, type 1 (icon), at least one image
    assert!(body.len() > 22, "{} bytes", body.len());
    assert_eq!(&body[..4], &[0, 0, 1, 0]);
}

#[actix_web::test]
async fn unknown_paths_are_a_page_for_browsers_and_the_envelope_for_api_clients() {
    let srv = TestServer::start().await;
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    for path in ["/no/such/page", "/x/nope", "/app/assets/missing.js"] {
        let (status, kind, body) = browser_get(&srv, path, browser).await;
        assert_eq!(status, 404, "{path}");
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        assert!(body.contains("Page not found"), "{path}: {body}");
        assert!(body.contains("href=\"/app\""), "{path}");
    }
    // API clients (JSON or no preference) still get the envelope
    srv.get("/no/such/page").await.assert_err(404, "NOT_FOUND");
    let (status, kind, body) = browser_get(&srv, "/no/such/page", "*/*").await;
    assert_eq!(status, 404);
    assert!(kind.starts_with("application/json"), "{kind}");
    let envelope: serde_json::Value = serde_json::from_str(&body).expect("JSON envelope");
    assert_eq!(envelope["msg"], "NOT_FOUND");
    let (status, _, body) = browser_get(&srv, "/no/such/page", "application/json, text/html").await;
    assert_eq!(status, 404);
    assert!(body.contains("\"NOT_FOUND\""), "{body}");
}
