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
